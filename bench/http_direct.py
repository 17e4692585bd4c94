#!/usr/bin/env python3
"""The direct-queue anchor of bench/http.sh: the same records the HTTP benchmark posts, pushed straight into the
stream with redis-py, as fast as the server takes them.

    python3 bench/http_direct.py --port 6379 --body predict.json [-n 5000] [-p 4] [--name serving_stream]
                                 [--timeout 120] [--expect answer.json] [--label direct]

The record is the instance of the /predict body (`{"instances":[{"image": [[[...]]]}]}`, every input as a float32
ndarray), encoded once with the stock client's `InputQueue.data_to_b64` (Arrow IPC, base64): the `data` field the
stock client writes, beside a unique `uri`. P processes each XADD their share of N copies in pipelines of 100
(no transaction), all starting together after a barrier. The parent meanwhile collects the results: every 10 ms a
pipeline of DEL over a rotating window of the result keys `cluster-serving_<name>:<uri>` still missing (DEL answers
1 for a key that was there, so finding a result and removing it, as the HTTP frontend does after answering, is one
command). The clock runs from the barrier to the moment the last result was found.

The first record's result is read (HGETALL) before it is deleted, decoded with the stock `OutputQueue`, and, with
--expect (a JSON list of floats: the HTTP frontend's answer for the same instance), compared with it. A `NaN`
result, a result that does not decode, or a difference above 1e-5 is an error, as are results missing at the
timeout (default 120 s).

Prints one line of figures, then one JSON line: {"served": N, "seconds": S, "throughput": X, "errors": E}. Exit
status 0 iff every record was served and the checked result is right.
"""

import argparse
import contextlib
import io
import json
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
POLL_INTERVAL = 0.01
POLL_WINDOW = 256
PIPELINE = 100


def quietly(call, *args, **kwargs):
    """Runs a stock-client call with its progress prints captured."""
    with contextlib.redirect_stdout(io.StringIO()):
        return call(*args, **kwargs)


def record_data(body_path):
    """The stock client's `data` field for the first instance of a /predict body."""
    with open(body_path) as f:
        instance = json.load(f)["instances"][0]
    inputs = {name: np.asarray(value, dtype=np.float32) for name, value in instance.items()}
    client = InputQueue.__new__(InputQueue)  # data_to_b64 needs no connection
    return client.data_to_b64(**inputs)


def producer(proc, uris, args, data, barrier, reports):
    """One client process: XADD its uris in pipelines of PIPELINE."""
    sent = 0
    started = time.perf_counter()
    try:
        db = redis.Redis(host=args.host, port=args.port)
        db.ping()
        barrier.wait(timeout=60)
        started = time.perf_counter()
        for start in range(0, len(uris), PIPELINE):
            pipe = db.pipeline(transaction=False)
            chunk = uris[start:start + PIPELINE]
            for uri in chunk:
                pipe.xadd(args.name, {"uri": uri, "data": data})
            pipe.execute()
            sent += len(chunk)
        reports.put(("done", proc, time.perf_counter() - started, ""))
    except Exception as e:  # noqa: BLE001 - reported to the parent
        barrier.abort()
        reports.put(("failed", proc, time.perf_counter() - started, f"{type(e).__name__}: {e} ({sent} sent)"))
        sys.exit(1)


def check_result(hash_, expect):
    """Decodes the first record's result as the stock client does; returns (values, problem or None)."""
    value = hash_.get(b"value")
    if value is None:
        return None, "the result hash has no field 'value'"
    if value == b"NaN":
        reason = hash_.get(b"error", b"").decode(errors="replace")
        return None, f"the server answered NaN{': ' + reason if reason else ''}"
    try:
        output = quietly(OutputQueue.__new__, OutputQueue).get_ndarray_from_b64(value.decode())
        output = output[0] if isinstance(output, list) else output
        values = np.asarray(output, dtype=np.float64).reshape(-1)
    except Exception as e:  # noqa: BLE001
        return None, f"the result does not decode: {type(e).__name__}: {e}"
    if not np.all(np.isfinite(values)):
        return values, "the result has non-finite values"
    if expect is not None:
        if values.size != expect.size:
            return values, f"the result has {values.size} values, the HTTP answer {expect.size}"
        diff = float(np.max(np.abs(values - expect)))
        if diff > 1e-5:
            return values, f"the result differs from the HTTP answer by {diff:.3g}"
    return values, None


