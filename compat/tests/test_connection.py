"""Connection / server commands: PING, ECHO, HELLO, SELECT, CLIENT, INFO,
CONFIG, COMMAND, DBSIZE, FLUSH*, TIME, LASTSAVE, SAVE, RESET and generic
error texts."""

import re
import time

import pytest
import redis

from conftest import RespError, raises_error, wait_until


# ----------------------------------------------------------------- PING/ECHO


def test_ping_without_argument_returns_pong(r):
    assert r.do("PING") == "PONG"


def test_ping_with_argument_echoes_it_as_bulk(raw):
    assert raw.command("PING", "hello world") == b"hello world"
    assert raw.command("PING") == "PONG"


def test_ping_with_too_many_arguments_is_an_arity_error(r):
    with raises_error("ERR wrong number of arguments for 'ping' command"):
        r.do("PING", "a", "b")


def test_echo_returns_binary_safe_argument(rb):
    assert rb.echo(b"a\r\nb\x00c") == b"a\r\nb\x00c"


def test_quit_replies_ok_and_closes_connection(raw):
    raw.send_command("QUIT")
    assert raw.read_raw_reply() == b"+OK\r\n"
    assert raw.read_until_closed(timeout=5) == b""


# --------------------------------------------------------------------- HELLO


def test_hello_2_returns_flat_server_info(raw):
    reply = raw.command("HELLO", "2")
    assert isinstance(reply, list) and len(reply) == 14
    fields = dict(zip(reply[0::2], reply[1::2]))
    assert list(fields) == [b"server", b"version", b"proto", b"id", b"mode", b"role", b"modules"]
    assert fields[b"server"] == b"redis"
    assert isinstance(fields[b"version"], bytes)
    assert fields[b"proto"] == 2
    assert isinstance(fields[b"id"], int)
    assert fields[b"mode"] == b"standalone"
    assert fields[b"role"] == b"master"
    assert fields[b"modules"] == []


def test_hello_3_switches_to_resp3_and_returns_a_map(raw):
    raw.send_command("HELLO", "3")
    head = raw.read_exactly(4)
    assert head == b"%7\r\n"
    raw.buf = head + raw.buf
    reply = raw.read_reply()
    assert reply[b"server"] == b"redis"
    assert reply[b"proto"] == 3
    assert reply[b"mode"] == b"standalone"
    assert reply[b"role"] == b"master"
    assert reply[b"modules"] == []
    assert reply[b"id"] == raw.command("CLIENT", "ID")
    # RESP3 now in effect: a missing key is the RESP3 null.
    raw.send_command("GET", "nokey")
    assert raw.read_raw_reply() == b"_\r\n"
    # and HGETALL is a map
    raw.command("HSET", "h", "f", "v")
    raw.send_command("HGETALL", "h")
    assert raw.read_raw_reply() == b"%1\r\n$1\r\nf\r\n$1\r\nv\r\n"


def test_hello_without_version_keeps_protocol(raw):
    reply = raw.command("HELLO")
    fields = dict(zip(reply[0::2], reply[1::2]))
    assert fields[b"proto"] == 2


def test_hello_with_unsupported_version_is_noproto(raw):
    assert raw.command("HELLO", "4") == RespError("NOPROTO unsupported protocol version")
    assert raw.command("HELLO", "1") == RespError("NOPROTO unsupported protocol version")


def test_hello_with_non_integer_version_is_an_error(raw):
    assert raw.command("HELLO", "abc") == RespError(
        "ERR Protocol version is not an integer or out of range")


def test_hello_setname_sets_client_name(raw):
    raw.command("HELLO", "3", "SETNAME", "worker-1")
    assert raw.command("CLIENT", "GETNAME") == b"worker-1"


def test_hello_auth_default_with_no_password_configured_succeeds(raw):
    reply = raw.command("HELLO", "3", "AUTH", "default", "anything")
    assert reply[b"proto"] == 3


def test_hello_with_unknown_option_is_a_syntax_error(raw):
    assert raw.command("HELLO", "3", "FOO") == RespError("ERR Syntax error in HELLO option 'FOO'")


# -------------------------------------------------------------------- SELECT


@pytest.mark.parametrize("db", [0, 1, 9, 15])
def test_select_valid_database_index(r, db):
    assert r.do("SELECT", db) == "OK"


