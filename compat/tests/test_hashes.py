"""Hash commands, plus the Cluster Serving result-hash access pattern."""

import base64

import pytest

from conftest import raises_error

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"


def _hscan_all(r, key, *args):
    cursor, out = "0", []
    for _ in range(10_000):
        cursor, items = r.do("HSCAN", key, cursor, *args)
        out.extend(items)
        if cursor == "0":
            return dict(zip(out[0::2], out[1::2])), len(out) // 2
    raise AssertionError("HSCAN did not terminate")


# ------------------------------------------------------------------ HSET
def test_hset_multiple_fields_returns_new_count(r):
    assert r.do("HSET", "h", "a", "1", "b", "2") == 2
    assert r.do("HSET", "h", "a", "10", "c", "3") == 1
    assert r.do("HGETALL", "h") == ["a", "10", "b", "2", "c", "3"]


@pytest.mark.parametrize("args", [("h",), ("h", "f"), ("h", "f", "v", "g")])
def test_hset_wrong_number_of_arguments(r, args):
    with raises_error("ERR wrong number of arguments for 'hset' command"):
        r.do("HSET", *args)


def test_hsetnx(r):
    assert r.do("HSETNX", "h", "f", "1") == 1
    assert r.do("HSETNX", "h", "f", "2") == 0
    assert r.do("HGET", "h", "f") == "1"


def test_hmset_returns_ok(r):
    assert r.do("HMSET", "h", "a", "1", "b", "2") == "OK"
    assert r.do("HMGET", "h", "a", "b", "c") == ["1", "2", None]
    with raises_error("ERR wrong number of arguments for 'hmset' command"):
        r.do("HMSET", "h", "x")


def test_hget_missing_field_and_key(r):
    r.hset("h", "a", "1")
    assert r.do("HGET", "h", "zz") is None
    assert r.do("HGET", "nope", "a") is None
    assert r.do("HMGET", "nope", "a", "b") == [None, None]


def test_hgetall_preserves_insertion_order_for_small_hashes(r):
    r.do("HSET", "h", "z", "1", "a", "2", "m", "3")
    assert r.do("HGETALL", "h") == ["z", "1", "a", "2", "m", "3"]
    assert r.do("HKEYS", "h") == ["z", "a", "m"]
    assert r.do("HVALS", "h") == ["1", "2", "3"]


def test_hgetall_missing_key_is_empty(r):
    assert r.do("HGETALL", "nope") == []
    assert r.do("HKEYS", "nope") == []
    assert r.do("HVALS", "nope") == []


def test_hgetall_resp3_is_a_map(r3):
    r3.hset("h", mapping={"a": "1", "b": "2"})
    assert r3.do("HGETALL", "h") == {"a": "1", "b": "2"}
    assert r3.do("HGETALL", "nope") == {}


def test_hdel_counts_removed_and_deletes_empty_hash(r):
    r.do("HSET", "h", "a", "1", "b", "2")
    assert r.do("HDEL", "h", "a", "zz", "a") == 1
    assert r.do("HLEN", "h") == 1
    assert r.do("HDEL", "h", "b") == 1
    assert r.exists("h") == 0
    assert r.do("HDEL", "h", "b") == 0


def test_hlen_hexists(r):
    assert r.do("HLEN", "h") == 0
    r.do("HSET", "h", "a", "1", "b", "2")
    assert r.do("HLEN", "h") == 2
    assert r.do("HEXISTS", "h", "a") == 1
    assert r.do("HEXISTS", "h", "zz") == 0
    assert r.do("HEXISTS", "nope", "a") == 0


def test_hstrlen(rb):
    rb.hset("h", "f", "héllo".encode())
    assert rb.do("HSTRLEN", "h", "f") == 6
    assert rb.do("HSTRLEN", "h", "zz") == 0
    assert rb.do("HSTRLEN", "nope", "f") == 0


def test_hash_fields_and_values_are_binary_safe(rb):
    field, value = b"f\r\n\x00", b"v\x00\r\n\xff" * 100
    rb.hset("h", field, value)
    assert rb.hget("h", field) == value
    assert rb.do("HGETALL", "h") == [field, value]


