"""Stream commands without consumer groups: XADD, XLEN, XRANGE, XREVRANGE,
XREAD (non-blocking), XDEL, XTRIM, XSETID, XINFO STREAM [FULL], XINFO HELP."""

import time

import pytest

from conftest import raises_error

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
INVALID_ID = "ERR Invalid stream ID specified as stream command argument"
NOT_GREATER = "ERR The ID specified in XADD is equal or smaller than the target stream top item"


def _pairs(flat):
    return dict(zip(flat[0::2], flat[1::2]))


def _id(s):
    ms, seq = s.split("-")
    return int(ms), int(seq)


def _fill(r, key, n, start=1):
    return [r.do("XADD", key, f"{i}-0", "f", str(i)) for i in range(start, start + n)]


# ---------------------------------------------------------------------- XADD
def test_xadd_auto_id_is_time_based(r):
    before = int(time.time() * 1000)
    sid = r.do("XADD", "s", "*", "f", "v")
    after = int(time.time() * 1000)
    ms, seq = _id(sid)
    assert before - 2000 <= ms <= after + 2000
    assert seq >= 0


def test_xadd_ids_are_incremental(r):
    ids = [_id(r.do("XADD", "s", "*", "n", str(i))) for i in range(200)]
    assert ids == sorted(ids)
    assert len(set(ids)) == 200


def test_xadd_auto_id_after_explicit_future_id(r):
    future = int(time.time() * 1000) + 10_000_000
    r.do("XADD", "s", f"{future}-5", "f", "v")
    assert r.do("XADD", "s", "*", "f", "v") == f"{future}-6"


def test_xadd_explicit_ids(r):
    assert r.do("XADD", "s", "0-1", "f", "v") == "0-1"
    assert r.do("XADD", "s", "5", "f", "v") == "5-0"
    assert r.do("XADD", "s", "5-3", "f", "v") == "5-3"
    assert r.do("XADD", "s", "18446744073709551615-18446744073709551615", "f", "v") == \
        "18446744073709551615-18446744073709551615"


def test_xadd_ms_star_picks_next_sequence(r):
    assert r.do("XADD", "s", "1-*", "f", "v") == "1-0"
    assert r.do("XADD", "s", "5-*", "f", "v") == "5-0"
    assert r.do("XADD", "s", "5-*", "f", "v") == "5-1"
    assert r.do("XADD", "s", "6-*", "f", "v") == "6-0"
    with raises_error(NOT_GREATER):
        r.do("XADD", "s", "4-*", "f", "v")


def test_xadd_id_must_increase(r):
    r.do("XADD", "s", "5-5", "f", "v")
    for bad in ("5-5", "5-4", "4-9", "5"):
        with raises_error(NOT_GREATER):
            r.do("XADD", "s", bad, "f", "v")
    assert r.do("XLEN", "s") == 1


def test_xadd_zero_id_is_rejected(r):
    with raises_error("ERR The ID specified in XADD must be greater than 0-0"):
        r.do("XADD", "s", "0-0", "f", "v")
    with raises_error("ERR The ID specified in XADD must be greater than 0-0"):
        r.do("XADD", "s", "0", "f", "v")
    assert r.exists("s") == 0


@pytest.mark.parametrize("bad", ["abc", "1-abc", "-1", "1-2-3", "+", "-", "$", ">"])
def test_xadd_invalid_id(r, bad):
    with raises_error(INVALID_ID):
        r.do("XADD", "s", bad, "f", "v")


def test_xadd_exhausted_id_space(r):
    r.do("XADD", "s", "18446744073709551615-18446744073709551615", "f", "v")
    with raises_error("ERR The stream has exhausted the last possible ID, unable to add more items"):
        r.do("XADD", "s", "*", "f", "v")


@pytest.mark.parametrize("args", [("*", "f"), ("*", "f", "v", "g"), ("*",)])
def test_xadd_wrong_number_of_arguments(r, args):
    with raises_error("ERR wrong number of arguments for 'xadd' command"):
        r.do("XADD", "s", *args)


