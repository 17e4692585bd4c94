"""String commands: GET/SET and options, SETNX/SETEX/PSETEX, MGET/MSET/MSETNX,
GETSET/GETDEL/GETEX, APPEND, STRLEN, INCR family, INCRBYFLOAT, GETRANGE,
SETRANGE, binary safety and WRONGTYPE."""

import time

import pytest

from conftest import raises_error

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"


# ---------------------------------------------------------------- GET / SET
def test_get_missing_key_is_nil(r):
    assert r.do("GET", "nope") is None


def test_set_then_get(r):
    assert r.do("SET", "k", "v") == "OK"
    assert r.do("GET", "k") == "v"
    assert r.do("SET", "k", "w") == "OK"
    assert r.do("GET", "k") == "w"


def test_set_ex_and_px(r):
    r.do("SET", "a", "v", "EX", 100)
    assert 99 <= r.ttl("a") <= 100
    r.do("SET", "b", "v", "PX", 100_000)
    assert 99_000 < r.pttl("b") <= 100_000


def test_set_exat_and_pxat(r):
    at = int(time.time()) + 100
    r.do("SET", "a", "v", "EXAT", at)
    assert r.do("EXPIRETIME", "a") == at
    pat = int(time.time() * 1000) + 100_000
    r.do("SET", "b", "v", "PXAT", pat)
    assert r.do("PEXPIRETIME", "b") == pat


def test_set_px_really_expires(r):
    r.do("SET", "a", "v", "PX", 80)
    assert r.get("a") == "v"
    time.sleep(0.2)
    assert r.get("a") is None


def test_set_nx(r):
    assert r.do("SET", "k", "1", "NX") == "OK"
    assert r.do("SET", "k", "2", "NX") is None
    assert r.get("k") == "1"


def test_set_xx(r):
    assert r.do("SET", "k", "1", "XX") is None
    assert r.exists("k") == 0
    r.set("k", "0")
    assert r.do("SET", "k", "1", "XX") == "OK"
    assert r.get("k") == "1"


def test_set_keepttl(r):
    r.do("SET", "k", "1", "EX", 100)
    r.do("SET", "k", "2", "KEEPTTL")
    assert r.get("k") == "2"
    assert 99 <= r.ttl("k") <= 100
    r.do("SET", "k", "3")
    assert r.ttl("k") == -1


def test_set_get_returns_old_value(r):
    assert r.do("SET", "k", "1", "GET") is None
    assert r.do("SET", "k", "2", "GET") == "1"
    assert r.get("k") == "2"


def test_set_nx_get_combination(r):
    assert r.do("SET", "k", "1", "NX", "GET") is None
    assert r.do("SET", "k", "2", "NX", "GET") == "1"
    assert r.get("k") == "1"


def test_set_get_on_wrong_type(r):
    r.hset("h", "f", "v")
    with raises_error(WRONGTYPE):
        r.do("SET", "h", "x", "GET")
    assert r.do("TYPE", "h") == "hash"


def test_set_overwrites_any_type(r):
    r.rpush("l", 1)
    assert r.do("SET", "l", "v") == "OK"
    assert r.do("TYPE", "l") == "string"


@pytest.mark.parametrize("args", [
    ("EX", "0"), ("EX", "-5"), ("PX", "0"), ("EXAT", "0"), ("PXAT", "-1"),
])
def test_set_invalid_expire_time(r, args):
    with raises_error("ERR invalid expire time in 'set' command"):
        r.do("SET", "k", "v", *args)
    assert r.exists("k") == 0


def test_set_non_integer_expire(r):
    with raises_error("ERR value is not an integer or out of range"):
        r.do("SET", "k", "v", "EX", "abc")


@pytest.mark.parametrize("args", [
    ("NX", "XX"), ("EX", "10", "PX", "10"), ("KEEPTTL", "EX", "5"), ("FOO",), ("EX",),
])
def test_set_syntax_errors(r, args):
    with raises_error("ERR syntax error"):
        r.do("SET", "k", "v", *args)


def test_setnx(r):
    assert r.do("SETNX", "k", "1") == 1
    assert r.do("SETNX", "k", "2") == 0
    assert r.get("k") == "1"


def test_setex_and_psetex(r):
    assert r.do("SETEX", "a", 100, "v") == "OK"
    assert r.get("a") == "v" and 99 <= r.ttl("a") <= 100
    assert r.do("PSETEX", "b", 100_000, "v") == "OK"
    assert r.get("b") == "v" and 99_000 < r.pttl("b") <= 100_000


def test_setex_invalid_expire(r):
    with raises_error("ERR invalid expire time in 'setex' command"):
        r.do("SETEX", "k", 0, "v")
    with raises_error("ERR invalid expire time in 'psetex' command"):
        r.do("PSETEX", "k", -1, "v")
    with raises_error("ERR value is not an integer or out of range"):
        r.do("SETEX", "k", "abc", "v")


# --------------------------------------------------------------- MGET/MSET
def test_mset_and_mget(r):
    assert r.do("MSET", "a", "1", "b", "2") == "OK"
    r.hset("h", "f", "v")
    assert r.do("MGET", "a", "nope", "b", "h") == ["1", None, "2", None]


