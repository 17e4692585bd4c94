"""List commands (non-blocking)."""

import pytest

from conftest import raises_error

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"


def _list(r, key):
    return r.do("LRANGE", key, 0, -1)


# --------------------------------------------------------------- pushes
def test_lpush_rpush_order_and_length(r):
    assert r.do("RPUSH", "l", "a", "b") == 2
    assert r.do("LPUSH", "l", "x", "y") == 4
    assert _list(r, "l") == ["y", "x", "a", "b"]


def test_pushx_only_on_existing_list(r):
    assert r.do("LPUSHX", "l", "a") == 0
    assert r.do("RPUSHX", "l", "a") == 0
    assert r.exists("l") == 0
    r.rpush("l", "m")
    assert r.do("LPUSHX", "l", "a", "b") == 3
    assert r.do("RPUSHX", "l", "z") == 4
    assert _list(r, "l") == ["b", "a", "m", "z"]


def test_push_arity_error(r):
    with raises_error("ERR wrong number of arguments for 'lpush' command"):
        r.do("LPUSH", "l")


# ----------------------------------------------------------------- pops
def test_lpop_rpop_single(r):
    r.rpush("l", "a", "b", "c")
    assert r.do("LPOP", "l") == "a"
    assert r.do("RPOP", "l") == "c"
    assert r.do("LPOP", "nope") is None
    assert r.do("RPOP", "nope") is None


def test_pop_with_count(r):
    r.rpush("l", "a", "b", "c", "d", "e")
    assert r.do("LPOP", "l", 2) == ["a", "b"]
    assert r.do("RPOP", "l", 2) == ["e", "d"]
    assert r.do("LPOP", "l", 10) == ["c"]
    assert r.exists("l") == 0


def test_pop_with_count_zero(raw):
    raw.command("RPUSH", "l", "a")
    raw.send_command("LPOP", "l", "0")
    assert raw.read_raw_reply() == b"*0\r\n"
    raw.send_command("RPOP", "l", "0")
    assert raw.read_raw_reply() == b"*0\r\n"
    assert raw.command("LLEN", "l") == 1


def test_pop_with_count_on_missing_key_is_null_array(raw):
    raw.send_command("LPOP", "nope", "2")
    assert raw.read_raw_reply() == b"*-1\r\n"
    raw.send_command("RPOP", "nope", "0")
    assert raw.read_raw_reply() == b"*-1\r\n"
    raw.send_command("LPOP", "nope")
    assert raw.read_raw_reply() == b"$-1\r\n"


@pytest.mark.parametrize("count", ["-1", "abc"])
def test_pop_negative_or_invalid_count(r, count):
    r.rpush("l", "a")
    with raises_error("ERR value is out of range, must be positive"):
        r.do("LPOP", "l", count)
    with raises_error("ERR value is out of range, must be positive"):
        r.do("RPOP", "l", count)


# --------------------------------------------------------- LLEN/LRANGE
def test_llen(r):
    assert r.do("LLEN", "nope") == 0
    r.rpush("l", *range(10))
    assert r.do("LLEN", "l") == 10


@pytest.mark.parametrize("start,stop,expected", [
    (0, -1, ["0", "1", "2", "3", "4"]), (1, 2, ["1", "2"]), (-2, -1, ["3", "4"]),
    (-100, 1, ["0", "1"]), (3, 100, ["3", "4"]), (4, 2, []), (10, 20, []),
    (0, 0, ["0"]), (-1, -1, ["4"]),
])
def test_lrange_ranges(r, start, stop, expected):
    r.rpush("l", *range(5))
    assert r.do("LRANGE", "l", start, stop) == expected


def test_lrange_missing_and_errors(r):
    assert r.do("LRANGE", "nope", 0, -1) == []
    r.rpush("l", 1)
    with raises_error("ERR value is not an integer or out of range"):
        r.do("LRANGE", "l", "a", "b")


