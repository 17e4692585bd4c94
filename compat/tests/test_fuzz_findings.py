"""Differences the command fuzzer found (compat/fuzz/known_differences.txt), fixed and pinned here with
Redis 7.0's exact replies: the subscribed context naming subcommands, EXECABORT reasons, PUBSUB's subcommand
syntax error, CONFIG SET's pair rules, BGSAVE's one option, CLIENT KILL/LIST/UNBLOCK, LPOP/RPOP's arity, XGROUP
SETID, XINFO STREAM, and the order in which SET, GETEX, INCRBYFLOAT, the stream commands, LINDEX, LSET,
HRANDFIELD, HSCAN and the EXPIRE family check their words (each case also passes against redis-server)."""

import pytest

from conftest import RespError, raises_error, wait_until

ONLY_SUBSCRIBE = ("only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")


def refused_while_subscribed(name):
    return RespError(f"ERR Can't execute '{name}': {ONLY_SUBSCRIBE}")


# ------------------------------------------------------------- subscribed context
@pytest.mark.parametrize("command, name", [
    (("CONFIG", "GET", "maxmemory"), "config|get"),
    (("config", "Help"), "config|help"),
    (("CLIENT", "ID"), "client|id"),
    (("CLIENT", "SETNAME", "x"), "client|setname"),
    (("PUBSUB", "NUMSUB"), "pubsub|numsub"),
    (("PUBSUB", "CHANNELS", "a", "b"), "pubsub|channels"),
    (("OBJECT", "ENCODING", "k"), "object|encoding"),
    (("XINFO", "STREAM", "s"), "xinfo|stream"),
    (("XGROUP", "DESTROY", "s", "g"), "xgroup|destroy"),
    (("COMMAND", "COUNT"), "command|count"),
    (("GET", "k"), "get"),
    (("MULTI",), "multi"),
])
def test_subscribed_context_refusal_names_the_subcommand(raw, command, name):
    raw.send_command("SUBSCRIBE", "c")
    raw.read_reply()
    assert raw.command(*command) == refused_while_subscribed(name)


def test_subscribed_context_still_checks_subcommand_and_arity_first(raw):
    raw.send_command("SUBSCRIBE", "c")
    raw.read_reply()
    assert raw.command("CONFIG", "nosuch") == RespError("ERR unknown subcommand 'nosuch'. Try CONFIG HELP.")
    assert raw.command("CONFIG") == RespError("ERR wrong number of arguments for 'config' command")
    assert raw.command("CONFIG", "GET") == RespError("ERR wrong number of arguments for 'config|get' command")
    assert raw.command("GET") == RespError("ERR wrong number of arguments for 'get' command")


# ------------------------------------------------------------------------ EXECABORT
def test_exec_refused_while_subscribed_aborts_without_err_prefix(raw):
    raw.send_command("SUBSCRIBE", "c")
    raw.read_reply()
    assert raw.command("EXEC") == RespError(
        f"EXECABORT Transaction discarded because of: Can't execute 'exec': {ONLY_SUBSCRIBE}")


def test_exec_with_arguments_aborts_without_err_prefix(r):
    with raises_error("EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command"):
        r.do("EXEC", "extra")


def test_exec_with_arguments_inside_multi_discards_the_transaction(raw, r):
    assert raw.command("MULTI") == "OK"
    assert raw.command("SET", "k", "1") == "QUEUED"
    assert raw.command("EXEC", "extra") == RespError(
        "EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command")
    assert raw.command("EXEC") == RespError("ERR EXEC without MULTI")
    assert r.get("k") is None


# --------------------------------------------------------------------------- PUBSUB
@pytest.mark.parametrize("sub", ["CHANNELS", "shardchannels", "Channels"])
def test_pubsub_channels_with_extra_words_is_a_subcommand_syntax_error(r, sub):
    with raises_error(f"ERR unknown subcommand or wrong number of arguments for '{sub}'. Try PUBSUB HELP."):
        r.do("pubsub", sub, "a", "b")


def test_pubsub_numpat_with_a_word_is_an_arity_error(r):
    with raises_error("ERR wrong number of arguments for 'pubsub|numpat' command"):
        r.do("PUBSUB", "NUMPAT", "x")


