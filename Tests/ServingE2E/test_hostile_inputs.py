"""Hostile requests and records against the real binary: each is refused with a message that names what is wrong
(and the limit, where one applies), the process goes on, and a normal request or record is still served.

HTTP: one server for the module (frontend maxBodyBytes 16 MiB). Serving job: records XADDed straight to the stream
as the stock client writes them, with good records in the same batch (the job is stopped while they are queued, so
the restarted job reads them all at once).
"""
import base64
import json
import random
import socket
import struct
import time
import zlib

import cv2
import httpx
import numpy as np
import pyarrow as pa
import pytest

from conftest import REPO, Serving, digits_model_output, free_port

IMAGE = np.full((3, 8, 8), 100.0, dtype=np.float32)
MAX_BODY = 16 << 20
JOB = "serving_stream"
KSERVE = f"/v2/models/{JOB}/infer"
TF = f"/v1/models/{JOB}:predict"


@pytest.fixture(scope="module")
def s(tmp_path_factory):
    server = Serving(tmp_path_factory.mktemp("hostile") / "job", free_port(), batchSize=32, batchWindow=100)
    server.keys["frontend"].update(maxBodyBytes=MAX_BODY, predictTimeout=20000)
    server.write_config()
    server.start()
    yield server
    server.cli("shutdown", check=False, timeout=60)
    server.kill()


def url(s, path=""):
    return f"http://127.0.0.1:{s.http_port}{path}"


def post(s, path, body, **kwargs):
    content = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return httpx.post(url(s, path), content=content, timeout=60, **kwargs)


def assert_still_serving(s):
    """The frontend answers, and a normal request gets its prediction."""
    assert httpx.get(url(s, "/"), timeout=30).status_code == 200
    r = post(s, "/predict", {"instances": [{"image": IMAGE.tolist()}]})
    assert r.status_code == 200, r.text
    value = json.loads(json.loads(r.json()["predictions"][0])["value"])
    np.testing.assert_allclose(value["data"], digits_model_output([IMAGE])[0], rtol=1e-4, atol=1e-5)


def kserve_body(data, shape=(1, 3, 8, 8), datatype="FP32"):
    return {"inputs": [{"name": "image", "shape": list(shape), "datatype": datatype, "data": data}]}


def error_of(r):
    """The message of a refusal, whichever API answered it."""
    try:
        return r.json()["error"]
    except (ValueError, KeyError, TypeError):
        return r.text


# MARK: images made in the test


