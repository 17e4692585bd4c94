"""Wire protocol: inline commands, pipelining, malformed RESP, size limits.

All tests use raw sockets with bounded reads. After every protocol error the
server must close that connection and still answer PING on a new one."""

import threading
import pytest

from conftest import RespError


@pytest.fixture
def still_alive(raw_factory):
    """Call after a protocol error: a brand-new connection must get PONG."""

    def check():
        c = raw_factory()
        c.send(b"*1\r\n$4\r\nPING\r\n")
        assert c.read_raw_reply() == b"+PONG\r\n"
        c.send(b"PING\r\n")
        assert c.read_raw_reply() == b"+PONG\r\n"

    return check


def _error_then_close(conn, payload):
    conn.send(payload)
    return conn.read_until_closed(timeout=5)


# ------------------------------------------------------------------ inline
def test_inline_ping(raw):
    raw.send(b"PING\r\n")
    assert raw.read_raw_reply() == b"+PONG\r\n"


def test_inline_with_bare_newline(raw):
    raw.send(b"PING\n")
    assert raw.read_raw_reply() == b"+PONG\r\n"


def test_inline_command_with_quoted_argument(raw):
    raw.send(b'SET a "b c"\r\nGET a\r\n')
    assert raw.read_raw_reply() == b"+OK\r\n"
    assert raw.read_raw_reply() == b"$3\r\nb c\r\n"


def test_inline_single_quotes_and_escapes(raw):
    raw.send(b"SET a 'x y'\r\nGET a\r\n")
    assert raw.read_replies(2) == ["OK", b"x y"]
    raw.send(b'ECHO "a\\x41\\n"\r\n')
    assert raw.read_raw_reply() == b"$3\r\naA\n\r\n"
    raw.send(b'ECHO ""\r\n')
    assert raw.read_raw_reply() == b"$0\r\n\r\n"


def test_inline_empty_lines_are_ignored(raw):
    raw.send(b"\r\n   \r\nPING\r\n")
    assert raw.read_raw_reply() == b"+PONG\r\n"
    assert raw.nothing_pending(0.2)


def test_inline_unknown_command(raw):
    raw.send(b"FOO bar\r\n")
    assert raw.read_raw_reply() == \
        b"-ERR unknown command 'FOO', with args beginning with: 'bar' \r\n"


def test_inline_and_multibulk_can_be_mixed(raw):
    raw.send(b"SET k v\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\nDEL k\r\n")
    assert raw.read_replies(3) == ["OK", b"v", 1]


def test_inline_unbalanced_quotes(raw, still_alive):
    out = _error_then_close(raw, b'SET a "b\r\n')
    assert out == b"-ERR Protocol error: unbalanced quotes in request\r\n"
    still_alive()


def test_inline_closing_quote_must_be_followed_by_space(raw, still_alive):
    out = _error_then_close(raw, b'SET a "b"c\r\n')
    assert out == b"-ERR Protocol error: unbalanced quotes in request\r\n"
    still_alive()


def test_too_big_inline_request(raw, still_alive):
    out = _error_then_close(raw, b"A" * 70000)
    assert out == b"-ERR Protocol error: too big inline request\r\n"
    still_alive()


# -------------------------------------------------------------- pipelining
def test_pipelining_100_commands_in_one_send(raw):
    payload = b"".join(raw.encode("INCR", "counter") for _ in range(100))
    raw.send(payload)
    assert raw.read_replies(100) == list(range(1, 101))


def test_pipelining_mixed_commands_replies_in_order(raw):
    cmds = []
    for i in range(50):
        cmds.append(raw.encode("SET", f"k{i}", f"v{i}"))
        cmds.append(raw.encode("GET", f"k{i}"))
    raw.send(b"".join(cmds))
    replies = raw.read_replies(100)
    assert replies[0::2] == ["OK"] * 50
    assert replies[1::2] == [f"v{i}".encode() for i in range(50)]


def test_pipelined_errors_do_not_break_the_stream(raw):
    raw.send(raw.encode("SET", "a", "1") + raw.encode("NOPE") + raw.encode("GET", "a"))
    assert raw.read_replies(3) == [
        "OK", RespError("ERR unknown command 'NOPE', with args beginning with: "), b"1"]


def test_command_split_across_packets(raw):
    import time
    payload = raw.encode("SET", "split", "value-123")
    for i in range(len(payload)):
        raw.send(payload[i:i + 1])
        if i % 7 == 0:
            time.sleep(0.001)
    assert raw.read_raw_reply() == b"+OK\r\n"
    assert raw.command("GET", "split") == b"value-123"


def test_bulk_argument_containing_crlf(raw):
    raw.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\na\r\nbc\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n")
    assert raw.read_raw_reply() == b"+OK\r\n"
    assert raw.read_raw_reply() == b"$5\r\na\r\nbc\r\n"


def test_empty_multibulk_is_ignored(raw):
    raw.send(b"*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n")
    assert raw.read_raw_reply() == b"+PONG\r\n"
    assert raw.nothing_pending(0.2)


def test_partial_command_waits_for_rest(raw):
    raw.send(b"*1\r\n$4\r\nPI")
    assert raw.nothing_pending(0.3)
    raw.send(b"NG\r\n")
    assert raw.read_raw_reply() == b"+PONG\r\n"


# --------------------------------------------------------- malformed RESP
def test_invalid_multibulk_length(raw, still_alive):
    out = _error_then_close(raw, b"*abc\r\n")
    assert out == b"-ERR Protocol error: invalid multibulk length\r\n"
    still_alive()


def test_multibulk_length_too_large(raw, still_alive):
    out = _error_then_close(raw, b"*99999999999\r\n")
    assert out == b"-ERR Protocol error: invalid multibulk length\r\n"
    still_alive()