def test_pubsub_channels_with_a_pattern_still_answers(r):
    assert r.do("PUBSUB", "CHANNELS", "nobody-*") == []
    assert r.do("PUBSUB", "SHARDCHANNELS", "nobody-*") == []


# ----------------------------------------------------------------------- CONFIG SET
@pytest.fixture
def restore_config(r):
    yield
    r.do("CONFIG", "SET", "maxmemory", "0", "appendfsync", "everysec")


def test_config_set_words_must_come_in_pairs(r, restore_config):
    with raises_error("ERR syntax error"):
        r.do("CONFIG", "SET", "maxmemory", "1mb", "appendfsync")
    with raises_error("ERR syntax error"):
        r.do("CONFIG", "SET", "foo", "1", "bar")
    assert r.do("CONFIG", "GET", "maxmemory") == ["maxmemory", "0"]


def test_config_set_refuses_a_repeated_parameter_named_as_typed(r, restore_config):
    with raises_error("ERR CONFIG SET failed (possibly related to argument 'MAXMEMORY') - duplicate parameter"):
        r.do("CONFIG", "SET", "maxmemory", "1mb", "MAXMEMORY", "2mb")
    assert r.do("CONFIG", "GET", "maxmemory") == ["maxmemory", "0"]


def test_config_set_checks_every_name_before_any_value(r, restore_config):
    with raises_error("ERR Unknown option or number of arguments for CONFIG SET - 'foo'"):
        r.do("CONFIG", "SET", "maxmemory", "abc", "foo", "1")
    with raises_error("ERR Unknown option or number of arguments for CONFIG SET - ''"):
        r.do("CONFIG", "SET", "maxmemory", "abc", "", "1")
    with raises_error("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter"):
        r.do("CONFIG", "SET", "maxmemory", "abc", "maxmemory", "1")
    with raises_error("ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config"):
        r.do("CONFIG", "SET", "maxmemory", "abc", "databases", "16")


def test_config_set_first_problem_among_the_names_wins(r, restore_config):
    with raises_error("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter"):
        r.do("CONFIG", "SET", "maxmemory", "1", "maxmemory", "2", "foo", "3")
    with raises_error("ERR Unknown option or number of arguments for CONFIG SET - 'foo'"):
        r.do("CONFIG", "SET", "foo", "1", "maxmemory", "2", "maxmemory", "3")
    with raises_error("ERR CONFIG SET failed (possibly related to argument 'DATABASES') - can't set immutable config"):
        r.do("CONFIG", "SET", "DATABASES", "16", "foo", "1")


def test_config_set_bad_value_changes_nothing_and_names_the_parameter(r, restore_config):
    with raises_error("ERR CONFIG SET failed (possibly related to argument 'appendfsync') - "
                      "argument(s) must be one of the following: everysec, always, no"):
        r.do("CONFIG", "SET", "maxmemory", "12345", "appendfsync", "sometimes")
    assert r.do("CONFIG", "GET", "maxmemory") == ["maxmemory", "0"]
    with raises_error("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - "
                      "argument must be a memory value"):
        r.do("CONFIG", "SET", "MAXMEMORY", "abc")


def test_config_set_several_pairs_sets_them_all(r, restore_config):
    assert r.do("CONFIG", "SET", "maxmemory", "1mb", "APPENDFSYNC", "always") == "OK"
    assert r.do("CONFIG", "GET", "maxmemory", "appendfsync") in (
        ["maxmemory", "1048576", "appendfsync", "always"], ["appendfsync", "always", "maxmemory", "1048576"])


# --------------------------------------------------------------------------- BGSAVE
def test_bgsave_takes_only_schedule(server_factory):
    c = server_factory().client()
    try:
        with raises_error("ERR syntax error"):
            c.do("BGSAVE", "extra")
        with raises_error("ERR syntax error"):
            c.do("BGSAVE", "SCHEDULE", "extra")
        assert c.do("BGSAVE", "schedule") == "Background saving started"
    finally:
        c.close()


# ------------------------------------------------------------------ SET and GETEX
def test_set_checks_every_option_word_before_reading_the_time(r):
    # EX takes "PX" as its value; the stray "inf" is the syntax error, found before the value is read.
    with raises_error("ERR syntax error"):
        r.do("SET", "k", "v", "XX", "EX", "PX", "inf")
    with raises_error("ERR value is not an integer or out of range"):
        r.do("SET", "k", "v", "EX", "abc")
    assert r.get("k") is None


