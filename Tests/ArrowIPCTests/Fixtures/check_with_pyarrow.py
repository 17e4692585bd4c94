#!/usr/bin/env python3
"""Independent check of bytes written by the Swift ArrowIPC writer.

Usage: check_with_pyarrow.py (stream|result) <file>

Reads the Arrow IPC stream in <file> with pyarrow (fully validated) and
prints JSON: {schema: [{name, type, nullable}], batches: [{length, columns}]},
the same shape as the fixture JSON files. In `result` mode it also decodes the
payload with the stock clients' OutputQueue.get_ndarray_from_b64 (zoo and
bigdl) and adds {zoo: [...], bigdl: [...]} as [{values, shape}] per output.
Exits non-zero (with a traceback) if anything fails to decode.
"""
import base64
import json
import sys
import warnings

import pyarrow as pa

warnings.filterwarnings("ignore")


def jsonable(value):
    if isinstance(value, bytes):
        return "hex:" + value.hex()
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


def describe_stream(raw):
    reader = pa.ipc.open_stream(raw)
    schema = [{"name": f.name, "type": str(f.type), "nullable": f.nullable}
              for f in reader.schema]
    batches = []
    for batch in reader:
        batch.validate(full=True)
        batches.append({"length": batch.num_rows,
                        "columns": [jsonable(c.to_pylist()) for c in batch.columns]})
    return {"schema": schema, "batches": batches}


def stock_client_outputs(module, raw):
    if module == "zoo":
        from zoo.serving.client import OutputQueue
    else:
        from bigdl.serving.client import OutputQueue
    queue = OutputQueue.__new__(OutputQueue)  # no server needed for decoding
    decoded = queue.get_ndarray_from_b64(base64.b64encode(raw).decode("ascii"))
    arrays = decoded if isinstance(decoded, list) else [decoded]
    return [{"values": [float(v) for v in a.flatten()], "shape": list(a.shape)}
            for a in arrays]


def main():
    mode, path = sys.argv[1], sys.argv[2]
    with open(path, "rb") as f:
        raw = f.read()
    result = describe_stream(raw)
    if mode == "result":
        result["zoo"] = stock_client_outputs("zoo", raw)
        result["bigdl"] = stock_client_outputs("bigdl", raw)
    elif mode != "stream":
        sys.exit("mode must be 'stream' or 'result'")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