def test_xadd_nomkstream(r):
    assert r.do("XADD", "s", "NOMKSTREAM", "*", "f", "v") is None
    assert r.exists("s") == 0
    r.do("XADD", "s", "1-0", "f", "v")
    assert r.do("XADD", "s", "NOMKSTREAM", "2-0", "f", "v") == "2-0"


def test_xadd_on_wrong_type(r):
    r.set("k", "v")
    with raises_error(WRONGTYPE):
        r.do("XADD", "k", "*", "f", "v")


def test_xadd_fields_are_kept_in_order_and_binary_safe(rb):
    rb.do("XADD", "s", "1-0", b"z", b"1", b"a\r\n", b"\x00\xff", b"m", b"")
    assert rb.do("XRANGE", "s", "-", "+") == [
        [b"1-0", [b"z", b"1", b"a\r\n", b"\x00\xff", b"m", b""]]]


def test_xadd_duplicate_field_names_are_kept(r):
    r.do("XADD", "s", "1-0", "f", "1", "f", "2")
    assert r.do("XRANGE", "s", "-", "+") == [["1-0", ["f", "1", "f", "2"]]]


# ------------------------------------------------------------ XADD trimming
def test_xadd_maxlen_exact(r):
    _fill(r, "s", 10)
    assert r.do("XADD", "s", "MAXLEN", "5", "11-0", "f", "11") == "11-0"
    assert r.do("XLEN", "s") == 5
    assert [e[0] for e in r.do("XRANGE", "s", "-", "+")] == [f"{i}-0" for i in range(7, 12)]
    r.do("XADD", "s", "MAXLEN", "=", "2", "12-0", "f", "12")
    assert [e[0] for e in r.do("XRANGE", "s", "-", "+")] == ["11-0", "12-0"]


def test_xadd_maxlen_zero_keeps_empty_stream(r):
    assert r.do("XADD", "s", "MAXLEN", "0", "1-0", "f", "v") == "1-0"
    assert r.do("XLEN", "s") == 0
    assert r.exists("s") == 1


def test_xadd_maxlen_approximate_never_trims_below_threshold(r):
    _fill(r, "s", 50)
    r.do("XADD", "s", "MAXLEN", "~", "10", "51-0", "f", "v")
    assert 10 <= r.do("XLEN", "s") <= 51
    r.do("XADD", "s", "MAXLEN", "~", "10", "LIMIT", "5", "52-0", "f", "v")
    assert 10 <= r.do("XLEN", "s") <= 52
    # the newest entries always survive
    assert r.do("XREVRANGE", "s", "+", "-", "COUNT", "1")[0][0] == "52-0"


def test_xadd_minid(r):
    _fill(r, "s", 5)
    assert r.do("XADD", "s", "MINID", "3", "6-0", "f", "6") == "6-0"
    assert [e[0] for e in r.do("XRANGE", "s", "-", "+")] == ["3-0", "4-0", "5-0", "6-0"]


def test_xadd_minid_can_trim_the_new_entry(r):
    assert r.do("XADD", "x", "MINID", "5", "3-0", "a", "1") == "3-0"
    assert r.do("XLEN", "x") == 0