def test_set_repeating_the_same_time_option_keeps_the_last(r):
    assert r.do("SET", "k", "v", "EX", "10", "EX", "1000") == "OK"
    assert 990 <= r.ttl("k") <= 1000
    with raises_error("ERR syntax error"):
        r.do("SET", "k", "v", "EX", "10", "PX", "1000")


def test_set_reads_the_time_before_the_old_value_for_get(r):
    r.rpush("l", "a")
    with raises_error("ERR invalid expire time in 'set' command"):
        r.do("SET", "l", "v", "GET", "EX", "-1")
    with raises_error("WRONGTYPE Operation against a key holding the wrong kind of value"):
        r.do("SET", "l", "v", "GET", "EX", "10")


def test_getex_answers_for_the_key_before_reading_the_time(r):
    r.rpush("l", "a")
    assert r.do("GETEX", "missing", "EX", "abc") is None
    assert r.do("GETEX", "missing", "PXAT", "-1") is None
    with raises_error("WRONGTYPE Operation against a key holding the wrong kind of value"):
        r.do("GETEX", "l", "PXAT", "-1")
    r.set("k", "v")
    with raises_error("ERR invalid expire time in 'getex' command"):
        r.do("GETEX", "k", "EX", "-5")
    with raises_error("ERR syntax error"):
        r.do("GETEX", "missing", "EX")


def test_getex_repeated_options(r):
    r.set("k", "v", ex=100)
    assert r.do("GETEX", "k", "EX", "1", "EX", "1000") == "v"
    assert 990 <= r.ttl("k") <= 1000
    assert r.do("GETEX", "k", "PERSIST", "PERSIST") == "v"
    assert r.ttl("k") == -1
    with raises_error("ERR syntax error"):
        r.do("GETEX", "k", "EX", "10", "PERSIST")


def test_incrbyfloat_checks_the_type_before_the_increment(r):
    r.rpush("l", "a")
    with raises_error("WRONGTYPE Operation against a key holding the wrong kind of value"):
        r.do("INCRBYFLOAT", "l", "abc")
    r.set("s", "abc")
    with raises_error("ERR value is not a valid float"):
        r.do("INCRBYFLOAT", "s", "1")


# --------------------------------------------------------------------------- CLIENT
def test_client_kill_id_must_be_a_positive_integer(r):
    for word in ("0", "-1", "abc", "99999999999999999999"):
        with raises_error("ERR client-id should be greater than 0"):
            r.do("CLIENT", "KILL", "ID", word)
    # Options are read in order: the bad ID is found before the dangling SKIPME.
    with raises_error("ERR client-id should be greater than 0"):
        r.do("CLIENT", "KILL", "ID", "0", "SKIPME")
    with raises_error("ERR syntax error"):
        r.do("CLIENT", "KILL", "ID", "5", "SKIPME")
    with raises_error("ERR syntax error"):
        r.do("CLIENT", "KILL", "MAXAGE", "5")


def test_client_kill_refuses_an_unknown_user_or_type(r):
    for user in ("nobody", "", "*"):
        with raises_error(f"ERR No such user '{user}'"):
            r.do("CLIENT", "KILL", "USER", user)
    with raises_error("ERR Unknown client type 'XX'"):
        r.do("CLIENT", "KILL", "TYPE", "XX", "MASTER")
    assert r.do("CLIENT", "KILL", "USER", "default", "ID", "999999") == 0


def test_client_kill_type_kills_only_that_type(client_factory, r):
    subscriber = client_factory()
    pubsub = subscriber.pubsub()
    pubsub.subscribe("c")
    pubsub.get_message(timeout=1)
    other = client_factory()
    assert other.ping()
    assert r.do("CLIENT", "KILL", "TYPE", "master") == 0
    assert r.do("CLIENT", "KILL", "TYPE", "pubsub") >= 1
    assert wait_until(lambda: r.do("CLIENT", "LIST", "TYPE", "pubsub") == "")
    assert other.ping()
    pubsub.close()


