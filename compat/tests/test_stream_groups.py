"""Stream consumer groups: XGROUP, XREADGROUP (non-blocking), XACK, XPENDING,
XCLAIM, XAUTOCLAIM, XINFO GROUPS / CONSUMERS."""

import time

import pytest

from conftest import raises_error

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
INVALID_ID = "ERR Invalid stream ID specified as stream command argument"
NEED_KEY = ("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you "
            "may want to use the MKSTREAM option to create an empty stream automatically.")


def _pairs(flat):
    return dict(zip(flat[0::2], flat[1::2]))


def _groups(r, key="s"):
    return [_pairs(g) for g in r.do("XINFO", "GROUPS", key)]


def _consumers(r, key="s", group="g"):
    return [_pairs(c) for c in r.do("XINFO", "CONSUMERS", key, group)]


def _fill(r, key="s", n=5):
    for i in range(1, n + 1):
        r.do("XADD", key, f"{i}-0", "f", str(i))


def _pending(r, *args, key="s", group="g"):
    """Extended XPENDING as (id, consumer, delivery_count) tuples."""
    return [(e[0], e[1], e[3]) for e in r.do("XPENDING", key, group, *args)]


# ----------------------------------------------------------------- XGROUP
def test_xgroup_create_on_missing_key_requires_mkstream(r):
    with raises_error(NEED_KEY):
        r.do("XGROUP", "CREATE", "s", "g", "$")
    assert r.do("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM") == "OK"
    assert r.do("TYPE", "s") == "stream"
    assert r.do("XLEN", "s") == 0