def png_chunk(kind, payload):
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_declaring(width, height):
    """A tiny PNG whose header declares width x height (8-bit RGB); its pixel data is far too short."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + png_chunk(b"IEND", b""))


def jpeg_declaring(width, height):
    """A real 8x8 JPEG whose frame header (SOF0) is patched to declare width x height."""
    ok, encoded = cv2.imencode(".jpg", np.full((8, 8, 3), 128, dtype=np.uint8))
    assert ok
    data = bytearray(encoded.tobytes())
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def png_of(image_hwc):
    ok, encoded = cv2.imencode(".png", image_hwc)
    assert ok
    return encoded.tobytes()


def b64(data):
    return base64.b64encode(data).decode()


HUGE_PNG = b64(png_declaring(20000, 20000))
HUGE_JPEG = b64(jpeg_declaring(20000, 20000))
JUST_OVER_LIMIT_PNG = b64(png_declaring(7072, 7071))  # 50,006,112 pixels: one row more than 50 Mpx allows
TRUNCATED_PNG = b64(png_of(np.full((8, 8, 3), 7, dtype=np.uint8))[:60])
TRUNCATED_JPEG = b64(jpeg_declaring(8, 8)[:200])


# MARK: HTTP


def test_deep_nesting_is_refused_on_every_api(s):
    deep = "[" * 100_000 + "]" * 100_000
    for path, body in [("/predict", '{"instances":[{"image":' + deep + "}]}"),
                       (KSERVE, '{"inputs":[{"name":"image","shape":[1],"datatype":"FP32","data":' + deep + "}]}"),
                       (TF, '{"instances":' + deep + "}")]:
        r = post(s, path, body)
        assert r.status_code == 400, (path, r.text)
        assert "nested deeper than 64 levels" in error_of(r)
    r = post(s, "/predict", '{"a":' * 100_000)
    assert r.status_code == 400 and "nested deeper than 64 levels" in r.text
    assert_still_serving(s)


def test_nan_and_infinity_literals_are_not_json(s):
    for literal in ["NaN", "Infinity", "-Infinity", "nan", "inf"]:
        text = IMAGE.tolist().__repr__().replace("100.0", literal, 1)
        for path, body in [("/predict", '{"instances":[{"image":' + text + "}]}"),
                           (KSERVE, json.dumps(kserve_body([0.0] * 192)).replace("0.0", literal, 1)),
                           (TF, '{"instances":[' + text + "]}")]:
            r = post(s, path, body)
            assert r.status_code == 400, (path, literal, r.text)
            assert "not valid JSON" in error_of(r) and "NaN and Infinity are not JSON numbers" in error_of(r), r.text
    assert_still_serving(s)


@pytest.mark.parametrize("number", ["1e400", "-1e400", "9" * 400])
def test_numbers_beyond_float_range_are_refused_by_kserve_and_tf_serving(s, number):
    values = ["0"] * 192
    values[5] = number
    flat = "[" + ",".join(values) + "]"
    r = post(s, KSERVE, '{"inputs":[{"name":"image","shape":[1,3,8,8],"datatype":"FP32","data":' + flat + "}]}")
    assert r.status_code == 400, r.text
    assert "input 'image'" in error_of(r) and "element 5" in error_of(r) and "FP32" in error_of(r)
    nested = "[" + ",".join("[" + ",".join("[" + ",".join(values[(c * 8 + y) * 8:(c * 8 + y) * 8 + 8]) + "]"
                                           for y in range(8)) + "]" for c in range(3)) + "]"
    r = post(s, TF, '{"instances":[' + nested + "]}")
    assert r.status_code == 400 and "element 5" in error_of(r), r.text
    # The original's /predict (Jackson) read such a number as Infinity and ran the model on it: so does this one.
    r = post(s, "/predict", '{"instances":[{"image":' + nested + "}]}")
    assert r.status_code == 200 and json.loads(r.json()["predictions"][0])["value"] != "", r.text
    assert_still_serving(s)


def test_a_number_longer_than_the_limit_is_refused_naming_it(s):
    r = post(s, "/predict", '{"instances":[{"image":[' + "1" * 5000 + "]}]}")
    assert r.status_code == 400 and "5000 characters" in r.text and "1024" in r.text
    assert_still_serving(s)


def test_minus_zero_is_zero(s):
    zero = np.zeros((3, 8, 8), dtype=np.float32)
    text = "[" + ",".join("[" + ",".join("[" + ",".join(["-0"] * 8) + "]" for _ in range(8)) + "]" for _ in range(3)) + "]"
    r = post(s, "/predict", '{"instances":[{"image":' + text + "}]}")
    value = json.loads(json.loads(r.json()["predictions"][0])["value"])
    np.testing.assert_allclose(value["data"], digits_model_output([zero])[0], rtol=1e-4, atol=1e-5)
    r = post(s, KSERVE, '{"inputs":[{"name":"image","shape":[1,3,8,8],"datatype":"FP32","data":[' + ",".join(["-0"] * 192) + "]}]}")
    assert r.status_code == 200, r.text
    np.testing.assert_allclose(r.json()["outputs"][0]["data"], digits_model_output([zero])[0], rtol=1e-4, atol=1e-5)


def raw_exchange(s, head, body_parts=(), read_timeout=10):
    """Sends a request head (and body parts) on a raw socket; the status line and headers of the reply, and how long
    the reply took."""
    sock = socket.create_connection(("127.0.0.1", s.http_port))
    sock.settimeout(read_timeout)
    started = time.time()
    try:
        sock.sendall(head)
        for part in body_parts:
            try:
                sock.sendall(part)
            except (BrokenPipeError, ConnectionResetError):
                break  # the server refused and closed: the reply is already there
        reply = b""
        while b"\r\n\r\n" not in reply:
            chunk = sock.recv(65536)
            if not chunk:
                break
            reply += chunk
        head_text, _, rest = reply.partition(b"\r\n\r\n")
        return head_text.decode(errors="replace"), rest, time.time() - started
    finally:
        sock.close()


def test_a_declared_2_gib_body_is_refused_before_it_is_read(s):
    head = (f"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: 2147483648\r\n\r\n").encode()
    reply, rest, took = raw_exchange(s, head)  # no body is ever sent: a 413 must not wait for it
    assert reply.startswith("HTTP/1.1 413"), reply
    assert took < 5  # answered without waiting for the idle timeout (30 s) or the body
    assert str(MAX_BODY) in rest.decode(errors="replace") and "2147483648" in rest.decode(errors="replace")
    for path in (KSERVE, TF):
        head = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 2147483648\r\n\r\n".encode()
        assert raw_exchange(s, head)[0].startswith("HTTP/1.1 413")
    assert_still_serving(s)


def test_a_chunked_body_beyond_the_limit_is_413(s):
    head = b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunk = b"1" * (1 << 20)
    parts = [b"%x\r\n" % len(chunk) + chunk + b"\r\n" for _ in range(MAX_BODY // len(chunk) + 2)] + [b"0\r\n\r\n"]
    reply, rest, _ = raw_exchange(s, head, parts, read_timeout=30)
    assert reply.startswith("HTTP/1.1 413"), reply
    assert f"larger than {MAX_BODY} bytes" in rest.decode(errors="replace")
    # httpx streams a generator body chunked too.
    r = httpx.post(url(s, KSERVE), content=(chunk for _ in range(17)), timeout=60)
    assert r.status_code == 413 and f"{MAX_BODY}" in r.json()["error"]
    assert_still_serving(s)


@pytest.mark.parametrize("shape,fragment", [
    ([9223372036854775807, 2], "overflows"),
    ([4294967296, 4294967296, 1, 3, 8, 8], "overflows"),
    ([-1, 3, 8, 8], "negative"),
    ([1, 3, 8, -8], "negative"),
    ([1, 3, 8, 1.5], "integers"),
    ([1, 3, 8, 1e300], "overflows"),
    ([2, 3, 8, 8], "192 values"),
    ([1, 3, 8, 7], "192 values"),
    ([0, 3, 8, 8], "rows"),
    ("1,3,8,8", "shape"),
])
def test_kserve_shapes_that_do_not_fit_are_400(s, shape, fragment):
    r = post(s, KSERVE, kserve_body([1.0] * 192, shape=shape))
    assert r.status_code == 400, r.text
    assert fragment in error_of(r) and "'image'" in error_of(r), r.text
    assert_still_serving(s)


@pytest.mark.parametrize("body,fragment", [
    (kserve_body(["a"] * 192), "numbers"),
    (kserve_body([[1.0] * 8] * 24, shape=[1, 3, 8, 8], datatype="FOO"), "datatype 'FOO'"),
    (kserve_body(IMAGE.flatten().tolist(), datatype="BYTES"), "strings"),
    (kserve_body([True] * 192, datatype="FP32"), None),  # booleans are 0/1: served
    ({"inputs": [{"name": "image", "shape": [1, 3, 8, 8], "datatype": "FP32"}]}, "\"data\""),
    ({"inputs": "image"}, "\"inputs\""),
])
def test_kserve_wrong_datatypes_are_400(s, body, fragment):
    r = post(s, KSERVE, body)
    if fragment is None:
        assert r.status_code == 200, r.text
    else:
        assert r.status_code == 400 and fragment in error_of(r), r.text
    assert_still_serving(s)


def test_strings_where_numbers_are_expected(s):
    r = post(s, "/predict", {"instances": [{"image": [["a", "b"], ["c", "d"]]}]})
    assert r.status_code == 400 and "'image'" in r.text
    r = post(s, TF, {"instances": [[1, "a"]]})
    assert r.status_code == 400 and "not a number" in error_of(r)
    r = post(s, TF, {"instances": [["a", "b"]]})  # a string tensor: the model takes numbers
    assert r.status_code == 400 and "string tensor" in error_of(r)
    assert_still_serving(s)


@pytest.mark.parametrize("text,fragment", [
    ("@@@ not base64 @@@", "base64"),
    (b64(b"just some bytes, no image"), "unknown image format"),
    (HUGE_PNG, "20000x20000 pixels exceeds the limit of 50000000 pixels"),
    (HUGE_JPEG, "20000x20000 pixels exceeds the limit of 50000000 pixels"),
    (JUST_OVER_LIMIT_PNG, "7072x7071 pixels exceeds the limit of 50000000 pixels"),
    (TRUNCATED_PNG, "corrupt PNG"),
    (TRUNCATED_JPEG, "corrupt JPEG"),
    (b64(png_of(np.zeros((2000, 3000, 3), dtype=np.uint8))), "3000x2000 image but the model's input 'image' takes 8x8"),
])
def test_bad_images_fail_with_the_reason(s, text, fragment):
    # KServe and TF Serving answer 400 naming the row and the reason; /predict answers the original's "NaN".
    r = post(s, TF, {"instances": [{"image": text}]})
    assert r.status_code == 400 and "row 0 failed" in error_of(r) and fragment in error_of(r), r.text
    r = post(s, KSERVE, {"inputs": [{"name": "image", "shape": [1], "datatype": "BYTES", "data": [text]}]})
    assert r.status_code == 400 and fragment in error_of(r), r.text
    r = post(s, "/predict", {"instances": [{"image": text}, {"image": IMAGE.tolist()}]})
    assert r.status_code == 200
    first, second = (json.loads(p)["value"] for p in r.json()["predictions"])
    assert first == "NaN"
    np.testing.assert_allclose(json.loads(second)["data"], digits_model_output([IMAGE])[0], rtol=1e-4, atol=1e-5)
    assert_still_serving(s)


def test_a_10_mb_json_string_is_answered(s):
    big = "A" * (10 << 20)  # valid base64 of 7.5 MB of zeros: not an image
    r = post(s, TF, {"instances": [{"image": big}]})
    assert r.status_code == 400 and "unknown image format" in error_of(r)
    r = post(s, "/predict", {"instances": [{big[:1000]: IMAGE.tolist()}]})  # a long input name is only a name
    assert r.status_code == 200
    assert_still_serving(s)


def test_invalid_utf8_is_refused(s):
    for path in ("/predict", TF):
        body = b'{"instances":[{"image":"\xff\xfe\x80abc"}]}'
        r = post(s, path, body)
        assert r.status_code == 400 and "UTF-8" in error_of(r), r.text
    r = post(s, KSERVE, b'{"inputs":[{"name":"\xc3\x28","shape":[1],"datatype":"BYTES","data":["x"]}]}')
    assert r.status_code == 400 and "UTF-8" in error_of(r)
    assert_still_serving(s)


def test_lone_surrogate_escapes_are_replacement_characters(s):
    # A high surrogate followed by an escape that is not a low one was summed with it: an overflow that stopped the
    # process. It is U+FFFD now, like any lone surrogate, and the name is only a name.
    for escapes in [r"\uD800\u0000", r"\uD800\uFFFF", r"\uDBFF\uD800", r"\uD800"]:
        r = post(s, "/predict", '{"instances":[{"' + escapes + '":' + json.dumps(IMAGE.tolist()) + "}]}")
        assert r.status_code == 200, (escapes, r.text)
    assert_still_serving(s)


def test_sparse_inputs_with_huge_numbers_are_400(s):
    for sparse in ['{"shape":[1e400],"data":[1.0],"indices":[[0]]}',
                   '{"shape":[3,8,8],"data":[1.0],"indices":[[0,0,1e300]]}',
                   '{"shape":[3,8,8],"data":[1.0],"indices":[[0,0,-1]]}',
                   '{"shape":[3,8,8],"data":[1e400],"indices":[[0,0,1]]}',
                   '{"shape":[4294967296,4294967296,8],"data":[1.0],"indices":[[1,1,1]]}']:
        r = post(s, TF, '{"instances":[{"image":' + sparse + "}]}")
        assert r.status_code == 400 and "'image'" in error_of(r), (sparse, r.text)
    assert_still_serving(s)


def test_a_ragged_array_whose_first_elements_claim_a_huge_shape_is_400(s):
    # Each level's first element is a list of 1000, the others are numbers: the first siblings alone claim 1000^7
    # values (beyond 2^63), which must be neither allocated nor multiplied with a trap.
    value = [0] * 1000
    for _ in range(6):
        value = [value] + [0] * 999
    for path, body in [("/predict", {"instances": [{"image": value}]}), (TF, {"instances": [value]}),
                       (KSERVE, kserve_body(value))]:
        r = post(s, path, body)
        assert r.status_code == 400 and "'image'" in error_of(r), r.text
    assert_still_serving(s)


def test_too_many_instances_are_refused_naming_the_limit(s):
    r = post(s, KSERVE, kserve_body([0.0] * 70_000, shape=[70_000, 1, 1, 1]))
    assert r.status_code == 400 and "70000 rows" in error_of(r) and "65536" in error_of(r), r.text
    r = post(s, TF, {"instances": [0] * 70_000})
    assert r.status_code == 400 and "70000 instances" in error_of(r) and "65536" in error_of(r), r.text
    assert_still_serving(s)


# MARK: the serving job


def ndarray_payload(array):
    """The stock client's ndarray payload (zoo.serving.schema), base64 Arrow IPC."""
    from zoo.serving.schema import get_field_and_data
    return arrow_payload(*get_field_and_data("image", array))


