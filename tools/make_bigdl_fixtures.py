"""Writes the BigDL fixtures (Tests/Fixtures/inference/bigdl/) with BigDL's own writer and runtime.

BigDL's Python API needs pyspark 2.4.6 (what bigdl-dllib 2.4.0 pins), which does not run on Python 3.11, so the
networks are built by a small Java program (tools/bigdl/MakeBigDLFixtures.java) against the jars those wheels
carry: the dllib jar (bigdl-dllib), BigDL's MKL wrapper jar (bigdl-core), Spark's and Scala 2.11's jars
(pyspark). It saves each network with saveModule, reloads the file and runs BigDL's forward on fixed inputs;
this script turns its raw float32 output into .npy files and the manifest.

Setup (once):
    python3 -m venv .venv-bigdl
    .venv-bigdl/bin/pip install setuptools==69.5.1 wheel==0.48.0
    .venv-bigdl/bin/pip install --no-deps bigdl-dllib==2.4.0 bigdl-core==2.4.0.dev0 numpy==2.4.6
    .venv-bigdl/bin/pip install --no-deps --no-build-isolation pyspark==2.4.6
Run:
    .venv-bigdl/bin/python tools/make_bigdl_fixtures.py
Needs a JDK (javac, java; 17 works).
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "inference", "bigdl")
JAVA_SOURCE = os.path.join(ROOT, "tools", "bigdl", "MakeBigDLFixtures.java")

# Input and output names per network: a Sequential's are "input"/"output" (as the reader names them); a
# Graph's are its Input modules' and output modules' names.
NAMES = {
    "mlp": (["input"], ["output"]),
    "cnn": (["input"], ["output"]),
    "branches": (["features"], ["joined", "product"]),
    "grouped_conv_avgpool": (["input"], ["output"]),
    "lookup_table": (["ids"], ["mean", "sum"]),
    "full_convolution": (["input"], ["output"]),
    "misc": (["input"], ["output"]),
    "table_edges": (["input"], ["joined"]),
}


def classpath():
    site = glob.glob(os.path.join(sys.prefix, "lib", "python3*", "site-packages"))[0]
    jars = (glob.glob(os.path.join(site, "bigdl", "share", "dllib", "lib", "*.jar"))
            + glob.glob(os.path.join(site, "bigdl", "share", "core", "lib", "*.jar"))
            + sorted(glob.glob(os.path.join(site, "pyspark", "jars", "*.jar"))))
    if len(jars) < 3:
        sys.exit("BigDL or Spark jars not found under %s: install the packages listed in this script" % site)
    return ":".join(jars)


def main():
    cp = classpath()
    work = tempfile.mkdtemp(prefix="bigdl-fixtures-")
    try:
        classes = os.path.join(work, "classes")
        os.makedirs(classes)
        raw = os.path.join(work, "raw")
        for command in (["javac", "-nowarn", "-d", classes, "-cp", cp, JAVA_SOURCE],
                        ["java", "-cp", cp + ":" + classes, "MakeBigDLFixtures", raw]):
            if subprocess.run(command).returncode != 0:
                sys.exit("%s failed (see above); the fixtures were not changed" % command[0])
        if os.path.isdir(OUT):
            shutil.rmtree(OUT)
        manifest = []
        for name, (input_names, output_names) in NAMES.items():
            manifest.append(convert(os.path.join(raw, name), name, input_names, output_names))
        # Files the reader must refuse (BigDLFormatTests), not listed in the manifest.
        shutil.copytree(os.path.join(raw, "refusals"), os.path.join(OUT, "refusals"))
        with open(os.path.join(OUT, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=1)
            f.write("\n")
    finally:
        shutil.rmtree(work)


def convert(source, name, input_names, output_names):
    with open(os.path.join(source, "shapes.json")) as f:
        shapes = json.load(f)
    target = os.path.join(OUT, name)
    os.makedirs(os.path.join(target, "model"))
    shutil.copy(os.path.join(source, "model.model"), os.path.join(target, "model", "model.model"))
    case = {"name": "bigdl_" + name, "kind": "model", "model": name + "/model", "format": "bigdl",
            "inputs": {}, "outputs": {}, "input_order": input_names, "output_order": output_names,
            "atol": 1e-5, "rtol": 1e-4, "batch_invariant": True, "description": shapes["description"]}
    for kind, names in (("input", input_names), ("output", output_names)):
        os.makedirs(os.path.join(target, kind + "s"), exist_ok=True)
        for index, (tensor_name, shape) in enumerate(zip(names, shapes[kind + "s"])):
            values = np.fromfile(os.path.join(source, "%s%d.f32" % (kind, index)), dtype="<f4").reshape(shape)
            relative = "%s/%ss/%s.npy" % (name, kind, tensor_name)
            np.save(os.path.join(OUT, relative), values)
            case[kind + "s"][tensor_name] = relative
    return case


if __name__ == "__main__":
    main()
