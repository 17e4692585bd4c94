"""Writes a benchmark network as a BigDL model (saveModule's protobuf file), built and run by BigDL itself.

    .venv-bigdl/bin/python -m bench_formats.bigdl_writer <spec_dir> <out_dir>    (from tools/)

BigDL's Python API does not run on Python 3.11 (see tools/make_bigdl_fixtures.py), so a small Java program
(bigdl_java.py) is compiled against the jars of .venv-bigdl and builds the Graph, saves it to
<out_dir>/model.model, reloads it and runs BigDL's forward on the check input; its output must match
onnxruntime's output of the ONNX model to 1e-3 of its largest value. Needs a JDK (javac, java).
"""

import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

from . import bigdl_java
from .network import Network, check_close


def write_spec(network, folder):
    """layers.txt and weights/<key>.f32 for the Java program (names and keys have no spaces)."""
    os.makedirs(os.path.join(folder, "weights"), exist_ok=True)
    lines = []
    for layer in network.layers:
        attrs = {}
        for key in ("kernel", "stride", "pad", "group", "epsilon"):
            if key in layer:
                attrs[key] = layer[key]
        for role in ("weight", "bias", "scale", "offset", "mean", "var"):
            if layer.get(role) is not None:
                attrs[role] = layer[role]
                network.weights[layer[role]].astype("<f4").tofile(os.path.join(folder, "weights", layer[role] + ".f32"))
        if layer["op"] in ("conv", "dense"):
            attrs["cout"] = network.weights[layer["weight"]].shape[0]
        fields = [layer["op"], layer["name"], layer["output"], str(len(layer["inputs"])), *layer["inputs"]]
        lines.append(" ".join(fields + [f"{k}={v}" for k, v in attrs.items()]))
    with open(os.path.join(folder, "layers.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    spec_dir, out_dir = sys.argv[1:3]
    from make_bigdl_fixtures import classpath  # the jars of this environment

    network = Network.load(spec_dir)
    images = np.load(os.path.join(spec_dir, "check_input.npy"))
    work = tempfile.mkdtemp(prefix="bigdl-bench-")
    try:
        write_spec(network, work)
        images.astype("<f4").tofile(os.path.join(work, "check_input.f32"))
        with open(os.path.join(work, "check_shape.txt"), "w") as f:
            f.write(" ".join(str(d) for d in images.shape))
        source = os.path.join(work, bigdl_java.CLASS_NAME + ".java")
        with open(source, "w") as f:
            f.write(bigdl_java.SOURCE)
        cp = classpath()
        subprocess.run(["javac", "-nowarn", "-d", work, "-cp", cp, source], check=True)
        subprocess.run(["java", "-cp", cp + ":" + work, bigdl_java.CLASS_NAME, work, out_dir], check=True)
        got = np.fromfile(os.path.join(work, "check_output.f32"), dtype="<f4")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    expected = np.load(os.path.join(spec_dir, "check_output.npy"))
    error, scale = check_close(f"{network.name} BigDL", got.reshape(expected.shape), expected)
    size = os.path.getsize(os.path.join(out_dir, "model.model"))
    print(f"{network.name}-bigdl: {len(network.layers)} modules, {size / 1e6:.1f} MB; BigDL 2.4.0's forward of the "
          f"saved file matches onnxruntime: max |diff| {error:.2g} (max |ref| {scale:.3g})")


if __name__ == "__main__":
    main()
