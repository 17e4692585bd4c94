#!/usr/bin/env python3
"""The benchmark networks from TensorFlow, Caffe and BigDL files beside their ONNX form in our engine, and beside
TensorFlow's own Session on the frozen graph (run by bench/formats.sh).

For each model x threads x batch, rounds alternate: ours on the ONNX model, ours on each format's files, and
TensorFlow's Session; each measurement runs in its own process for --seconds. The table shows the median over
rounds, each format's images/s as a ratio of the ONNX form's, and ours on the TensorFlow graph against the
Session on the same graph.

    python3 bench/formats_bench.py --bin .build/release/cluster-serving --models-dir .bench-models
    python3 bench/formats_bench.py --check ...     # outputs of each format's model against its ONNX form

Models: <models-dir>/<model>/model.onnx and <models-dir>/<model>-<format>/ (tools/make_format_bench_models.py).
Ours:       <bin> benchmark --model <dir> --batch B --seconds S --threads T --dynamic-size 224 (a JSON line).
TensorFlow: this script with --tf-worker, run by --tf-python (.venv-tensorflow), the same JSON line; a
            tf.compat.v1.Session with intra_op_parallelism_threads = T, inter_op_parallelism_threads = 1.
Defaults come from the environment: ROUNDS, DURATION, BATCHES, THREADS, MODELS, FORMATS, BIN, TF_PYTHON.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import inference_bench as ib  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FORMATS = ("tensorflow", "caffe", "bigdl")
NHWC_FORMATS = ("tensorflow",)  # the files' input layout; the others are NCHW like the ONNX form
IMAGE_SIZE = 224  # tools/make_bench_models.py's networks


# ---------------------------------------------------------------------------------------------- TensorFlow worker

def tf_worker(model_dir, batch, threads, seconds):
    """Measures the frozen graph in a TensorFlow Session (as TF 1.x serving code runs one); one JSON line."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    with open(os.path.join(model_dir, "graph_meta.json")) as f:
        meta = json.load(f)
    graph_def = tf.compat.v1.GraphDef()
    with open(os.path.join(model_dir, "frozen_graph.pb"), "rb") as f:
        graph_def.ParseFromString(f.read())
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(graph_def, name="")
    config = tf.compat.v1.ConfigProto(intra_op_parallelism_threads=threads, inter_op_parallelism_threads=1)
    session = tf.compat.v1.Session(graph=graph, config=config)
    placeholder = graph.get_tensor_by_name(meta["input_names"][0])
    shape = [batch] + [int(d) for d in placeholder.shape[1:]]
    feed = {placeholder: np.random.default_rng(0).standard_normal(shape).astype(np.float32)}
    output = meta["output_names"][0]
    print(json.dumps(time_runs(lambda: session.run(output, feed), batch, threads, seconds)))


def time_runs(run, batch, threads, seconds):
    """inference_bench's ort_worker measurement: warm-up (3 runs or about a second), then runs for `seconds`."""
    warm_until = time.perf_counter() + 1.0
    runs = 0
    while runs < 3 or time.perf_counter() < warm_until:
        run()
        runs += 1
    latencies = []
    start = now = time.perf_counter()
    end = start + seconds
    while now < end or not latencies:
        t0 = now
        run()
        now = time.perf_counter()
        latencies.append(now - t0)
    ms = np.array(latencies) * 1e3
    return {"images_per_second": batch * len(latencies) / (now - start), "p50_ms": float(np.percentile(ms, 50)),
            "p99_ms": float(np.percentile(ms, 99)), "batch": batch, "threads": threads}


# ---------------------------------------------------------------------------------------------- measurements

def model_dir(args, model, fmt):
    return os.path.join(args.models_dir, model if fmt == "onnx" else f"{model}-{fmt}")


def ours_cmd(args, model, fmt, batch, threads):
    # A BigDL file does not record the image size (its input is [batch, 3, ?, ?]): --dynamic-size fills it.
    return [args.bin, "benchmark", "--model", model_dir(args, model, fmt), "--batch", str(batch),
            "--seconds", str(args.seconds), "--threads", str(threads), "--dynamic-size", str(IMAGE_SIZE)]


def tf_cmd(args, model, batch, threads):
    return [args.tf_python, os.path.abspath(__file__), "--tf-worker", "--model-dir",
            model_dir(args, model, "tensorflow"), "--batch", str(batch), "--threads", str(threads),
            "--seconds", str(args.seconds)]


