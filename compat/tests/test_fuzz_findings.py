"""Differences the command fuzzer found (compat/fuzz/known_differences.txt), fixed and pinned here with
Redis 7.0's exact replies: the subscribed context naming subcommands, EXECABORT reasons, PUBSUB's subcommand
syntax error, CONFIG SET's pair rules, BGSAVE's one option, and the order in which SET, GETEX and INCRBYFLOAT
check their words."""

import pytest

from conftest import RespError, raises_error

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