def test_xadd_trim_option_errors(r):
    r.do("XADD", "s", "1-0", "f", "v")
    with raises_error("ERR syntax error, LIMIT cannot be used without the special ~ option"):
        r.do("XADD", "s", "MAXLEN", "10", "LIMIT", "5", "*", "f", "v")
    with raises_error("ERR syntax error, LIMIT cannot be used without the special ~ option"):
        r.do("XADD", "s", "MAXLEN", "=", "10", "LIMIT", "5", "*", "f", "v")
    with raises_error("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"):
        r.do("XADD", "s", "LIMIT", "5", "*", "f", "v")
    with raises_error("ERR The MAXLEN argument must be >= 0."):
        r.do("XADD", "s", "MAXLEN", "-1", "*", "f", "v")
    with raises_error("ERR The LIMIT argument must be >= 0."):
        r.do("XADD", "s", "MAXLEN", "~", "10", "LIMIT", "-1", "*", "f", "v")
    with raises_error("ERR syntax error, MAXLEN and MINID options at the same time are not compatible"):
        r.do("XADD", "s", "MAXLEN", "1", "MINID", "1", "*", "f", "v")
    with raises_error("ERR value is not an integer or out of range"):
        r.do("XADD", "s", "MAXLEN", "abc", "*", "f", "v")
    assert r.do("XLEN", "s") == 1


# ---------------------------------------------------------------------- XLEN
def test_xlen(r):
    assert r.do("XLEN", "nope") == 0
    _fill(r, "s", 3)
    assert r.do("XLEN", "s") == 3
    r.set("k", "v")
    with raises_error(WRONGTYPE):
        r.do("XLEN", "k")


# ------------------------------------------------------------ XRANGE/XREVRANGE
@pytest.fixture
def s5(r):
    _fill(r, "s", 5)
    return r


@pytest.mark.parametrize("start,end,expected", [
    ("-", "+", [1, 2, 3, 4, 5]),
    ("2", "4", [2, 3, 4]),
    ("2-0", "4-0", [2, 3, 4]),
    ("(2-0", "+", [3, 4, 5]),
    ("-", "(4-0", [1, 2, 3]),
    ("(1-0", "(5-0", [2, 3, 4]),
    ("(0-0", "+", [1, 2, 3, 4, 5]),
    ("3", "3", [3]),
    ("4", "2", []),
    ("6", "+", []),
])
def test_xrange_ranges(s5, start, end, expected):
    got = s5.do("XRANGE", "s", start, end)
    assert [e[0] for e in got] == [f"{i}-0" for i in expected]


def test_xrange_entry_shape(s5):
    assert s5.do("XRANGE", "s", "1", "1") == [["1-0", ["f", "1"]]]


def test_xrange_count(s5):
    assert [e[0] for e in s5.do("XRANGE", "s", "-", "+", "COUNT", "2")] == ["1-0", "2-0"]
    assert [e[0] for e in s5.do("XRANGE", "s", "(2-0", "+", "COUNT", "2")] == ["3-0", "4-0"]


def test_xrange_count_zero_or_negative_is_null(raw):
    for i in range(1, 3):
        raw.command("XADD", "s", f"{i}-0", "f", "v")
    raw.send_command("XRANGE", "s", "-", "+", "COUNT", "0")
    assert raw.read_raw_reply() == b"*-1\r\n"
    raw.send_command("XRANGE", "s", "-", "+", "COUNT", "-1")
    assert raw.read_raw_reply() == b"*-1\r\n"


def test_xrevrange(s5):
    assert [e[0] for e in s5.do("XREVRANGE", "s", "+", "-")] == \
        ["5-0", "4-0", "3-0", "2-0", "1-0"]
    assert [e[0] for e in s5.do("XREVRANGE", "s", "+", "-", "COUNT", "2")] == ["5-0", "4-0"]
    assert [e[0] for e in s5.do("XREVRANGE", "s", "(5-0", "(2-0")] == ["4-0", "3-0"]
    assert [e[0] for e in s5.do("XREVRANGE", "s", "4", "2")] == ["4-0", "3-0", "2-0"]
    assert s5.do("XREVRANGE", "s", "2", "4") == []


def test_xrange_same_ms_with_sequence(r):
    r.do("XADD", "s", "5-0", "a", "1")
    r.do("XADD", "s", "5-1", "a", "2")
    r.do("XADD", "s", "6-0", "a", "3")
    assert [e[0] for e in r.do("XRANGE", "s", "5", "5")] == ["5-0", "5-1"]
    assert [e[0] for e in r.do("XRANGE", "s", "(5-0", "+")] == ["5-1", "6-0"]