# ------------------------------------------------------------ LINDEX/LSET
def test_lindex(r):
    r.rpush("l", "a", "b", "c")
    assert r.do("LINDEX", "l", 0) == "a"
    assert r.do("LINDEX", "l", -1) == "c"
    assert r.do("LINDEX", "l", 100) is None
    assert r.do("LINDEX", "nope", 0) is None
    with raises_error("ERR value is not an integer or out of range"):
        r.do("LINDEX", "l", "abc")


def test_lset(r):
    r.rpush("l", "a", "b", "c")
    assert r.do("LSET", "l", 1, "B") == "OK"
    assert r.do("LSET", "l", -1, "C") == "OK"
    assert _list(r, "l") == ["a", "B", "C"]


def test_lset_errors(r):
    with raises_error("ERR no such key"):
        r.do("LSET", "nope", 0, "x")
    r.rpush("l", "a")
    with raises_error("ERR index out of range"):
        r.do("LSET", "l", 10, "x")
    with raises_error("ERR index out of range"):
        r.do("LSET", "l", -2, "x")


# ------------------------------------------------------------------ LREM
@pytest.mark.parametrize("count,removed,remaining", [
    (2, 2, ["b", "c", "a", "b", "a"]),
    (-2, 2, ["a", "b", "a", "c", "b"]),
    (0, 4, ["b", "c", "b"]),
    (10, 4, ["b", "c", "b"]),
])
def test_lrem(r, count, removed, remaining):
    r.rpush("l", "a", "b", "a", "c", "a", "b", "a")
    assert r.do("LREM", "l", count, "a") == removed
    assert _list(r, "l") == remaining


def test_lrem_removing_everything_deletes_key(r):
    r.rpush("l", "x", "x")
    assert r.do("LREM", "l", 0, "x") == 2
    assert r.exists("l") == 0
    assert r.do("LREM", "nope", 0, "x") == 0


# ----------------------------------------------------------------- LTRIM
@pytest.mark.parametrize("start,stop,expected", [
    (1, -1, ["1", "2", "3", "4"]), (0, 1, ["0", "1"]), (-2, -1, ["3", "4"]),
    (1, 1, ["1"]), (2, 100, ["2", "3", "4"]),
])
def test_ltrim(r, start, stop, expected):
    r.rpush("l", *range(5))
    assert r.do("LTRIM", "l", start, stop) == "OK"
    assert _list(r, "l") == expected


def test_ltrim_to_empty_deletes_key(r):
    r.rpush("l", *range(5))
    assert r.do("LTRIM", "l", 5, 1) == "OK"
    assert r.exists("l") == 0
    assert r.do("LTRIM", "nope", 0, 1) == "OK"


# --------------------------------------------------------------- LINSERT
def test_linsert_before_and_after(r):
    r.rpush("l", "a", "c")
    assert r.do("LINSERT", "l", "BEFORE", "c", "b") == 3
    assert r.do("LINSERT", "l", "after", "c", "d") == 4
    assert _list(r, "l") == ["a", "b", "c", "d"]


def test_linsert_pivot_missing_and_key_missing(r):
    r.rpush("l", "a")
    assert r.do("LINSERT", "l", "BEFORE", "zz", "x") == -1
    assert r.do("LINSERT", "nope", "BEFORE", "a", "x") == 0
    assert r.exists("nope") == 0
    with raises_error("ERR syntax error"):
        r.do("LINSERT", "l", "MIDDLE", "a", "x")


# ------------------------------------------------------------------ LPOS
def test_lpos_basic(r):
    r.rpush("l", "a", "b", "c", "1", "2", "3", "c", "c")
    assert r.do("LPOS", "l", "c") == 2
    assert r.do("LPOS", "l", "zz") is None
    assert r.do("LPOS", "nope", "a") is None