# -------------------------------------------------------------- HINCRBY*
def test_hincrby(r):
    assert r.do("HINCRBY", "h", "n", 5) == 5
    assert r.do("HINCRBY", "h", "n", -7) == -2
    assert r.do("HGET", "h", "n") == "-2"


def test_hincrby_errors(r):
    r.hset("h", mapping={"s": "hello", "m": "9223372036854775807"})
    with raises_error("ERR hash value is not an integer"):
        r.do("HINCRBY", "h", "s", 1)
    with raises_error("ERR value is not an integer or out of range"):
        r.do("HINCRBY", "h", "n", "abc")
    with raises_error("ERR increment or decrement would overflow"):
        r.do("HINCRBY", "h", "m", 1)


def test_hincrbyfloat(r):
    assert r.do("HINCRBYFLOAT", "h", "f", "10.5") == "10.5"
    assert r.do("HINCRBYFLOAT", "h", "f", "0.1") == "10.6"
    r.hset("h", "e", "5.0e3")
    assert r.do("HINCRBYFLOAT", "h", "e", "0") == "5000"
    assert r.do("HINCRBYFLOAT", "h", "i", "3") == "3"
    assert r.do("HGET", "h", "i") == "3"


def test_hincrbyfloat_uses_long_double_precision(r):
    # Redis computes with an 80-bit long double and prints with "%.17Lf"
    # trimmed of trailing zeros.
    r.hset("h", "q", "5000")
    assert r.do("HINCRBYFLOAT", "h", "q", "0.1") == "5000.10000000000000009"


def test_hincrbyfloat_errors(r):
    r.hset("h", mapping={"s": "hello", "a": "1"})
    with raises_error("ERR hash value is not a float"):
        r.do("HINCRBYFLOAT", "h", "s", 1)
    with raises_error("ERR value is not a valid float"):
        r.do("HINCRBYFLOAT", "h", "a", "abc")
    with raises_error("ERR value is NaN or Infinity"):
        r.do("HINCRBYFLOAT", "h", "a", "inf")
    assert r.do("HGET", "h", "a") == "1"


# --------------------------------------------------------------------- HSCAN
def test_hscan_full_iteration_small(r):
    r.hset("h", mapping={"a": "1", "b": "2"})
    assert r.do("HSCAN", "h", "0") == ["0", ["a", "1", "b", "2"]]
    assert r.do("HSCAN", "nope", "0") == ["0", []]


def test_hscan_full_iteration_large(r):
    fields = {f"field:{i}": str(i) for i in range(1000)}
    r.hset("h", mapping=fields)
    got, _ = _hscan_all(r, "h", "COUNT", "50")
    assert got == fields


def test_hscan_match(r):
    fields = {f"a:{i}": str(i) for i in range(300)}
    fields.update({f"b:{i}": str(i) for i in range(300)})
    r.hset("h", mapping=fields)
    got, _ = _hscan_all(r, "h", "MATCH", "a:1*", "COUNT", "20")
    assert got == {k: v for k, v in fields.items() if k.startswith("a:1")}
    small = {"x1": "1", "y1": "2", "x2": "3"}
    r.hset("s", mapping=small)
    assert r.do("HSCAN", "s", "0", "MATCH", "x*") == ["0", ["x1", "1", "x2", "3"]]


def test_hscan_errors(r):
    r.hset("h", "a", "1")
    with raises_error("ERR invalid cursor"):
        r.do("HSCAN", "h", "abc")
    with raises_error("ERR syntax error"):
        r.do("HSCAN", "h", "0", "COUNT", "0")
    r.set("s", "v")
    with raises_error(WRONGTYPE):
        r.do("HSCAN", "s", "0")


# ---------------------------------------------------------------- HRANDFIELD
def test_hrandfield_single(r):
    assert r.do("HRANDFIELD", "nope") is None
    r.hset("h", mapping={"a": "1", "b": "2", "c": "3"})
    for _ in range(10):
        assert r.do("HRANDFIELD", "h") in {"a", "b", "c"}


