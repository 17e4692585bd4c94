#!/usr/bin/env python3
"""Writes the Arrow IPC fixtures the ArrowIPC Swift tests decode.

Deterministic: running it twice produces identical files (given the same
pyarrow / opencv versions). Each fixture is `<name>.arrow` (raw IPC stream
bytes; stock-client payloads are the base64-decoded output of
`InputQueue.data_to_b64`) plus `<name>.json` with what a correct reader must
see:

  schema   - [{name, type (pyarrow's str(type)), nullable}]
  batches  - [{length, columns: [column.to_pylist(), ...]}]
  inputs   - (client payloads) the tensors/strings the client was given
  outputs  - (result payloads) what OutputQueue.get_ndarray_from_b64 returns
  error    - (refused payloads) the ArrowError case the reader must throw

Binary values are written as "hex:<hex digits>" strings.

Usage: python3 make_arrow_fixtures.py   (writes next to this script)
"""
import base64
import json
import os
import struct
import warnings

import cv2
import numpy as np
import pyarrow as pa

warnings.filterwarnings("ignore")  # the stock clients trigger a FutureWarning

HERE = os.path.dirname(os.path.abspath(__file__))


# ---------------------------------------------------------------- helpers

def jsonable(value):
    """Turns to_pylist() output into JSON-friendly values."""
    if isinstance(value, bytes):
        return "hex:" + value.hex()
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (np.floating,)):
        return float(value)
    return value


def describe_stream(raw):
    reader = pa.ipc.open_stream(raw)
    schema = [{"name": f.name, "type": str(f.type), "nullable": f.nullable}
              for f in reader.schema]
    batches = [{"length": b.num_rows,
                "columns": [jsonable(c.to_pylist()) for c in b.columns]}
               for b in reader]
    return {"schema": schema, "batches": batches}


def write(name, raw, expected):
    with open(os.path.join(HERE, name + ".arrow"), "wb") as f:
        f.write(raw)
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")


def stream_bytes(schema, batches, **options):
    sink = pa.BufferOutputStream()
    opts = pa.ipc.IpcWriteOptions(**options)
    with pa.ipc.new_stream(sink, schema, options=opts) as writer:
        for batch in batches:
            writer.write_batch(batch)
    return sink.getvalue().to_pybytes()


# ------------------------------------------------- stock client payloads

def stock_input_queue(module):
    """An InputQueue without a server: data_to_b64 only needs the class."""
    if module == "zoo":
        from zoo.serving.client import InputQueue
    else:
        from bigdl.serving.client import InputQueue
    return InputQueue.__new__(InputQueue)


def small_png_b64():
    image = np.zeros((4, 5, 3), dtype=np.uint8)
    for y in range(4):
        for x in range(5):
            image[y, x] = (x * 50, y * 60, 200)
    ok, png = cv2.imencode(".png", image)
    assert ok
    return base64.b64encode(png.tobytes()).decode("ascii")


def expected_input(name, value):
    """The client-side meaning of one input, independent of Arrow."""
    if isinstance(value, np.ndarray):
        return {"name": name, "kind": "tensor",
                "values": [float(v) for v in value.astype("float32").flatten()],
                "shape": list(value.shape)}
    if isinstance(value, list) and isinstance(value[0], str):
        return {"name": name, "kind": "string", "string": "|".join(value)}
    if isinstance(value, list):
        indices, values, shape = value
        return {"name": name, "kind": "sparse",
                "indices": [int(v) for v in indices.flatten()],
                "indicesShape": list(indices.shape),
                "values": [float(v) for v in values.astype("float32")],
                "shape": [int(v) for v in shape]}
    return {"name": name, "kind": "string", "string": value["b64"]}