def arrow_payload(field, array):
    batch = pa.RecordBatch.from_arrays([array], schema=pa.schema([field]))
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema) as writer:
        writer.write_batch(batch)
    return sink.getvalue().to_pybytes()


def tensor_payload(data, shape, shape_type=pa.int32()):
    """A tensor struct as the stock client writes it, with a shape of our choosing."""
    kind = pa.struct([pa.field("indiceData", pa.list_(pa.int32())), pa.field("indiceShape", pa.list_(pa.int32())),
                      pa.field("data", pa.list_(pa.float32())), pa.field("shape", pa.list_(shape_type))])
    array = pa.array([{"indiceData": []}, {"indiceShape": []}, {"data": data}, {"shape": shape}], type=kind)
    return arrow_payload(pa.field("image", kind), array)


def sparse_payload(indices, indices_shape, values, shape):
    kind = pa.struct([pa.field("indiceData", pa.list_(pa.int32())), pa.field("indiceShape", pa.list_(pa.int32())),
                      pa.field("data", pa.list_(pa.float32())), pa.field("shape", pa.list_(pa.int32()))])
    array = pa.array([{"indiceData": indices}, {"indiceShape": indices_shape}, {"data": values}, {"shape": shape}],
                     type=kind)
    return arrow_payload(pa.field("image", kind), array)