@pytest.mark.parametrize("db", ["16", "-1", "100"])
def test_select_out_of_range_database(r, db):
    with raises_error("ERR DB index is out of range"):
        r.do("SELECT", db)


def test_select_non_integer_database(r):
    with raises_error("ERR value is not an integer or out of range"):
        r.do("SELECT", "x")

# -------------------------------------------------------------------- CLIENT


def test_client_id_is_a_positive_integer_and_unique(client_factory):
    a, b = client_factory(), client_factory()
    ida, idb = a.client_id(), b.client_id()
    assert isinstance(ida, int) and ida > 0
    assert ida != idb


def test_client_setname_getname(r):
    assert r.client_getname() is None
    assert r.do("CLIENT", "SETNAME", "my-conn") == "OK"
    assert r.client_getname() == "my-conn"


def test_client_setname_rejects_spaces(r):
    with raises_error("ERR Client names cannot contain spaces, newlines or special characters."):
        r.do("CLIENT", "SETNAME", "a b")


def test_client_list_contains_this_connection(r):
    r.do("CLIENT", "SETNAME", "lister")
    my_id = r.client_id()
    text = r.do("CLIENT", "LIST")
    lines = [l for l in text.split("\n") if l]
    mine = [l for l in lines if re.search(rf"(^| )id={my_id} ", l)]
    assert len(mine) == 1
    line = mine[0]
    assert re.search(r" addr=127\.0\.0\.1:\d+ ", line)
    assert " name=lister " in line
    assert re.search(r" db=0 ", line)
    assert re.search(r" cmd=client\|list ", line)


def test_client_list_id_filter(client_factory):
    a, b = client_factory(), client_factory()
    text = a.do("CLIENT", "LIST", "ID", b.client_id())
    lines = [l for l in text.split("\n") if l]
    assert len(lines) == 1 and lines[0].startswith(f"id={b.client_id()} ")


def test_client_info_describes_current_connection(r):
    r.do("CLIENT", "SETNAME", "infoer")
    info = r.do("CLIENT", "INFO")
    assert info.startswith(f"id={r.client_id()} ")
    assert " name=infoer " in info
    assert " cmd=client|info " in info
    assert info.endswith("\n")


def test_client_kill_by_id(client_factory):
    killer, victim = client_factory(), client_factory()
    vid = victim.client_id()
    assert killer.do("CLIENT", "KILL", "ID", vid) == 1
    assert killer.do("CLIENT", "KILL", "ID", vid) == 0


def test_client_kill_by_addr_new_and_old_form(raw, raw_factory, r):
    victim = raw_factory()
    vid = victim.command("CLIENT", "ID")
    info = victim.command("CLIENT", "INFO").decode()
    addr = re.search(r" addr=(\S+) ", info).group(1)
    assert r.do("CLIENT", "KILL", "ADDR", addr) == 1
    assert victim.read_until_closed(timeout=5) == b""
    ids = [int(m) for m in re.findall(r"(?:^|\n)id=(\d+) ", r.do("CLIENT", "LIST"))]
    assert vid not in ids
    assert r.do("CLIENT", "KILL", "ADDR", "1.2.3.4:5") == 0
    # old form: CLIENT KILL ip:port -> OK or error
    victim2 = raw_factory()
    addr2 = re.search(r" addr=(\S+) ", victim2.command("CLIENT", "INFO").decode()).group(1)
    assert r.do("CLIENT", "KILL", addr2) == "OK"
    with raises_error("ERR No such client"):
        r.do("CLIENT", "KILL", "1.2.3.4:5")


def test_client_setinfo_lib_name(raw):
    # CLIENT SETINFO appeared in Redis 7.2: 7.0 answers the unknown-subcommand
    # error; an implementation that supports it must answer OK and report it.
    reply = raw.command("CLIENT", "SETINFO", "LIB-NAME", "compat-tests")
    if isinstance(reply, RespError):
        assert reply.text == "ERR unknown subcommand 'SETINFO'. Try CLIENT HELP."
    else:
        assert reply == "OK"
        assert b" lib-name=compat-tests " in raw.command("CLIENT", "INFO")


def test_client_no_evict(r):
    assert r.do("CLIENT", "NO-EVICT", "on") == "OK"
    assert r.do("CLIENT", "NO-EVICT", "off") == "OK"
    with raises_error("ERR syntax error"):
        r.do("CLIENT", "NO-EVICT", "maybe")