def client_cases():
    return {
        "tensor_1d": {"my-tensor": np.array([1.0, 2.0, 3.0])},
        "tensor_2d": {"t": (np.arange(6, dtype=np.float32) * 0.5).reshape(2, 3)},
        "tensor_3d": {"t": (np.arange(24, dtype=np.float32) / 4).reshape(2, 3, 4)},
        "tensor_int": {"t": np.array([[1, 2], [3, -4]], dtype=np.int64)},
        "tensor_float64": {"t": np.array([0.1, 2.5, 1e10, -3.75])},
        "sparse": {"sp": [np.array([[0, 1, 2], [1, 2, 0]]),
                          np.array([1.5, 2.0, 3.25]),
                          np.array([3, 3])]},
        "strings": {"words": ["a", "bb", "ccc"]},
        "image": {"image": {"b64": small_png_b64()}},
        "multi": {"a": np.array([1.0, 2.0]),
                  "b": np.array([[3.0], [4.0]]),
                  "c": np.array([[[5.0, 6.0, 7.0]]])},
    }


def write_client_fixtures():
    for module in ("zoo", "bigdl"):
        queue = stock_input_queue(module)
        for case, inputs in client_cases().items():
            raw = base64.b64decode(queue.data_to_b64(**inputs))
            expected = describe_stream(raw)
            expected["producer"] = module + ".serving.client.InputQueue.data_to_b64"
            expected["inputs"] = [expected_input(k, v) for k, v in inputs.items()]
            write(f"client_{module}_{case}", raw, expected)


# ------------------------------------------------- pyarrow type coverage

def all_types_table():
    n = 5
    columns = {
        "null": pa.array([None] * n, pa.null()),
        "bool": pa.array([True, False, None, True, False], pa.bool_()),
        "int8": pa.array([-128, 127, None, 0, 1], pa.int8()),
        "int16": pa.array([-32768, 32767, 0, None, 5], pa.int16()),
        "int32": pa.array([-2**31, 2**31 - 1, 7, 8, None], pa.int32()),
        "int64": pa.array([-2**63, 2**63 - 1, None, 3, 4], pa.int64()),
        "uint8": pa.array([0, 255, 1, None, 2], pa.uint8()),
        "uint16": pa.array([0, 65535, 1, 2, None], pa.uint16()),
        "uint32": pa.array([0, 2**32 - 1, None, 1, 2], pa.uint32()),
        "uint64": pa.array([0, 2**53, 1, None, 2], pa.uint64()),
        "half": pa.array(np.array([0.5, -2.0, 65504, 0.099975586, 0], np.float16),
                         pa.float16(), mask=np.array([0, 0, 0, 0, 1], bool)),
        "float": pa.array([1.5, None, -0.25, 3.0e38, 1e-6], pa.float32()),
        "double": pa.array([0.1, 1e300, None, -2.5, 0.0], pa.float64()),
        "utf8": pa.array(["", "héllo", None, "a|b", "🙂"], pa.string()),
        "binary": pa.array([b"\x00\xff", None, b"", b"abc", b"\x01"], pa.binary()),
        "large_utf8": pa.array(["x", None, "yz", "", "w"], pa.large_string()),
        "large_binary": pa.array([b"", b"\x10", None, b"\x02\x03", b"z"],
                                 pa.large_binary()),
        "list_int32": pa.array([[1, 2], [], None, [3, None], [4]],
                               pa.list_(pa.int32())),
        "large_list_float": pa.array([[0.5], None, [], [1.0, 2.0], [3.0]],
                                     pa.large_list(pa.float32())),
        "fixed_list_float": pa.array([[1.0, 2.0], None, [3.0, None], [5.0, 6.0],
                                      [7.0, 8.0]], pa.list_(pa.float32(), 2)),
        "struct": pa.array([{"x": 1, "y": ["a"]}, None, {"x": None, "y": []},
                            {"x": 4, "y": None}, {"x": 5, "y": ["b", "c"]}],
                           pa.struct([("x", pa.int32()),
                                      ("y", pa.list_(pa.string()))])),
        "not_null_list": pa.array([[1], [2, 3], [], [4], [5]],
                                  pa.list_(pa.field("item", pa.int64(),
                                                    nullable=False))),
    }
    fields = [pa.field(k, v.type, nullable=(k != "not_null_list"))
              for k, v in columns.items()]
    return pa.Table.from_arrays(list(columns.values()), schema=pa.schema(fields))