def main():
    parser = argparse.ArgumentParser(description="Direct-queue throughput (the anchor of bench/http.sh).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=6379)
    parser.add_argument("--name", default="serving_stream", help="stream name (jobName)")
    parser.add_argument("--body", required=True, help="the /predict body whose first instance is the record")
    parser.add_argument("-n", type=int, default=5000, help="records in total")
    parser.add_argument("-p", type=int, default=4, help="client processes")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for all results")
    parser.add_argument("--expect", help="JSON list: the HTTP answer for the same instance, to compare with")
    parser.add_argument("--label", default="direct", help="prefix for the printed line")
    args = parser.parse_args()
    if args.n < 1 or args.p < 1:
        sys.exit("-n and -p must be positive")
    expect = None
    if args.expect:
        with open(args.expect) as f:
            expect = np.asarray(json.load(f), dtype=np.float64).reshape(-1)

    db = redis.Redis(host=args.host, port=args.port)
    try:
        db.ping()
    except redis.exceptions.ConnectionError as e:
        sys.exit(f"{args.label}: cannot reach {args.host}:{args.port}: {e}")
    data = record_data(args.body)

    procs_n = min(args.p, args.n)
    uris, order = client_pool.split_uris(args.n, procs_n, "direct")
    first = uris[0][0]
    prefix = f"{RESULT_PREFIX}{args.name}:"
    procs, reports, t0 = client_pool.start_producers(
        producer, [(k, mine, args, data) for k, mine in enumerate(uris)], f"{args.label}: ")

    pending = [u for u in order if u != first]
    first_hash = None
    failures, push_seconds = [], []
    last_seen = t0
    cursor = 0
    deadline = t0 + args.timeout
    while True:
        while True:  # reports from the producers
            try:
                status, proc, seconds, message = reports.get_nowait()
            except queue.Empty:
                break
            (failures.append(f"process {proc}: {message}") if status == "failed" else push_seconds.append(seconds))
        window, cursor = client_pool.window(pending, cursor, POLL_WINDOW)
        pipe = db.pipeline(transaction=False)
        for uri in window:
            pipe.delete(prefix + uri)
        if first_hash is None:
            pipe.hgetall(prefix + first)
        replies = pipe.execute()
        found = {uri for uri, deleted in zip(window, replies) if deleted}
        now = time.perf_counter()
        if first_hash is None and replies[-1]:
            first_hash = replies[-1]
            db.delete(prefix + first)
            last_seen = now
        if found:
            last_seen = now
            pending = [u for u in pending if u not in found]
        else:
            cursor += len(window)
        if (not pending and first_hash is not None) or now > deadline or len(failures) == procs_n:
            break
        time.sleep(POLL_INTERVAL)
    seconds = last_seen - t0
    client_pool.stop_producers(procs)

    missing = len(pending) + (first_hash is None)
    problem = None
    if first_hash is not None:
        _, problem = check_result(first_hash, expect)
    # Results that came after the timeout would stay: delete every key of this run (off the clock).
    for start in range(0, len(order), 500):
        db.delete(*[prefix + u for u in order[start:start + 500]])

    served = args.n - missing
    errors = missing + (problem is not None)
    throughput = served / seconds if seconds > 0 else 0.0
    for failure in failures:
        print(f"{args.label}: client {failure}", file=sys.stderr)
    if missing:
        print(f"{args.label}: {missing} results missing after {args.timeout:g} s", file=sys.stderr)
    if problem:
        print(f"{args.label}: first record: {problem}", file=sys.stderr)
    pushed = f", XADDs took {max(push_seconds):.2f} s" if push_seconds else ""
    print(f"{args.label}: {served} records served in {seconds:.2f} s from {procs_n} processes{pushed}: "
          f"{throughput:.1f} records/s" + ("" if expect is None or problem else ", result = HTTP answer"))
    print(json.dumps({"served": served, "seconds": round(seconds, 4), "throughput": round(throughput, 3),
                      "errors": errors}), flush=True)
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