def test_client_reply_off_on_skip(raw):
    raw.send_command("CLIENT", "REPLY", "OFF")   # no reply at all
    raw.send_command("SET", "k", "1")             # no reply
    raw.send_command("CLIENT", "REPLY", "ON")    # replies +OK
    assert raw.read_raw_reply() == b"+OK\r\n"
    raw.send_command("CLIENT", "REPLY", "SKIP")  # no reply, skips next
    raw.send_command("INCR", "k")                # skipped
    raw.send_command("GET", "k")                 # replied
    assert raw.read_raw_reply() == b"$1\r\n2\r\n"
    assert raw.nothing_pending(0.2)


def test_client_reply_bad_argument(r):
    with raises_error("ERR syntax error"):
        r.do("CLIENT", "REPLY", "FOO")


def test_client_unknown_subcommand(r):
    with raises_error("ERR unknown subcommand 'FOO'. Try CLIENT HELP."):
        r.do("CLIENT", "FOO")

# ---------------------------------------------------------------------- INFO
def _raw_info(r, *section):
    conn = r.connection_pool.get_connection()
    try:
        conn.send_command("INFO", *section)
        return conn.read_response()
    finally:
        r.connection_pool.release(conn)


def _fields(text):
    out = {}
    for line in text.split("\r\n"):
        if line and not line.startswith("#") and ":" in line:
            k, v = line.split(":", 1)
            out[k] = v
    return out


@pytest.mark.parametrize("section,header", [
    ("server", "# Server"), ("clients", "# Clients"), ("memory", "# Memory"),
    ("persistence", "# Persistence"), ("stats", "# Stats"),
    ("replication", "# Replication"), ("cpu", "# CPU"), ("keyspace", "# Keyspace"),
    ("commandstats", "# Commandstats"), ("errorstats", "# Errorstats"),
])
def test_info_section_has_header(r, section, header):
    text = _raw_info(r, section)
    assert text.startswith(header + "\r\n")


def test_info_default_contains_main_sections(r):
    text = _raw_info(r)
    for h in ("# Server", "# Clients", "# Memory", "# Persistence", "# Stats",
              "# Replication", "# CPU", "# Keyspace"):
        assert h + "\r\n" in text


def test_info_memory_has_integer_used_memory_and_maxmemory(r):
    f = _fields(_raw_info(r, "memory"))
    assert int(f["used_memory"]) > 0
    assert int(f["maxmemory"]) == 0


def test_info_replication_reports_master(r):
    f = _fields(_raw_info(r, "replication"))
    assert f["role"] == "master"


def test_info_is_key_value_lines(r):
    # Only the format is checked here: other field names are implementation
    # specific and deliberately not asserted.
    text = _raw_info(r)
    assert text.endswith("\r\n")
    for line in text.split("\r\n"):
        if line and not line.startswith("# "):
            assert re.fullmatch(r"[A-Za-z0-9_.\-|]+:[^\r\n]*", line), line


def test_info_keyspace_lists_keys_and_expires(r):
    r.set("a", 1)
    r.set("b", 2, ex=100)
    r.do("SELECT", 3)
    r.set("c", 3)
    r.do("SELECT", 0)
    text = _raw_info(r, "keyspace")
    assert re.search(r"\r\ndb0:keys=2,expires=1,avg_ttl=\d+\r\n", text)
    assert re.search(r"\r\ndb3:keys=1,expires=0,avg_ttl=0\r\n", text)


def test_info_keyspace_empty_when_no_keys(r):
    assert _raw_info(r, "keyspace") == "# Keyspace\r\n"


def test_info_commandstats_counts_calls(r):
    r.config_resetstat()
    r.set("x", 1)
    r.set("x", 2)
    r.get("x")
    text = _raw_info(r, "commandstats")
    assert re.search(r"\r\ncmdstat_set:calls=2,usec=\d+,usec_per_call=\d+\.\d\d,"
                     r"rejected_calls=0,failed_calls=0\r\n", text)
    assert re.search(r"\r\ncmdstat_get:calls=1,", text)


def test_info_errorstats_counts_errors(r):
    r.config_resetstat()
    for _ in range(2):
        with pytest.raises(redis.ResponseError):
            r.do("NOSUCHCOMMAND")
    r.set("s", "x")
    with pytest.raises(redis.ResponseError):
        r.lpush("s", 1)
    text = _raw_info(r, "errorstats")
    assert "\r\nerrorstat_ERR:count=2\r\n" in text
    assert "\r\nerrorstat_WRONGTYPE:count=1\r\n" in text