def image_payload(b64_text):
    from zoo.serving.schema import get_field_and_data
    return arrow_payload(*get_field_and_data("image", {"b64": b64_text}))


def metadata_and_body(payload):
    """(start, end) of the record batch message's metadata flatbuffer inside the stream bytes."""
    schema_length = struct.unpack_from("<i", payload, 4)[0]
    start = 8 + schema_length + 8
    length = struct.unpack_from("<i", payload, start - 4)[0]
    return start, start + length


def patched(payload, old, new):
    """The payload with the one 8-aligned int64 `old` in the record batch metadata (flatbuffer int64s are aligned)
    replaced by `new`."""
    start, end = metadata_and_body(payload)
    metadata = bytearray(payload[start:end])
    found = [at for at in range(0, len(metadata) - 7, 8) if struct.unpack_from("<q", metadata, at)[0] == old]
    assert len(found) == 1, (old, found)
    struct.pack_into("<q", metadata, found[0], new)
    return payload[:start] + bytes(metadata) + payload[end:]


GOOD = ndarray_payload(IMAGE)


def serve_together(s, records):
    """Queues the records while the job is stopped, restarts it (it reads them as one batch), and returns each
    uri's result hash."""
    s.cli("stop")
    r = s.redis()
    pipe = r.pipeline(transaction=True)
    for fields in records:
        pipe.xadd(JOB, fields)
    pipe.execute()
    s.cli("start", "--detach")
    results = {}
    for fields in records:
        uri = fields.get("uri")
        if uri is not None:
            results[uri if isinstance(uri, str) else uri.decode()] = s.wait_result(
                uri if isinstance(uri, str) else uri.decode())
    deadline = time.time() + 30
    while r.xlen(JOB) and time.time() < deadline:
        time.sleep(0.05)
    assert r.xlen(JOB) == 0  # every entry answered and removed, the uri-less ones too
    assert r.execute_command("SERVING", "PING") in (b"PONG", "PONG")
    return results


