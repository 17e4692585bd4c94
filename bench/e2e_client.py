#!/usr/bin/env python3
"""End-to-end throughput through the stock Python client, as Analytics Zoo's perf-benchmark/e2e_throughput.py measures it.

    python3 bench/e2e_client.py --port 6379 --image cat.jpg [-n 2000] [-p 4] [--name serving_stream]
                                [--timeout 300] [--check-model model.onnx]

P processes each enqueue their share of N copies of one image with the stock `InputQueue.enqueue(uri, img=path)`
(unique uris; the client reads the file, JPEG-encodes it, wraps it in Arrow and XADDs it), all starting together.
The parent meanwhile waits until every result key `cluster-serving_<name>:<uri>` exists (EXISTS in a pipeline over a
rotating window of the keys still missing, every 20 ms). The time is from the first enqueue to the moment the last
result was seen.

Then (off the clock) it reads every result: `NaN` counts as an error; the others are decoded with the stock
`OutputQueue.get_ndarray_from_b64` and must have 1000 elements (shape [1000]; [1, 1000] from a server that keeps the
batch dimension is accepted and reported). With --check-model, each is also compared with onnxruntime's output for
the same image after the same JPEG round trip and OpenCV decode, and the largest difference is reported (not
judged: with the benchmark's random weights a pixel off by one moves the output by ~4% of its range, and a different
image by hardly more, so only "identical pixels, same arithmetic" is recognisable, as a difference near 1e-5 of
the range). Non-finite values are errors. Result keys are deleted at the end.

Prints "Served N images in S sec, e2e throughput is X images/sec", then one JSON line:
{"served": N, "seconds": S, "throughput": X, "errors": E}. Exit status 0 iff every image was served without error.
With --timeout (default 300 s) it reports what it got and exits 1.
"""

import argparse
import contextlib
import io
import json
import os
import queue
import sys
import time
import warnings

import numpy as np
import redis

import client_pool

warnings.filterwarnings("ignore", category=FutureWarning, module=r"(zoo|bigdl)\.serving\.client")
try:
    from zoo.serving.client import InputQueue, OutputQueue
except ImportError:
    from bigdl.serving.client import InputQueue, OutputQueue

RESULT_PREFIX = "cluster-serving_"
POLL_INTERVAL = 0.02
POLL_WINDOW = 128


