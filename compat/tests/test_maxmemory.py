"""maxmemory with the default noeviction policy (own servers).

Once used memory is above maxmemory, commands flagged "denyoom" are refused
with the OOM error; reads, deletes and the consumer-side stream commands keep
working, and nothing already stored is evicted."""

import pytest

from conftest import RawConnection, HOST, RespError

OOM = RespError("OOM command not allowed when used memory > 'maxmemory'.")


@pytest.fixture
def oom(server_factory):
    """A server loaded with data, then pushed over the limit with
    CONFIG SET maxmemory 1. Yields a raw connection to it."""
    h = server_factory(maxmemory=100 * 1024 * 1024)
    c = RawConnection(HOST, h.port)
    assert c.command("CONFIG", "GET", "maxmemory") == [b"maxmemory", b"104857600"]
    for i in range(1, 4):
        c.command("XADD", "s", f"{i}-0", "f", f"v{i}")
    c.command("XGROUP", "CREATE", "s", "g", "0")
    c.command("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">")
    c.command("HSET", "cluster-serving_serving_stream:u1", "value", "abc")
    c.command("SET", "k", "v")
    c.command("RPUSH", "l", "a", "b")
    assert c.command("CONFIG", "SET", "maxmemory", "1") == "OK"
    yield c
    c.close()


@pytest.mark.parametrize("cmd", [
    ("SET", "k2", "v"), ("SET", "k", "v"), ("XADD", "s", "*", "f", "v"),
    ("XADD", "s", "NOMKSTREAM", "*", "f", "v"), ("HSET", "h", "f", "v"),
    ("HSET", "cluster-serving_serving_stream:u1", "value", "abc"),
    ("INCR", "n"), ("APPEND", "k", "x"), ("LPUSH", "l", "x"), ("SETNX", "z", "1"),
    ("MSET", "a", "1"), ("XGROUP", "CREATE", "s", "g2", "0"),
    ("XGROUP", "CREATECONSUMER", "s", "g", "c9"), ("XSETID", "s", "5-0"),
])
def test_denyoom_writes_are_refused(oom, cmd):
    assert oom.command(*cmd) == OOM


def test_oom_error_wire_format(oom):
    oom.send_command("SET", "x", "y")
    assert oom.read_raw_reply() == b"-OOM command not allowed when used memory > 'maxmemory'.\r\n"


def test_reads_still_work(oom):
    assert oom.command("GET", "k") == b"v"
    assert oom.command("HGETALL", "cluster-serving_serving_stream:u1") == [b"value", b"abc"]
    assert oom.command("XLEN", "s") == 3
    assert [e[0] for e in oom.command("XRANGE", "s", "-", "+")] == [b"1-0", b"2-0", b"3-0"]
    assert oom.command("KEYS", "cluster-serving_serving_stream:*") == \
        [b"cluster-serving_serving_stream:u1"]
    assert oom.command("LRANGE", "l", "0", "-1") == [b"a", b"b"]


def test_nothing_is_evicted(oom):
    for cmd in (("SET", "x", "1"), ("XADD", "s", "*", "f", "v"), ("HSET", "h", "f", "v")):
        assert oom.command(*cmd) == OOM
    assert oom.command("XLEN", "s") == 3
    assert oom.command("DBSIZE") == 4
    assert oom.command("EXISTS", "h", "x") == 0


def test_delete_and_shrinking_commands_still_work(oom):
    assert oom.command("DEL", "k") == 1
    assert oom.command("EXISTS", "k") == 0
    assert oom.command("LPOP", "l") == b"a"
    assert oom.command("XDEL", "s", "3-0") == 1
    assert oom.command("XTRIM", "s", "MAXLEN", "100") == 0
    assert oom.command("EXPIRE", "l", "100") == 1
    assert oom.command("FLUSHDB") == "OK"
    assert oom.command("DBSIZE") == 0
    # an empty dataset is still over a 1-byte limit
    assert oom.command("SET", "k", "v") == OOM


def test_consumer_side_stream_commands_still_work(oom):
    got = oom.command("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">")
    assert got == [[b"s", [[b"2-0", [b"f", b"v2"]]]]]
    assert oom.command("XACK", "s", "g", "1-0") == 1
    assert oom.command("XPENDING", "s", "g") == [1, b"2-0", b"2-0", [[b"c", b"1"]]]
    assert [e[0] for e in oom.command("XCLAIM", "s", "g", "d", "0", "2-0")] == [b"2-0"]
    assert oom.command("XAUTOCLAIM", "s", "g", "d", "0", "0", "JUSTID") == [b"0-0", [b"2-0"], []]
    assert oom.command("XGROUP", "SETID", "s", "g", "0") == "OK"
    assert oom.command("XGROUP", "DELCONSUMER", "s", "g", "d") == 1
    assert oom.command("XGROUP", "DESTROY", "s", "g") == 1


def test_transaction_commands_are_refused_when_queued(oom):
    assert oom.command("MULTI") == "OK"
    # while over the limit every queued command is refused, even reads
    assert oom.command("SET", "a", "1") == OOM
    assert oom.command("GET", "k") == OOM
    assert oom.command("EXEC") == RespError(
        "EXECABORT Transaction discarded because of previous errors.")


def test_info_and_config_reflect_limit(oom):
    assert oom.command("CONFIG", "GET", "maxmemory") == [b"maxmemory", b"1"]
    info = oom.command("INFO", "memory").decode()
    fields = dict(l.split(":", 1) for l in info.split("\r\n") if ":" in l)
    assert fields["maxmemory"] == "1"
    assert int(fields["used_memory"]) > 1


def test_raising_the_limit_allows_writes_again(oom):
    assert oom.command("SET", "x", "1") == OOM
    assert oom.command("CONFIG", "SET", "maxmemory", "0") == "OK"
    assert oom.command("SET", "x", "1") == "OK"
    assert oom.command("XADD", "s", "4-0", "f", "v4") == b"4-0"
    assert oom.command("XLEN", "s") == 4


def test_maxmemory_from_command_line(server_factory):
    h = server_factory(maxmemory=1)
    c = RawConnection(HOST, h.port)
    try:
        assert c.command("CONFIG", "GET", "maxmemory") == [b"maxmemory", b"1"]
        assert c.command("SET", "a", "1") == OOM
        assert c.command("XADD", "s", "*", "f", "v") == OOM
        assert c.command("GET", "a") is None
        assert c.command("PING") == "PONG"
    finally:
        c.close()


def test_redis_py_raises_out_of_memory_error(server_factory):
    import redis
    h = server_factory(maxmemory=1)
    c = h.client()
    try:
        with pytest.raises(redis.exceptions.OutOfMemoryError):
            c.set("a", "1")
    finally:
        c.close()
