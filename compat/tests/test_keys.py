"""Generic keyspace commands: DEL, UNLINK, EXISTS, TYPE, KEYS, SCAN, RENAME,
EXPIRE family, TTL, PERSIST, RANDOMKEY, OBJECT ENCODING, SELECT isolation."""

import time

import pytest

from conftest import raises_error, wait_until


def _scan_all(r, *args):
    """Iterate SCAN until the cursor comes back to 0; bounded."""
    cursor, seen = "0", []
    for _ in range(10_000):
        cursor, keys = r.do("SCAN", cursor, *args)
        seen.extend(keys)
        if cursor == "0":
            return seen
    raise AssertionError("SCAN did not terminate")


# ------------------------------------------------------------ DEL / EXISTS
def test_del_returns_number_of_deleted_keys(r):
    r.mset({"a": 1, "b": 2})
    r.hset("h", "f", "v")
    assert r.do("DEL", "a", "b", "h", "missing") == 3
    assert r.do("DEL", "a") == 0
    assert r.dbsize() == 0


def test_unlink_behaves_like_del(r):
    r.set("a", 1)
    r.rpush("l", 1, 2)
    assert r.do("UNLINK", "a", "l", "nope") == 2
    assert r.do("EXISTS", "a", "l") == 0


def test_exists_counts_duplicates(r):
    r.set("a", 1)
    assert r.do("EXISTS", "a") == 1
    assert r.do("EXISTS", "a", "a", "a") == 3
    assert r.do("EXISTS", "a", "nope", "a") == 2
    assert r.do("EXISTS", "nope") == 0


def test_del_without_arguments_is_arity_error(r):
    with raises_error("ERR wrong number of arguments for 'del' command"):
        r.do("DEL")


# -------------------------------------------------------------------- TYPE
def test_type_of_each_kind(r):
    r.set("s", "v")
    r.hset("h", "f", "v")
    r.rpush("l", "x")
    r.xadd("x", {"f": "v"})
    assert r.do("TYPE", "s") == "string"
    assert r.do("TYPE", "h") == "hash"
    assert r.do("TYPE", "l") == "list"
    assert r.do("TYPE", "x") == "stream"
    assert r.do("TYPE", "missing") == "none"


# -------------------------------------------------------------------- KEYS
@pytest.fixture
def keyset(r):
    names = ["hello", "hallo", "hxllo", "hllo", "heeeello", "hbllo", "hcllo",
             "hdllo", "h*llo", "h?llo", "h[llo", "other", "cluster-serving_serving_stream:a",
             "cluster-serving_serving_stream:b"]
    r.mset({n: 1 for n in names})
    return names


@pytest.mark.parametrize("pattern,expected", [
    ("*", None),
    ("h?llo", ["hello", "hallo", "hxllo", "hbllo", "hcllo", "hdllo", "h*llo", "h?llo", "h[llo"]),
    ("h*llo", ["hello", "hallo", "hxllo", "hllo", "heeeello", "hbllo", "hcllo", "hdllo",
               "h*llo", "h?llo", "h[llo"]),
    ("h[ae]llo", ["hello", "hallo"]),
    ("h[^e]llo", ["hallo", "hxllo", "hbllo", "hcllo", "hdllo", "h*llo", "h?llo", "h[llo"]),
    ("h[a-c]llo", ["hallo", "hbllo", "hcllo"]),
    ("h\\*llo", ["h*llo"]),
    ("h\\?llo", ["h?llo"]),
    ("h\\[llo", ["h[llo"]),
    ("cluster-serving_serving_stream:*", ["cluster-serving_serving_stream:a",
                                          "cluster-serving_serving_stream:b"]),
    ("nomatch*", []),
    ("other", ["other"]),
])
def test_keys_glob_patterns(r, keyset, pattern, expected):
    got = sorted(r.do("KEYS", pattern))
    assert got == sorted(keyset if expected is None else expected)


def test_keys_skips_expired_keys(r):
    r.set("live", 1)
    r.set("dying", 1, px=30)
    time.sleep(0.1)
    assert r.do("KEYS", "*") == ["live"]


# -------------------------------------------------------------------- SCAN
def test_scan_iterates_every_key(r):
    names = {f"key:{i}" for i in range(300)}
    r.mset({n: 1 for n in names})
    seen = _scan_all(r)
    assert set(seen) == names


def test_scan_with_match_and_count(r):
    r.mset({f"a:{i}": 1 for i in range(100)})
    r.mset({f"b:{i}": 1 for i in range(100)})
    seen = _scan_all(r, "MATCH", "a:*", "COUNT", "7")
    assert set(seen) == {f"a:{i}" for i in range(100)}