def test_xrange_missing_key_is_empty(r):
    assert r.do("XRANGE", "nope", "-", "+") == []
    assert r.do("XREVRANGE", "nope", "+", "-") == []


def test_xrange_errors(s5):
    with raises_error(INVALID_ID):
        s5.do("XRANGE", "s", "abc", "+")
    with raises_error(INVALID_ID):
        s5.do("XRANGE", "s", "(-", "+")
    with raises_error(INVALID_ID):
        s5.do("XRANGE", "s", "-", "(+")
    with raises_error("ERR invalid start ID for the interval"):
        s5.do("XRANGE", "s", "(18446744073709551615-18446744073709551615", "+")
    with raises_error("ERR value is not an integer or out of range"):
        s5.do("XRANGE", "s", "-", "+", "COUNT", "abc")


# ---------------------------------------------------------------------- XREAD
def test_xread_from_id(s5):
    assert s5.do("XREAD", "STREAMS", "s", "3-0") == [
        ["s", [["4-0", ["f", "4"]], ["5-0", ["f", "5"]]]]]


def test_xread_count_with_several_streams(r):
    _fill(r, "a", 3)
    _fill(r, "b", 3, start=10)
    got = r.do("XREAD", "COUNT", "2", "STREAMS", "a", "b", "nope", "0", "10-0", "0")
    assert got == [
        ["a", [["1-0", ["f", "1"]], ["2-0", ["f", "2"]]]],
        ["b", [["11-0", ["f", "11"]], ["12-0", ["f", "12"]]]],
    ]


def test_xread_nothing_new_is_null(raw):
    raw.command("XADD", "s", "1-0", "f", "v")
    raw.send_command("XREAD", "STREAMS", "s", "1-0")
    assert raw.read_raw_reply() == b"*-1\r\n"
    raw.send_command("XREAD", "STREAMS", "s", "$")
    assert raw.read_raw_reply() == b"*-1\r\n"
    raw.send_command("XREAD", "STREAMS", "nope", "0")
    assert raw.read_raw_reply() == b"*-1\r\n"


def test_xread_resp3_is_a_map(r3):
    r3.do("XADD", "s", "1-0", "f", "v")
    assert r3.do("XREAD", "STREAMS", "s", "0") == {"s": [["1-0", ["f", "v"]]]}
    assert r3.do("XREAD", "STREAMS", "s", "1-0") is None


def test_xread_errors(s5):
    with raises_error("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' "
                      "must be specified."):
        s5.do("XREAD", "STREAMS", "s", "t", "0")
    with raises_error("ERR The > ID can be specified only when calling XREADGROUP using the "
                      "GROUP <group> <consumer> option."):
        s5.do("XREAD", "STREAMS", "s", ">")
    with raises_error(INVALID_ID):
        s5.do("XREAD", "STREAMS", "s", "abc")
    with raises_error("ERR syntax error"):
        s5.do("XREAD", "FOO", "STREAMS", "s", "0")
    with raises_error("ERR value is not an integer or out of range"):
        s5.do("XREAD", "COUNT", "abc", "STREAMS", "s", "0")
    with raises_error("ERR timeout is negative"):
        s5.do("XREAD", "BLOCK", "-1", "STREAMS", "s", "0")
    with raises_error("ERR timeout is not an integer or out of range"):
        s5.do("XREAD", "BLOCK", "abc", "STREAMS", "s", "0")
    with raises_error("ERR wrong number of arguments for 'xread' command"):
        s5.do("XREAD", "STREAMS", "s")


def test_xread_wrong_type(r):
    r.set("k", "v")
    with raises_error(WRONGTYPE):
        r.do("XREAD", "STREAMS", "k", "0")