def test_hrandfield_positive_count_is_distinct(r):
    data = {"a": "1", "b": "2", "c": "3", "d": "4", "e": "5"}
    r.hset("h", mapping=data)
    got = r.do("HRANDFIELD", "h", 3)
    assert len(got) == 3 and len(set(got)) == 3 and set(got) <= set(data)
    assert sorted(r.do("HRANDFIELD", "h", 100)) == sorted(data)
    assert r.do("HRANDFIELD", "h", 0) == []


def test_hrandfield_negative_count_may_repeat(r):
    r.hset("h", "a", "1")
    assert r.do("HRANDFIELD", "h", -3) == ["a", "a", "a"]
    r.hset("h", "b", "2")
    got = r.do("HRANDFIELD", "h", -20)
    assert len(got) == 20 and set(got) <= {"a", "b"}


def test_hrandfield_withvalues(r):
    data = {"a": "1", "b": "2", "c": "3"}
    r.hset("h", mapping=data)
    flat = r.do("HRANDFIELD", "h", 2, "WITHVALUES")
    assert len(flat) == 4
    pairs = dict(zip(flat[0::2], flat[1::2]))
    assert len(pairs) == 2 and all(data[k] == v for k, v in pairs.items())
    flat = r.do("HRANDFIELD", "h", -5, "WITHVALUES")
    assert len(flat) == 10
    assert all(data[k] == v for k, v in zip(flat[0::2], flat[1::2]))


def test_hrandfield_withvalues_resp3_returns_pairs(r3):
    r3.hset("h", "a", "1")
    assert r3.do("HRANDFIELD", "h", 1, "WITHVALUES") == [["a", "1"]]
    assert r3.do("HRANDFIELD", "h", -2, "WITHVALUES") == [["a", "1"], ["a", "1"]]


def test_hrandfield_missing_key_with_count(r):
    assert r.do("HRANDFIELD", "nope", 3) == []
    assert r.do("HRANDFIELD", "nope", -3, "WITHVALUES") == []


def test_hrandfield_errors(r):
    r.hset("h", "a", "1")
    with raises_error("ERR value is not an integer or out of range"):
        r.do("HRANDFIELD", "h", "abc")
    with raises_error("ERR syntax error"):
        r.do("HRANDFIELD", "h", 1, "foo")


# ----------------------------------------------------------------- WRONGTYPE
@pytest.mark.parametrize("cmd", [
    ("HGET", "s", "f"), ("HSET", "s", "f", "v"), ("HGETALL", "s"), ("HDEL", "s", "f"),
    ("HLEN", "s"), ("HINCRBY", "s", "f", 1), ("HKEYS", "s"), ("HRANDFIELD", "s"),
    ("HMGET", "s", "f"), ("HEXISTS", "s", "f"), ("HSTRLEN", "s", "f"),
])
def test_hash_commands_on_string_are_wrongtype(r, cmd):
    r.set("s", "v")
    with raises_error(WRONGTYPE):
        r.do(*cmd)


# ---------------------------------------------------- Cluster Serving pattern
def test_cluster_serving_result_hash_pattern(r):
    """Results are written as HSET <prefix>:<uri> value <base64> and the
    client discovers them with KEYS <prefix>:*, reads HGETALL, then DELs."""
    results = {}
    for i in range(20):
        payload = base64.b64encode(f"tensor-bytes-{i}".encode() * 50).decode()
        key = f"cluster-serving_serving_stream:uri{i}"
        assert r.do("HSET", key, "value", payload) == 1
        results[key] = payload
    r.set("unrelated", "x")
    keys = r.do("KEYS", "cluster-serving_serving_stream:*")
    assert sorted(keys) == sorted(results)
    for key in keys:
        assert r.do("HGETALL", key) == ["value", results[key]]
        assert base64.b64decode(r.do("HGET", key, "value")).startswith(b"tensor-bytes-")
    assert r.do("DEL", *keys) == len(keys)
    assert r.do("KEYS", "cluster-serving_serving_stream:*") == []
    assert r.do("KEYS", "*") == ["unrelated"]


def test_cluster_serving_result_overwrite(r):
    key = "cluster-serving_serving_stream:uri1"
    r.do("HSET", key, "value", "first")
    assert r.do("HSET", key, "value", "second") == 0
    assert r.do("HGETALL", key) == ["value", "second"]
