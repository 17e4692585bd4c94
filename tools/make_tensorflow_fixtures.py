#!/usr/bin/env python3
"""Builds the TensorFlow fixtures in Tests/Fixtures/inference/tensorflow/.

    .venv-tensorflow/bin/python tools/make_tensorflow_fixtures.py [out_dir]

(.venv-tensorflow: python3 -m venv .venv-tensorflow && .venv-tensorflow/bin/pip install -r requirements/tensorflow.txt)

Every case is a frozen graph written by TensorFlow itself: a tf.function (small Keras models with fixed seeds, or
tf.raw_ops for one op family) frozen with convert_variables_to_constants_v2 into <case>/model/frozen_graph.pb,
its inputs at batch 16 as .npy and the outputs TensorFlow computes for them (the frozen function run in
TensorFlow; for NCHW convolutions, which TensorFlow's CPU kernels refuse, the same op run in NHWC). manifest.json
lists the cases, with the other readers' fields. A SavedModel helper's cases, listed in savedmodel-cases.json
beside it, are merged in. Seeded: a re-run rewrites the same numbers.
"""

import json
import os
import shutil
import sys
import zlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# The plain Eigen kernels, not oneDNN's: the reference does not depend on the CPU the script runs on.
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixtures import tensorflow_models, tensorflow_ops  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(REPO, "Tests", "Fixtures", "inference", "tensorflow")
BATCH = 16


def case_rng(name):
    """One generator per case, seeded from its name, so adding a case never changes another's data."""
    return np.random.default_rng(zlib.crc32(name.encode()))


def sanitize(name):
    return "".join(ch if ch.isalnum() or ch in "_.-" else "_" for ch in name)


def as_reference(array):
    """Reference files keep float32 and bool; every integer type is stored as int64 (the tests compare values)."""
    array = np.asarray(array)
    if array.dtype.kind in "iu":
        return array.astype(np.int64)
    if array.dtype.kind == "f":
        return array.astype(np.float32)
    return array


class Writer:
    def __init__(self, out):
        self.out = out
        self.entries = []

    def add(self, case):
        """case: tensorflow_ops.Case. Freezes, writes the graph, runs it, writes inputs/outputs and the entry."""
        tf.keras.utils.set_random_seed(zlib.crc32(case.name.encode()) % (2 ** 31))
        fn = case.build()
        concrete = fn.get_concrete_function()
        frozen = convert_variables_to_constants_v2(concrete)
        graph_def = frozen.graph.as_graph_def()
        folder = os.path.join(self.out, case.kind + "s", case.name)
        shutil.rmtree(folder, ignore_errors=True)
        model_dir = os.path.join(folder, "model")
        os.makedirs(model_dir)
        with open(os.path.join(model_dir, "frozen_graph.pb"), "wb") as f:
            f.write(graph_def.SerializeToString(deterministic=True))  # map order fixed: same bytes each run
        input_names = [t.name for t in frozen.inputs]
        output_names = [t.name for t in frozen.outputs]
        if case.graph_meta:
            with open(os.path.join(model_dir, "graph_meta.json"), "w") as f:
                json.dump({"input_names": input_names, "output_names": output_names}, f, indent=1)

        rng = case_rng(case.name)
        arrays = case.inputs(rng, BATCH)
        assert len(arrays) == len(input_names), (case.name, input_names)
        if case.reference is not None:
            results = case.reference(*arrays)
        else:
            results = frozen(*[tf.constant(a) for a in arrays])
        if not isinstance(results, (list, tuple)):
            results = [results]
        results = [np.asarray(r) for r in results]
        assert len(results) == len(output_names), (case.name, output_names)

        entry = {"name": case.name, "kind": case.kind, "model": os.path.relpath(model_dir, self.out),
                 "format": "tensorflow", "inputs": {}, "outputs": {}, "input_order": input_names,
                 "output_order": output_names, "atol": case.atol, "rtol": case.rtol,
                 "batch_invariant": case.batch_invariant, "description": case.description}
        for kind, names, values in (("inputs", input_names, arrays), ("outputs", output_names, results)):
            os.makedirs(os.path.join(folder, kind), exist_ok=True)
            for name, value in zip(names, values):
                path = os.path.join(folder, kind, sanitize(name) + ".npy")
                np.save(path, value if kind == "inputs" else as_reference(value))
                entry[kind][name] = os.path.relpath(path, self.out)
        self.entries.append(entry)
        print(f"{case.kind} {case.name}: {len(graph_def.node)} nodes, ops "
              + ",".join(sorted({n.op for n in graph_def.node})))


def main():
    out = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUT)
    for folder in ("models", "ops"):
        shutil.rmtree(os.path.join(out, folder), ignore_errors=True)
    os.makedirs(out, exist_ok=True)
    writer = Writer(out)
    for case in tensorflow_models.cases() + tensorflow_ops.cases():
        writer.add(case)
    entries = list(writer.entries)
    extra = os.path.join(out, "savedmodel-cases.json")
    if os.path.exists(extra):
        with open(extra) as f:
            entries += json.load(f)
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(entries, f, indent=1)
        f.write("\n")
    print(f"{len(writer.entries)} cases written to {out}")


if __name__ == "__main__":
    main()