def test_client_unblock_checks_the_reason_before_the_id(r):
    with raises_error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"):
        r.do("CLIENT", "UNBLOCK", "abc", "foo")
    with raises_error("ERR value is not an integer or out of range"):
        r.do("CLIENT", "UNBLOCK", "abc", "timeout")
    with raises_error("ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP."):
        r.do("CLIENT", "UNBLOCK", "1", "TIMEOUT", "extra")


def test_client_list_takes_one_filter(r):
    my_id = r.client_id()
    for words in (("TYPE", "normal", "ID", str(my_id)), ("TYPE", "normal", "TYPE", "normal"), ("TYPE",), ("ID",),
                  ("foo",), ("TYPE", "=", "ID", "-2")):
        with raises_error("ERR syntax error"):
            r.do("CLIENT", "LIST", *words)
    with raises_error("ERR Invalid client ID"):
        r.do("CLIENT", "LIST", "ID", str(my_id), "TYPE", "normal")
    with raises_error("ERR Unknown client type 'FOO'"):
        r.do("CLIENT", "LIST", "TYPE", "FOO")


def test_client_list_ids_that_name_no_client_list_nothing(r):
    my_id = r.client_id()
    assert r.do("CLIENT", "LIST", "ID", "0") == ""
    assert r.do("CLIENT", "LIST", "ID", "-5") == ""
    lines = r.do("CLIENT", "LIST", "ID", "0", str(my_id)).splitlines()
    assert [line.split()[0] for line in lines] == [f"id={my_id}"]


# ---------------------------------------------------------------------- LPOP / RPOP
@pytest.mark.parametrize("name", ["lpop", "rpop"])
def test_pop_with_extra_words_is_an_arity_error_but_command_info_keeps_minus_two(r, name):
    r.rpush("l", "a")
    with raises_error(f"ERR wrong number of arguments for '{name}' command"):
        r.do(name.upper(), "l", "1", "2")
    assert r.do("COMMAND", "INFO", name)[0][1] == -2
    assert r.lrange("l", 0, -1) == ["a"]


# -------------------------------------------------------------------------- streams
WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
BAD_ID = "ERR Invalid stream ID specified as stream command argument"
NOT_INTEGER = "ERR value is not an integer or out of range"


def xgroup_syntax(sub):
    return f"ERR unknown subcommand or wrong number of arguments for '{sub}'. Try XGROUP HELP."


@pytest.fixture
def streams(r):
    """A stream `s` with one entry and group `g`, a string `str`, a list `l`."""
    r.xadd("s", {"a": "b"}, id="1-1")
    r.xgroup_create("s", "g", id="0")
    r.set("str", "x")
    r.rpush("l", "a")
    return r


def test_xreadgroup_unbalanced_streams_names_xread(r):
    with raises_error("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified."):
        r.do("XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", "b", "c")