def write_type_fixtures():
    table = all_types_table()
    batches = [table.to_batches()[0],
               table.to_batches()[0].slice(1, 3),   # sliced: offsets rebased
               table.to_batches()[0].slice(5, 0)]   # empty batch
    raw = stream_bytes(table.schema, batches)
    expected = describe_stream(raw)
    expected["producer"] = "pyarrow " + pa.__version__
    write("pyarrow_all_types", raw, expected)

    raw = stream_bytes(table.schema, [batches[1]], use_legacy_format=True,
                       metadata_version=pa.ipc.MetadataVersion.V4)
    expected = describe_stream(raw)
    expected["producer"] = "pyarrow legacy format (no continuation marker), V4"
    write("pyarrow_legacy_framing", raw, expected)

    write_list_offsets_fixture()

    dictionary = pa.array(["a", "b", "a"]).dictionary_encode()
    raw = stream_bytes(pa.schema([("d", dictionary.type)]),
                       [pa.record_batch([dictionary], names=["d"])])
    write("refused_dictionary", raw, {"error": "dictionaryUnsupported"})

    decimal = pa.array([1, 2], pa.decimal128(5, 2))
    raw = stream_bytes(pa.schema([("price", decimal.type)]),
                       [pa.record_batch([decimal], names=["price"])])
    write("refused_decimal", raw, {"error": "unsupportedType",
                                   "field": "price", "type": "Decimal"})


def write_list_offsets_fixture():
    """pyarrow always rebases list offsets to 0 when writing, so we patch the
    offsets buffer of a written stream to start at 2 and let pyarrow confirm
    the patched stream is valid (and what it means)."""
    lists = pa.array([[9, 9], [1, 2], [3, 8]], pa.list_(pa.int32()))
    raw = stream_bytes(pa.schema([("l", lists.type)]),
                       [pa.record_batch([lists], names=["l"])])
    old, new = struct.pack("<4i", 0, 2, 4, 6), struct.pack("<4i", 2, 4, 5, 6)
    assert raw.count(old) == 1
    raw = raw.replace(old, new)
    column = pa.ipc.open_stream(raw).read_all().column(0).chunk(0)
    assert column.offsets.to_pylist() == [2, 4, 5, 6]
    expected = describe_stream(raw)
    expected["producer"] = "pyarrow, offsets buffer patched to start at 2"
    write("pyarrow_list_offsets_not_starting_at_zero", raw, expected)


# ------------------------------------------------- server result payloads

RESULT_SCHEMA = pa.schema([pa.field("data", pa.float32()),
                           pa.field("shape", pa.int32())])


def result_batch(values, shape):
    """One output as the original server writes it: a row per element, the
    dims in the first rows of `shape`, nulls after (truncated if fewer
    elements than dims)."""
    n = len(values)
    dims = (list(shape) + [None] * n)[:n]
    return pa.record_batch([pa.array(values, pa.float32()),
                            pa.array(dims, pa.int32())], schema=RESULT_SCHEMA)


def write_result_fixtures():
    from zoo.serving.client import OutputQueue
    output_queue = OutputQueue.__new__(OutputQueue)
    cases = {
        "single_output": [([0.25, 0.75], [2])],
        "two_outputs": [([0.5, 1.5, 2.5, 3.5, 4.5, 5.5], [2, 3]),
                        ([-1.0, 0.0, 1.0, 2.0], [4])],
        "fewer_elements_than_dims": [([42.0], [1, 1, 1, 1])],
    }
    for case, outputs in cases.items():
        raw = stream_bytes(RESULT_SCHEMA, [result_batch(v, s) for v, s in outputs])
        decoded = output_queue.get_ndarray_from_b64(base64.b64encode(raw))
        arrays = decoded if isinstance(decoded, list) else [decoded]
        expected = describe_stream(raw)
        expected["producer"] = "pyarrow with the server result schema"
        expected["outputs"] = [{"values": [float(v) for v in a.flatten()],
                                "shape": list(a.shape)} for a in arrays]
        write("result_" + case, raw, expected)


if __name__ == "__main__":
    for name in os.listdir(HERE):
        if name.endswith((".arrow", ".json")):
            os.remove(os.path.join(HERE, name))
    write_client_fixtures()
    write_type_fixtures()
    write_result_fixtures()