def test_mset_odd_arguments(r):
    with raises_error("ERR wrong number of arguments for 'mset' command"):
        r.do("MSET", "a", "1", "b")
    with raises_error("ERR wrong number of arguments for 'msetnx' command"):
        r.do("MSETNX", "a", "1", "b")


def test_msetnx_is_all_or_nothing(r):
    assert r.do("MSETNX", "a", "1", "b", "2") == 1
    assert r.do("MSETNX", "b", "x", "c", "3") == 0
    assert r.do("MGET", "a", "b", "c") == ["1", "2", None]


# ---------------------------------------------------- GETSET/GETDEL/GETEX
def test_getset(r):
    assert r.do("GETSET", "k", "1") is None
    assert r.do("GETSET", "k", "2") == "1"
    assert r.get("k") == "2"


def test_getset_clears_ttl(r):
    r.set("k", "1", ex=100)
    r.do("GETSET", "k", "2")
    assert r.ttl("k") == -1


def test_getdel(r):
    r.set("k", "v")
    assert r.do("GETDEL", "k") == "v"
    assert r.exists("k") == 0
    assert r.do("GETDEL", "k") is None


def test_getdel_wrong_type_keeps_key(r):
    r.rpush("l", 1)
    with raises_error(WRONGTYPE):
        r.do("GETDEL", "l")
    assert r.exists("l") == 1


def test_getex_options(r):
    r.set("k", "v")
    assert r.do("GETEX", "k") == "v"
    assert r.ttl("k") == -1
    assert r.do("GETEX", "k", "EX", 100) == "v"
    assert 99 <= r.ttl("k") <= 100
    assert r.do("GETEX", "k", "PX", 50_000) == "v"
    assert 49_000 < r.pttl("k") <= 50_000
    assert r.do("GETEX", "k", "PERSIST") == "v"
    assert r.ttl("k") == -1
    at = int(time.time()) + 300
    assert r.do("GETEX", "k", "EXAT", at) == "v"
    assert r.do("EXPIRETIME", "k") == at
    assert r.do("GETEX", "nope", "EX", 10) is None


def test_getex_errors(r):
    r.set("k", "v")
    with raises_error("ERR invalid expire time in 'getex' command"):
        r.do("GETEX", "k", "EX", 0)
    with raises_error("ERR syntax error"):
        r.do("GETEX", "k", "PERSIST", "EX", 10)
    with raises_error("ERR syntax error"):
        r.do("GETEX", "k", "FOO")


# ----------------------------------------------------------- APPEND/STRLEN
def test_append_and_strlen(r):
    assert r.do("APPEND", "k", "hello") == 5
    assert r.do("APPEND", "k", " world") == 11
    assert r.get("k") == "hello world"
    assert r.do("STRLEN", "k") == 11
    assert r.do("STRLEN", "nope") == 0


def test_strlen_counts_bytes(rb):
    rb.set("k", "é€".encode())
    assert rb.do("STRLEN", "k") == 5


def test_append_to_integer_value(r):
    r.set("k", 12)
    assert r.do("APPEND", "k", "3") == 3
    assert r.incr("k") == 124


# ---------------------------------------------------------------- INCR/DECR
def test_incr_decr_family(r):
    assert r.do("INCR", "n") == 1
    assert r.do("INCRBY", "n", 10) == 11
    assert r.do("DECR", "n") == 10
    assert r.do("DECRBY", "n", 15) == -5
    assert r.do("INCRBY", "n", -5) == -10
    assert r.get("n") == "-10"


def test_incr_keeps_ttl(r):
    r.set("n", 1, ex=100)
    r.do("INCR", "n")
    assert 99 <= r.ttl("n") <= 100


@pytest.mark.parametrize("value", ["hello", "1e5", " 1", "01", "1.5", "", "9223372036854775808"])
def test_incr_on_non_integer_value(r, value):
    r.set("k", value)
    with raises_error("ERR value is not an integer or out of range"):
        r.do("INCR", "k")
    assert r.get("k") == value


def test_incrby_non_integer_argument(r):
    with raises_error("ERR value is not an integer or out of range"):
        r.do("INCRBY", "k", "abc")
    with raises_error("ERR value is not an integer or out of range"):
        r.do("INCRBY", "k", "9223372036854775808")


def test_incr_overflow(r):
    r.set("n", "9223372036854775807")
    with raises_error("ERR increment or decrement would overflow"):
        r.do("INCR", "n")
    with raises_error("ERR increment or decrement would overflow"):
        r.do("DECRBY", "n", -1)
    r.set("m", "-9223372036854775808")
    with raises_error("ERR increment or decrement would overflow"):
        r.do("DECR", "m")
    assert r.get("m") == "-9223372036854775808"


def test_decrby_min_int64_is_rejected(r):
    r.set("n", 0)
    with raises_error("ERR decrement would overflow"):
        r.do("DECRBY", "n", "-9223372036854775808")


def test_incr_wrong_type(r):
    r.hset("h", "f", "v")
    with raises_error(WRONGTYPE):
        r.do("INCR", "h")


