#!/usr/bin/env python3
"""Writes the seed corpora of the TensorFlow, Caffe and BigDL fuzz harnesses (Tests/Fuzz/corpus/Fuzz<Format>) from
the committed fixtures, in the input layout each harness reads (see Sources/Fuzz/FuzzSupport/FuzzInput.swift):
parts after the first are preceded by a 4-byte little-endian length. Files over MAX_LEN (the harness's -max_len)
are left out.

    python3 tools/make_format_fuzz_seeds.py
"""
import pathlib
import shutil
import struct

REPO = pathlib.Path(__file__).resolve().parents[1]
FIXTURES = REPO / "Tests" / "Fixtures" / "inference"
CORPUS = REPO / "Tests" / "Fuzz" / "corpus"
MAX_LEN = 65536


def framed(*parts):
    """Every part but the last with its length in front; the last is the rest."""
    return b"".join(struct.pack("<I", len(p)) + p for p in parts[:-1]) + parts[-1]


def seeds():
    tf = FIXTURES / "tensorflow"
    for pb in sorted(tf.glob("*/*/model/*.pb")) + sorted(tf.glob("*/model/*.pb")):
        folder = pb.parent
        if pb.name in ("fingerprint.pb", "keras_metadata.pb"):
            continue
        name = f"{folder.parent.name}"
        if (folder / "variables").is_dir():
            shards = sorted((folder / "variables").glob("variables.data-*"))
            if len(shards) != 1:
                continue  # the harness writes one shard
            yield "FuzzTensorFlow", name, b"\x01" + framed(pb.read_bytes(),
                                                           (folder / "variables" / "variables.index").read_bytes(),
                                                           shards[0].read_bytes())
        else:
            yield "FuzzTensorFlow", name, b"\x00" + pb.read_bytes()
    for weights in sorted((FIXTURES / "caffe").glob("*/model/*.caffemodel")):
        prototxt = next(weights.parent.glob("*.prototxt"))
        yield "FuzzCaffe", weights.parent.parent.name, framed(prototxt.read_bytes(), weights.read_bytes())
    for model in sorted((FIXTURES / "bigdl").glob("*/model/*.model")):
        yield "FuzzBigDL", model.parent.parent.name, model.read_bytes()


def main():
    written = {}
    for harness in ("FuzzTensorFlow", "FuzzCaffe", "FuzzBigDL"):
        shutil.rmtree(CORPUS / harness, ignore_errors=True)
        (CORPUS / harness).mkdir(parents=True)
    for harness, name, data in seeds():
        if len(data) > MAX_LEN:
            continue
        (CORPUS / harness / f"{name}.seed").write_bytes(data)
        written[harness] = written.get(harness, 0) + 1
    print(", ".join(f"{h}: {n} seeds" for h, n in written.items()))


if __name__ == "__main__":
    main()
