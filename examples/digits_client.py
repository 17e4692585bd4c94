#!/usr/bin/env python3
"""Sends the example digit images to a running Cluster Serving job and prints what the model says.

    python3 examples/digits_client.py [--host localhost] [--port 6379] [--name serving_stream]
                                      [--images examples/digits] [--timeout 30]

Serve models/digits (or models/digits-openvino) first, e.g. with a config.yaml holding
`modelPath: models/digits`. Uses the stock Python client unchanged (`zoo.serving.client`, or `bigdl.serving.client`
when Analytics Zoo is not installed):

* every PNG in --images is enqueued by path (`InputQueue.enqueue(uri, image=path)`: the client reads it with OpenCV
  and sends it JPEG-encoded); the uri is the file name without `.png`;
* one more input, `digit-ndarray`, is the first image's pixels as a float32 ndarray [3, 8, 8] (BGR, 0-255, the
  layout the server gives an image), sent as a tensor;
* results are polled with `OutputQueue.query(uri)` until every input has one or --timeout passes.

With `postProcessing: topN(1)` in the server's config the result is text such as `[[3,0.98]]` instead of a base64
Arrow tensor, and `query` fails to decode it (the stock client's known limitation); the raw hash field `value` is
then read with redis-py and parsed. A result `NaN` is the server's error signal.

Prints one line per input (uri, predicted digit, its probability, the true label) and "N/N correct".
Exit status 0 if every input got a result (NaN counts as no result), 1 otherwise.
"""

import argparse
import contextlib
import io
import json
import os
import sys
import time
import warnings

import cv2
import numpy as np
import redis

try:
    from zoo.serving.client import InputQueue, OutputQueue
except ImportError:
    from bigdl.serving.client import InputQueue, OutputQueue

RESULT_PREFIX = "cluster-serving_"
# The stock client calls RecordBatch.from_arrays in a way newer pyarrow warns about; nothing to act on here.
warnings.filterwarnings("ignore", category=FutureWarning, module=r"(zoo|bigdl)\.serving\.client")


def quietly(call, *args, **kwargs):
    """Runs a stock-client call with its progress prints captured; returns (result, printed text)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = call(*args, **kwargs)
    return result, out.getvalue()


def parse_text_result(text):
    """A post-processed result: topN(n) gives [[index, probability], ...] sorted by probability;
    pickTopN(n) gives rows of the output, [[p0, ..., p9]]. Returns (digit, probability)."""
    value = json.loads(text)
    rows = value if isinstance(value, list) else [value]
    first = rows[0]
    if isinstance(first, list) and len(first) == 2:  # topN: [index, probability]
        return int(first[0]), float(first[1])
    probs = np.asarray(first if isinstance(first, list) else rows, dtype=np.float64).reshape(-1)
    return int(probs.argmax()), float(probs.max())


def interpret(result):
    """An ndarray (or list of ndarrays, one per model output) -> (digit, probability)."""
    if isinstance(result, list):
        result = result[0]
    probs = np.asarray(result, dtype=np.float64).reshape(-1)
    if probs.size != 10:
        raise ValueError(f"expected 10 probabilities, got shape {np.shape(result)}")
    return int(probs.argmax()), float(probs.max())


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description="Classify the example digits with a running Cluster Serving job.")
    parser.add_argument("--host", default="localhost")
    parser.add_argument("--port", default=6379, type=int)
    parser.add_argument("--name", default="serving_stream", help="the job's stream name (jobName in config.yaml)")
    parser.add_argument("--images", default=os.path.join(here, "digits"),
                        help="directory of <index>-<label>.png images and labels.json")
    parser.add_argument("--timeout", default=30.0, type=float, help="seconds to wait for all results")
    args = parser.parse_args()

    labels_path = os.path.join(args.images, "labels.json")
    labels = {}
    if os.path.exists(labels_path):
        with open(labels_path) as f:
            labels = json.load(f)
    files = sorted(f for f in os.listdir(args.images) if f.lower().endswith(".png"))
    if not files:
        sys.exit(f"no .png images in {args.images}")

    def true_label(name):
        if name in labels:
            return int(labels[name])
        stem = os.path.splitext(name)[0]  # <index>-<label>.png
        return int(stem.rsplit("-", 1)[1]) if "-" in stem and stem.rsplit("-", 1)[1].isdigit() else None

    inputs = []  # (uri, value for enqueue, true label)
    for name in files:
        inputs.append((os.path.splitext(name)[0], os.path.join(args.images, name), true_label(name)))
    first = cv2.imread(os.path.join(args.images, files[0]), cv2.IMREAD_COLOR)
    if first is None:
        sys.exit(f"cannot read {files[0]}")
    ndarray = first.transpose(2, 0, 1).astype(np.float32)  # HWC BGR -> CHW, 0-255
    inputs.append(("digit-ndarray", ndarray, true_label(files[0])))

    db = redis.Redis(host=args.host, port=args.port)
    try:
        db.ping()
    except redis.exceptions.ConnectionError as e:
        sys.exit(f"cannot reach {args.host}:{args.port}: {e}")
    key = lambda uri: f"{RESULT_PREFIX}{args.name}:{uri}"  # noqa: E731
    db.delete(*[key(uri) for uri, _, _ in inputs])  # results of an earlier run with the same uris

    input_queue, _ = quietly(InputQueue, host=args.host, port=args.port, name=args.name)
    output_queue, _ = quietly(OutputQueue, host=args.host, port=args.port, name=args.name)

    for uri, value, _ in inputs:
        _, printed = quietly(input_queue.enqueue, uri, image=value)
        if "successful" not in printed:  # the stock client drops the record and only prints why
            print(f"{uri}: not enqueued: {printed.strip()}", file=sys.stderr)

    results = {}  # uri -> (digit, probability) or an error text
    deadline = time.monotonic() + args.timeout
    while len(results) < len(inputs) and time.monotonic() < deadline:
        for uri, _, _ in inputs:
            if uri in results:
                continue
            try:
                result = output_queue.query(uri)
            except Exception:  # not base64 Arrow: a post-processed text result (topN/pickTopN)
                raw = db.hget(key(uri), "value")
                try:
                    results[uri] = parse_text_result(raw.decode())
                except Exception as e:
                    results[uri] = f"unreadable result {raw[:80]!r}: {e}"
                continue
            if isinstance(result, str) and result == "[]":
                continue  # not there yet
            if isinstance(result, str) and result == "NaN":
                results[uri] = "NaN (the server could not process this input)"
                continue
            try:
                results[uri] = interpret(result)
            except Exception as e:
                results[uri] = f"unexpected result: {e}"
        if len(results) < len(inputs):
            time.sleep(0.05)

    got, correct = 0, 0
    for uri, _, label in inputs:
        result = results.get(uri)
        label_text = "?" if label is None else str(label)
        if result is None:
            print(f"{uri:16s} no result within {args.timeout:g} s (true {label_text})")
        elif isinstance(result, str):
            print(f"{uri:16s} error: {result} (true {label_text})")
        else:
            got += 1
            digit, prob = result
            correct += int(digit == label)
            mark = "" if label is None else ("  ok" if digit == label else "  WRONG")
            print(f"{uri:16s} predicted {digit}  p={prob:.3f}  true {label_text}{mark}")
    db.delete(*[key(uri) for uri, _, _ in inputs])
    print(f"{correct}/{len(inputs)} correct" + ("" if got == len(inputs) else f" ({len(inputs) - got} without result)"))
    return 0 if got == len(inputs) else 1


if __name__ == "__main__":
    sys.exit(main())