def quietly(call, *args, **kwargs):
    """Runs a stock-client call with its progress prints ("Write to Redis successful") captured."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = call(*args, **kwargs)
    return result, out.getvalue()


def producer(proc, uris, args, barrier, reports):
    """One client process: enqueue `uris`, each a copy of the image, through the stock InputQueue. Reports the uris
    that never reached the stream (dropped by the client, or not sent because of an error)."""
    sent = 0
    lost = []
    started = time.perf_counter()
    try:
        input_queue, _ = quietly(InputQueue, host=args.host, port=args.port, name=args.name)
        barrier.wait(timeout=60)
        started = time.perf_counter()
        for uri in uris:
            _, printed = quietly(input_queue.enqueue, uri, img=args.image)
            sent += 1
            if "successful" not in printed:  # the stock client drops a record when Redis is "full" and only prints
                lost.append(uri)
        reports.put(("done", proc, lost, time.perf_counter() - started, ""))
    except Exception as e:  # noqa: BLE001 - reported to the parent
        barrier.abort()
        reports.put(("failed", proc, lost + list(uris[sent:]), time.perf_counter() - started,
                     f"{type(e).__name__}: {e}"))
        sys.exit(1)


def reference_output(model_path, image_path):
    """onnxruntime's output for the image as the server sees it: the client's cv2.imencode(".jpg"), then
    cv2.imdecode(IMREAD_COLOR), float32 BGR 0-255, CHW, batch of 1."""
    import cv2
    import onnxruntime as ort
    img = cv2.imread(image_path)
    decoded = cv2.imdecode(cv2.imencode(".jpg", img)[1], cv2.IMREAD_COLOR)
    x = decoded.transpose(2, 0, 1)[None].astype(np.float32)
    session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: x})[0].reshape(-1)


def main():
    parser = argparse.ArgumentParser(description="End-to-end throughput through the stock Cluster Serving client.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=6379)
    parser.add_argument("--name", default="serving_stream", help="stream name (jobName)")
    parser.add_argument("-n", type=int, default=2000, help="images in total")
    parser.add_argument("-p", type=int, default=4, help="client processes")
    parser.add_argument("--image", required=True, help="image file (224x224 JPEG for MobileNetV2)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for all results")
    parser.add_argument("--check-model", help="ONNX model to compare two sample results with (onnxruntime)")
    parser.add_argument("--label", default="", help="prefix for the printed lines")
    args = parser.parse_args()
    if args.n < 1 or args.p < 1:
        sys.exit("-n and -p must be positive")
    if not os.path.isfile(args.image):
        sys.exit(f"no image at {args.image}")
    tag = f"{args.label}: " if args.label else ""

    db = redis.Redis(host=args.host, port=args.port)
    try:
        db.ping()
    except redis.exceptions.ConnectionError as e:
        sys.exit(f"cannot reach {args.host}:{args.port}: {e}")

    uris, order = client_pool.split_uris(args.n, min(args.p, args.n), "e2e")
    prefix = f"{RESULT_PREFIX}{args.name}:"
    procs, reports, t0 = client_pool.start_producers(producer, [(k, mine, args) for k, mine in enumerate(uris)], tag)

    pending = list(order)
    dropped, failures, enqueue_seconds = set(), [], []
    last_seen = t0
    cursor = 0
    deadline = t0 + args.timeout
    while pending:
        while True:  # reports from the producers
            try:
                status, proc, lost, seconds, message = reports.get_nowait()
            except queue.Empty:
                break
            if status == "failed":
                failures.append(f"process {proc}: {message}")
            else:
                enqueue_seconds.append(seconds)
            if lost:
                dropped.update(lost)
                pending = [u for u in pending if u not in dropped]
                if not pending:
                    break
        window, cursor = client_pool.window(pending, cursor, POLL_WINDOW)
        pipe = db.pipeline(transaction=False)
        for uri in window:
            pipe.exists(prefix + uri)
        found = {uri for uri, present in zip(window, pipe.execute()) if present}
        now = time.perf_counter()
        if found:
            last_seen = now
            pending = [u for u in pending if u not in found]
        else:
            cursor += len(window)
        if not pending or now > deadline:
            break
        time.sleep(POLL_INTERVAL)
    seconds = last_seen - t0
    client_pool.stop_producers(procs)

    missing = len(pending)
    not_received = dropped | set(pending)
    received = [u for u in order if u not in not_received]
    values = []
    for start in range(0, len(received), 500):
        pipe = db.pipeline(transaction=False)
        for uri in received[start:start + 500]:
            pipe.hget(prefix + uri, "value")
        values.extend(pipe.execute())
    nan = sum(1 for v in values if v == b"NaN")
    # Every result is decoded as the stock client decodes it (after the clock has stopped).
    bad, notes, shapes, diffs = 0, [], set(), []
    output_queue, _ = quietly(OutputQueue, host=args.host, port=args.port, name=args.name)
    reference = reference_output(args.check_model, args.image) if args.check_model else None
    span = float(reference.max() - reference.min()) if reference is not None else 0.0
    for uri, value in zip(received, values):
        if value == b"NaN":
            continue
        try:
            if value is None:
                raise ValueError("the result hash has no field 'value'")
            result = output_queue.get_ndarray_from_b64(value.decode())
            result = result[0] if isinstance(result, list) else result
            shapes.add(tuple(np.shape(result)))
            if np.size(result) != 1000:
                raise ValueError(f"shape {list(np.shape(result))}, expected [1000]")
            if not np.all(np.isfinite(result)):
                raise ValueError("non-finite values")
            if reference is not None:
                diffs.append(float(np.max(np.abs(np.asarray(result, dtype=np.float64).reshape(-1) - reference))))
        except Exception as e:  # noqa: BLE001
            bad += 1
            if bad <= 3:
                notes.append(f"{uri}: bad result: {type(e).__name__}: {e}")
    if bad > 3:
        notes.append(f"... {bad} bad results in all")
    if shapes and shapes != {(1000,)}:
        notes.append(f"result shapes {sorted(shapes)} (expected (1000,))")
    if diffs:
        notes.append(f"largest difference from onnxruntime over {len(diffs)} results: {max(diffs):.3g} "
                     f"(output range {span:.3g}, so {max(diffs) / span:.2g} of it)")
    # Leave the server as we found it: delete our result keys.
    for start in range(0, len(order), 500):
        db.delete(*[prefix + u for u in order[start:start + 500]])

    errors = nan + bad + len(dropped) + missing
    served = len(received) - nan - bad
    throughput = served / seconds if seconds > 0 else 0.0
    for note in dict.fromkeys(notes):
        print(f"{tag}{note}")
    for failure in failures:
        print(f"{tag}client {failure}", file=sys.stderr)
    if enqueue_seconds:
        print(f"{tag}{len(enqueue_seconds)} client processes enqueued in {max(enqueue_seconds):.2f} s "
              f"({args.n / max(enqueue_seconds):.0f} images/s)")
    if errors:
        print(f"{tag}{missing} results missing after {args.timeout:g} s, {len(dropped)} not enqueued, "
              f"{nan} NaN, {bad} bad", file=sys.stderr)
    print(f"{tag}Served {served} images in {seconds:.2f} sec, e2e throughput is {throughput:.2f} images/sec")
    print(json.dumps({"served": served, "seconds": round(seconds, 4), "throughput": round(throughput, 3),
                      "errors": errors}), flush=True)
    return 0 if errors == 0 and served == args.n else 1


if __name__ == "__main__":
    sys.exit(main())