# ---------------------------------------------------------------- XDEL/XTRIM
def test_xdel_counts_existing_entries_only(s5):
    assert s5.do("XDEL", "s", "2-0", "2-0", "9-9") == 1
    assert s5.do("XLEN", "s") == 4
    assert s5.do("XDEL", "nope", "1-0") == 0
    with raises_error(INVALID_ID):
        s5.do("XDEL", "s", "abc")


def test_xdel_of_last_entry_does_not_reuse_ids(r):
    r.do("XADD", "s", "5-0", "f", "v")
    r.do("XDEL", "s", "5-0")
    assert r.do("XLEN", "s") == 0
    assert r.exists("s") == 1
    with raises_error(NOT_GREATER):
        r.do("XADD", "s", "5-0", "f", "v")
    assert r.do("XADD", "s", "5-*", "f", "v") == "5-1"


def test_xtrim_maxlen(s5):
    assert s5.do("XTRIM", "s", "MAXLEN", "2") == 3
    assert [e[0] for e in s5.do("XRANGE", "s", "-", "+")] == ["4-0", "5-0"]
    assert s5.do("XTRIM", "s", "MAXLEN", "=", "5") == 0


def test_xtrim_minid(s5):
    assert s5.do("XTRIM", "s", "MINID", "3") == 2
    assert [e[0] for e in s5.do("XRANGE", "s", "-", "+")] == ["3-0", "4-0", "5-0"]


def test_xtrim_approximate_is_bounded(r):
    _fill(r, "s", 30)
    removed = r.do("XTRIM", "s", "MAXLEN", "~", "10")
    assert 0 <= removed <= 20
    assert r.do("XLEN", "s") == 30 - removed


def test_xtrim_missing_key_and_errors(s5):
    assert s5.do("XTRIM", "nope", "MAXLEN", "0") == 0
    with raises_error("ERR syntax error, LIMIT cannot be used without the special ~ option"):
        s5.do("XTRIM", "s", "MAXLEN", "=", "5", "LIMIT", "2")
    with raises_error("ERR syntax error, MAXLEN and MINID options at the same time are not compatible"):
        s5.do("XTRIM", "s", "MAXLEN", "1", "MINID", "1")
    with raises_error(INVALID_ID):
        s5.do("XTRIM", "s", "MINID", "abc")
    with raises_error("ERR wrong number of arguments for 'xtrim' command"):
        s5.do("XTRIM", "s", "foo")
    with raises_error("ERR syntax error"):
        s5.do("XTRIM", "s", "FOO", "1")


# --------------------------------------------------------------------- XSETID
def test_xsetid_moves_last_id(r):
    _fill(r, "s", 3)
    assert r.do("XSETID", "s", "10-0") == "OK"
    info = _pairs(r.do("XINFO", "STREAM", "s"))
    assert info["last-generated-id"] == "10-0"
    assert r.do("XADD", "s", "*", "f", "v") != "10-0"
    with raises_error(NOT_GREATER):
        r.do("XADD", "s", "10-0", "f", "v")


def test_xsetid_smaller_than_top_item(r):
    _fill(r, "s", 3)
    with raises_error("ERR The ID specified in XSETID is smaller than the target stream top item"):
        r.do("XSETID", "s", "2-0")
    assert r.do("XSETID", "s", "3-0") == "OK"


def test_xsetid_entriesadded_and_maxdeletedid(r):
    _fill(r, "s", 3)
    assert r.do("XSETID", "s", "9-0", "ENTRIESADDED", "42", "MAXDELETEDID", "7-0") == "OK"
    info = _pairs(r.do("XINFO", "STREAM", "s"))
    assert info["last-generated-id"] == "9-0"
    assert info["entries-added"] == 42
    assert info["max-deleted-entry-id"] == "7-0"