def test_xgroup_setid_takes_plus_and_minus(streams):
    r = streams
    assert r.do("XGROUP", "SETID", "s", "g", "+") == "OK"
    assert r.do("XINFO", "GROUPS", "s")[0][7] == "18446744073709551615-18446744073709551615"
    assert r.do("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">") is None
    assert r.do("XGROUP", "SETID", "s", "g", "-") == "OK"
    assert r.do("XINFO", "GROUPS", "s")[0][7] == "0-0"
    with raises_error(BAD_ID):
        r.do("XGROUP", "CREATE", "s", "g2", "+")


@pytest.mark.parametrize("args, error", [
    # Options are read before the key and the group: wrong words are the subcommand's syntax error.
    (("s", "g", "1", "extra"), xgroup_syntax("SETID")),
    (("missing", "g", "1", "extra"), xgroup_syntax("SETID")),
    (("str", "g", "1", "extra"), xgroup_syntax("SETID")),
    (("s", "nog", "1", "ENTRIESREAD"), xgroup_syntax("SETID")),
    (("s", "g", "1", "ENTRIESREAD", "5", "ENTRIESREAD", "6"), xgroup_syntax("SETID")),
    (("missing", "g", "1", "ENTRIESREAD", "x"), NOT_INTEGER),
    (("str", "g", "bad", "ENTRIESREAD", "-5"), "ERR value for ENTRIESREAD must be positive or -1"),
])
def test_xgroup_setid_reads_its_options_first(streams, args, error):
    with raises_error(error):
        streams.do("XGROUP", "SETID", *args)


def test_xinfo_stream_looks_the_key_up_first(streams):
    r = streams
    with raises_error("ERR no such key"):
        r.do("XINFO", "STREAM", "missing", "extra")
    with raises_error(WRONGTYPE):
        r.do("XINFO", "STREAM", "str", "FULL", "COUNT", "x")
    with raises_error("ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP."):
        r.do("XINFO", "STREAM", "s", "extra")


def test_xinfo_stream_full_negative_count_is_the_default_ten(r):
    for i in range(1, 13):
        r.xadd("s", {"f": "v"}, id=f"{i}-1")
    entries_at = r.do("XINFO", "STREAM", "s", "FULL").index("entries") + 1
    assert len(r.do("XINFO", "STREAM", "s", "FULL", "COUNT", "-5")[entries_at]) == 10
    assert len(r.do("XINFO", "STREAM", "s", "FULL", "COUNT", "0")[entries_at]) == 12


@pytest.mark.parametrize("command", ["XRANGE", "XREVRANGE"])
def test_xrange_checks_the_key_before_a_count_of_zero_or_less(streams, command):
    r = streams
    for count in ("0", "-2147483647"):
        with raises_error(WRONGTYPE):
            r.do(command, "l", "+", "-", "COUNT", count) if command == "XREVRANGE" else \
                r.do(command, "l", "-", "+", "COUNT", count)
        bounds = ("+", "-") if command == "XREVRANGE" else ("-", "+")
        assert r.do(command, "missing", *bounds, "COUNT", count) == []
        assert r.do(command, "s", *bounds, "COUNT", count) is None
    bounds = ("+", "-") if command == "XREVRANGE" else ("-", "+")
    # COUNT may repeat; the last one counts.
    assert r.do(command, "s", *bounds, "COUNT", "0", "COUNT", "1") == [["1-1", ["a", "b"]]]
    with raises_error(NOT_INTEGER):
        r.do(command, "s", *bounds, "COUNT", "MATCH", "2")


def test_xrevrange_reads_its_start_bound_first(streams):
    with raises_error("ERR invalid start ID for the interval"):
        streams.do("XREVRANGE", "s", "(0-0", "(18446744073709551615-18446744073709551615")


@pytest.mark.parametrize("args, error", [
    (("str", "g", "-", "+", "x"), NOT_INTEGER),
    (("missing", "g", "bad", "+", "5"), BAD_ID),
    (("missing", "g", "-", "bad", "5"), BAD_ID),
    (("str", "g", "IDLE", "x", "-", "+", "10"), NOT_INTEGER),
    (("missing", "g", "(18446744073709551615-18446744073709551615", "+", "5"), "ERR invalid start ID for the interval"),
    (("str", "g", "-", "+", "10", "c", "x"), WRONGTYPE),
])
def test_xpending_reads_its_arguments_before_the_key(streams, args, error):
    with raises_error(error):
        streams.do("XPENDING", *args)


def test_xpending_ignores_words_after_the_consumer(streams):
    r = streams
    r.do("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")
    assert [e[:2] for e in r.do("XPENDING", "s", "g", "-", "+", "10", "c", "x", "y")] == [["1-1", "c"]]


@pytest.mark.parametrize("args, error", [
    (("str", "g", "c", "x", "0"), "ERR Invalid min-idle-time argument for XAUTOCLAIM"),
    (("missing", "g", "c", "0", "bad"), BAD_ID),
    (("missing", "g", "c", "0", "0", "COUNT", "0"), "ERR COUNT must be > 0"),
    (("str", "g", "c", "0", "0", "JUSTID", "foo"), "ERR syntax error"),
    (("s", "nog", "c", "0", "0", "COUNT", "1"), "NOGROUP No such key 's' or consumer group 'nog'"),
])
def test_xautoclaim_reads_its_arguments_before_the_key_and_group(streams, args, error):
    with raises_error(error):
        streams.do("XAUTOCLAIM", *args)


@pytest.mark.parametrize("args, error", [
    # The ID is read with the options, before the trim options are checked together and the words counted.
    (("k", "MAXLEN", "5", "LIMIT", "5", "h", "f", "v", "x"), BAD_ID),
    (("k", "LIMIT", "5", "h", "f", "v"), BAD_ID),
    (("k", "LIMIT", "5", "*", "f", "v", "x"), "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"),
    # 0-0 is refused before the key is looked at.
    (("str", "0-0", "f", "v"), "ERR The ID specified in XADD must be greater than 0-0"),
    (("str", "0", "f", "v"), "ERR The ID specified in XADD must be greater than 0-0"),
    (("k", "NOMKSTREAM", "0-0", "f", "v"), "ERR The ID specified in XADD must be greater than 0-0"),
])
def test_xadd_order_of_checks(streams, args, error):
    with raises_error(error):
        streams.do("XADD", *args)
    assert streams.exists("k") == 0


def test_xtrim_refuses_a_stray_word_where_it_stands(r):
    with raises_error("ERR syntax error"):
        r.do("XTRIM", "k", "MAXLEN", "5", "LIMIT", "5", "foo")


def test_xread_checks_each_key_before_its_id(streams):
    r = streams
    with raises_error(WRONGTYPE):
        r.do("XREAD", "STREAMS", "str", "bad")
    with raises_error(WRONGTYPE):
        r.do("XREAD", "STREAMS", "s", "str", "0", "bad")
    with raises_error(BAD_ID):
        r.do("XREAD", "STREAMS", "missing", "bad")


def test_xreadgroup_checks_each_key_and_group_before_its_id(streams):
    r = streams
    with raises_error(WRONGTYPE):
        r.do("XREADGROUP", "GROUP", "g", "c", "STREAMS", "str", "bad")
    with raises_error("NOGROUP No such key 'missing' or consumer group 'g' in XREADGROUP with GROUP option"):
        r.do("XREADGROUP", "GROUP", "g", "c", "STREAMS", "missing", "bad")
    with raises_error("NOGROUP No such key '' or consumer group 'g' in XREADGROUP with GROUP option"):
        r.do("XREADGROUP", "GROUP", "g", "c", "STREAMS", "", "-1")
    with raises_error(BAD_ID):
        r.do("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "bad")


# --------------------------------------------------------------------- EXPIRE, HSCAN
@pytest.mark.parametrize("command", ["EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"])
def test_expire_reads_its_options_before_the_number(r, command):
    with raises_error("ERR Unsupported option MINID"):
        r.do(command, "k", "s", "MINID")
    with raises_error("ERR NX and XX, GT or LT options at the same time are not compatible"):
        r.do(command, "k", "x", "NX", "XX")
    with raises_error(NOT_INTEGER):
        r.do(command, "k", "x", "NX")


def test_hscan_answers_for_the_key_before_reading_the_options(streams):
    r = streams
    assert r.do("HSCAN", "missing", "1", "XX", "-0") == ["0", []]
    with raises_error(WRONGTYPE):
        r.do("HSCAN", "str", "0", "COUNT", "x")
    with raises_error("ERR invalid cursor"):
        r.do("HSCAN", "str", "x")
    r.hset("h", "f", "v")
    with raises_error(NOT_INTEGER):
        r.do("HSCAN", "h", "0", "COUNT", "x")


# ------------------------------------------------------- XDEL, LINDEX, LSET, HRANDFIELD
def test_key_before_argument_for_xdel_lindex_lset(streams):
    r = streams
    assert r.do("XDEL", "missing", "bad") == 0
    assert r.do("LINDEX", "missing", "abc") is None
    with raises_error("ERR no such key"):
        r.do("LSET", "missing", "abc", "v")
    for command in (("XDEL", "str", "bad"), ("LINDEX", "str", "abc"), ("LSET", "str", "abc", "v")):
        with raises_error(WRONGTYPE):
            r.do(*command)
    with raises_error(BAD_ID):
        r.do("XDEL", "s", "1-1", "bad")
    assert r.xlen("s") == 1
    with raises_error(NOT_INTEGER):
        r.do("LINDEX", "l", "abc")


def test_hrandfield_reads_the_count_before_the_other_words(r):
    r.hset("h", "f", "v")
    with raises_error(NOT_INTEGER):
        r.do("HRANDFIELD", "h", "extra", "9223372036854775807")
    with raises_error("ERR syntax error"):
        r.do("HRANDFIELD", "h", "1", "foo", "bar")
