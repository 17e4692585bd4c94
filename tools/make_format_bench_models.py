#!/usr/bin/env python3
"""Writes the benchmark networks (MobileNetV2, ResNet-18, 224x224) in TensorFlow, Caffe and BigDL formats, with
the same weights as their ONNX forms, for bench/formats.sh.

    .venv/bin/python tools/make_format_bench_models.py <models_dir> [--models "mobilenetv2 resnet18"]
                                                        [--formats "tensorflow caffe bigdl"]

Reads <models_dir>/<model>/model.onnx (made first with tools/make_bench_models.py when missing) and writes
    <models_dir>/<model>-tensorflow/frozen_graph.pb + graph_meta.json   (NHWC; input "input:0")
    <models_dir>/<model>-caffe/net.prototxt + net.caffemodel            (NCHW)
    <models_dir>/<model>-bigdl/model.model                              (NCHW; BigDL saveModule)
Each writer runs in its framework's environment (tools/bench_formats/*_writer.py) and checks that its files,
run by the framework (TensorFlow's Session, BigDL's forward) or in NumPy with Caffe's layer semantics, give
onnxruntime's output of the ONNX model on a random batch to 1e-3 of the largest output.

Needs: .venv (onnx, onnxruntime); .venv-tensorflow (requirements/tensorflow.txt); protoc and .venv-caffe
(requirements/caffe.txt; else .venv, whose protobuf reads protoc 3.21's Python too); .venv-bigdl (set up as
tools/make_bigdl_fixtures.py says) and a JDK. A format whose environment is missing is skipped with a message
(exit status 1 at the end).
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

TOOLS = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(TOOLS)
sys.path.insert(0, TOOLS)
from bench_formats.network import CHANNELS, IMAGE_SIZE, INPUT_NAME, from_onnx  # noqa: E402

# Format -> (the environment that has the framework, writer module).
WRITERS = {
    "tensorflow": (".venv-tensorflow", "bench_formats.tensorflow_writer"),
    "caffe": (".venv-caffe", "bench_formats.caffe_writer"),
    "bigdl": (".venv-bigdl", "bench_formats.bigdl_writer"),
}
CHECK_BATCH = 2


def ensure_onnx_models(models_dir, models):
    if all(os.path.exists(os.path.join(models_dir, m, "model.onnx")) for m in models):
        return
    print(f"making the ONNX benchmark models in {models_dir}", flush=True)
    subprocess.run([sys.executable, os.path.join(TOOLS, "make_bench_models.py"), models_dir], check=True)


def onnxruntime_reference(path, images):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL  # the graph as written
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    return session.run(None, {INPUT_NAME: images})[0]


def python_for(fmt):
    python = os.path.join(REPO, WRITERS[fmt][0], "bin", "python")
    if not os.path.exists(python) and fmt == "caffe":
        return sys.executable  # the Caffe writer needs only numpy and protobuf, which onnx brings
    return python if os.path.exists(python) else None


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("models_dir")
    p.add_argument("--models", default="mobilenetv2 resnet18")
    p.add_argument("--formats", default="tensorflow caffe bigdl")
    args = p.parse_args()
    models_dir = os.path.abspath(args.models_dir)
    models, formats = args.models.split(), args.formats.split()
    unknown = [f for f in formats if f not in WRITERS]
    if unknown:
        sys.exit(f"unknown format(s) {unknown}; known: {' '.join(WRITERS)}")
    ensure_onnx_models(models_dir, models)

    failed = []
    work = tempfile.mkdtemp(prefix="format-bench-models-")
    try:
        for model in models:
            spec_dir = os.path.join(work, model)
            onnx_path = os.path.join(models_dir, model, "model.onnx")
            network = from_onnx(onnx_path, model)
            network.save(spec_dir)
            images = np.random.default_rng(7).standard_normal(
                (CHECK_BATCH, CHANNELS, IMAGE_SIZE, IMAGE_SIZE)).astype(np.float32)
            np.save(os.path.join(spec_dir, "check_input.npy"), images)
            np.save(os.path.join(spec_dir, "check_output.npy"), onnxruntime_reference(onnx_path, images))
            for fmt in formats:
                out_dir = os.path.join(models_dir, f"{model}-{fmt}")
                python = python_for(fmt)
                if python is None:
                    print(f"{model}-{fmt}: skipped, no {WRITERS[fmt][0]} (see this script's docstring)", flush=True)
                    failed.append(f"{model}-{fmt}")
                    continue
                if os.path.isdir(out_dir):
                    shutil.rmtree(out_dir)  # no stale file from an earlier run may sit beside the new ones
                started = time.monotonic()
                proc = subprocess.run([python, "-m", WRITERS[fmt][1], spec_dir, out_dir], cwd=TOOLS)
                if proc.returncode != 0:
                    print(f"{model}-{fmt}: FAILED (exit status {proc.returncode})", flush=True)
                    failed.append(f"{model}-{fmt}")
                    shutil.rmtree(out_dir, ignore_errors=True)
                else:
                    print(f"  wrote {out_dir} in {time.monotonic() - started:.0f} s", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if failed:
        print(f"not written: {' '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