def test_lpos_rank(r):
    r.rpush("l", "a", "b", "c", "1", "2", "3", "c", "c")
    assert r.do("LPOS", "l", "c", "RANK", 2) == 6
    assert r.do("LPOS", "l", "c", "RANK", -1) == 7
    assert r.do("LPOS", "l", "c", "RANK", -3) == 2
    assert r.do("LPOS", "l", "c", "RANK", 4) is None


def test_lpos_count(r):
    r.rpush("l", "a", "b", "c", "1", "2", "3", "c", "c")
    assert r.do("LPOS", "l", "c", "COUNT", 2) == [2, 6]
    assert r.do("LPOS", "l", "c", "COUNT", 0) == [2, 6, 7]
    assert r.do("LPOS", "l", "c", "RANK", -1, "COUNT", 2) == [7, 6]
    assert r.do("LPOS", "l", "zz", "COUNT", 2) == []
    assert r.do("LPOS", "nope", "a", "COUNT", 0) == []


def test_lpos_maxlen(r):
    r.rpush("l", "a", "b", "c", "1", "2", "3", "c", "c")
    assert r.do("LPOS", "l", "c", "COUNT", 0, "MAXLEN", 7) == [2, 6]
    assert r.do("LPOS", "l", "c", "MAXLEN", 2) is None
    assert r.do("LPOS", "l", "c", "RANK", -1, "MAXLEN", 1) == 7


def test_lpos_errors(r):
    r.rpush("l", "a")
    with raises_error("ERR RANK can't be zero: use 1 to start from the first match, "
                      "2 from the second ... or use negative to start from the end of the list"):
        r.do("LPOS", "l", "a", "RANK", 0)
    with raises_error("ERR COUNT can't be negative"):
        r.do("LPOS", "l", "a", "COUNT", -1)
    with raises_error("ERR MAXLEN can't be negative"):
        r.do("LPOS", "l", "a", "MAXLEN", -1)
    with raises_error("ERR syntax error"):
        r.do("LPOS", "l", "a", "FOO")


# ----------------------------------------------------------------- LMOVE
def test_lmove_all_directions(r):
    r.rpush("src", "1", "2", "3")
    assert r.do("LMOVE", "src", "dst", "LEFT", "RIGHT") == "1"
    assert r.do("LMOVE", "src", "dst", "RIGHT", "LEFT") == "3"
    assert r.do("LMOVE", "src", "dst", "left", "left") == "2"
    assert r.exists("src") == 0
    assert _list(r, "dst") == ["2", "3", "1"]
    assert r.do("LMOVE", "dst", "dst", "RIGHT", "RIGHT") == "1"
    assert r.do("LMOVE", "dst", "dst", "LEFT", "RIGHT") == "2"
    assert _list(r, "dst") == ["3", "1", "2"]


def test_lmove_missing_source_and_errors(r):
    assert r.do("LMOVE", "nope", "dst", "LEFT", "LEFT") is None
    assert r.exists("dst") == 0
    r.rpush("l", "a")
    with raises_error("ERR syntax error"):
        r.do("LMOVE", "l", "d", "UP", "LEFT")
    r.set("s", "x")
    with raises_error(WRONGTYPE):
        r.do("LMOVE", "l", "s", "LEFT", "RIGHT")
    assert _list(r, "l") == ["a"]


def test_rpoplpush(r):
    r.rpush("a", "1", "2")
    assert r.do("RPOPLPUSH", "a", "b") == "2"
    assert _list(r, "b") == ["2"]


@pytest.mark.parametrize("cmd", [
    ("LPUSH", "s", "x"), ("RPUSH", "s", "x"), ("LPOP", "s"), ("LLEN", "s"),
    ("LRANGE", "s", 0, -1), ("LINDEX", "s", 0), ("LREM", "s", 0, "x"), ("LPOS", "s", "x"),
])
def test_list_commands_on_string_are_wrongtype(r, cmd):
    r.set("s", "v")
    with raises_error(WRONGTYPE):
        r.do(*cmd)