def sides(args, model, formats, batch, threads):
    """(side name, command) in the order one round runs them."""
    out = [("onnx", ours_cmd(args, model, "onnx", batch, threads))]
    for fmt in formats:
        out.append((fmt, ours_cmd(args, model, fmt, batch, threads)))
        if fmt == "tensorflow" and args.tf_python:
            out.append(("tf-session", tf_cmd(args, model, batch, threads)))
    return out


def measure_config(args, model, formats, threads, batch):
    """Interleaved rounds; returns {side: [results], "errors": {side: message}}."""
    plan = sides(args, model, formats, batch, threads)
    runs = {side: [] for side, _ in plan}
    runs["errors"] = {}
    timeout = args.seconds * 4 + 300  # loading (a debug build is slow) and warm-up included
    for r in range(args.rounds):
        for side, cmd in plan:
            if side in runs["errors"]:
                continue  # a side that failed once is not retried in later rounds
            try:
                result = ib.run_measurement(cmd, timeout)
                runs[side].append(result)
                note = f"{result['images_per_second']:.1f} img/s"
            except (ib.MeasureError, subprocess.TimeoutExpired, OSError, ValueError) as err:
                runs["errors"][side] = str(err)
                note = f"FAILED: {err}"
            print(f"  {model} threads={threads} batch={batch} round {r + 1}/{args.rounds} {side}: {note}",
                  file=sys.stderr, flush=True)
    return runs


# ---------------------------------------------------------------------------------------------- report

def print_table(rows, formats, tf_session):
    header = ["model", "threads", "batch", "ONNX img/s"]
    for fmt in formats:
        header += [f"{fmt} img/s", f"{fmt}/ONNX"]
    if tf_session:
        header += ["TF Session img/s", "ours tf/Session"]
    table = [header]
    for model, threads, batch, runs in rows:
        ips = {side: ib.median_of(results, "images_per_second") for side, results in runs.items() if side != "errors"}

        def ratio(a, b):
            return ips[a] / ips[b] if ips.get(a) and ips.get(b) else None

        line = [model, str(threads), str(batch), ib.fmt(ips.get("onnx"), ".1f")]
        for fmt in formats:
            line += [ib.fmt(ips.get(fmt), ".1f"), ib.fmt(ratio(fmt, "onnx"), ".3f")]
        if tf_session:
            line += [ib.fmt(ips.get("tf-session"), ".1f"), ib.fmt(ratio("tensorflow", "tf-session"), ".2f")]
        table.append(line)
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for i, row in enumerate(table):
        print("  ".join(cell.ljust(w) if j == 0 else cell.rjust(w) for j, (cell, w) in enumerate(zip(row, widths))))
        if i == 0:
            print("  ".join("-" * w for w in widths))