# -------------------------------------------------------------- INCRBYFLOAT
@pytest.mark.parametrize("initial,incr,expected", [
    (None, "10.5", "10.5"),
    ("10.50", "0.1", "10.6"),
    ("5.0e3", "0", "5000"),
    ("5.0e3", "200", "5200"),
    (None, "3", "3"),
    ("3.0", "1", "4"),
    (None, "2.000", "2"),
    ("1", "-1.5", "-0.5"),
    ("10", "+1", "11"),
    ("0.1", "0.2", "0.3"),
    (None, "1e3", "1000"),
])
def test_incrbyfloat_formatting(r, initial, incr, expected):
    if initial is not None:
        r.set("f", initial)
    assert r.do("INCRBYFLOAT", "f", incr) == expected
    assert r.get("f") == expected


def test_incrbyfloat_errors(r):
    r.set("s", "hello")
    with raises_error("ERR value is not a valid float"):
        r.do("INCRBYFLOAT", "s", 1)
    with raises_error("ERR value is not a valid float"):
        r.do("INCRBYFLOAT", "f", "abc")
    r.set("y", 1)
    with raises_error("ERR increment would produce NaN or Infinity"):
        r.do("INCRBYFLOAT", "y", "inf")
    assert r.get("y") == "1"


# ----------------------------------------------------------------- GETRANGE
@pytest.mark.parametrize("start,end,expected", [
    (0, 3, "This"), (-3, -1, "ing"), (0, -1, "This is a string"),
    (10, 100, "string"), (5, 3, ""), (-100, 3, "This"), (100, 200, ""),
    (-1, -5, ""),
])
def test_getrange(r, start, end, expected):
    r.set("k", "This is a string")
    assert r.do("GETRANGE", "k", start, end) == expected


def test_getrange_missing_key_and_errors(r):
    assert r.do("GETRANGE", "nope", 0, -1) == ""
    r.set("k", "v")
    with raises_error("ERR value is not an integer or out of range"):
        r.do("GETRANGE", "k", "a", "b")
    with raises_error("ERR wrong number of arguments for 'getrange' command"):
        r.do("GETRANGE", "k", 0)


# ----------------------------------------------------------------- SETRANGE
def test_setrange_overwrites_part(r):
    r.set("k", "Hello World")
    assert r.do("SETRANGE", "k", 6, "Redis") == 11
    assert r.get("k") == "Hello Redis"


def test_setrange_pads_with_zero_bytes(rb):
    assert rb.do("SETRANGE", "k", 5, b"x") == 6
    assert rb.get("k") == b"\x00\x00\x00\x00\x00x"
    rb.set("s", b"ab")
    assert rb.do("SETRANGE", "s", 4, b"cd") == 6
    assert rb.get("s") == b"ab\x00\x00cd"


def test_setrange_empty_value_on_missing_key_creates_nothing(r):
    assert r.do("SETRANGE", "nope", 0, "") == 0
    assert r.exists("nope") == 0
    r.set("k", "abc")
    assert r.do("SETRANGE", "k", 10, "") == 3
    assert r.get("k") == "abc"


def test_setrange_errors(r):
    r.set("k", "abc")
    with raises_error("ERR offset is out of range"):
        r.do("SETRANGE", "k", -1, "x")
    with raises_error("ERR string exceeds maximum allowed size (proto-max-bulk-len)"):
        r.do("SETRANGE", "k", 536870912, "x")
    r.hset("h", "f", "v")
    with raises_error(WRONGTYPE):
        r.do("SETRANGE", "h", 0, "x")


# ------------------------------------------------------------ binary safety
def test_values_are_binary_safe(rb):
    blob = b"line1\r\nline2\x00\xff\xfe$3\r\n*1\r\n"
    rb.set(b"bin\r\nkey\x00", blob)
    assert rb.get(b"bin\r\nkey\x00") == blob
    assert rb.do("STRLEN", b"bin\r\nkey\x00") == len(blob)
    assert rb.do("GETRANGE", b"bin\r\nkey\x00", 5, 6) == b"\r\n"
    assert rb.do("APPEND", b"bin\r\nkey\x00", b"\x00") == len(blob) + 1


def test_large_value_roundtrip(rb):
    blob = bytes(range(256)) * 4096  # 1 MiB
    rb.set("big", blob)
    assert rb.get("big") == blob
    assert rb.do("STRLEN", "big") == len(blob)


# ---------------------------------------------------------------- WRONGTYPE
@pytest.mark.parametrize("cmd", [
    ("GET", "h"), ("APPEND", "h", "x"), ("STRLEN", "h"), ("GETRANGE", "h", 0, 1),
    ("INCRBYFLOAT", "h", 1), ("DECR", "h"), ("GETSET", "h", "x"), ("GETEX", "h"),
])
def test_string_commands_on_hash_are_wrongtype(r, cmd):
    r.hset("h", "f", "v")
    with raises_error(WRONGTYPE):
        r.do(*cmd)


def test_mget_ignores_wrong_types(r):
    r.xadd("x", {"f": "v"})
    r.set("s", "v")
    assert r.do("MGET", "x", "s") == [None, "v"]