# -------------------------------------------------------------------- CONFIG


def test_config_get_common_parameters(r, server):
    def get(name):
        reply = r.do("CONFIG", "GET", name)
        assert isinstance(reply, list) and len(reply) == 2 and reply[0] == name, reply
        return reply[1]

    assert get("maxmemory") == "0"
    assert get("appendfsync") == "everysec"
    assert isinstance(get("save"), str)
    assert get("port") == str(server.port)
    assert get("bind") == "127.0.0.1"
    assert get("databases") == "16"
    assert get("timeout") == "0"
    assert int(get("maxclients")) > 0
    assert get("proto-max-bulk-len") == "536870912"
    assert get("client-query-buffer-limit") == "1073741824"
    assert get("stream-node-max-entries") == "100"
    assert get("stream-node-max-bytes") == "4096"


def test_config_get_glob_pattern(r):
    reply = r.do("CONFIG", "GET", "maxmem*")
    pairs = dict(zip(reply[0::2], reply[1::2]))
    assert pairs["maxmemory"] == "0"
    assert all(k.startswith("maxmem") for k in pairs)


def test_config_get_several_parameters(r):
    reply = r.do("CONFIG", "GET", "databases", "timeout")
    assert dict(zip(reply[0::2], reply[1::2])) == {"databases": "16", "timeout": "0"}


def test_config_get_unknown_parameter_is_empty(r):
    assert r.do("CONFIG", "GET", "no-such-param") == []


def test_config_set_maxmemory_then_get(r):
    try:
        assert r.do("CONFIG", "SET", "maxmemory", "100mb") == "OK"
        assert r.do("CONFIG", "GET", "maxmemory") == ["maxmemory", "104857600"]
        assert r.do("CONFIG", "SET", "maxmemory", "12345") == "OK"
        assert r.do("CONFIG", "GET", "maxmemory") == ["maxmemory", "12345"]
    finally:
        r.do("CONFIG", "SET", "maxmemory", "0")


def test_config_set_unknown_parameter_error(r):
    with raises_error("ERR Unknown option or number of arguments for CONFIG SET - 'foo'"):
        r.do("CONFIG", "SET", "foo", "1")


def test_config_set_invalid_value_error(r):
    with raises_error("ERR CONFIG SET failed (possibly related to argument 'maxmemory') "
                      "- argument must be a memory value"):
        r.do("CONFIG", "SET", "maxmemory", "abc")


def test_config_resetstat_clears_commandstats(r):
    r.set("a", 1)
    assert r.do("CONFIG", "RESETSTAT") == "OK"
    text = _raw_info(r, "commandstats")
    assert "cmdstat_set:" not in text


# ------------------------------------------------------------------- COMMAND


def test_command_count_is_positive(r):
    n = r.do("COMMAND", "COUNT")
    assert isinstance(n, int) and n > 0


def test_command_info_get(raw):
    reply = raw.command("COMMAND", "INFO", "get")
    assert len(reply) == 1
    info = reply[0]
    assert info[0] == b"get"
    assert info[1] == 2
    assert "readonly" in info[2]  # flags are simple strings
    assert info[3:6] == [1, 1, 1]


def test_command_info_unknown_command_is_nil(raw):
    assert raw.command("COMMAND", "INFO", "nosuchcmd") == [None]


def test_command_info_xadd_arity_and_flags(raw):
    info = raw.command("COMMAND", "INFO", "xadd")[0]
    assert info[0] == b"xadd"
    assert info[1] == -5
    assert "write" in info[2]


def test_command_docs_get_has_summary_and_group(r3):
    docs = r3.do("COMMAND", "DOCS", "get")
    assert "get" in docs
    doc = docs["get"]
    assert doc["summary"] == "Get the value of a key"
    assert doc["group"] == "string"


def test_command_list_includes_core_commands(r):
    names = set(r.do("COMMAND", "LIST"))
    for c in ("get", "set", "xadd", "xreadgroup", "hset", "ping", "client", "config"):
        assert c in names


# ------------------------------------------------------ keyspace-wide commands


