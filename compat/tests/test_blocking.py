"""Blocking commands: BLPOP/BRPOP/BLMOVE, XREAD BLOCK, XREADGROUP BLOCK.

Every blocking call runs in a thread joined with a bounded timeout; every
client has a socket timeout."""

import threading
import time

import pytest
import redis

from conftest import RespError, full_error, raises_error

JOIN = 10.0


class Blocked:
    """Run client.do(*args) in a background thread and record the outcome."""

    def __init__(self, client, *args):
        self.client = client
        self.args = args
        self.result = None
        self.error = None
        self.elapsed = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        t0 = time.monotonic()
        try:
            self.result = self.client.do(*self.args)
        except Exception as e:  # recorded for the assertion
            self.error = e
        self.elapsed = time.monotonic() - t0

    def join(self, timeout=JOIN):
        self.thread.join(timeout)
        assert not self.thread.is_alive(), f"blocking call {self.args} did not return in time"
        return self


blocked = Blocked


def _blocked_clients(r):
    for line in r.do("INFO", "clients").split("\r\n"):
        if line.startswith("blocked_clients:"):
            return int(line.split(":")[1])
    return None


def wait_blocked(r, n=1, timeout=5.0):
    """Wait until the server reports n blocked clients (INFO clients
    blocked_clients); falls back to a short sleep if the field is absent."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = _blocked_clients(r)
        if v is None:
            time.sleep(0.5)
            return
        if v >= n:
            return
        time.sleep(0.01)
    raise AssertionError(f"expected {n} blocked clients, server reports {_blocked_clients(r)}")


@pytest.fixture
def c2(client_factory):
    """A second connection for the blocking side."""
    return client_factory()


@pytest.fixture
def c3(client_factory):
    return client_factory()


# ------------------------------------------------------------- BLPOP/BRPOP
def test_blpop_times_out_with_nil(r, c2):
    b = blocked(c2, "BLPOP", "l", "1").join()
    assert b.error is None and b.result is None
    assert 0.95 <= b.elapsed <= 2.5


def test_brpop_fractional_timeout(r, c2):
    b = blocked(c2, "BRPOP", "l", "0.5").join()
    assert b.error is None and b.result is None
    assert 0.45 <= b.elapsed <= 2.0


def test_blpop_timeout_reply_is_null_array(raw):
    raw.send_command("BLPOP", "l", "0.1")
    assert raw.read_raw_reply(timeout=5) == b"*-1\r\n"


def test_blpop_returns_immediately_when_data_present(r):
    r.rpush("b", "x")
    r.rpush("c", "y")
    t0 = time.monotonic()
    assert r.do("BLPOP", "a", "b", "c", "5") == ["b", "x"]
    assert r.do("BRPOP", "c", "5") == ["c", "y"]
    assert time.monotonic() - t0 < 1.0
    assert r.exists("b", "c") == 0


def test_blpop_woken_by_lpush_from_another_connection(r, c2):
    b = blocked(c2, "BLPOP", "l", "0")
    wait_blocked(r)
    assert r.lpush("l", "hello") == 1
    b.join()
    assert b.error is None
    assert b.result == ["l", "hello"]
    assert r.exists("l") == 0


def test_blpop_reports_the_key_that_got_data(r, c2):
    b = blocked(c2, "BRPOP", "a", "b", "c", "5")
    wait_blocked(r)
    r.rpush("c", "1", "2")
    b.join()
    assert b.result == ["c", "2"]
    assert r.do("LRANGE", "c", 0, -1) == ["1"]


def test_blpop_fifo_among_blocked_clients(r, c2, c3):
    first = blocked(c2, "BLPOP", "l", "5")
    wait_blocked(r, 1)
    second = blocked(c3, "BLPOP", "l", "5")
    wait_blocked(r, 2)
    r.rpush("l", "x", "y")
    first.join()
    second.join()
    assert first.result == ["l", "x"]
    assert second.result == ["l", "y"]


def test_blpop_single_push_serves_only_first_waiter(r, c2, c3):
    first = blocked(c2, "BLPOP", "l", "5")
    wait_blocked(r, 1)
    second = blocked(c3, "BLPOP", "l", "1")
    wait_blocked(r, 2)
    r.rpush("l", "only")
    first.join()
    second.join()
    assert first.result == ["l", "only"]
    assert second.result is None


def test_blpop_woken_by_transaction(r, c2):
    b = blocked(c2, "BLPOP", "l", "5")
    wait_blocked(r)
    p = r.pipeline(transaction=True)
    p.rpush("l", "a")
    p.rpush("l", "b")
    p.execute()
    b.join()
    assert b.result == ["l", "a"]
    assert r.do("LRANGE", "l", 0, -1) == ["b"]


def test_blpop_errors(r):
    with raises_error("ERR timeout is negative"):
        r.do("BLPOP", "l", "-1")
    with raises_error("ERR timeout is not a float or out of range"):
        r.do("BLPOP", "l", "abc")
    r.set("s", "v")
    with raises_error("WRONGTYPE Operation against a key holding the wrong kind of value"):
        r.do("BLPOP", "s", "1")


def test_blocking_commands_inside_multi_do_not_block(raw):
    raw.command("MULTI")
    raw.command("BLPOP", "l", "0")
    raw.command("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    t0 = time.monotonic()
    raw.send_command("EXEC")
    assert raw.read_raw_reply(timeout=5) == b"*2\r\n*-1\r\n*-1\r\n"
    assert time.monotonic() - t0 < 1.0


# ------------------------------------------------------------------ BLMOVE
def test_blmove_woken_moves_element(r, c2):
    b = blocked(c2, "BLMOVE", "src", "dst", "RIGHT", "LEFT", "5")
    wait_blocked(r)
    r.rpush("src", "a", "b")
    b.join()
    assert b.result == "b"
    assert r.do("LRANGE", "src", 0, -1) == ["a"]
    assert r.do("LRANGE", "dst", 0, -1) == ["b"]


def test_blmove_immediate_and_timeout(raw):
    raw.command("RPUSH", "src", "x")
    assert raw.command("BLMOVE", "src", "dst", "LEFT", "RIGHT", "1") == b"x"
    raw.send_command("BLMOVE", "src", "dst", "LEFT", "RIGHT", "0.1")
    # Redis 7.0 answers a timed-out BLMOVE with a null *array*
    assert raw.read_raw_reply(timeout=5) == b"*-1\r\n"
    assert raw.command("BLMOVE", "src", "dst", "LEFT", "UP", "0") == \
        RespError("ERR syntax error")


# -------------------------------------------------------------- XREAD BLOCK
def test_xread_block_times_out_with_nil(raw):
    raw.command("XADD", "s", "1-0", "f", "v")
    t0 = time.monotonic()
    raw.send_command("XREAD", "BLOCK", "500", "STREAMS", "s", "$")
    assert raw.read_raw_reply(timeout=5) == b"*-1\r\n"
    assert 0.45 <= time.monotonic() - t0 <= 2.0


def test_xread_block_dollar_woken_by_xadd(r, c2):
    r.do("XADD", "s", "1-0", "f", "old")
    b = blocked(c2, "XREAD", "BLOCK", "5000", "STREAMS", "s", "$")
    wait_blocked(r)
    r.do("XADD", "s", "2-0", "f", "new")
    b.join()
    assert b.error is None
    assert b.result == [["s", [["2-0", ["f", "new"]]]]]


def test_xread_block_zero_waits_until_xadd(r, c2):
    b = blocked(c2, "XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    wait_blocked(r)
    time.sleep(0.2)
    assert b.thread.is_alive()
    sid = r.do("XADD", "s", "*", "f", "v")
    b.join()
    assert b.result == [["s", [[sid, ["f", "v"]]]]]


def test_xread_block_on_missing_stream_woken_by_first_xadd(r, c2):
    b = blocked(c2, "XREAD", "BLOCK", "5000", "STREAMS", "nope", "0-0")
    wait_blocked(r)
    r.do("XADD", "nope", "1-0", "f", "v")
    b.join()
    assert b.result == [["nope", [["1-0", ["f", "v"]]]]]


def test_xread_block_several_streams(r, c2):
    r.do("XADD", "a", "1-0", "f", "v")
    b = blocked(c2, "XREAD", "BLOCK", "5000", "COUNT", "10", "STREAMS", "a", "b", "$", "$")
    wait_blocked(r)
    r.do("XADD", "b", "7-0", "x", "y")
    b.join()
    assert b.result == [["b", [["7-0", ["x", "y"]]]]]


def test_xread_block_with_data_available_returns_immediately(r):
    r.do("XADD", "s", "1-0", "f", "v")
    t0 = time.monotonic()
    assert r.do("XREAD", "BLOCK", "5000", "STREAMS", "s", "0") == [["s", [["1-0", ["f", "v"]]]]]
    assert time.monotonic() - t0 < 1.0


def test_xread_block_is_not_woken_by_key_deletion(r, c2):
    r.do("XADD", "s", "1-0", "f", "v")
    b = blocked(c2, "XREAD", "BLOCK", "800", "STREAMS", "s", "$")
    wait_blocked(r)
    r.delete("s")
    b.join()
    assert b.error is None and b.result is None
    assert b.elapsed >= 0.75


# --------------------------------------------------------- XREADGROUP BLOCK
@pytest.fixture
def group(r):
    r.do("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    return r


def test_xreadgroup_block_times_out_with_nil(group, c2):
    b = blocked(c2, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "500", "STREAMS", "s", ">").join()
    assert b.error is None and b.result is None
    assert 0.45 <= b.elapsed <= 2.0


def test_xreadgroup_block_woken_by_xadd(group, c2):
    b = blocked(c2, "XREADGROUP", "GROUP", "g", "worker", "BLOCK", "5000", "COUNT", "10",
                "STREAMS", "s", ">")
    wait_blocked(group)
    sid = group.do("XADD", "s", "*", "uri", "u1")
    b.join()
    assert b.error is None
    assert b.result == [["s", [[sid, ["uri", "u1"]]]]]
    summary = group.do("XPENDING", "s", "g")
    assert summary == [1, sid, sid, [["worker", "1"]]]


def test_xreadgroup_block_zero_woken_by_xadd(group, c2):
    b = blocked(c2, "XREADGROUP", "GROUP", "g", "worker", "BLOCK", "0", "STREAMS", "s", ">")
    wait_blocked(group)
    group.do("XADD", "s", "5-0", "f", "v")
    b.join()
    assert b.result == [["s", [["5-0", ["f", "v"]]]]]


def test_xreadgroup_block_two_consumers_each_get_distinct_entries(group, c2, c3):
    a = blocked(c2, "XREADGROUP", "GROUP", "g", "a", "BLOCK", "5000", "COUNT", "1",
                "STREAMS", "s", ">")
    wait_blocked(group, 1)
    b = blocked(c3, "XREADGROUP", "GROUP", "g", "b", "BLOCK", "5000", "COUNT", "1",
                "STREAMS", "s", ">")
    wait_blocked(group, 2)
    group.do("XADD", "s", "1-0", "n", "1")
    a.join()
    group.do("XADD", "s", "2-0", "n", "2")
    b.join()
    assert a.result == [["s", [["1-0", ["n", "1"]]]]]
    assert b.result == [["s", [["2-0", ["n", "2"]]]]]


def test_xreadgroup_block_noack(group, c2):
    b = blocked(c2, "XREADGROUP", "GROUP", "g", "w", "BLOCK", "5000", "NOACK",
                "STREAMS", "s", ">")
    wait_blocked(group)
    group.do("XADD", "s", "1-0", "f", "v")
    b.join()
    assert b.result == [["s", [["1-0", ["f", "v"]]]]]
    assert group.do("XPENDING", "s", "g")[0] == 0


def _block_then(group, c2, *actions):
    b = blocked(c2, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "5000", "STREAMS", "s", ">")
    wait_blocked(group)
    for a in actions:
        group.do(*a)
    b.join()
    assert b.elapsed < 3.0, "client should be unblocked right away, not at the timeout"
    assert b.result is None
    return full_error(b.error)


def test_xreadgroup_block_key_deleted_unblocks_with_error(group, c2):
    assert _block_then(group, c2, ("DEL", "s")) == "UNBLOCKED the stream key no longer exists"


def test_xreadgroup_block_flushall_unblocks_with_error(group, c2):
    assert _block_then(group, c2, ("FLUSHALL",)) == "UNBLOCKED the stream key no longer exists"


def test_xreadgroup_block_flushdb_unblocks_with_error(group, c2):
    assert _block_then(group, c2, ("FLUSHDB",)) == "UNBLOCKED the stream key no longer exists"


def test_xreadgroup_block_type_changed_unblocks_with_error(group, c2):
    assert _block_then(group, c2, ("SET", "s", "x")) == \
        "UNBLOCKED the stream key no longer exists"


def test_xreadgroup_block_key_recreated_unblocks_with_error(group, c2):
    # deleted and re-created as a stream (without the group) in one step
    assert _block_then(group, c2, ("DEL", "s"), ("XADD", "s", "1-0", "f", "v")) == \
        "UNBLOCKED the stream key no longer exists"


def test_xreadgroup_block_group_destroyed_unblocks_with_nogroup(group, c2):
    assert _block_then(group, c2, ("XGROUP", "DESTROY", "s", "g")) == \
        "NOGROUP the consumer group this client was blocked on no longer exists"


def test_xreadgroup_block_on_missing_group_fails_immediately(r):
    with raises_error("NOGROUP No such key 'nope' or consumer group 'g' in XREADGROUP "
                      "with GROUP option"):
        r.do("XREADGROUP", "GROUP", "g", "c", "BLOCK", "5000", "STREAMS", "nope", ">")


def test_connection_usable_after_unblocked_error(group, c2):
    _block_then(group, c2, ("DEL", "s"))
    assert c2.do("PING") == "PONG"


# ---------------------------------------------------------- disconnections
def test_disconnected_blpop_client_does_not_swallow_push(r, raw_factory):
    conn = raw_factory()
    conn.send_command("BLPOP", "l", "0")
    wait_blocked(r)
    conn.close()
    deadline = time.monotonic() + 5
    while _blocked_clients(r) not in (0, None) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert r.rpush("l", "keep") == 1
    time.sleep(0.1)
    assert r.do("LRANGE", "l", 0, -1) == ["keep"]


def test_disconnected_xreadgroup_client_does_not_receive_entry(group, raw_factory, c2):
    conn = raw_factory()
    conn.send_command("XREADGROUP", "GROUP", "g", "ghost", "BLOCK", "0", "STREAMS", "s", ">")
    wait_blocked(group)
    conn.close()
    deadline = time.monotonic() + 5
    while _blocked_clients(group) not in (0, None) and time.monotonic() < deadline:
        time.sleep(0.02)
    group.do("XADD", "s", "1-0", "f", "v")
    time.sleep(0.1)
    assert group.do("XPENDING", "s", "g")[0] == 0
    got = c2.do("XREADGROUP", "GROUP", "g", "alive", "STREAMS", "s", ">")
    assert got == [["s", [["1-0", ["f", "v"]]]]]


def test_killed_blocked_client_is_unblocked(r, c2):
    b = blocked(c2, "BLPOP", "l", "0")
    wait_blocked(r)
    ids = [line.split(" ")[0][3:] for line in r.do("CLIENT", "LIST").split("\n")
           if " cmd=blpop " in line]
    assert len(ids) == 1
    assert r.do("CLIENT", "KILL", "ID", ids[0]) == 1
    b.join()
    assert isinstance(b.error, (redis.ConnectionError, ConnectionError, OSError))
    r.rpush("l", "x")
    assert r.do("LLEN", "l") == 1