def assert_good_served(results, uris):
    expected = digits_model_output([IMAGE])[0]
    for uri in uris:
        assert results[uri].get("error") is None, results[uri]
        table = pa.ipc.open_stream(base64.b64decode(results[uri]["value"])).read_all()
        np.testing.assert_allclose(table.column("data").to_pylist(), expected, rtol=1e-4, atol=1e-5)


def test_bad_arrow_records_fail_alone_and_their_batch_is_served(s):
    start, end = metadata_and_body(GOOD)
    body_length = len(GOOD) - end - 8  # the end-of-stream marker follows the body
    data_bytes = 192 * 4
    bad = {
        "buffer-2gb": (patched(GOOD, data_bytes, 1 << 31), "out of bounds"),
        "buffer-far-offset": (patched(GOOD, data_bytes, 1 << 62), "out of bounds"),
        "buffer-negative": (patched(GOOD, data_bytes, -8), "out of bounds"),
        "body-2gb": (patched(GOOD, body_length, 1 << 31), "runs past the end"),
        "shape-overflow": (tensor_payload([1.0, 2.0], [2147483647, 2147483647, 2147483647]), "overflows"),
        "shape-overflow-int64": (tensor_payload([1.0, 2.0], [9223372036854775807, 2], pa.int64()), "overflows"),
        "shape-negative": (tensor_payload([1.0], [-1, 3, 8, 8], pa.int64()), "negative"),
        "shape-wrong": (ndarray_payload(np.zeros((3, 8, 7), dtype=np.float32)), "has shape"),
        "shape-vs-data": (tensor_payload([1.0] * 191, [3, 8, 8]), "191 values"),
        "sparse-overflow": (sparse_payload([0, 0, 0], [1 << 30, 1 << 30], [1.0], [3, 8, 8]), "indiceShape"),
        "sparse-negative": (sparse_payload([0, 0, 0], [-3, -1], [1.0], [3, 8, 8]), "indiceShape"),
        "sparse-huge-dense": (sparse_payload([0, 0, 0], [3, 1], [1.0], [1 << 30, 1 << 30, 1 << 30]), "dense"),
        "image-20000": (image_payload(HUGE_PNG), "20000x20000 pixels exceeds the limit of 50000000 pixels"),
        "image-jpeg-20000": (image_payload(HUGE_JPEG), "exceeds the limit of 50000000 pixels"),
        "image-truncated": (image_payload(TRUNCATED_JPEG), "corrupt JPEG"),
    }
    records = [{"uri": "good-0", "data": b64(GOOD)}]
    for uri, (payload, _) in bad.items():
        records.append({"uri": uri, "data": b64(payload)})
    records += [{"uri": "not-base64", "data": "%%% this is not base64 %%%"},
                {"uri": "no-data"},
                {"data": b64(GOOD)},  # no uri: nowhere to answer, acknowledged and removed
                {"uri": "good-1", "data": b64(GOOD)}]
    results = serve_together(s, records)
    assert_good_served(results, ["good-0", "good-1"])
    for uri, (_, fragment) in bad.items():
        assert results[uri]["value"] == "NaN", (uri, results[uri])
        assert fragment in results[uri]["error"], (uri, results[uri]["error"])
    assert results["not-base64"]["value"] == "NaN" and "not base64" in results["not-base64"]["error"]
    assert results["no-data"]["value"] == "NaN" and "'data'" in results["no-data"]["error"]
    assert_still_serving(s)


