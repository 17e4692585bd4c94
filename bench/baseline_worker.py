#!/usr/bin/env python3
"""The user-built alternative to Cluster Serving, for bench/e2e.sh: redis-server plus this Python worker.

    python3 bench/baseline_worker.py --port 6380 --model model.onnx [--threads 2] [--batch 4]
                                     [--name serving_stream] [--ready-file PATH]

Written the way a competent user would write it: one consumer in group `serving` (created at 0 with MKSTREAM),
`XREADGROUP COUNT <batch> BLOCK 100`, inputs decoded with pyarrow and OpenCV exactly as the stock client encodes
them, the whole batch through one onnxruntime run (intra-op threads = --threads, graph optimisations on), results
written in the original server's format, and the entries acknowledged and deleted, all in one pipeline per batch.

Input: the first column of the Arrow record batch. A utf8 value is a base64 image: `cv2.imdecode(IMREAD_COLOR)`,
float32 0-255, BGR, channels first (what Cluster Serving feeds a non-TensorFlow model). A dense-tensor struct
(children `data` and `shape`) is used as is. Either gets a leading batch dimension; records of the same shape are
stacked into one run.
Result: `HSET cluster-serving_<name>:<uri> value <base64 Arrow IPC stream>` with columns `data` (float32, the
record's output row flattened) and `shape` (int32: the dims, then nulls), one record batch per model output, as
Analytics Zoo writes it; `NaN` when the record cannot be decoded or run.

SIGTERM or SIGINT: the current batch is finished, then the worker exits 0.
"""

import argparse
import base64
import os
import signal
import sys
import time
import uuid

import cv2
import numpy as np
import onnxruntime as ort
import pyarrow as pa
import redis

GROUP = "serving"
RESULT_PREFIX = "cluster-serving_"

stopping = False


def on_signal(signum, frame):
    global stopping
    stopping = True


def decode_input(b64):
    """base64 Arrow IPC stream (the stock client's payload) -> float32 ndarray without batch dimension."""
    reader = pa.ipc.open_stream(pa.py_buffer(base64.b64decode(b64)))
    batch = reader.read_next_batch()
    column = batch.column(0)
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        encoded = np.frombuffer(base64.b64decode(column[0].as_py()), dtype=np.uint8)
        image = cv2.imdecode(encoded, cv2.IMREAD_COLOR)
        if image is None:
            raise ValueError("not an image")
        return np.ascontiguousarray(image.transpose(2, 0, 1), dtype=np.float32)
    if pa.types.is_struct(column.type):
        data = column.field("data").flatten().to_numpy(zero_copy_only=False)
        shape = column.field("shape").flatten().to_numpy(zero_copy_only=False)
        return np.asarray(data, dtype=np.float32).reshape([int(d) for d in shape])
    raise ValueError(f"unsupported input column type {column.type}")


SCHEMA = pa.schema([pa.field("data", pa.float32()), pa.field("shape", pa.int32())])


def encode_output(tensors):
    """One record's outputs -> the original server's result: base64 Arrow stream, one batch per output."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, SCHEMA) as writer:
        for t in tensors:
            flat = np.ascontiguousarray(t, dtype=np.float32).reshape(-1)
            n = flat.size
            dims = np.zeros(n, dtype=np.int32)
            k = min(t.ndim, n)  # a tensor with fewer elements than dims keeps only n dims (as the original)
            dims[:k] = t.shape[:k]
            shape = pa.array(dims, type=pa.int32(), mask=np.arange(n) >= k)
            writer.write_batch(pa.record_batch([pa.array(flat, type=pa.float32()), shape], schema=SCHEMA))
    return base64.b64encode(sink.getvalue().to_pybytes())


def top_n_text(t, n):
    """postProcessing topN(n): [[index,prob],...] sorted by probability, as the original writes it."""
    flat = np.asarray(t, dtype=np.float32).reshape(-1)
    order = np.argsort(-flat, kind="stable")[:n]
    return ("[" + ",".join(f"[{int(i)},{str(flat[i])}]" for i in order) + "]").encode()


def main():
    parser = argparse.ArgumentParser(description="Redis stream worker running an ONNX model with onnxruntime.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=6379)
    parser.add_argument("--name", default="serving_stream", help="stream name (jobName)")
    parser.add_argument("--model", required=True, help="an .onnx file")
    parser.add_argument("--threads", type=int, default=1, help="onnxruntime intra-op threads")
    parser.add_argument("--batch", type=int, default=4, help="entries per XREADGROUP and per inference run")
    parser.add_argument("--top-n", type=int, default=0, help="write topN(n) text instead of tensors (0: off)")
    parser.add_argument("--ready-file", help="touched once the model is loaded and the group exists")
    args = parser.parse_args()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(args.model, options, providers=["CPUExecutionProvider"])
    input_meta = session.get_inputs()[0]
    # Warm up once with a batch of the usual size when the input shape is known apart from the batch.
    dims = input_meta.shape[1:]
    if all(isinstance(d, int) for d in dims):
        session.run(None, {input_meta.name: np.zeros([args.batch, *dims], dtype=np.float32)})

    db = redis.Redis(host=args.host, port=args.port)
    try:
        db.xgroup_create(args.name, GROUP, id="0", mkstream=True)
    except redis.exceptions.ResponseError as e:
        if "BUSYGROUP" not in str(e):
            raise
    consumer = f"worker-{uuid.uuid4().hex[:8]}"
    if args.ready_file:
        with open(args.ready_file, "w") as f:
            f.write(f"{os.getpid()}\n")
    print(f"baseline worker {consumer}: {os.path.basename(args.model)}, {args.threads} threads, batch {args.batch}, "
          f"stream {args.name} on {args.host}:{args.port}", file=sys.stderr, flush=True)

    prefix = f"{RESULT_PREFIX}{args.name}:"
    served = 0
    started = time.monotonic()
    while not stopping:
        try:
            reply = db.xreadgroup(GROUP, consumer, {args.name: ">"}, count=args.batch, block=100)
        except redis.exceptions.ConnectionError:
            if stopping:
                break
            raise
        if not reply:
            continue
        entries = reply[0][1]
        ids, results, groups = [], {}, {}
        for entry_id, fields in entries:
            ids.append(entry_id)
            uri = fields.get(b"uri", b"").decode()
            try:
                x = decode_input(fields[b"data"])
                groups.setdefault(x.shape, []).append((uri, x))
            except Exception as e:
                print(f"{uri}: cannot decode input: {e}", file=sys.stderr)
                results[uri] = b"NaN"
        for records in groups.values():
            try:
                outputs = session.run(None, {input_meta.name: np.stack([x for _, x in records])})
                for row, (uri, _) in enumerate(records):
                    if args.top_n > 0:
                        results[uri] = top_n_text(outputs[0][row], args.top_n)
                    else:
                        results[uri] = encode_output([o[row] for o in outputs])
            except Exception as e:
                print(f"inference failed for {len(records)} records: {e}", file=sys.stderr)
                for uri, _ in records:
                    results[uri] = b"NaN"
        pipe = db.pipeline(transaction=False)
        for uri, value in results.items():
            pipe.hset(prefix + uri, "value", value)
        pipe.xack(args.name, GROUP, *ids)
        pipe.xdel(args.name, *ids)
        pipe.execute()
        served += len(results)
    elapsed = time.monotonic() - started
    print(f"baseline worker {consumer}: stopped after {served} records in {elapsed:.1f} s", file=sys.stderr,
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