def test_xsetid_errors(r):
    with raises_error("ERR no such key"):
        r.do("XSETID", "nope", "1-1")
    _fill(r, "s", 3)
    with raises_error("ERR The entries_added specified in XSETID is smaller than the target "
                      "stream length"):
        r.do("XSETID", "s", "9-0", "ENTRIESADDED", "1")
    with raises_error("ERR The ID specified in XSETID is smaller than the provided "
                      "max_deleted_entry_id"):
        r.do("XSETID", "s", "9-0", "ENTRIESADDED", "3", "MAXDELETEDID", "10-0")
    with raises_error("ERR entries_added must be positive"):
        r.do("XSETID", "s", "9-0", "ENTRIESADDED", "-1")
    with raises_error("ERR syntax error"):
        r.do("XSETID", "s", "9-0", "FOO")
    with raises_error(INVALID_ID):
        r.do("XSETID", "s", "abc")


def test_xsetid_on_empty_stream_may_go_backwards(r):
    r.do("XADD", "s", "MAXLEN", "0", "100-0", "f", "v")
    assert r.do("XSETID", "s", "1-1") == "OK"
    assert r.do("XADD", "s", "*", "f", "v") != "1-1"
    assert _pairs(r.do("XINFO", "STREAM", "s"))["length"] == 1


# --------------------------------------------------------------- XINFO STREAM
# Fields that matter, in Redis' order (Redis also reports radix-tree-keys and
# radix-tree-nodes after "length"; those are implementation details).
XINFO_STREAM_FIELDS = ["length", "last-generated-id", "max-deleted-entry-id", "entries-added",
                       "recorded-first-entry-id", "groups", "first-entry", "last-entry"]


def _assert_in_order(names, expected):
    """Every expected field is present, in this relative order."""
    positions = [names.index(n) for n in expected]
    assert positions == sorted(positions), names


def test_xinfo_stream_fields(r):
    _fill(r, "s", 5)
    r.do("XDEL", "s", "3-0")
    r.do("XGROUP", "CREATE", "s", "g", "0")
    flat = r.do("XINFO", "STREAM", "s")
    _assert_in_order(flat[0::2], XINFO_STREAM_FIELDS)
    info = _pairs(flat)
    assert info["length"] == 4
    assert info["last-generated-id"] == "5-0"
    assert info["max-deleted-entry-id"] == "3-0"
    assert info["entries-added"] == 5
    assert info["recorded-first-entry-id"] == "1-0"
    assert info["groups"] == 1
    assert info["first-entry"] == ["1-0", ["f", "1"]]
    assert info["last-entry"] == ["5-0", ["f", "5"]]


def test_xinfo_stream_after_trimming(r):
    _fill(r, "s", 3)
    r.do("XTRIM", "s", "MINID", "2-0")
    info = _pairs(r.do("XINFO", "STREAM", "s"))
    assert info["recorded-first-entry-id"] == "2-0"
    assert info["max-deleted-entry-id"] == "0-0"   # trimming is not deletion
    assert info["entries-added"] == 3
    assert info["length"] == 2


def test_xinfo_stream_empty_stream(r):
    r.do("XADD", "s", "1-0", "f", "v")
    r.do("XDEL", "s", "1-0")
    info = _pairs(r.do("XINFO", "STREAM", "s"))
    assert info["length"] == 0
    assert info["last-generated-id"] == "1-0"
    assert info["max-deleted-entry-id"] == "1-0"
    assert info["entries-added"] == 1
    assert info["recorded-first-entry-id"] == "0-0"
    assert info["first-entry"] is None
    assert info["last-entry"] is None


def test_xinfo_stream_errors(r):
    with raises_error("ERR no such key"):
        r.do("XINFO", "STREAM", "nope")
    r.set("k", "v")
    with raises_error(WRONGTYPE):
        r.do("XINFO", "STREAM", "k")
    r.do("XADD", "s", "1-0", "f", "v")
    with raises_error("ERR unknown subcommand or wrong number of arguments for 'STREAM'. "
                      "Try XINFO HELP."):
        r.do("XINFO", "STREAM", "s", "FOO")
    with raises_error("ERR value is not an integer or out of range"):
        r.do("XINFO", "STREAM", "s", "FULL", "COUNT", "abc")