def test_json_records_with_hostile_values_fail_alone(s):
    image = json.dumps(IMAGE.tolist())
    bad = {
        "json-deep": ('{"instances":[{"image":' + "[" * 100_000 + "]" * 100_000 + "}]}", "nested deeper than 64"),
        "json-nan": ('{"instances":[{"image":' + image.replace("100.0", "NaN", 1) + "}]}", "NaN and Infinity"),
        "json-sparse-inf-shape": ('{"instances":[{"image":{"shape":[1e400],"data":[1],"indices":[[0]]}}]}', "integers"),
        "json-sparse-big-index": ('{"instances":[{"image":{"shape":[3,8,8],"data":[1],"indices":[[0,0,1e300]]}}]}',
                                  "integers"),
        "json-sparse-overflow": ('{"instances":[{"image":{"shape":[4294967296,4294967296,8],"data":[1],'
                                 '"indices":[[1,1,1]]}}]}', "dense"),
        "json-bad-utf8": (b'{"instances":[{"image":"\xff\xfe"}]}', "UTF-8"),
        "json-not-base64": ('{"instances":[{"image":"@@@"}]}', "base64"),
        "json-no-instances": ('{"instance":[]}', "instances"),
    }
    records = [{"uri": "good-json", "data": '{"instances":[{"image":' + image + "}]}", "serde": "stream"}]
    records += [{"uri": uri, "data": text, "serde": "stream"} for uri, (text, _) in bad.items()]
    records.append({"uri": "good-arrow", "data": b64(GOOD)})
    results = serve_together(s, records)
    assert_good_served(results, ["good-json", "good-arrow"])
    for uri, (_, fragment) in bad.items():
        assert results[uri]["value"] == "NaN", (uri, results[uri])
        assert fragment in results[uri]["error"], (uri, results[uri]["error"])


