"""Client numbers at their limits: every command sequence here once crashed or stalled the server, or answered
differently from Redis 7.0. Each test asserts Redis's exact reply (the suite passes against redis-server too)
and that the server still answers PING afterwards.

Raw connections are used so that error replies are compared whole, code word included."""

import time

import pytest

from conftest import RawConnection, RespError

I64_MAX = 9223372036854775807
I64_MIN = -9223372036854775808
U64_MAX = 18446744073709551615
MAX_ID = f"{U64_MAX}-{U64_MAX}"


def err(text):
    return RespError(text)


def alive(raw):
    assert raw.command("PING") == "PONG"


def pairs(flat):
    """XINFO's flat RESP2 map as a dict."""
    return dict(zip(flat[0::2], flat[1::2]))


# ---------------------------------------------------------------- strings
def test_setrange_offset_near_int64_max_is_too_long(raw):
    too_long = err("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
    assert raw.command("SETRANGE", "k", I64_MAX, "A") == too_long
    assert raw.command("SETRANGE", "k", 536870912, "x") == too_long
    assert raw.command("SETRANGE", "k", 536870910, "xyz") == too_long
    assert raw.command("SETRANGE", "k", -1, "x") == err("ERR offset is out of range")
    assert raw.command("SETRANGE", "k", I64_MAX, "") == 0  # nothing to write on a missing key
    raw.command("SET", "k", "abc")
    assert raw.command("SETRANGE", "k", I64_MAX, "") == 3
    assert raw.command("SETRANGE", "k", I64_MAX, "A") == too_long
    assert raw.command("GET", "k") == b"abc"
    alive(raw)


def test_getrange_with_extreme_indexes(raw):
    raw.command("SET", "s", "abc")
    assert raw.command("GETRANGE", "s", I64_MAX, I64_MIN) == b""
    assert raw.command("GETRANGE", "s", I64_MIN, I64_MAX) == b"abc"
    alive(raw)


def test_integer_and_float_increments_at_their_limits(raw):
    assert raw.command("INCRBY", "n", I64_MAX) == I64_MAX
    assert raw.command("INCR", "n") == err("ERR increment or decrement would overflow")
    assert raw.command("DECRBY", "n", I64_MIN) == err("ERR decrement would overflow")
    assert raw.command("DECRBY", "m", I64_MAX) == -I64_MAX
    assert raw.command("DECR", "m") == I64_MIN
    assert raw.command("DECR", "m") == err("ERR increment or decrement would overflow")
    raw.command("HSET", "h", "i", I64_MAX)
    assert raw.command("HINCRBY", "h", "i", 1) == err("ERR increment or decrement would overflow")
    assert raw.command("HINCRBY", "h", "i", I64_MIN) == -1
    assert raw.command("HINCRBY", "h", "i", I64_MIN) == err("ERR increment or decrement would overflow")
    assert raw.command("INCRBYFLOAT", "f", "inf") == err("ERR increment would produce NaN or Infinity")
    assert raw.command("INCRBYFLOAT", "f", "nan") == err("ERR value is not a valid float")
    assert raw.command("INCRBYFLOAT", "f", " 1") == err("ERR value is not a valid float")
    assert raw.command("HINCRBYFLOAT", "h", "f", "1e4932") != b""
    assert raw.command("HINCRBYFLOAT", "h", "f", "1e4932") == err("ERR increment would produce NaN or Infinity")
    assert raw.command("HINCRBYFLOAT", "h", "f", "-inf") == err("ERR value is NaN or Infinity")
    alive(raw)


# ---------------------------------------------------------------- expiry
def test_expiry_at_int64_max_ms_reports_without_overflow(raw):
    raw.command("SET", "k", "v")
    assert raw.command("PEXPIREAT", "k", I64_MAX) == 1
    assert raw.command("EXPIRETIME", "k") == 9223372036854776
    assert raw.command("PEXPIRETIME", "k") == I64_MAX
    assert raw.command("TTL", "k") > 9223370000000000
    assert raw.command("PTTL", "k") > 9223370000000000000
    assert raw.command("SET", "j", "v", "PXAT", I64_MAX) == "OK"
    assert raw.command("EXPIRETIME", "j") == 9223372036854776
    raw.command("PEXPIREAT", "k", 9223372036854775308)
    assert raw.command("EXPIRETIME", "k") == 9223372036854775
    assert raw.command("GETEX", "k", "PXAT", I64_MAX) == b"v"
    assert raw.command("EXPIRETIME", "k") == 9223372036854776
    alive(raw)


def test_expire_arithmetic_overflow_is_an_invalid_expire_time(raw):
    raw.command("SET", "k", "v")
    for cmd, value in [("EXPIRE", 9223372036854775), ("EXPIRE", 9223372036854776), ("EXPIRE", I64_MIN),
                       ("PEXPIRE", I64_MAX)]:
        assert raw.command(cmd, "k", value) == err(f"ERR invalid expire time in '{cmd.lower()}' command")
    assert raw.command("EXISTS", "k") == 1
    for option, value in [("EX", 9223372036854775), ("PX", I64_MAX), ("PXAT", -1), ("PX", 0)]:
        assert raw.command("SET", "k", "v", option, value) == err("ERR invalid expire time in 'set' command")
    assert raw.command("GETEX", "k", "PX", I64_MAX) == err("ERR invalid expire time in 'getex' command")
    assert raw.command("GETEX", "k", "EXAT", I64_MAX) == err("ERR invalid expire time in 'getex' command")
    assert raw.command("SETEX", "k", 9223372036854775, "v") == err("ERR invalid expire time in 'setex' command")
    assert raw.command("PSETEX", "k", I64_MAX, "v") == err("ERR invalid expire time in 'psetex' command")
    assert raw.command("EXPIRE", "k", -9223372036854775) == 1
    assert raw.command("EXISTS", "k") == 0
    alive(raw)


# ---------------------------------------------------------------- hashes and scans
def test_hrandfield_extreme_counts(raw):
    raw.command("HSET", "h", "a", "1", "b", "2", "c", "3")
    assert sorted(raw.command("HRANDFIELD", "h", I64_MAX)) == [b"a", b"b", b"c"]
    assert raw.command("HRANDFIELD", "h", I64_MIN) == err(
        "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
    assert raw.command("HRANDFIELD", "h", I64_MIN, "WITHVALUES") == err(
        "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
    for count in (-I64_MAX, 4611686018427387904, -4611686018427387904):
        assert raw.command("HRANDFIELD", "h", count, "WITHVALUES") == err("ERR value is out of range")
    assert raw.command("HRANDFIELD", "nokey", -5) == []
    assert raw.command("HRANDFIELD", "nokey", I64_MAX) == []
    assert len(raw.command("HRANDFIELD", "h", -1000)) == 1000
    picks = raw.command("HRANDFIELD", "h", -1000, "WITHVALUES")
    assert len(picks) == 2000 and set(zip(picks[0::2], picks[1::2])) <= {(b"a", b"1"), (b"b", b"2"), (b"c", b"3")}
    assert len(raw.command("HRANDFIELD", "h", 4611686018427387903, "WITHVALUES")) == 6
    alive(raw)


@pytest.mark.ours
def test_hrandfield_refuses_a_repeating_reply_too_large_to_build(raw):
    # Redis would spend minutes and gigabytes building 2^31 fields; we refuse such a count.
    raw.command("HSET", "h", "a", "1")
    assert raw.command("HRANDFIELD", "h", -2147483647) == err("ERR value is out of range")
    assert raw.command("HRANDFIELD", "h", -I64_MAX) == err("ERR value is out of range")
    assert raw.command("HRANDFIELD", "h", -4611686018427387903, "WITHVALUES") == err("ERR value is out of range")
    alive(raw)


def test_scan_cursors_are_read_as_strtoul(raw):
    raw.command("HSET", "h", "a", "1", "b", "2", "c", "3")
    assert raw.command("HSCAN", "h", -1) == [b"0", [b"a", b"1", b"b", b"2", b"c", b"3"]]
    assert raw.command("HSCAN", "h", U64_MAX) == [b"0", [b"a", b"1", b"b", b"2", b"c", b"3"]]
    assert raw.command("SCAN", "+0") == [b"0", [b"h"]]
    assert raw.command("SCAN", "") == [b"0", [b"h"]]  # C reads "" as 0
    for cursor in ("-1", "-18446744073709551615", "007"):  # where a cursor resumes is the server's business
        assert len(raw.command("SCAN", cursor)) == 2
    for cursor in ("18446744073709551616", " 1", "-18446744073709551616", "1 ", "x", "-"):
        assert raw.command("SCAN", cursor) == err("ERR invalid cursor")
        assert raw.command("HSCAN", "h", cursor) == err("ERR invalid cursor")
    assert raw.command("HSCAN", "h", 0, "COUNT", 0) == err("ERR syntax error")
    assert raw.command("HSCAN", "h", 0, "COUNT", I64_MAX) == [b"0", [b"a", b"1", b"b", b"2", b"c", b"3"]]
    alive(raw)


# ---------------------------------------------------------------- lists
def test_list_indexes_and_counts_at_their_limits(raw):
    raw.command("RPUSH", "l", "a", "b", "a", "a")
    assert raw.command("LPOS", "l", "a", "RANK", I64_MIN) == 3
    assert raw.command("LPOS", "l", "a", "RANK", I64_MIN, "COUNT", 1) == [3, 2, 0]
    assert raw.command("LPOS", "l", "a", "RANK", I64_MIN, "COUNT", 2, "MAXLEN", 2) == [3, 2]
    assert raw.command("LPOS", "l", "a", "RANK", -I64_MAX, "COUNT", 0) == []
    assert raw.command("LPOS", "l", "a", "COUNT", I64_MAX, "MAXLEN", I64_MAX) == [0, 2, 3]
    for option in ("COUNT", "MAXLEN"):
        for value in (-1, "9223372036854775808", " 1", "x"):
            assert raw.command("LPOS", "l", "a", option, value) == err(f"ERR {option} can't be negative")
    assert raw.command("LRANGE", "l", I64_MIN, I64_MAX) == [b"a", b"b", b"a", b"a"]
    assert raw.command("LINDEX", "l", I64_MIN) is None
    assert raw.command("LSET", "l", I64_MIN, "x") == err("ERR index out of range")
    assert raw.command("LREM", "l", I64_MIN, "b") == 1
    assert raw.command("LPOP", "l", -1) == err("ERR value is out of range, must be positive")
    assert raw.command("LPOP", "l", I64_MAX) == [b"a", b"a", b"a"]
    assert raw.command("RPUSH", "l", "a") == 1
    assert raw.command("LTRIM", "l", I64_MAX, I64_MIN) == "OK"
    assert raw.command("EXISTS", "l") == 0
    alive(raw)


# ---------------------------------------------------------------- blocking timeouts
HUGE_TIMEOUTS = ["1e300", "1e19", str(I64_MAX), "1e400", "inf", "9223372036854775.808"]


@pytest.mark.parametrize("timeout", HUGE_TIMEOUTS)
def test_blocking_list_timeouts_beyond_int64_are_negative(raw, timeout):
    negative = err("ERR timeout is negative")
    assert raw.command("BLPOP", "k", timeout) == negative
    assert raw.command("BRPOP", "k", timeout) == negative
    assert raw.command("BRPOPLPUSH", "k", "d", timeout) == negative
    assert raw.command("BLMOVE", "k", "d", "LEFT", "RIGHT", timeout) == negative
    alive(raw)


def test_blocking_timeout_that_is_not_a_float(raw):
    for timeout in ("nan", " 1", "1 ", "x"):
        assert raw.command("BLPOP", "k", timeout) == err("ERR timeout is not a float or out of range")
    assert raw.command("BLPOP", "k", "-0.0015") == err("ERR timeout is negative")  # ceil(-1.5 ms)
    assert raw.command("BLPOP", "k", "-0.5") == err("ERR timeout is negative")
    alive(raw)


@pytest.mark.parametrize("timeout", ["1e-400", "1e-4940", "0.0000001"])
def test_tiny_blocking_timeout_is_one_millisecond(raw, timeout):
    t0 = time.monotonic()
    assert raw.command("BLPOP", "k", timeout, timeout=3) is None
    assert raw.command("BLMOVE", "k", "d", "LEFT", "RIGHT", timeout, timeout=3) is None
    assert time.monotonic() - t0 < 2.5
    alive(raw)


@pytest.mark.parametrize("command", [
    ("BLPOP", "k", "9223372036854775"),
    ("BLPOP", "k", "-1e-400"),  # rounds to 0: forever
    ("XREAD", "BLOCK", I64_MAX, "STREAMS", "k", "$"),
])
def test_blocking_with_a_far_timeout_waits_and_is_served(raw, command):
    raw.command("DEL", "k")
    waiter = raw.new()
    waiter.send_command(*command)
    assert waiter.nothing_pending(0.3)
    if command[0] == "BLPOP":
        raw.command("RPUSH", "k", "v")
        assert waiter.read_reply() == [b"k", b"v"]
    else:
        raw.command("XADD", "k", "1-1", "f", "v")
        assert waiter.read_reply() == [[b"k", [[b"1-1", [b"f", b"v"]]]]]
    alive(raw)


def test_xreadgroup_block_int64_max_waits_and_is_served(raw):
    raw.command("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    waiter = raw.new()
    waiter.send_command("XREADGROUP", "GROUP", "g", "c", "BLOCK", I64_MAX, "STREAMS", "s", ">")
    assert waiter.nothing_pending(0.3)
    raw.command("XADD", "s", "1-1", "f", "v")
    assert waiter.read_reply() == [[b"s", [[b"1-1", [b"f", b"v"]]]]]
    assert raw.command("XREAD", "BLOCK", -1, "STREAMS", "s", "$") == err("ERR timeout is negative")
    alive(raw)


def test_blocked_pop_keeps_waiting_when_its_key_becomes_a_string(raw):
    waiter = raw.new()
    waiter.send_command("BLPOP", "src", 0)
    assert waiter.nothing_pending(0.2)
    raw.command("SET", "src", "x")
    assert waiter.nothing_pending(0.3)
    raw.command("DEL", "src")
    raw.command("RPUSH", "src", "v")
    assert waiter.read_reply() == [b"src", b"v"]
    alive(raw)


def test_blocked_move_keeps_waiting_on_a_string_source_but_not_a_string_destination(raw):
    waiter = raw.new()
    waiter.send_command("BLMOVE", "src", "dst", "LEFT", "RIGHT", 0)
    assert waiter.nothing_pending(0.2)
    raw.command("SET", "src", "x")
    assert waiter.nothing_pending(0.3)
    raw.command("DEL", "src")
    raw.command("SET", "dst", "x")
    raw.command("RPUSH", "src", "v")
    assert waiter.read_reply() == err("WRONGTYPE Operation against a key holding the wrong kind of value")
    assert raw.command("LRANGE", "src", 0, -1) == [b"v"]
    alive(raw)


def test_blocked_xread_keeps_waiting_when_its_key_becomes_another_type(raw):
    waiter = raw.new()
    waiter.send_command("XREAD", "BLOCK", 0, "STREAMS", "src", "$")
    assert waiter.nothing_pending(0.2)
    raw.command("SET", "src", "x")
    raw.command("DEL", "src")
    raw.command("RPUSH", "src", "x")
    assert waiter.nothing_pending(0.3)
    raw.command("DEL", "src")
    raw.command("XADD", "src", "1-1", "f", "v")
    assert waiter.read_reply() == [[b"src", [[b"1-1", [b"f", b"v"]]]]]
    alive(raw)


# ---------------------------------------------------------------- stream IDs
def test_xadd_at_the_last_possible_id(raw):
    exhausted = err("ERR The stream has exhausted the last possible ID, unable to add more items")
    assert raw.command("XADD", "s", MAX_ID, "f", "v") == MAX_ID.encode()
    for id in ("*", f"{U64_MAX}-*", "1-1", "5"):
        assert raw.command("XADD", "s", id, "f", "v") == exhausted
    assert raw.command("XADD", "s2", f"{U64_MAX}-{U64_MAX - 1}", "f", "v") == f"{U64_MAX}-{U64_MAX - 1}".encode()
    assert raw.command("XADD", "s2", f"{U64_MAX}-*", "f", "v") == MAX_ID.encode()
    assert raw.command("XADD", "s2", "*", "f", "v") == exhausted
    assert raw.command("XADD", "s3", f"{U64_MAX - 1}-{U64_MAX}", "f", "v") == f"{U64_MAX - 1}-{U64_MAX}".encode()
    assert raw.command("XADD", "s3", "*", "f", "v") == f"{U64_MAX}-0".encode()
    assert raw.command("XADD", "s3", "5-*", "f", "v") == err(
        "ERR The ID specified in XADD is equal or smaller than the target stream top item")
    assert raw.command("XRANGE", "s3", f"({MAX_ID}", "+") == err("ERR invalid start ID for the interval")
    assert raw.command("XRANGE", "s3", "-", "(0-0") == err("ERR invalid end ID for the interval")
    assert raw.command("XRANGE", "s3", f"({U64_MAX}", "+") == []
    alive(raw)


def test_stream_ids_are_read_as_redis_string2ull(raw):
    invalid = err("ERR Invalid stream ID specified as stream command argument")
    assert raw.command("XADD", "s", " 1-1", "f", "v") == b"1-1"
    assert raw.command("XADD", "s", "+2-1", "f", "v") == b"2-1"
    assert raw.command("XADD", "s", "03-*", "f", "v") == b"3-0"
    for id in ("-0", " -1", "4- *", "", "-", "+"):
        assert raw.command("XADD", "s", id, "f", "v") == invalid
    assert raw.command("XRANGE", "s", "( 1", "+") == [[b"1-1", [b"f", b"v"]], [b"2-1", [b"f", b"v"]],
                                                      [b"3-0", [b"f", b"v"]]]
    for bound in ("(", "(-", "(+", " -", "((1"):
        assert raw.command("XRANGE", "s", bound, "+") == invalid
    raw.command("XGROUP", "CREATE", "s", "g", " 0")
    raw.command("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")
    assert raw.command("XACK", "s", "g", " 1-1") == 1
    assert raw.command("XACK", "s", "g", "+2-+1", "00000000000000000000000000000003") == 2
    for id in ("-", "+", "1-1-1", "1--1", "1-", "-1", "", " -1-1", "18446744073709551616", "1\t", "\t1-1x",
               "-9223372036854775808", "1-*", "0x10", "1" * 128):
        assert raw.command("XACK", "s", "g", id) == invalid
    assert raw.command("XDEL", "s", " 1-1") == 1
    alive(raw)


def test_xack_without_key_or_group_does_not_read_the_ids(raw):
    raw.command("XADD", "s", "1-1", "f", "v")
    assert raw.command("XACK", "s", "nogroup", "not-an-id") == 0
    assert raw.command("XACK", "nokey", "g", "not-an-id") == 0
    raw.command("SET", "str", "x")
    assert raw.command("XACK", "str", "g", "not-an-id") == err(
        "WRONGTYPE Operation against a key holding the wrong kind of value")
    alive(raw)


# ---------------------------------------------------------------- stream counters
def test_entries_added_past_int64_max_wraps_as_in_redis(raw):
    raw.command("XADD", "s", "1-1", "f", "v")
    assert raw.command("XSETID", "s", "9-9", "ENTRIESADDED", I64_MAX) == "OK"
    raw.command("XGROUP", "CREATE", "s", "g", "0")
    assert raw.command("XADD", "s", "10-1", "f", "v") == b"10-1"
    info = pairs(raw.command("XINFO", "STREAM", "s"))
    assert info[b"entries-added"] == I64_MIN
    assert info[b"length"] == 2
    assert pairs(raw.command("XINFO", "GROUPS", "s")[0])[b"lag"] == 2
    assert raw.command("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">") == [
        [b"s", [[b"1-1", [b"f", b"v"]], [b"10-1", [b"f", b"v"]]]]]
    group = pairs(raw.command("XINFO", "GROUPS", "s")[0])
    assert (group[b"entries-read"], group[b"lag"]) == (I64_MIN, 0)
    full = pairs(raw.command("XINFO", "STREAM", "s", "FULL"))
    assert full[b"entries-added"] == I64_MIN
    assert pairs(full[b"groups"][0])[b"entries-read"] == I64_MIN
    assert raw.command("XSETID", "s", "10-1", "ENTRIESADDED", "9223372036854775808") == err(
        "ERR value is not an integer or out of range")
    assert raw.command("XSETID", "s", "10-1", "ENTRIESADDED", -1) == err("ERR entries_added must be positive")
    alive(raw)


def test_entries_read_past_int64_max_wraps_as_in_redis(raw):
    raw.command("XADD", "s", "1-1", "f", "v")
    raw.command("XSETID", "s", "9-9", "ENTRIESADDED", I64_MAX)
    raw.command("XADD", "s", "10-1", "f", "v")
    raw.command("XGROUP", "CREATE", "s", "g", "0")
    assert raw.command("XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD", I64_MAX) == "OK"
    group = pairs(raw.command("XINFO", "GROUPS", "s")[0])
    assert (group[b"entries-read"], group[b"lag"]) == (I64_MAX, 1)
    raw.command("XADD", "s", "11-1", "f", "v")
    assert len(raw.command("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")[0][1]) == 3
    group = pairs(raw.command("XINFO", "GROUPS", "s")[0])
    assert (group[b"entries-read"], group[b"lag"]) == (-9223372036854775806, -1)
    assert raw.command("XGROUP", "CREATE", "s", "g2", "0", "ENTRIESREAD", I64_MAX) == "OK"
    assert pairs(raw.command("XINFO", "GROUPS", "s")[1])[b"lag"] == 2
    alive(raw)


def _one_pending(raw):
    raw.command("XADD", "s", "1-1", "f", "v")
    raw.command("XGROUP", "CREATE", "s", "g", "0")
    raw.command("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")


def _idle(raw):
    return raw.command("XPENDING", "s", "g", "-", "+", 10)[0][2]


@pytest.mark.parametrize("option", [("IDLE", I64_MAX), ("IDLE", I64_MIN), ("TIME", I64_MIN), ("TIME", I64_MAX),
                                    ("TIME", -1)])
def test_xclaim_absurd_delivery_time_becomes_now(raw, option):
    _one_pending(raw)
    assert raw.command("XCLAIM", "s", "g", "c2", 0, "1-1", *option, "JUSTID") == [b"1-1"]
    assert raw.command("XPENDING", "s", "g") == [1, b"1-1", b"1-1", [[b"c2", b"1"]]]
    assert 0 <= _idle(raw) < 5000
    assert raw.command("XPENDING", "s", "g", "IDLE", I64_MAX, "-", "+", 10) == []
    assert len(raw.command("XPENDING", "s", "g", "IDLE", I64_MIN, "-", "+", 10)) == 1
    assert raw.command("XCLAIM", "s", "g", "c3", I64_MAX, "1-1", "JUSTID") == []
    assert raw.command("XCLAIM", "s", "g", "c3", I64_MIN, "1-1", "JUSTID") == [b"1-1"]
    assert raw.command("XAUTOCLAIM", "s", "g", "c4", I64_MAX, 0) == [b"0-0", [], []]
    assert raw.command("XAUTOCLAIM", "s", "g", "c4", -1, 0) == [b"0-0", [[b"1-1", [b"f", b"v"]]], []]
    alive(raw)


def test_retrycount_extremes_wrap_as_in_redis(raw):
    _one_pending(raw)
    assert raw.command("XCLAIM", "s", "g", "c", 0, "1-1", "RETRYCOUNT", I64_MAX) == [[b"1-1", [b"f", b"v"]]]
    assert raw.command("XPENDING", "s", "g", "-", "+", 10)[0][3] == I64_MAX
    group = pairs(pairs(raw.command("XINFO", "STREAM", "s", "FULL"))[b"groups"][0])
    assert group[b"pending"][0][3] == I64_MAX
    assert pairs(group[b"consumers"][0])[b"pending"][0][2] == I64_MAX
    raw.command("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0")
    assert raw.command("XPENDING", "s", "g", "-", "+", 10)[0][3] == I64_MIN
    group = pairs(pairs(raw.command("XINFO", "STREAM", "s", "FULL"))[b"groups"][0])
    assert group[b"pending"][0][3] == I64_MIN
    # A negative RETRYCOUNT is "not given": the count goes up by one (not with JUSTID).
    assert raw.command("XCLAIM", "s", "g", "c", 0, "1-1", "RETRYCOUNT", -5) == [[b"1-1", [b"f", b"v"]]]
    assert raw.command("XPENDING", "s", "g", "-", "+", I64_MAX)[0][3] == I64_MIN + 1
    assert raw.command("XCLAIM", "s", "g", "c", 0, "1-1", "RETRYCOUNT", -5, "JUSTID") == [b"1-1"]
    assert raw.command("XPENDING", "s", "g", "-", "+", 10)[0][3] == I64_MIN + 1
    assert raw.command("XCLAIM", "s", "g", "c", 0, "1-1", "RETRYCOUNT", U64_MAX) == err(
        "ERR Invalid RETRYCOUNT option argument for XCLAIM")
    assert raw.command("XPENDING", "s", "g", "-", "+", I64_MIN) == []
    alive(raw)


def test_xautoclaim_count_bounds(raw):
    _one_pending(raw)
    must = err("ERR COUNT must be > 0")
    for count in (0, -1, I64_MAX, 576460752303423488):
        assert raw.command("XAUTOCLAIM", "s", "g", "c", 0, 0, "COUNT", count) == must
    assert raw.command("XAUTOCLAIM", "s", "g", "c", 0, 0, "COUNT", 1000)[1] == [[b"1-1", [b"f", b"v"]]]
    alive(raw)


def test_xinfo_stream_full_count_extremes(raw):
    _one_pending(raw)
    for count in (I64_MAX, I64_MIN, 0):
        full = pairs(raw.command("XINFO", "STREAM", "s", "FULL", "COUNT", count))
        assert full[b"entries"] == [[b"1-1", [b"f", b"v"]]]
    alive(raw)


# ---------------------------------------------------------------- server and protocol
def test_command_getkeys_for_xread_and_xreadgroup(raw):
    cases = {
        ("XREAD", "STREAMS", "k", "0"): [b"k"],
        ("XREAD", "COUNT", "1", "STREAMS", "a", "b", "0", "0"): [b"a", b"b"],
        ("XREAD", "COUNT", "1", "BLOCK", "0", "streams", "a", "b", "0", "0"): [b"a", b"b"],
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", ">"): [b"a"],
        ("XREAD", "STREAMS", "a", "b", "c"): [b"a"],
        ("XREAD", "COUNT", "STREAMS", "STREAMS", "1"): [b"STREAMS"],
        ("XREAD", "COUNT", "5", "a", "b"): err("ERR Invalid arguments specified for command"),
        ("XREAD", "STREAMS", "a"): err("ERR Invalid number of arguments specified for command"),
        ("BLPOP", "a", "b", "0"): [b"a", b"b"],
        ("PING", "x"): err("ERR The command has no key arguments"),
    }
    for command, expected in cases.items():
        assert raw.command("COMMAND", "GETKEYS", *command) == expected, command
    for command in [("PING",), ("XREAD",), ()]:
        assert raw.command("COMMAND", "GETKEYS", *command) == err(
            "ERR wrong number of arguments for 'command|getkeys' command")
    alive(raw)


def test_select_index_limits(raw):
    out_of_int = err("ERR value is out of range, value must between -2147483648 and 2147483647")
    assert raw.command("SELECT", I64_MAX) == out_of_int
    assert raw.command("SELECT", 2147483648) == out_of_int
    assert raw.command("SELECT", -1) == err("ERR DB index is out of range")
    assert raw.command("SELECT", 16) == err("ERR DB index is out of range")
    assert raw.command("SELECT", " 1") == err("ERR value is not an integer or out of range")
    alive(raw)


def test_client_kill_id_must_be_a_canonical_positive_integer(raw):
    for value in ("+1", "0", "-1", "x", "9223372036854775808"):
        assert raw.command("CLIENT", "KILL", "ID", value) == err("ERR client-id should be greater than 0")
    assert raw.command("CLIENT", "KILL", "ID", I64_MAX) == 0
    alive(raw)


@pytest.mark.parametrize("header", [b"*-9223372036854775808\r\n", b"*-5\r\n", b"*0\r\n", b"*-1\r\n"])
def test_empty_and_negative_multibulk_counts_are_ignored(raw, header):
    raw.send(header + RawConnection.encode("PING"))
    assert raw.read_reply() == "PONG"


@pytest.mark.parametrize("length", [b"-2", b"-9223372036854775808", b"9223372036854775807", b"99999999999999999999"])
def test_bad_bulk_lengths_are_protocol_errors(raw, length):
    raw.send(b"*1\r\n$" + length + b"\r\n")
    assert raw.read_until_closed().startswith(b"-ERR Protocol error: invalid bulk length")
    alive(raw.new())


def test_config_set_numbers_at_their_limits(raw):
    def config(name, value):
        return raw.command("CONFIG", "SET", name, value)

    def failed(name, why):
        return err(f"ERR CONFIG SET failed (possibly related to argument '{name}') - {why}")

    try:
        for value, shown in [("18446744073709551615", b"18446744073709551615"),
                             ("99999999999999999999999", b"18446744073709551615"),  # strtoull saturates
                             ("17179869184gb", b"0"), ("1GB", b"1073741824"), ("kb", b"0")]:
            assert config("maxmemory", value) == "OK"
            assert raw.command("CONFIG", "GET", "maxmemory") == [b"maxmemory", shown]
        for value in ("-1", " 100", "1.5gb", "100x"):
            assert config("maxmemory", value) == failed("maxmemory", "argument must be a memory value")
        assert config("maxmemory", 0) == "OK"
        assert config("proto-max-bulk-len", I64_MAX) == "OK"
        assert config("proto-max-bulk-len", "9223372036854775808") == failed(
            "proto-max-bulk-len", "argument must be between 1048576 and 9223372036854775807 inclusive")
        assert config("proto-max-bulk-len", 1048575) == failed(
            "proto-max-bulk-len", "argument must be between 1048576 and 9223372036854775807 inclusive")
        assert config("timeout", "+5") == failed("timeout", "argument couldn't be parsed into an integer")
        assert config("timeout", 2147483648) == failed("timeout", "argument must be between 0 and 2147483647 inclusive")
        assert config("maxclients", 4294967296) == failed("maxclients",
                                                          "argument must be between 1 and 4294967295 inclusive")
        assert config("hz", 0) == "OK"
        assert raw.command("CONFIG", "GET", "hz") == [b"hz", b"1"]
        assert config("stream-node-max-entries", -1) == failed(
            "stream-node-max-entries", "argument must be between 0 and 9223372036854775807 inclusive")
        assert config("stream-node-max-entries", I64_MAX) == "OK"
        for n in range(3):
            raw.command("XADD", "s", "MAXLEN", "~", 1, "*", "f", n)
        assert raw.command("XLEN", "s") == 3  # whole nodes only: nothing trimmed
        alive(raw)
    finally:
        for name, value in [("maxmemory", 0), ("proto-max-bulk-len", 536870912), ("timeout", 0),
                            ("maxclients", 10000), ("hz", 10), ("stream-node-max-entries", 100)]:
            config(name, value)