def _full(r, *extra):
    info = _pairs(r.do("XINFO", "STREAM", "s", "FULL", *extra))
    info["groups"] = [_pairs(g) for g in info["groups"]]
    for g in info["groups"]:
        g["consumers"] = [_pairs(c) for c in g["consumers"]]
    return info


def test_xinfo_stream_full(r):
    _fill(r, "s", 5)
    r.do("XGROUP", "CREATE", "s", "g", "0")
    r.do("XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">")
    r.do("XREADGROUP", "GROUP", "g", "bob", "COUNT", "1", "STREAMS", "s", ">")
    flat = r.do("XINFO", "STREAM", "s", "FULL")
    _assert_in_order(flat[0::2], ["length", "last-generated-id", "max-deleted-entry-id",
                                  "entries-added", "recorded-first-entry-id", "entries",
                                  "groups"])
    assert "first-entry" not in flat[0::2]
    info = _full(r)
    assert info["length"] == 5
    assert info["entries"] == [[f"{i}-0", ["f", str(i)]] for i in range(1, 6)]
    assert len(info["groups"]) == 1
    g = info["groups"][0]
    assert list(g) == ["name", "last-delivered-id", "entries-read", "lag", "pel-count",
                       "pending", "consumers"]
    assert g["name"] == "g"
    assert g["last-delivered-id"] == "3-0"
    assert g["entries-read"] == 3
    assert g["lag"] == 2
    assert g["pel-count"] == 3
    assert [(p[0], p[1], p[3]) for p in g["pending"]] == [
        ("1-0", "alice", 1), ("2-0", "alice", 1), ("3-0", "bob", 1)]
    assert all(isinstance(p[2], int) and p[2] > 0 for p in g["pending"])
    names = [c["name"] for c in g["consumers"]]
    assert names == ["alice", "bob"]
    alice = g["consumers"][0]
    assert "seen-time" in alice and isinstance(alice["seen-time"], int)
    assert alice["pel-count"] == 2
    assert [(p[0], p[2]) for p in alice["pending"]] == [("1-0", 1), ("2-0", 1)]


def test_xinfo_stream_full_count_limits_entries_and_pel(r):
    _fill(r, "s", 5)
    r.do("XGROUP", "CREATE", "s", "g", "0")
    r.do("XREADGROUP", "GROUP", "g", "alice", "COUNT", "3", "STREAMS", "s", ">")
    info = _full(r, "COUNT", "1")
    assert info["entries"] == [["1-0", ["f", "1"]]]
    g = info["groups"][0]
    assert g["pel-count"] == 3
    assert [p[0] for p in g["pending"]] == ["1-0"]
    assert [p[0] for p in g["consumers"][0]["pending"]] == ["1-0"]
    assert g["consumers"][0]["pel-count"] == 3
    info = _full(r, "COUNT", "0")   # 0 means everything
    assert len(info["entries"]) == 5


def test_xinfo_stream_full_empty_stream(r):
    r.do("XADD", "s", "MAXLEN", "0", "1-0", "f", "v")
    info = _full(r)
    assert info["entries"] == []
    assert info["groups"] == []
    assert info["length"] == 0


def test_xinfo_help(raw):
    reply = raw.command("XINFO", "HELP")
    assert reply == [
        "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CONSUMERS <key> <groupname>",
        "    Show consumers of <groupname>.",
        "GROUPS <key>",
        "    Show the stream consumer groups.",
        "STREAM <key> [FULL [COUNT <count>]",
        "    Show information about the stream.",
        "HELP",
        "    Prints this help.",
    ]


# --------------------------------------------------------------- lifecycle
def test_stream_survives_becoming_empty(r):
    r.do("XADD", "s", "1-0", "f", "v")
    r.do("XDEL", "s", "1-0")
    assert r.exists("s") == 1
    assert r.do("TYPE", "s") == "stream"
    assert r.do("XRANGE", "s", "-", "+") == []