def test_invalid_bulk_length(raw, still_alive):
    out = _error_then_close(raw, b"*1\r\n$abc\r\n")
    assert out == b"-ERR Protocol error: invalid bulk length\r\n"
    still_alive()


def test_negative_bulk_length(raw, still_alive):
    out = _error_then_close(raw, b"*1\r\n$-1\r\n")
    assert out == b"-ERR Protocol error: invalid bulk length\r\n"
    still_alive()


def test_expected_dollar(raw, still_alive):
    out = _error_then_close(raw, b"*1\r\n+foo\r\n")
    assert out == b"-ERR Protocol error: expected '$', got '+'\r\n"
    still_alive()


def test_error_after_valid_command_in_same_packet(raw, still_alive):
    out = _error_then_close(raw, b"*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$-5\r\n")
    assert out == b"+PONG\r\n-ERR Protocol error: invalid bulk length\r\n"
    still_alive()


def test_commands_after_protocol_error_are_not_executed(raw, r, still_alive):
    out = _error_then_close(raw, b"*1\r\n$abc\r\n*3\r\n$3\r\nSET\r\n$1\r\nz\r\n$1\r\n1\r\n")
    assert out == b"-ERR Protocol error: invalid bulk length\r\n"
    assert r.get("z") is None
    still_alive()


def test_bulk_longer_than_proto_max_bulk_len(raw, r, still_alive):
    assert r.do("CONFIG", "SET", "proto-max-bulk-len", "1mb") == "OK"
    try:
        assert r.do("CONFIG", "GET", "proto-max-bulk-len") == ["proto-max-bulk-len", "1048576"]
        out = _error_then_close(raw, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n")
        assert out == b"-ERR Protocol error: invalid bulk length\r\n"
        still_alive()
        # exactly the limit is fine
        ok = raw.new()
        ok.send(ok.encode("SET", "k", b"x" * 1048576))
        assert ok.read_raw_reply() == b"+OK\r\n"
        assert r.do("STRLEN", "k") == 1048576
    finally:
        r.do("CONFIG", "SET", "proto-max-bulk-len", "512mb")
    assert r.do("CONFIG", "GET", "proto-max-bulk-len") == ["proto-max-bulk-len", "536870912"]


def test_proto_max_bulk_len_minimum(r):
    from conftest import raises_error
    with raises_error("ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') "
                      "- argument must be between 1048576 and 9223372036854775807 inclusive"):
        r.do("CONFIG", "SET", "proto-max-bulk-len", "1000")


def test_huge_bulk_length_number(raw, still_alive):
    out = _error_then_close(raw, b"*1\r\n$" + b"1" * 30 + b"\r\n")
    assert out == b"-ERR Protocol error: invalid bulk length\r\n"
    still_alive()


# ---------------------------------------------------------- reply shapes
def test_reply_types_resp2(raw):
    raw.send_command("SET", "k", "v")
    assert raw.read_raw_reply() == b"+OK\r\n"
    raw.send_command("GET", "nope")
    assert raw.read_raw_reply() == b"$-1\r\n"
    raw.send_command("EXISTS", "k")
    assert raw.read_raw_reply() == b":1\r\n"
    raw.send_command("MGET", "k", "nope")
    assert raw.read_raw_reply() == b"*2\r\n$1\r\nv\r\n$-1\r\n"
    raw.send_command("HGETALL", "nope")
    assert raw.read_raw_reply() == b"*0\r\n"


def test_reply_types_resp3(raw):
    raw.command("HELLO", "3")
    raw.command("SET", "k", "v")
    raw.command("HSET", "h", "f", "v")
    raw.send_command("GET", "nope")
    assert raw.read_raw_reply() == b"_\r\n"
    raw.send_command("HGETALL", "h")
    assert raw.read_raw_reply() == b"%1\r\n$1\r\nf\r\n$1\r\nv\r\n"
    raw.send_command("XREAD", "STREAMS", "nope", "0")
    assert raw.read_raw_reply() == b"_\r\n"
    raw.send_command("INCRBYFLOAT", "fl", "1.5")
    assert raw.read_raw_reply() == b"$3\r\n1.5\r\n"


def test_large_pipelined_write_and_read(raw):
    value = b"v" * 100_000
    raw.send(b"".join(raw.encode("SET", f"big{i}", value) for i in range(20)))
    assert raw.read_replies(20, timeout=10) == ["OK"] * 20
    raw.send(b"".join(raw.encode("GET", f"big{i}") for i in range(20)))
    assert raw.read_replies(20, timeout=10) == [value] * 20


def test_client_closing_mid_command_does_not_hurt_server(raw_factory, still_alive):
    c = raw_factory()
    c.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100\r\nabc")
    c.close()
    still_alive()


def test_huge_pipeline_is_answered_completely_and_in_order(raw):
    """60,000 writes sent in one burst: every reply comes back, in order (the server may pause reading,
    but must not drop or reorder anything)."""
    n = 60000
    payload = b"".join(raw.encode("INCR", "counter") for _ in range(n))
    got = bytearray()
    done = threading.Event()

    def reader():
        raw.sock.settimeout(30)
        while got.count(b"\r\n") < n:
            chunk = raw.sock.recv(1 << 20)
            if not chunk:
                break
            got.extend(chunk)
        done.set()

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    raw.send(payload)
    assert done.wait(60), "replies did not all arrive"
    replies = bytes(got).split(b"\r\n")[:n]
    assert replies[0] == b":1" and replies[-1] == b":%d" % n
    assert replies == [b":%d" % i for i in range(1, n + 1)]
