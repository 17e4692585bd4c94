"""MULTI / EXEC / DISCARD / WATCH / UNWATCH."""

import pytest
import redis

from conftest import RespError, full_error, raises_error


def test_multi_exec_queues_and_runs_in_order(raw):
    assert raw.command("MULTI") == "OK"
    assert raw.command("SET", "a", "1") == "QUEUED"
    assert raw.command("INCR", "a") == "QUEUED"
    assert raw.command("GET", "a") == "QUEUED"
    raw.send_command("EXEC")
    assert raw.read_raw_reply() == b"*3\r\n+OK\r\n:2\r\n$1\r\n2\r\n"


def test_commands_are_not_applied_before_exec(raw, r):
    raw.command("MULTI")
    raw.command("SET", "a", "1")
    assert r.get("a") is None
    raw.command("EXEC")
    assert r.get("a") == "1"


def test_empty_transaction(raw):
    raw.command("MULTI")
    raw.send_command("EXEC")
    assert raw.read_raw_reply() == b"*0\r\n"


def test_discard_drops_queued_commands(raw, r):
    raw.command("MULTI")
    raw.command("SET", "a", "1")
    assert raw.command("DISCARD") == "OK"
    assert r.get("a") is None
    assert raw.command("EXEC") == RespError("ERR EXEC without MULTI")


def test_queue_time_error_aborts_transaction(raw, r):
    raw.command("MULTI")
    assert raw.command("SET", "a", "1") == "QUEUED"
    assert raw.command("FOO") == RespError(
        "ERR unknown command 'FOO', with args beginning with: ")
    assert raw.command("GET") == RespError("ERR wrong number of arguments for 'get' command")
    raw.send_command("EXEC")
    assert raw.read_raw_reply() == \
        b"-EXECABORT Transaction discarded because of previous errors.\r\n"
    assert r.get("a") is None
    # the connection is out of MULTI state afterwards
    assert raw.command("EXEC") == RespError("ERR EXEC without MULTI")


def test_runtime_error_does_not_abort_other_commands(raw, r):
    raw.command("MULTI")
    raw.command("SET", "a", "1")
    raw.command("LPUSH", "a", "x")
    raw.command("INCR", "a")
    raw.send_command("EXEC")
    assert raw.read_raw_reply() == (
        b"*3\r\n+OK\r\n"
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
        b":2\r\n")
    assert r.get("a") == "2"


def test_stream_errors_inside_exec(raw):
    raw.command("MULTI")
    raw.command("XADD", "s", "1-0", "f", "v")
    raw.command("HSET", "h", "f", "v")
    raw.command("XADD", "s", "0-0", "f", "v")
    assert raw.command("EXEC") == [
        b"1-0", 1, RespError("ERR The ID specified in XADD must be greater than 0-0")]


def test_nested_multi_is_an_error(raw):
    raw.command("MULTI")
    assert raw.command("MULTI") == RespError("ERR MULTI calls can not be nested")
    # the nested MULTI error does not abort the transaction
    raw.command("SET", "a", "1")
    assert raw.command("EXEC") == ["OK"]


def test_exec_and_discard_without_multi(r):
    with raises_error("ERR EXEC without MULTI"):
        r.do("EXEC")
    with raises_error("ERR DISCARD without MULTI"):
        r.do("DISCARD")


def test_watch_inside_multi_is_not_allowed(raw):
    raw.command("MULTI")
    assert raw.command("WATCH", "a") == RespError("ERR WATCH inside MULTI is not allowed")
    assert raw.command("UNWATCH") == "QUEUED"
    assert raw.command("EXEC") == ["OK"]


def test_watch_then_modification_from_other_connection_aborts(raw, r):
    r.set("a", "1")
    assert raw.command("WATCH", "a") == "OK"
    r.set("a", "2")
    raw.command("MULTI")
    raw.command("SET", "a", "3")
    raw.send_command("EXEC")
    assert raw.read_raw_reply() == b"*-1\r\n"
    assert r.get("a") == "2"


def test_watch_without_modification_executes(raw, r):
    r.set("a", "1")
    raw.command("WATCH", "a")
    r.get("a")
    raw.command("MULTI")
    raw.command("SET", "a", "3")
    assert raw.command("EXEC") == ["OK"]
    assert r.get("a") == "3"