def test_xgroup_create_duplicate_is_busygroup(r):
    r.do("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    with raises_error("BUSYGROUP Consumer Group name already exists"):
        r.do("XGROUP", "CREATE", "s", "g", "0")


def test_xgroup_create_dollar_only_sees_new_entries(r):
    _fill(r)
    r.do("XGROUP", "CREATE", "s", "g", "$")
    assert r.do("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">") is None
    r.do("XADD", "s", "6-0", "f", "6")
    assert r.do("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">") == [
        ["s", [["6-0", ["f", "6"]]]]]


def test_xgroup_create_zero_sees_everything(r):
    _fill(r, n=3)
    r.do("XGROUP", "CREATE", "s", "g", "0")
    got = r.do("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")
    assert [e[0] for e in got[0][1]] == ["1-0", "2-0", "3-0"]


def test_xgroup_create_at_explicit_id(r):
    _fill(r)
    r.do("XGROUP", "CREATE", "s", "g", "3-0")
    got = r.do("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")
    assert [e[0] for e in got[0][1]] == ["4-0", "5-0"]


def test_xgroup_create_entriesread(r):
    _fill(r)
    assert r.do("XGROUP", "CREATE", "s", "g", "2-0", "ENTRIESREAD", "2") == "OK"
    g = _groups(r)[0]
    assert g["entries-read"] == 2
    assert g["lag"] == 3


def test_xgroup_create_errors(r):
    _fill(r)
    with raises_error(INVALID_ID):
        r.do("XGROUP", "CREATE", "s", "g", "abc")
    with raises_error("ERR unknown subcommand or wrong number of arguments for 'CREATE'. "
                      "Try XGROUP HELP."):
        r.do("XGROUP", "CREATE", "s", "g", "$", "FOO")
    with raises_error("ERR value for ENTRIESREAD must be positive or -1"):
        r.do("XGROUP", "CREATE", "s", "g", "$", "ENTRIESREAD", "-5")
    with raises_error("ERR value is not an integer or out of range"):
        r.do("XGROUP", "CREATE", "s", "g", "$", "ENTRIESREAD", "abc")
    r.set("k", "v")
    with raises_error(WRONGTYPE):
        r.do("XGROUP", "CREATE", "k", "g", "0", "MKSTREAM")


def test_xgroup_setid(r):
    _fill(r)
    r.do("XGROUP", "CREATE", "s", "g", "$")
    assert r.do("XGROUP", "SETID", "s", "g", "2-0") == "OK"
    got = r.do("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")
    assert [e[0] for e in got[0][1]] == ["3-0", "4-0", "5-0"]
    assert r.do("XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD", "0") == "OK"
    g = _groups(r)[0]
    assert g["last-delivered-id"] == "0-0"
    assert g["entries-read"] == 0
    assert g["lag"] == 5
    assert r.do("XGROUP", "SETID", "s", "g", "$") == "OK"
    g = _groups(r)[0]
    assert g["last-delivered-id"] == "5-0"
    assert g["entries-read"] is None
    assert g["lag"] == 0


def test_xgroup_setid_errors(r):
    with raises_error(NEED_KEY):
        r.do("XGROUP", "SETID", "s", "g", "0")
    r.do("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    with raises_error("NOGROUP No such consumer group 'nog' for key name 's'"):
        r.do("XGROUP", "SETID", "s", "nog", "0")
    with raises_error(INVALID_ID):
        r.do("XGROUP", "SETID", "s", "g", "abc")


def test_xgroup_destroy(r):
    r.do("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    assert r.do("XGROUP", "DESTROY", "s", "g") == 1
    assert r.do("XGROUP", "DESTROY", "s", "g") == 0
    assert r.do("XINFO", "GROUPS", "s") == []
    with raises_error(NEED_KEY):
        r.do("XGROUP", "DESTROY", "nope", "g")


def test_xgroup_createconsumer(r):
    r.do("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    assert r.do("XGROUP", "CREATECONSUMER", "s", "g", "c1") == 1
    assert r.do("XGROUP", "CREATECONSUMER", "s", "g", "c1") == 0
    assert [c["name"] for c in _consumers(r)] == ["c1"]
    with raises_error("NOGROUP No such consumer group 'nog' for key name 's'"):
        r.do("XGROUP", "CREATECONSUMER", "s", "nog", "c1")
    with raises_error(NEED_KEY):
        r.do("XGROUP", "CREATECONSUMER", "nope", "g", "c1")


def test_xgroup_delconsumer_returns_pending_count(r):
    _fill(r, n=3)
    r.do("XGROUP", "CREATE", "s", "g", "0")
    r.do("XREADGROUP", "GROUP", "g", "amy", "COUNT", "2", "STREAMS", "s", ">")
    r.do("XREADGROUP", "GROUP", "g", "zed", "COUNT", "1", "STREAMS", "s", ">")
    assert r.do("XGROUP", "DELCONSUMER", "s", "g", "amy") == 2
    assert r.do("XGROUP", "DELCONSUMER", "s", "g", "amy") == 0
    assert r.do("XGROUP", "DELCONSUMER", "s", "g", "nobody") == 0
    # amy's entries left the group PEL too
    assert r.do("XPENDING", "s", "g") == [1, "3-0", "3-0", [["zed", "1"]]]
    assert [c["name"] for c in _consumers(r)] == ["zed"]
    with raises_error("NOGROUP No such consumer group 'nog' for key name 's'"):
        r.do("XGROUP", "DELCONSUMER", "s", "nog", "c")


def test_xgroup_help(raw):
    assert raw.command("XGROUP", "HELP") == [
        "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CREATE <key> <groupname> <id|$> [option]",
        "    Create a new consumer group. Options are:",
        "    * MKSTREAM",
        "      Create the empty stream if it does not exist.",
        "    * ENTRIESREAD entries_read",
        "      Set the group's entries_read counter (internal use).",
        "CREATECONSUMER <key> <groupname> <consumer>",
        "    Create a new consumer in the specified group.",
        "DELCONSUMER <key> <groupname> <consumer>",
        "    Remove the specified consumer.",
        "DESTROY <key> <groupname>",
        "    Remove the specified group.",
        "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
        "    Set the current group ID and entries_read counter.",
        "HELP",
        "    Prints this help.",
    ]


# ------------------------------------------------------------- XREADGROUP
def test_xreadgroup_new_messages_are_delivered_once(r):
    _fill(r, n=4)
    r.do("XGROUP", "CREATE", "s", "g", "0")
    a = r.do("XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">")
    b = r.do("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">")
    assert a == [["s", [["1-0", ["f", "1"]], ["2-0", ["f", "2"]]]]]
    assert b == [["s", [["3-0", ["f", "3"]], ["4-0", ["f", "4"]]]]]
    assert r.do("XREADGROUP", "GROUP", "g", "carol", "STREAMS", "s", ">") is None


def test_xreadgroup_history_returns_own_pending(r):
    _fill(r, n=4)
    r.do("XGROUP", "CREATE", "s", "g", "0")
    r.do("XREADGROUP", "GROUP", "g", "alice", "COUNT", "3", "STREAMS", "s", ">")
    got = r.do("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0")
    assert [e[0] for e in got[0][1]] == ["1-0", "2-0", "3-0"]
    got = r.do("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", "1-0")
    assert [e[0] for e in got[0][1]] == ["2-0"]
    # a consumer with no history gets the stream with an empty list (not nil)
    assert r.do("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", "0") == [["s", []]]


def test_xreadgroup_history_increments_delivery_count(r):
    _fill(r, n=1)
    r.do("XGROUP", "CREATE", "s", "g", "0")
    r.do("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">")
    r.do("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0")
    r.do("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0")
    assert _pending(r, "-", "+", "10") == [("1-0", "alice", 3)]


def test_xreadgroup_history_of_deleted_entry_is_nil_body(r):
    _fill(r, n=3)
    r.do("XGROUP", "CREATE", "s", "g", "0")
    r.do("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">")
    r.do("XDEL", "s", "2-0")
    got = r.do("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0")
    assert got == [["s", [["1-0", ["f", "1"]], ["2-0", None], ["3-0", ["f", "3"]]]]]


def test_xreadgroup_noack_does_not_create_pending(r):
    _fill(r, n=2)
    r.do("XGROUP", "CREATE", "s", "g", "0")
    got = r.do("XREADGROUP", "GROUP", "g", "c", "NOACK", "STREAMS", "s", ">")
    assert len(got[0][1]) == 2
    assert r.do("XPENDING", "s", "g") == [0, None, None, None]
    g = _groups(r)[0]
    assert g["last-delivered-id"] == "2-0"
    assert g["pending"] == 0


def test_xreadgroup_count(r):
    _fill(r)
    r.do("XGROUP", "CREATE", "s", "g", "0")
    got = r.do("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">")
    assert got == [["s", [["1-0", ["f", "1"]]]]]


def test_xreadgroup_several_streams(r):
    _fill(r, "a", 2)
    _fill(r, "b", 1)
    r.do("XGROUP", "CREATE", "a", "g", "0")
    r.do("XGROUP", "CREATE", "b", "g", "0")
    got = r.do("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "a", "b", ">", ">")
    assert got == [["a", [["1-0", ["f", "1"]]]], ["b", [["1-0", ["f", "1"]]]]]
    # a stream with nothing new is omitted; history streams are always present
    got = r.do("XREADGROUP", "GROUP", "g", "c", "STREAMS", "b", "a", ">", "0")
    assert got == [["a", [["1-0", ["f", "1"]]]]]


def test_xreadgroup_creates_consumer_only_when_serving(r):
    _fill(r, n=1)
    r.do("XGROUP", "CREATE", "s", "g", "$")
    # ">" with nothing to deliver (and no BLOCK) does not create the consumer
    assert r.do("XREADGROUP", "GROUP", "g", "newbie", "STREAMS", "s", ">") is None
    assert _consumers(r) == []
    # reading history does, even if the history is empty
    assert r.do("XREADGROUP", "GROUP", "g", "newbie", "STREAMS", "s", "0") == [["s", []]]
    assert [c["name"] for c in _consumers(r)] == ["newbie"]
    r.do("XADD", "s", "2-0", "f", "2")
    r.do("XREADGROUP", "GROUP", "g", "other", "STREAMS", "s", ">")
    assert [c["name"] for c in _consumers(r)] == ["newbie", "other"]


def test_xreadgroup_nogroup_errors(r):
    with raises_error("NOGROUP No such key 'x' or consumer group 'g' in XREADGROUP with GROUP option"):
        r.do("XREADGROUP", "GROUP", "g", "c", "STREAMS", "x", ">")
    r.do("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    with raises_error("NOGROUP No such key 's' or consumer group 'nog' in XREADGROUP with GROUP option"):
        r.do("XREADGROUP", "GROUP", "nog", "c", "STREAMS", "s", ">")


def test_xreadgroup_other_errors(r):
    r.do("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    with raises_error("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read "
                      "the history of this consumer by specifying a proper ID, or use the > ID to "
                      "get new messages. The $ ID would just return an empty result set."):
        r.do("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "$")
    with raises_error("ERR wrong number of arguments for 'xreadgroup' command"):
        r.do("XREADGROUP", "GROUP", "g", "STREAMS", "s", ">")
    with raises_error("ERR syntax error"):
        r.do("XREADGROUP", "GROUP", "g", "c", "FOO", "STREAMS", "s", ">")
    with raises_error("ERR value is not an integer or out of range"):
        r.do("XREADGROUP", "GROUP", "g", "c", "COUNT", "abc", "STREAMS", "s", ">")
    with raises_error(INVALID_ID):
        r.do("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "abc")


# -------------------------------------------------------------------- XACK
def test_xack_counts_acknowledged_once(r):
    _fill(r, n=3)
    r.do("XGROUP", "CREATE", "s", "g", "0")
    r.do("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")
    assert r.do("XACK", "s", "g", "1-0", "1-0", "9-0") == 1
    assert r.do("XACK", "s", "g", "1-0") == 0
    assert r.do("XACK", "s", "g", "2-0", "3-0") == 2
    assert r.do("XPENDING", "s", "g") == [0, None, None, None]


def test_xack_missing_key_or_group_is_zero(r):
    assert r.do("XACK", "nope", "g", "1-0") == 0
    r.do("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    assert r.do("XACK", "s", "nog", "1-0") == 0


def test_xack_errors(r):
    r.do("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    with raises_error(INVALID_ID):
        r.do("XACK", "s", "g", "abc")
    with raises_error("ERR wrong number of arguments for 'xack' command"):
        r.do("XACK", "s", "g")


# ---------------------------------------------------------------- XPENDING
@pytest.fixture
def pel(r):
    """s with 1-0..5-0; group g; zed has 1-0, amy has 2-0 and 3-0."""
    _fill(r)
    r.do("XGROUP", "CREATE", "s", "g", "0")
    r.do("XREADGROUP", "GROUP", "g", "zed", "COUNT", "1", "STREAMS", "s", ">")
    r.do("XREADGROUP", "GROUP", "g", "amy", "COUNT", "2", "STREAMS", "s", ">")
    return r


def test_xpending_summary(pel):
    assert pel.do("XPENDING", "s", "g") == [3, "1-0", "3-0", [["amy", "2"], ["zed", "1"]]]


def test_xpending_summary_empty_group(raw):
    raw.command("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    raw.send_command("XPENDING", "s", "g")
    assert raw.read_raw_reply() == b"*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n"


def test_xpending_extended(pel):
    got = pel.do("XPENDING", "s", "g", "-", "+", "10")
    assert [(e[0], e[1], e[3]) for e in got] == [
        ("1-0", "zed", 1), ("2-0", "amy", 1), ("3-0", "amy", 1)]
    assert all(isinstance(e[2], int) and 0 <= e[2] < 10_000 for e in got)


def test_xpending_extended_count_and_range(pel):
    assert _pending(pel, "-", "+", "1") == [("1-0", "zed", 1)]
    assert _pending(pel, "2-0", "2-0", "10") == [("2-0", "amy", 1)]
    assert _pending(pel, "2", "+", "10") == [("2-0", "amy", 1), ("3-0", "amy", 1)]
    assert _pending(pel, "(1-0", "+", "10") == [("2-0", "amy", 1), ("3-0", "amy", 1)]
    assert _pending(pel, "-", "(3-0", "10") == [("1-0", "zed", 1), ("2-0", "amy", 1)]
    assert _pending(pel, "-", "+", "0") == []
    assert _pending(pel, "-", "+", "-1") == []


def test_xpending_consumer_filter(pel):
    assert _pending(pel, "-", "+", "10", "amy") == [("2-0", "amy", 1), ("3-0", "amy", 1)]
    assert _pending(pel, "-", "+", "10", "nobody") == []


def test_xpending_with_idle_filters_entries(pel):
    # make 2-0 look old by re-claiming it with an explicit idle time
    pel.do("XCLAIM", "s", "g", "amy", "0", "2-0", "IDLE", "100000", "JUSTID")
    got = pel.do("XPENDING", "s", "g", "IDLE", "50000", "-", "+", "10")
    assert [(e[0], e[1]) for e in got] == [("2-0", "amy")]
    assert got[0][2] >= 100000
    assert _pending(pel, "IDLE", "50000", "-", "+", "10", "zed") == []
    assert len(pel.do("XPENDING", "s", "g", "IDLE", "0", "-", "+", "10")) == 3


def test_xpending_errors(pel):
    with raises_error("NOGROUP No such key 's' or consumer group 'nog'"):
        pel.do("XPENDING", "s", "nog")
    with raises_error("NOGROUP No such key 'nope' or consumer group 'g'"):
        pel.do("XPENDING", "nope", "g")
    with raises_error("ERR syntax error"):
        pel.do("XPENDING", "s", "g", "-", "+")
    with raises_error("ERR syntax error"):
        pel.do("XPENDING", "s", "g", "IDLE", "10")
    with raises_error("ERR value is not an integer or out of range"):
        pel.do("XPENDING", "s", "g", "-", "+", "abc")
    with raises_error("ERR value is not an integer or out of range"):
        pel.do("XPENDING", "s", "g", "IDLE", "abc", "-", "+", "10")
    with raises_error(INVALID_ID):
        pel.do("XPENDING", "s", "g", "abc", "+", "10")


# ------------------------------------------------------------------ XCLAIM
def test_xclaim_transfers_ownership_and_increments_count(pel):
    got = pel.do("XCLAIM", "s", "g", "bob", "0", "2-0", "3-0")
    assert got == [["2-0", ["f", "2"]], ["3-0", ["f", "3"]]]
    assert _pending(pel, "-", "+", "10", "bob") == [("2-0", "bob", 2), ("3-0", "bob", 2)]
    assert _pending(pel, "-", "+", "10", "amy") == []


def test_xclaim_ignores_ids_not_pending(pel):
    assert pel.do("XCLAIM", "s", "g", "bob", "0", "4-0", "9-0") == []
    assert _pending(pel, "-", "+", "10", "bob") == []


def test_xclaim_min_idle_time(pel):
    assert pel.do("XCLAIM", "s", "g", "bob", "100000", "2-0") == []
    assert _pending(pel, "-", "+", "10", "amy") == [("2-0", "amy", 1), ("3-0", "amy", 1)]


def test_xclaim_justid_does_not_increment_count(pel):
    assert pel.do("XCLAIM", "s", "g", "bob", "0", "2-0", "JUSTID") == ["2-0"]
    assert _pending(pel, "2-0", "2-0", "1") == [("2-0", "bob", 1)]


def test_xclaim_idle_time_and_retrycount(pel):
    got = pel.do("XCLAIM", "s", "g", "bob", "0", "2-0", "IDLE", "5000", "RETRYCOUNT", "7")
    assert got == [["2-0", ["f", "2"]]]
    entry = pel.do("XPENDING", "s", "g", "2-0", "2-0", "1")[0]
    assert entry[1] == "bob"
    assert 5000 <= entry[2] < 15000
    assert entry[3] == 7


def test_xclaim_time_sets_absolute_delivery_time(pel):
    past = int(time.time() * 1000) - 60_000
    pel.do("XCLAIM", "s", "g", "bob", "0", "2-0", "TIME", past, "JUSTID")
    entry = pel.do("XPENDING", "s", "g", "2-0", "2-0", "1")[0]
    assert 60_000 <= entry[2] < 70_000


def test_xclaim_force_creates_pending_entry(pel):
    assert pel.do("XCLAIM", "s", "g", "bob", "0", "5-0") == []
    got = pel.do("XCLAIM", "s", "g", "bob", "0", "5-0", "FORCE")
    assert got == [["5-0", ["f", "5"]]]
    assert _pending(pel, "5-0", "5-0", "1") == [("5-0", "bob", 2)]
    # FORCE does not invent entries that do not exist in the stream
    assert pel.do("XCLAIM", "s", "g", "bob", "0", "9-0", "FORCE") == []


def test_xclaim_lastid_advances_group(pel):
    pel.do("XCLAIM", "s", "g", "bob", "0", "2-0", "LASTID", "9-0")
    assert _groups(pel)[0]["last-delivered-id"] == "9-0"
    pel.do("XCLAIM", "s", "g", "bob", "0", "2-0", "LASTID", "1-0")
    assert _groups(pel)[0]["last-delivered-id"] == "9-0"


def test_xclaim_deleted_entries_are_dropped_from_pel(pel):
    pel.do("XDEL", "s", "2-0")
    got = pel.do("XCLAIM", "s", "g", "bob", "0", "1-0", "2-0", "3-0")
    assert [e[0] for e in got] == ["1-0", "3-0"]
    assert [e[0] for e in pel.do("XPENDING", "s", "g", "-", "+", "10")] == ["1-0", "3-0"]


def test_xclaim_creates_consumer_only_when_claiming(pel):
    pel.do("XCLAIM", "s", "g", "newbie", "100000", "2-0")
    assert "newbie" not in [c["name"] for c in _consumers(pel)]
    pel.do("XCLAIM", "s", "g", "newbie", "0", "2-0")
    assert "newbie" in [c["name"] for c in _consumers(pel)]


def test_xclaim_errors(pel):
    with raises_error("ERR Invalid min-idle-time argument for XCLAIM"):
        pel.do("XCLAIM", "s", "g", "bob", "abc", "2-0")
    with raises_error("ERR Invalid IDLE option argument for XCLAIM"):
        pel.do("XCLAIM", "s", "g", "bob", "0", "2-0", "IDLE", "abc")
    with raises_error("ERR Unrecognized XCLAIM option 'FOO'"):
        pel.do("XCLAIM", "s", "g", "bob", "0", "2-0", "FOO")
    with raises_error("ERR Unrecognized XCLAIM option 'abc'"):
        pel.do("XCLAIM", "s", "g", "bob", "0", "abc")
    with raises_error("NOGROUP No such key 's' or consumer group 'nog'"):
        pel.do("XCLAIM", "s", "nog", "bob", "0", "2-0")
    with raises_error("NOGROUP No such key 'nope' or consumer group 'g'"):
        pel.do("XCLAIM", "nope", "g", "bob", "0", "2-0")


# --------------------------------------------------------------- XAUTOCLAIM
@pytest.fixture
def apel(r):
    """s with 1-0..5-0; alice owns 1-0..4-0; 2-0 has then been XDELed."""
    _fill(r)
    r.do("XGROUP", "CREATE", "s", "g", "0")
    r.do("XREADGROUP", "GROUP", "g", "alice", "COUNT", "4", "STREAMS", "s", ">")
    r.do("XDEL", "s", "2-0")
    return r


def test_xautoclaim_cursor_count_and_deleted_ids(apel):
    got = apel.do("XAUTOCLAIM", "s", "g", "bob", "0", "0-0", "COUNT", "2")
    assert got == ["3-0", [["1-0", ["f", "1"]]], ["2-0"]]
    got = apel.do("XAUTOCLAIM", "s", "g", "bob", "0", got[0], "COUNT", "2")
    assert got == ["0-0", [["3-0", ["f", "3"]], ["4-0", ["f", "4"]]], []]
    assert _pending(apel, "-", "+", "10") == [
        ("1-0", "bob", 2), ("3-0", "bob", 2), ("4-0", "bob", 2)]


def test_xautoclaim_justid(apel):
    got = apel.do("XAUTOCLAIM", "s", "g", "carol", "0", "0", "JUSTID")
    assert got == ["0-0", ["1-0", "3-0", "4-0"], ["2-0"]]
    assert _pending(apel, "-", "+", "10") == [
        ("1-0", "carol", 1), ("3-0", "carol", 1), ("4-0", "carol", 1)]


def test_xautoclaim_min_idle_time(apel):
    # deleted entries are reported (and dropped from the PEL) before the
    # idle-time check, so 2-0 shows up even though nothing is claimed
    assert apel.do("XAUTOCLAIM", "s", "g", "carol", "100000", "0") == ["0-0", [], ["2-0"]]
    assert _pending(apel, "-", "+", "10", "alice") == [
        ("1-0", "alice", 1), ("3-0", "alice", 1), ("4-0", "alice", 1)]
    assert apel.do("XAUTOCLAIM", "s", "g", "carol", "100000", "0") == ["0-0", [], []]


def test_xautoclaim_start_is_inclusive(apel):
    got = apel.do("XAUTOCLAIM", "s", "g", "bob", "0", "3-0", "JUSTID")
    assert got == ["0-0", ["3-0", "4-0"], []]


def test_xautoclaim_errors(apel):
    with raises_error("ERR COUNT must be > 0"):
        apel.do("XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "0")
    with raises_error("ERR COUNT must be > 0"):
        apel.do("XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "abc")
    with raises_error("ERR Invalid min-idle-time argument for XAUTOCLAIM"):
        apel.do("XAUTOCLAIM", "s", "g", "c", "abc", "0")
    with raises_error(INVALID_ID):
        apel.do("XAUTOCLAIM", "s", "g", "c", "0", "abc")
    with raises_error("ERR syntax error"):
        apel.do("XAUTOCLAIM", "s", "g", "c", "0", "0", "FOO")
    with raises_error("NOGROUP No such key 's' or consumer group 'nog'"):
        apel.do("XAUTOCLAIM", "s", "nog", "c", "0", "0")
    with raises_error("NOGROUP No such key 'nope' or consumer group 'g'"):
        apel.do("XAUTOCLAIM", "nope", "g", "c", "0", "0")


# ------------------------------------------------------------- XINFO GROUPS
def test_xinfo_groups_fields(pel):
    flat = pel.do("XINFO", "GROUPS", "s")
    assert len(flat) == 1
    assert flat[0][0::2] == ["name", "consumers", "pending", "last-delivered-id",
                             "entries-read", "lag"]
    assert _pairs(flat[0]) == {"name": "g", "consumers": 2, "pending": 3,
                               "last-delivered-id": "3-0", "entries-read": 3, "lag": 2}


def test_xinfo_groups_fresh_group_lag(r):
    _fill(r)
    r.do("XGROUP", "CREATE", "s", "g", "0")
    r.do("XGROUP", "CREATE", "s", "h", "$")
    g, h = _groups(r)
    assert (g["entries-read"], g["lag"]) == (None, 5)
    assert (h["last-delivered-id"], h["entries-read"], h["lag"]) == ("5-0", None, 0)


def test_xinfo_groups_on_empty_stream(r):
    r.do("XGROUP", "CREATE", "s", "g", "0", "MKSTREAM")
    assert _groups(r) == [{"name": "g", "consumers": 0, "pending": 0,
                           "last-delivered-id": "0-0", "entries-read": None, "lag": 0}]


def test_xinfo_groups_lag_after_reading_everything(r):
    _fill(r, n=3)
    r.do("XGROUP", "CREATE", "s", "g", "0")
    r.do("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")
    g = _groups(r)[0]
    assert (g["entries-read"], g["lag"]) == (3, 0)
    r.do("XADD", "s", "4-0", "f", "4")
    assert _groups(r)[0]["lag"] == 1


def test_lag_becomes_nil_after_xdel_of_unread_entry(r):
    _fill(r, n=2)
    r.do("XGROUP", "CREATE", "s", "g", "0")
    r.do("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">")
    assert _groups(r)[0]["lag"] == 1
    r.do("XDEL", "s", "2-0")
    g = _groups(r)[0]
    assert (g["entries-read"], g["lag"]) == (1, None)
    r.do("XADD", "s", "3-0", "f", "3")
    assert _groups(r)[0]["lag"] is None


def test_lag_after_reading_past_a_tombstone(r):
    # Redis 7.0 increments entries-read per delivered entry when there is no
    # tombstone *after* the delivered id, so the entry deleted before it was
    # read is never counted: entries-read 2 of entries-added 3 -> lag 1.
    _fill(r, n=2)
    r.do("XGROUP", "CREATE", "s", "g", "0")
    r.do("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">")
    r.do("XDEL", "s", "2-0")
    r.do("XADD", "s", "3-0", "f", "3")
    r.do("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")
    g = _groups(r)[0]
    assert (g["last-delivered-id"], g["entries-read"], g["lag"]) == ("3-0", 2, 1)


def test_lag_of_group_created_before_a_deleted_entry_is_nil(r):
    _fill(r)
    r.do("XDEL", "s", "2-0")
    r.do("XGROUP", "CREATE", "s", "g", "0")
    g = _groups(r)[0]
    assert (g["entries-read"], g["lag"]) == (None, None)


def test_xinfo_groups_errors(r):
    with raises_error("ERR no such key"):
        r.do("XINFO", "GROUPS", "nope")
    r.set("k", "v")
    with raises_error(WRONGTYPE):
        r.do("XINFO", "GROUPS", "k")


# ---------------------------------------------------------- XINFO CONSUMERS
def test_xinfo_consumers_fields(pel):
    flat = pel.do("XINFO", "CONSUMERS", "s", "g")
    assert [c[0::2][:3] for c in flat] == [["name", "pending", "idle"]] * 2
    cs = [_pairs(c) for c in flat]
    assert [(c["name"], c["pending"]) for c in cs] == [("amy", 2), ("zed", 1)]
    for c in cs:
        assert isinstance(c["idle"], int) and 0 <= c["idle"] < 10_000
        # Redis 7.2 adds "inactive"; 7.0 does not have it.
        if "inactive" in c:
            assert isinstance(c["inactive"], int)


def test_xinfo_consumers_idle_grows(pel):
    time.sleep(0.15)
    idle = {c["name"]: c["idle"] for c in _consumers(pel)}
    assert idle["amy"] >= 100 and idle["zed"] >= 100
    pel.do("XREADGROUP", "GROUP", "g", "amy", "STREAMS", "s", ">")
    idle2 = {c["name"]: c["idle"] for c in _consumers(pel)}
    assert idle2["amy"] < idle["amy"]


def test_xinfo_consumers_errors(r):
    with raises_error("ERR no such key"):
        r.do("XINFO", "CONSUMERS", "nope", "g")
    r.do("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    with raises_error("NOGROUP No such consumer group 'nog' for key name 's'"):
        r.do("XINFO", "CONSUMERS", "s", "nog")
    assert r.do("XINFO", "CONSUMERS", "s", "g") == []


# -------------------------------------------------------------- end to end
def test_cluster_serving_worker_cycle(r):
    """Producer XADDs with auto ids, a worker group reads with COUNT, writes
    results into hashes, ACKs, and the PEL drains."""
    r.do("XGROUP", "CREATE", "serving_stream", "serving", "0", "MKSTREAM")
    ids = [r.do("XADD", "serving_stream", "*", "uri", f"uri{i}", "data", f"b64-{i}")
           for i in range(25)]
    seen = []
    for _ in range(10):
        got = r.do("XREADGROUP", "GROUP", "serving", "worker-1", "COUNT", "10",
                   "STREAMS", "serving_stream", ">")
        if got is None:
            break
        for sid, fields in got[0][1]:
            f = _pairs(fields)
            r.do("HSET", f"cluster-serving_serving_stream:{f['uri']}", "value", f["data"])
            seen.append(sid)
        assert r.do("XACK", "serving_stream", "serving", *[e[0] for e in got[0][1]]) == \
            len(got[0][1])
    assert seen == ids
    assert r.do("XPENDING", "serving_stream", "serving") == [0, None, None, None]
    assert len(r.do("KEYS", "cluster-serving_serving_stream:*")) == 25
    g = _groups(r, "serving_stream")[0]
    assert (g["entries-read"], g["lag"], g["pending"]) == (25, 0, 0)