def print_machine(args):
    ib.describe_machine()
    tf_version = "not measured (no --tf-python)"
    if args.tf_python:
        proc = subprocess.run([args.tf_python, "-c", "import tensorflow as tf; print(tf.__version__)"],
                              capture_output=True, text=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
        tf_version = proc.stdout.strip().splitlines()[-1] if proc.returncode == 0 else "unavailable"
    print(f"ours: {args.bin}; TensorFlow {tf_version}")


# ---------------------------------------------------------------------------------------------- --check

def check_outputs(args, models, formats):
    """Ours on each format's files against ours on the ONNX form, on the same random batch (NHWC for
    TensorFlow); prints max |diff| and fails beyond 1e-3 of the largest output or on a different top-1."""
    failures = 0
    with tempfile.TemporaryDirectory(prefix="formats-check-") as work:
        for model in models:
            images = np.random.default_rng(3).standard_normal((2, 3, IMAGE_SIZE, IMAGE_SIZE)).astype(np.float32)
            outputs = {}
            for fmt in ("onnx", *formats):
                x = images.transpose(0, 2, 3, 1) if fmt in NHWC_FORMATS else images
                x_path, y_path = os.path.join(work, f"{model}-{fmt}-in.npy"), os.path.join(work, f"{model}-{fmt}.npy")
                np.save(x_path, np.ascontiguousarray(x))
                try:
                    proc = subprocess.run([args.bin, "predict", "--model", model_dir(args, model, fmt), "--input",
                                           x_path, "--output", y_path, "--threads", "2"], capture_output=True, text=True)
                    problem = None if proc.returncode == 0 else (proc.stderr or proc.stdout).strip()
                except OSError as err:
                    problem = str(err)
                if problem is not None:
                    print(f"{model} {fmt}: predict failed: {problem}")
                    failures += 1
                    continue
                outputs[fmt] = np.load(y_path).astype(np.float64)
            reference = outputs.get("onnx")
            for fmt in formats:
                if reference is None or fmt not in outputs:
                    continue
                got = outputs[fmt]
                if got.shape != reference.shape:
                    print(f"{model} {fmt}: output shape {got.shape}, ONNX form {reference.shape}")
                    failures += 1
                    continue
                diff, scale = float(np.max(np.abs(got - reference))), float(np.max(np.abs(reference)))
                same_top1 = np.array_equal(got.argmax(-1), reference.argmax(-1))
                ok = diff <= 1e-3 * scale and same_top1
                failures += 0 if ok else 1
                print(f"{model} {fmt}: max |diff| against the ONNX form {diff:.3g} (max |output| {scale:.3g}), "
                      f"top-1 {'same' if same_top1 else 'DIFFERENT'}: {'ok' if ok else 'FAIL'}")
    return 1 if failures else 0


# ---------------------------------------------------------------------------------------------- main

def parse_args():
    env = os.environ
    default_tf = os.path.join(REPO, ".venv-tensorflow", "bin", "python")
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", default=env.get("BIN", ".build/release/cluster-serving"))
    p.add_argument("--models-dir", default=env.get("MODELS_DIR", ".bench-models"))
    p.add_argument("--models", default=env.get("MODELS", "mobilenetv2 resnet18"))
    p.add_argument("--formats", default=env.get("FORMATS", " ".join(FORMATS)))
    p.add_argument("--batches", default=env.get("BATCHES", "1 4 16"))
    p.add_argument("--threads", default=env.get("THREADS", "1 2"))
    p.add_argument("--rounds", type=int, default=int(env.get("ROUNDS", "3")))
    p.add_argument("--seconds", type=float, default=float(env.get("DURATION", "5")))
    p.add_argument("--tf-python", default=env.get("TF_PYTHON", default_tf if os.path.exists(default_tf) else ""),
                   help="a Python with tensorflow for the Session side; empty: skip it")
    p.add_argument("--check", action="store_true", help="compare outputs with the ONNX form instead of timing")
    # Worker mode (one TensorFlow measurement, used by this script itself).
    p.add_argument("--tf-worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--model-dir", help=argparse.SUPPRESS)
    p.add_argument("--batch", type=int, help=argparse.SUPPRESS)
    return p.parse_args()


def main():
    args = parse_args()
    if args.tf_worker:
        tf_worker(args.model_dir, args.batch, int(args.threads), args.seconds)
        return 0

    models = args.models.split()
    formats = [f for f in args.formats.split() if f in FORMATS]
    if len(formats) != len(args.formats.split()):
        sys.exit(f"FORMATS: one or more of {' '.join(FORMATS)}")
    for model in models:
        if not os.path.exists(os.path.join(args.models_dir, model, "model.onnx")):
            sys.exit(f"missing {args.models_dir}/{model}/model.onnx (make it with tools/make_bench_models.py)")
        for fmt in formats:
            if not os.path.isdir(model_dir(args, model, fmt)):
                sys.exit(f"missing {model_dir(args, model, fmt)} (make it with tools/make_format_bench_models.py)")
    if args.check:
        return check_outputs(args, models, formats)

    batches, threads_list = [int(b) for b in args.batches.split()], [int(t) for t in args.threads.split()]
    if args.seconds == int(args.seconds):
        args.seconds = int(args.seconds)  # "--seconds 5", not "5.0", for our binary's parser
    tf_session = "tensorflow" in formats and bool(args.tf_python)
    print_machine(args)
    print(f"{args.rounds} rounds of {args.seconds} s per measurement, median shown; formats: {' '.join(formats)}")
    rows = []
    for model in models:
        for threads in threads_list:
            for batch in batches:
                rows.append((model, threads, batch, measure_config(args, model, formats, threads, batch)))
    print()
    print_table(rows, formats, tf_session)

    failures = sorted({(side, err) for *_, runs in rows for side, err in runs["errors"].items()})
    for side, err in failures:
        print(f"{side} failed: {err}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