def test_scan_with_type_filter(r):
    r.mset({f"s{i}": 1 for i in range(20)})
    for i in range(5):
        r.hset(f"h{i}", "f", "v")
        r.xadd(f"x{i}", {"f": "v"})
    assert set(_scan_all(r, "TYPE", "hash")) == {f"h{i}" for i in range(5)}
    assert set(_scan_all(r, "TYPE", "stream")) == {f"x{i}" for i in range(5)}
    assert set(_scan_all(r, "TYPE", "string", "MATCH", "s1*")) == {"s1"} | {
        f"s1{i}" for i in range(10)}


def test_scan_reply_shape(r):
    r.set("a", 1)
    cursor, keys = r.do("SCAN", "0")
    assert cursor == "0"
    assert keys == ["a"]


def test_scan_empty_database(r):
    assert r.do("SCAN", "0") == ["0", []]


def test_scan_errors(r):
    with raises_error("ERR invalid cursor"):
        r.do("SCAN", "abc")
    with raises_error("ERR syntax error"):
        r.do("SCAN", "0", "FOO")
    with raises_error("ERR syntax error"):
        r.do("SCAN", "0", "COUNT", "0")


# ------------------------------------------------------------------ RENAME
def test_rename_moves_value(r):
    r.set("a", "v")
    assert r.do("RENAME", "a", "b") == "OK"
    assert r.get("a") is None
    assert r.get("b") == "v"


def test_rename_overwrites_destination_of_other_type(r):
    r.set("a", "v")
    r.rpush("b", 1)
    r.do("RENAME", "a", "b")
    assert r.do("TYPE", "b") == "string"


def test_rename_missing_key_is_an_error(r):
    with raises_error("ERR no such key"):
        r.do("RENAME", "nope", "x")
    with raises_error("ERR no such key"):
        r.do("RENAMENX", "nope", "x")


def test_rename_to_itself(r):
    r.set("a", "v")
    assert r.do("RENAME", "a", "a") == "OK"
    assert r.do("RENAMENX", "a", "a") == 0
    assert r.get("a") == "v"


def test_rename_keeps_ttl(r):
    r.set("a", "v", ex=100)
    r.do("RENAME", "a", "b")
    assert 95 <= r.ttl("b") <= 100


def test_rename_drops_destination_ttl(r):
    r.set("a", "v")
    r.set("b", "old", ex=100)
    r.do("RENAME", "a", "b")
    assert r.ttl("b") == -1


def test_renamenx_only_when_destination_missing(r):
    r.set("a", "1")
    r.set("b", "2")
    assert r.do("RENAMENX", "a", "b") == 0
    assert r.get("a") == "1"
    assert r.do("RENAMENX", "a", "c") == 1
    assert r.get("c") == "1"
    assert r.exists("a") == 0


def test_rename_stream_keeps_groups(r):
    r.xadd("s", {"f": "v"}, id="1-1")
    r.xgroup_create("s", "g", id="0")
    r.do("RENAME", "s", "t")
    assert r.do("XLEN", "t") == 1
    assert r.do("XINFO", "GROUPS", "t")[0][1] == "g"


# ------------------------------------------------------------------ EXPIRE
def test_ttl_and_pttl_for_missing_and_persistent_keys(r):
    assert r.do("TTL", "nope") == -2
    assert r.do("PTTL", "nope") == -2
    r.set("a", 1)
    assert r.do("TTL", "a") == -1
    assert r.do("PTTL", "a") == -1


def test_expire_sets_ttl(r):
    r.set("a", 1)
    assert r.do("EXPIRE", "a", 100) == 1
    assert 99 <= r.do("TTL", "a") <= 100
    assert 98_000 < r.do("PTTL", "a") <= 100_000
    assert r.do("EXPIRE", "nope", 100) == 0


def test_pexpire_sets_ttl_in_ms(r):
    r.set("a", 1)
    assert r.do("PEXPIRE", "a", 50_000) == 1
    assert 49_000 < r.do("PTTL", "a") <= 50_000
    assert r.do("TTL", "a") in (49, 50)


def test_expireat_and_pexpireat(r):
    r.set("a", 1)
    r.set("b", 1)
    at = int(time.time()) + 200
    assert r.do("EXPIREAT", "a", at) == 1
    assert r.do("EXPIRETIME", "a") == at
    assert r.do("PEXPIRETIME", "a") == at * 1000
    pat = int(time.time() * 1000) + 300_000
    assert r.do("PEXPIREAT", "b", pat) == 1
    assert r.do("PEXPIRETIME", "b") == pat
    # seconds are rounded to the nearest second: (ms + 500) / 1000
    assert r.do("EXPIRETIME", "b") == (pat + 500) // 1000


