"""Authentication: requirepass, AUTH, HELLO AUTH, NOAUTH rules (own server)."""

import pytest
import redis

from conftest import HOST, RawConnection, RespError, ServerHandle, raises_error

PASSWORD = "s3cret-pw"
NOAUTH = RespError("NOAUTH Authentication required.")
WRONGPASS = RespError("WRONGPASS invalid username-password pair or user is disabled.")
HELLO_NOAUTH = RespError(
    "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
    "AUTH <user> <pass> option can be used to authenticate the client and select the RESP "
    "protocol version at the same time")


@pytest.fixture(scope="module")
def auth_server():
    h = ServerHandle(password=PASSWORD)
    try:
        h.start()
        yield h
    finally:
        h.cleanup()


@pytest.fixture
def conn(auth_server):
    c = RawConnection(HOST, auth_server.port)
    yield c
    c.close()


def test_commands_before_auth_are_rejected(conn):
    for cmd in (("PING",), ("GET", "a"), ("SET", "a", "1"), ("XADD", "s", "*", "f", "v"),
                ("ECHO", "x"), ("CLIENT", "ID"), ("SUBSCRIBE", "x"), ("SELECT", "1")):
        assert conn.command(*cmd) == NOAUTH, cmd


def test_noauth_wire_format(conn):
    conn.send_command("GET", "a")
    assert conn.read_raw_reply() == b"-NOAUTH Authentication required.\r\n"


def test_wrong_password(conn):
    assert conn.command("AUTH", "wrong") == WRONGPASS
    assert conn.command("AUTH", "default", "wrong") == WRONGPASS
    assert conn.command("AUTH", "bob", PASSWORD) == WRONGPASS
    assert conn.command("GET", "a") == NOAUTH


def test_auth_with_password(conn):
    assert conn.command("AUTH", PASSWORD) == "OK"
    assert conn.command("SET", "a", "1") == "OK"
    assert conn.command("GET", "a") == b"1"


def test_auth_default_user_with_password(conn):
    assert conn.command("AUTH", "default", PASSWORD) == "OK"
    assert conn.command("PING") == "PONG"


def test_auth_syntax_errors(conn):
    assert conn.command("AUTH", "a", "b", "c") == RespError("ERR syntax error")
    assert conn.command("AUTH") == RespError("ERR wrong number of arguments for 'auth' command")


def test_hello_requires_authentication(conn):
    assert conn.command("HELLO", "3") == HELLO_NOAUTH
    assert conn.command("HELLO") == HELLO_NOAUTH
    assert conn.command("HELLO", "3", "SETNAME", "x") == HELLO_NOAUTH


def test_hello_3_auth_default_password(conn):
    reply = conn.command("HELLO", "3", "AUTH", "default", PASSWORD)
    assert reply[b"proto"] == 3
    assert reply[b"server"] == b"redis"
    conn.send_command("GET", "nope")
    assert conn.read_raw_reply() == b"_\r\n"


def test_hello_auth_wrong_password(conn):
    assert conn.command("HELLO", "3", "AUTH", "default", "wrong") == WRONGPASS
    assert conn.command("GET", "a") == NOAUTH


def test_hello_auth_missing_password_is_syntax_error(conn):
    assert conn.command("HELLO", "3", "AUTH", "default") == \
        RespError("ERR Syntax error in HELLO option 'AUTH'")


def test_hello_2_auth_and_setname(conn):
    reply = conn.command("HELLO", "2", "AUTH", "default", PASSWORD, "SETNAME", "authed")
    assert dict(zip(reply[0::2], reply[1::2]))[b"proto"] == 2
    assert conn.command("CLIENT", "GETNAME") == b"authed"


def test_reset_deauthenticates(conn):
    conn.command("AUTH", PASSWORD)
    assert conn.command("RESET") == "RESET"
    assert conn.command("GET", "a") == NOAUTH


def test_quit_is_allowed_before_auth(conn):
    conn.send_command("QUIT")
    assert conn.read_raw_reply() == b"+OK\r\n"


def test_exec_before_auth_is_execabort(conn):
    assert conn.command("MULTI") == NOAUTH
    assert conn.command("SET", "a", "1") == NOAUTH
    assert conn.command("EXEC") == RespError(
        "EXECABORT Transaction discarded because of: NOAUTH Authentication required.")


def test_redis_py_with_password(auth_server):
    c = auth_server.client()
    try:
        assert c.do("SET", "k", "v") == "OK"
        assert c.do("GET", "k") == "v"
    finally:
        c.close()
    c3 = auth_server.client(protocol=3)
    try:
        assert c3.do("GET", "k") == "v"
    finally:
        c3.close()


def test_redis_py_without_password_fails(auth_server):
    c = auth_server.client(password=None)
    try:
        with raises_error("NOAUTH Authentication required."):
            c.do("GET", "k")
    finally:
        c.close()


def test_redis_py_wrong_password_fails(auth_server):
    c = auth_server.client(password="nope")
    try:
        with pytest.raises(redis.AuthenticationError):
            c.ping()
    finally:
        c.close()


def test_auth_without_requirepass_is_an_error(r):
    with raises_error("ERR AUTH <password> called without any password configured for the "
                      "default user. Are you sure your configuration is correct?"):
        r.do("AUTH", "whatever")


def test_auth_default_user_without_requirepass_succeeds(r):
    assert r.do("AUTH", "default", "anything") == "OK"


def test_config_get_requirepass(auth_server):
    c = auth_server.client()
    try:
        assert c.do("CONFIG", "GET", "requirepass") == ["requirepass", PASSWORD]
    finally:
        c.close()