def test_randomly_damaged_arrow_payloads_are_each_answered(s):
    """300 copies of a good payload with a few bytes changed (fixed seed): each gets its value or NaN with a
    reason; none stops the job."""
    rng = random.Random(20261207)
    records = [{"uri": "good-first", "data": b64(GOOD)}]
    for n in range(300):
        damaged = bytearray(GOOD)
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(damaged))
            damaged[at] = rng.choice([0, 0xFF, 0x7F, 0x80, rng.randrange(256)])
        records.append({"uri": f"damaged-{n}", "data": b64(bytes(damaged))})
    records.append({"uri": "good-last", "data": b64(GOOD)})
    results = serve_together(s, records)
    assert_good_served(results, ["good-first", "good-last"])
    for n in range(300):
        result = results[f"damaged-{n}"]
        assert result["value"] == "NaN" and result["error"] or result.get("error") is None
    assert_still_serving(s)


NCF = REPO / "Tests" / "Fixtures" / "inference" / "models" / "mlp_embeddings" / "model"


def test_values_an_integer_input_cannot_hold_fail_alone(serving):
    """A model with int64 inputs (user, item: [N, 1] indices): NaN, infinities and numbers beyond int64 are refused
    by name; an index outside the embedding table is the model's own error; the rest of the batch is served."""
    import onnxruntime as ort
    s = serving("ncf", modelPath=str(NCF), jobName="ncf", batchSize=16)
    s.keys["frontend"] = {"enabled": "false"}
    s.write_config()
    s.start()

    def record(user, item):
        from zoo.serving.schema import get_field_and_data
        columns = [get_field_and_data("user", np.array([user], dtype=np.float32)),
                   get_field_and_data("item", np.array([item], dtype=np.float32))]
        batch = pa.RecordBatch.from_arrays([c[1] for c in columns], schema=pa.schema([c[0] for c in columns]))
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, batch.schema) as writer:
            writer.write_batch(batch)
        return b64(sink.getvalue().to_pybytes())

    bad = {"nan": (np.nan, 3, "element 0 is nan"), "inf": (3, np.inf, "element 0 is inf"),
           "huge": (1e20, 3, "cannot hold"), "outside-table": (1000, 3, "1000")}
    s.cli("stop")
    r = s.redis()
    pipe = r.pipeline(transaction=True)
    pipe.xadd("ncf", {"uri": "good-a", "data": record(1, 2)})
    for uri, (user, item, _) in bad.items():
        pipe.xadd("ncf", {"uri": uri, "data": record(user, item)})
    pipe.xadd("ncf", {"uri": "good-b", "data": record(7, 9)})
    pipe.execute()
    s.cli("start", "--detach")
    session = ort.InferenceSession(str(NCF / "model.onnx"), providers=["CPUExecutionProvider"])
    for uri, (user, item) in [("good-a", (1, 2)), ("good-b", (7, 9))]:
        result = s.wait_result(uri)
        table = pa.ipc.open_stream(base64.b64decode(result["value"])).read_all()
        expected = session.run(None, {"user": np.array([[user]], dtype=np.int64), "item": np.array([[item]], dtype=np.int64)})[0]
        np.testing.assert_allclose(table.column("data").to_pylist(), expected.flatten(), rtol=1e-4, atol=1e-5)
    for uri, (_, _, fragment) in bad.items():
        result = s.wait_result(uri)
        assert result["value"] == "NaN" and result["error"], (uri, result)
        assert fragment in result["error"], (uri, result["error"])
    assert r.execute_command("SERVING", "PING") in (b"PONG", "PONG")


def test_an_entry_with_the_largest_stream_id_is_served(serving):
    """XADD takes any ID: the job's queue-wait figure once converted the largest to a signed number with a trap."""
    s = serving("max-id", batchSize=4)
    s.keys["frontend"] = {"enabled": "false"}
    s.write_config()
    s.start()
    r = s.redis()
    r.xadd(JOB, {"uri": "early", "data": b64(GOOD)}, id="1-1")
    r.xadd(JOB, {"uri": "last-possible-id", "data": b64(GOOD)}, id="18446744073709551615-18446744073709551615")
    assert_good_served({uri: s.wait_result(uri) for uri in ("early", "last-possible-id")}, ["early", "last-possible-id"])
    assert r.execute_command("SERVING", "PING") in (b"PONG", "PONG")