def test_expiretime_for_missing_and_persistent_keys(r):
    assert r.do("EXPIRETIME", "nope") == -2
    assert r.do("PEXPIRETIME", "nope") == -2
    r.set("a", 1)
    assert r.do("EXPIRETIME", "a") == -1
    assert r.do("PEXPIRETIME", "a") == -1


def test_expire_in_the_past_deletes_key(r):
    r.set("a", 1)
    assert r.do("EXPIRE", "a", -1) == 1
    assert r.exists("a") == 0
    r.set("b", 1)
    assert r.do("EXPIREAT", "b", 1) == 1
    assert r.exists("b") == 0


def test_expire_nx_xx_gt_lt(r):
    r.set("a", 1)
    assert r.do("EXPIRE", "a", 100, "XX") == 0   # no ttl yet
    assert r.do("EXPIRE", "a", 100, "GT") == 0   # no ttl counts as infinite
    assert r.do("TTL", "a") == -1
    assert r.do("EXPIRE", "a", 100, "NX") == 1
    assert r.do("EXPIRE", "a", 50, "NX") == 0
    assert r.do("EXPIRE", "a", 50, "GT") == 0
    assert r.do("EXPIRE", "a", 200, "GT") == 1
    assert r.do("EXPIRE", "a", 300, "LT") == 0
    assert r.do("EXPIRE", "a", 150, "LT") == 1
    assert r.do("EXPIRE", "a", 120, "XX") == 1
    assert 115 <= r.do("TTL", "a") <= 120
    r.set("b", 1)
    assert r.do("EXPIRE", "b", 100, "LT") == 1   # infinite > 100
    assert r.do("PEXPIRE", "b", 10_000_000, "GT") == 1
    assert r.do("PEXPIRE", "b", 10_000_000, "NX") == 0


def test_expire_option_errors(r):
    r.set("a", 1)
    with raises_error("ERR NX and XX, GT or LT options at the same time are not compatible"):
        r.do("EXPIRE", "a", 10, "NX", "XX")
    with raises_error("ERR GT and LT options at the same time are not compatible"):
        r.do("EXPIRE", "a", 10, "GT", "LT")
    with raises_error("ERR Unsupported option foo"):
        r.do("EXPIRE", "a", 10, "foo")
    with raises_error("ERR value is not an integer or out of range"):
        r.do("EXPIRE", "a", "abc")
    with raises_error("ERR invalid expire time in 'expire' command"):
        r.do("EXPIRE", "a", "99999999999999999")


def test_persist_removes_ttl(r):
    r.set("a", 1, ex=100)
    assert r.do("PERSIST", "a") == 1
    assert r.do("TTL", "a") == -1
    assert r.do("PERSIST", "a") == 0
    assert r.do("PERSIST", "nope") == 0


def test_keys_really_expire(r):
    r.set("a", 1, px=100)
    r.hset("h", "f", "v")
    r.do("PEXPIRE", "h", 100)
    r.xadd("x", {"f": "v"})
    r.do("PEXPIRE", "x", 100)
    assert r.exists("a", "h", "x") == 3
    time.sleep(0.25)
    assert r.get("a") is None
    assert r.exists("a", "h", "x") == 0
    assert r.do("TTL", "a") == -2
    assert r.dbsize() == 0 or wait_until(lambda: r.dbsize() == 0, timeout=3)


def test_set_without_ttl_clears_previous_ttl(r):
    r.set("a", 1, ex=100)
    r.set("a", 2)
    assert r.do("TTL", "a") == -1


# --------------------------------------------------------------- RANDOMKEY
def test_randomkey(r):
    assert r.do("RANDOMKEY") is None
    r.mset({"a": 1, "b": 2, "c": 3})
    for _ in range(10):
        assert r.do("RANDOMKEY") in {"a", "b", "c"}


# --------------------------------------------------------- OBJECT ENCODING
def test_object_encoding_returns_bulk_or_nil(r):
    r.set("s", "v")
    r.hset("h", "f", "v")
    r.rpush("l", 1)
    r.xadd("x", {"f": "v"})
    for k in ("s", "h", "l", "x"):
        enc = r.do("OBJECT", "ENCODING", k)
        assert isinstance(enc, str) and enc
    assert r.do("OBJECT", "ENCODING", "nope") is None


# ------------------------------------------------------------------ SELECT
def test_select_isolates_databases(r):
    r.set("k", "db0")
    r.do("SELECT", 9)
    assert r.get("k") is None
    r.set("k", "db9")
    r.set("only9", 1)
    assert r.dbsize() == 2
    r.do("SELECT", 0)
    assert r.get("k") == "db0"
    assert r.exists("only9") == 0
    assert r.dbsize() == 1


def test_select_is_per_connection(client_factory):
    a, b = client_factory(), client_factory()
    a.do("SELECT", 9)
    a.set("k", "nine")
    assert b.get("k") is None
    assert b.do("KEYS", "*") == []