def test_watch_detects_deletion_and_creation(raw, r):
    r.set("a", "1")
    raw.command("WATCH", "a", "b")
    r.delete("a")
    raw.command("MULTI")
    raw.command("SET", "x", "1")
    assert raw.command("EXEC") is None
    raw.command("WATCH", "b")
    r.set("b", "new")
    raw.command("MULTI")
    raw.command("SET", "x", "1")
    assert raw.command("EXEC") is None
    assert r.get("x") is None


def test_watch_detects_stream_and_hash_writes(raw, r):
    raw.command("WATCH", "s", "h")
    r.xadd("s", {"f": "v"})
    raw.command("MULTI")
    raw.command("SET", "x", "1")
    assert raw.command("EXEC") is None
    raw.command("WATCH", "h")
    r.hset("h", "f", "v")
    raw.command("MULTI")
    raw.command("SET", "x", "1")
    assert raw.command("EXEC") is None


def test_exec_clears_watches(raw, r):
    raw.command("WATCH", "a")
    raw.command("MULTI")
    raw.command("GET", "a")
    raw.command("EXEC")
    r.set("a", "changed")
    raw.command("MULTI")
    raw.command("SET", "b", "1")
    assert raw.command("EXEC") == ["OK"]


def test_unwatch_forgets_watched_keys(raw, r):
    raw.command("WATCH", "a")
    assert raw.command("UNWATCH") == "OK"
    r.set("a", "changed")
    raw.command("MULTI")
    raw.command("SET", "b", "1")
    assert raw.command("EXEC") == ["OK"]


def test_discard_clears_watches(raw, r):
    raw.command("WATCH", "a")
    raw.command("MULTI")
    raw.command("DISCARD")
    r.set("a", "changed")
    raw.command("MULTI")
    raw.command("SET", "b", "1")
    assert raw.command("EXEC") == ["OK"]


def test_redis_py_watch_pipeline_retry_pattern(r, client_factory):
    other = client_factory()
    r.set("counter", "10")
    attempts = 0
    with r.pipeline() as pipe:
        while attempts < 5:
            attempts += 1
            try:
                pipe.watch("counter")
                value = int(pipe.get("counter"))
                if attempts == 1:
                    other.incr("counter")  # concurrent write forces a retry
                pipe.multi()
                pipe.set("counter", value + 1)
                pipe.execute()
                break
            except redis.WatchError:
                continue
    assert attempts == 2
    assert r.get("counter") == "12"


def test_redis_py_transaction_with_xadd_and_hset(r):
    pipe = r.pipeline(transaction=True)
    pipe.xadd("serving_stream", {"uri": "u1", "data": "abc"}, id="1-0")
    pipe.hset("cluster-serving_serving_stream:u1", "value", "result")
    pipe.xlen("serving_stream")
    pipe.hgetall("cluster-serving_serving_stream:u1")
    assert pipe.execute() == ["1-0", 1, 1, {"value": "result"}]


def test_redis_py_transaction_runtime_error_raised_after_exec(r):
    r.set("s", "v")
    pipe = r.pipeline(transaction=True)
    pipe.set("a", "1")
    pipe.lpush("s", "x")
    pipe.set("b", "2")
    with pytest.raises(redis.ResponseError) as e:
        pipe.execute()
    assert "WRONGTYPE Operation against a key holding the wrong kind of value" in \
        full_error(e.value)
    assert r.mget("a", "b") == ["1", "2"]


def test_redis_py_non_transactional_pipeline(r):
    pipe = r.pipeline(transaction=False)
    for i in range(50):
        pipe.rpush("l", i)
    pipe.llen("l")
    res = pipe.execute()
    assert res[:50] == list(range(1, 51))
    assert res[50] == 50


def test_subscribe_inside_multi_then_restricted_context(raw):
    raw.command("MULTI")
    raw.command("SET", "a", "1")
    raw.command("SUBSCRIBE", "ch")
    raw.send_command("EXEC")
    assert raw.read_raw_reply() == \
        b"*2\r\n+OK\r\n*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n"
    assert raw.command("MULTI") == RespError(
        "ERR Can't execute 'multi': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
        "RESET are allowed in this context")


@pytest.mark.parametrize("flush", ["FLUSHALL", "FLUSHDB"])
def test_watch_detects_a_flush_of_the_watched_key(raw, r, flush):
    r.set("w", "1")
    raw.command("WATCH", "w")
    r.execute_command(flush)
    raw.command("MULTI")
    raw.command("SET", "w", "2")
    assert raw.command("EXEC") is None