def test_dbsize_flushdb_flushall(r):
    r.mset({"a": 1, "b": 2})
    r.do("SELECT", 1)
    r.set("c", 3)
    assert r.dbsize() == 1
    assert r.do("FLUSHDB") == "OK"
    assert r.dbsize() == 0
    r.do("SELECT", 0)
    assert r.dbsize() == 2
    r.do("SELECT", 1)
    r.set("c", 3)
    assert r.do("FLUSHALL") == "OK"
    assert r.dbsize() == 0
    r.do("SELECT", 0)
    assert r.dbsize() == 0


def test_flushall_async_and_sync_options(r):
    r.set("a", 1)
    assert r.do("FLUSHALL", "ASYNC") == "OK"
    assert r.dbsize() == 0
    r.set("a", 1)
    assert r.do("FLUSHDB", "SYNC") == "OK"
    assert r.dbsize() == 0


def test_time_returns_seconds_and_microseconds(raw):
    reply = raw.command("TIME")
    assert len(reply) == 2
    secs, usecs = int(reply[0]), int(reply[1])
    assert abs(secs - time.time()) < 5
    assert 0 <= usecs < 1_000_000


def test_lastsave_is_an_integer_timestamp(r):
    assert isinstance(r.do("LASTSAVE"), int)


def test_save_returns_ok_and_updates_lastsave(r):
    assert r.do("SAVE") == "OK"
    assert abs(r.do("LASTSAVE") - time.time()) < 5


def test_reset_returns_reset_and_restores_defaults(raw):
    raw.command("SELECT", "5")
    raw.command("CLIENT", "SETNAME", "before-reset")
    raw.command("HELLO", "3")
    raw.send_command("RESET")
    assert raw.read_raw_reply() == b"+RESET\r\n"
    assert raw.command("CLIENT", "GETNAME") is None
    info = raw.command("CLIENT", "INFO").decode()
    assert " db=0 " in info
    assert " resp=2" in info
    raw.send_command("GET", "nokey")
    assert raw.read_raw_reply() == b"$-1\r\n"


# ------------------------------------------------------------ generic errors


def test_unknown_command_error_text(raw):
    raw.send_command("foo", "a", "b")
    assert raw.read_raw_reply() == \
        b"-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n"
    raw.send_command("foo")
    assert raw.read_raw_reply() == b"-ERR unknown command 'foo', with args beginning with: \r\n"


def test_wrong_arity_error_text(raw):
    raw.send_command("get")
    assert raw.read_raw_reply() == b"-ERR wrong number of arguments for 'get' command\r\n"
    raw.send_command("SET", "k")
    assert raw.read_raw_reply() == b"-ERR wrong number of arguments for 'set' command\r\n"
    raw.send_command("XADD", "s", "*")
    assert raw.read_raw_reply() == b"-ERR wrong number of arguments for 'xadd' command\r\n"


def test_unknown_subcommand_error_texts(raw):
    assert raw.command("CONFIG", "FOO") == RespError(
        "ERR unknown subcommand 'FOO'. Try CONFIG HELP.")
    assert raw.command("XINFO", "FOO") == RespError(
        "ERR unknown subcommand 'FOO'. Try XINFO HELP.")
    assert raw.command("XGROUP", "FOO") == RespError(
        "ERR unknown subcommand 'FOO'. Try XGROUP HELP.")


def test_subcommand_wrong_arity_error_text(raw):
    assert raw.command("CLIENT", "SETNAME") == RespError(
        "ERR wrong number of arguments for 'client|setname' command")
    assert raw.command("XGROUP", "CREATE", "s") == RespError(
        "ERR wrong number of arguments for 'xgroup|create' command")


def test_connection_survives_errors(r):
    for _ in range(3):
        with pytest.raises(redis.ResponseError):
            r.do("NOPE")
    assert r.ping() is True


def test_config_timeout_closes_idle_clients_only(r, raw_factory):
    """CONFIG SET timeout N: a client idle for more than N seconds is disconnected; an active one is not."""
    r.do("CONFIG", "SET", "timeout", "1")
    try:
        idle = raw_factory(timeout=6.0)
        busy = raw_factory(timeout=6.0)
        assert idle.command("PING") == "PONG"
        deadline = time.monotonic() + 3.5
        while time.monotonic() < deadline:
            assert busy.command("PING") == "PONG"
            time.sleep(0.2)
        idle.send_command("PING")
        with pytest.raises((ConnectionError, OSError)):
            idle.read_reply(5.0)
    finally:
        r.do("CONFIG", "SET", "timeout", "0")
