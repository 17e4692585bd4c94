"""Pub/Sub: SUBSCRIBE/PSUBSCRIBE/UNSUBSCRIBE/PUNSUBSCRIBE, PUBLISH, PUBSUB
introspection, RESP3 push messages and the RESP2 subscribed-context rules."""

import socket
import time

import pytest

from conftest import Push, RespError, raises_error, wait_until


def _get_message(ps, timeout=5.0):
    """Next non-None pubsub message from redis-py, bounded."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = ps.get_message(timeout=0.1)
        if m is not None:
            return m
    raise AssertionError("no pubsub message within timeout")


# ------------------------------------------------------------- raw RESP2
def test_subscribe_replies_per_channel(raw):
    raw.send_command("SUBSCRIBE", "a", "b")
    assert raw.read_raw_reply() == b"*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n"
    assert raw.read_raw_reply() == b"*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n"


def test_psubscribe_counts_all_subscriptions(raw):
    raw.send_command("SUBSCRIBE", "a")
    raw.read_reply()
    raw.send_command("PSUBSCRIBE", "n*")
    assert raw.read_raw_reply() == b"*3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:2\r\n"


def test_publish_returns_receiver_count_and_delivers(raw, raw_factory, r):
    raw.send_command("SUBSCRIBE", "news")
    raw.read_reply()
    p = raw_factory()
    p.send_command("PSUBSCRIBE", "n*")
    p.read_reply()
    assert r.publish("news", "hello") == 2
    assert raw.read_raw_reply() == b"*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n"
    assert p.read_raw_reply() == \
        b"*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$5\r\nhello\r\n"
    assert r.publish("zzz-nobody", "x") == 0


def test_client_subscribed_to_channel_and_matching_pattern_gets_both(raw, r):
    raw.send_command("SUBSCRIBE", "news")
    raw.read_reply()
    raw.send_command("PSUBSCRIBE", "ne*")
    raw.read_reply()
    assert r.publish("news", "m") == 2
    got = raw.read_replies(2)
    assert sorted(x[0] for x in got) == [b"message", b"pmessage"]


def test_binary_message_payload(raw, rb):
    raw.send_command("SUBSCRIBE", "bin")
    raw.read_reply()
    payload = b"\x00\r\n\xff" * 10
    assert rb.publish("bin", payload) == 1
    assert raw.read_reply() == [b"message", b"bin", payload]


def test_unsubscribe_specific_and_all(raw):
    raw.send_command("SUBSCRIBE", "a", "b", "c")
    raw.read_replies(3)
    raw.send_command("UNSUBSCRIBE", "a")
    assert raw.read_raw_reply() == b"*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:2\r\n"
    raw.send_command("UNSUBSCRIBE", "zz")   # not subscribed: still acknowledged
    assert raw.read_raw_reply() == b"*3\r\n$11\r\nunsubscribe\r\n$2\r\nzz\r\n:2\r\n"
    raw.send_command("UNSUBSCRIBE")
    got = raw.read_replies(2)
    assert sorted(g[1] for g in got) == [b"b", b"c"]
    assert sorted(g[2] for g in got) == [0, 1]
    assert all(g[0] == b"unsubscribe" for g in got)
    # back to normal mode
    assert raw.command("GET", "x") is None


def test_unsubscribe_without_subscriptions(raw):
    raw.send_command("UNSUBSCRIBE")
    assert raw.read_raw_reply() == b"*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n"
    raw.send_command("PUNSUBSCRIBE")
    assert raw.read_raw_reply() == b"*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n"


def test_punsubscribe(raw):
    raw.send_command("PSUBSCRIBE", "a*", "b*")
    raw.read_replies(2)
    raw.send_command("PUNSUBSCRIBE", "a*")
    assert raw.read_raw_reply() == b"*3\r\n$12\r\npunsubscribe\r\n$2\r\na*\r\n:1\r\n"
    raw.send_command("PUNSUBSCRIBE")
    assert raw.read_raw_reply() == b"*3\r\n$12\r\npunsubscribe\r\n$2\r\nb*\r\n:0\r\n"


def test_commands_not_allowed_in_resp2_subscribed_context(raw):
    raw.send_command("SUBSCRIBE", "a")
    raw.read_reply()
    assert raw.command("GET", "x") == RespError(
        "ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
        "RESET are allowed in this context")
    assert raw.command("XADD", "s", "*", "f", "v") == RespError(
        "ERR Can't execute 'xadd': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
        "RESET are allowed in this context")


def test_ping_in_resp2_subscribed_context(raw):
    raw.send_command("SUBSCRIBE", "a")
    raw.read_reply()
    raw.send_command("PING")
    assert raw.read_raw_reply() == b"*2\r\n$4\r\npong\r\n$0\r\n\r\n"
    raw.send_command("PING", "hi")
    assert raw.read_raw_reply() == b"*2\r\n$4\r\npong\r\n$2\r\nhi\r\n"


def test_reset_leaves_subscribed_context(raw):
    raw.send_command("SUBSCRIBE", "a")
    raw.read_reply()
    assert raw.command("RESET") == "RESET"
    assert raw.command("GET", "x") is None


def test_subscribe_arity(r):
    with raises_error("ERR wrong number of arguments for 'subscribe' command"):
        r.do("SUBSCRIBE")


# -------------------------------------------------------------- PUBSUB
def test_pubsub_channels_numsub_numpat(raw, raw_factory, r):
    raw.send_command("SUBSCRIBE", "news", "sport")
    raw.read_replies(2)
    other = raw_factory()
    other.send_command("SUBSCRIBE", "news")
    other.read_reply()
    other.send_command("PSUBSCRIBE", "n*", "s*")
    other.read_replies(2)
    assert sorted(r.do("PUBSUB", "CHANNELS")) == ["news", "sport"]
    assert r.do("PUBSUB", "CHANNELS", "n*") == ["news"]
    assert r.do("PUBSUB", "NUMSUB", "news", "sport", "none") == ["news", 2, "sport", 1, "none", 0]
    assert r.do("PUBSUB", "NUMSUB") == []
    assert r.do("PUBSUB", "NUMPAT") == 2


def test_pubsub_counts_drop_when_client_disconnects(raw_factory, r):
    c = raw_factory()
    c.send_command("SUBSCRIBE", "gone")
    c.read_reply()
    assert r.do("PUBSUB", "NUMSUB", "gone") == ["gone", 1]
    c.close()
    assert wait_until(lambda: r.do("PUBSUB", "NUMSUB", "gone") == ["gone", 0], timeout=5)
    assert r.do("PUBSUB", "CHANNELS") == []


def test_pubsub_unknown_subcommand(r):
    with raises_error("ERR unknown subcommand 'FOO'. Try PUBSUB HELP."):
        r.do("PUBSUB", "FOO")


# --------------------------------------------------------------- RESP3
def test_resp3_subscribe_uses_push_and_allows_commands(raw):
    raw.command("HELLO", "3")
    raw.send_command("SUBSCRIBE", "a")
    assert raw.read_raw_reply() == b">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n"
    raw.send_command("GET", "x")
    assert raw.read_raw_reply() == b"_\r\n"
    raw.send_command("PING")
    assert raw.read_raw_reply() == b"+PONG\r\n"


def test_resp3_message_is_a_push(raw, r):
    raw.command("HELLO", "3")
    raw.send_command("SUBSCRIBE", "a")
    raw.read_reply()
    assert r.publish("a", "m") == 1
    msg = raw.read_reply()
    assert isinstance(msg, Push)
    assert msg == [b"message", b"a", b"m"]


def test_resp3_publish_to_own_channel_push_precedes_reply(raw):
    raw.command("HELLO", "3")
    raw.send_command("SUBSCRIBE", "a")
    raw.read_reply()
    raw.send_command("PUBLISH", "a", "m")
    assert raw.read_raw_reply() == b">3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\nm\r\n"
    assert raw.read_raw_reply() == b":1\r\n"


def test_redis_py_resp3_pubsub(r3, r):
    ps = r3.pubsub()
    try:
        ps.subscribe("chan")
        m = _get_message(ps)
        assert m["type"] == "subscribe" and m["channel"] == "chan" and m["data"] == 1
        ps.psubscribe("ch*")
        m = _get_message(ps)
        assert m["type"] == "psubscribe" and m["data"] == 2
        assert r.publish("chan", "payload") == 2
        got = [_get_message(ps), _get_message(ps)]
        kinds = sorted((g["type"], g["data"]) for g in got)
        assert kinds == [("message", "payload"), ("pmessage", "payload")]
        ps.unsubscribe("chan")
        m = _get_message(ps)
        assert m["type"] == "unsubscribe" and m["data"] == 1
    finally:
        ps.close()


def test_redis_py_resp2_pubsub(client_factory, r):
    c = client_factory()
    ps = c.pubsub()
    try:
        ps.subscribe("chan")
        assert _get_message(ps)["type"] == "subscribe"
        r.publish("chan", "x")
        m = _get_message(ps)
        assert (m["type"], m["channel"], m["data"]) == ("message", "chan", "x")
    finally:
        ps.close()


def test_subscriber_that_never_reads_is_disconnected_not_buffered_forever(r, raw_factory):
    """Past the pub/sub output limit (32 MB in Redis) a subscriber that does not read is closed;
    the server and the publisher go on."""
    sub = raw_factory(timeout=5.0)
    sub.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sub.send_command("SUBSCRIBE", "firehose")
    assert sub.read_reply(5.0) == [b"subscribe", b"firehose", 1]
    payload = "x" * (256 * 1024)
    deadline = time.monotonic() + 30
    sent = 0
    while time.monotonic() < deadline and sent < 512:   # at most 128 MB
        pipe = r.pipeline(transaction=False)
        for _ in range(16):
            pipe.publish("firehose", payload)
        receivers = pipe.execute()
        sent += 16
        if receivers[-1] == 0:
            break
    assert r.execute_command("PUBSUB", "NUMSUB", "firehose") == ["firehose", 0]
    assert r.ping()
