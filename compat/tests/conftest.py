"""Fixtures for the cluster-serving Redis compatibility suite.

Target selection (environment variable CS_TARGET):

* ``CS_TARGET=redis``  -> a real ``redis-server`` (7.0.x) is started per session
  with ``--save '' --appendonly no``.
* anything else / unset -> our binary (``$CLUSTER_SERVING_BIN``, default
  ``<repo>/.build/release/cluster-serving`` if it exists, else
  ``<repo>/.build/debug/cluster-serving``) started as
  ``cluster-serving server --port P --bind 127.0.0.1 --dir DIR --appendfsync everysec``.

Every server is bound to 127.0.0.1 on a free port, waited for with PING (10 s
deadline) and stopped by PID (SIGTERM, then SIGKILL after a timeout).
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

HOST = "127.0.0.1"
TARGET = os.environ.get("CS_TARGET", "ours").strip().lower() or "ours"
# "redis-aof" is a self-check mode for the suite: real Redis with AOF enabled,
# so that the `ours` (durability) tests can be validated against Redis too.
IS_REDIS = TARGET in ("redis", "redis-aof")
REDIS_AOF = TARGET == "redis-aof"
REPO_ROOT = Path(__file__).resolve().parents[2]

READY_DEADLINE = 10.0
STOP_TIMEOUT = 10.0
SOCKET_TIMEOUT = 10.0
CLI_TIMEOUT = 15.0


def _default_ours_bin():
    env = os.environ.get("CLUSTER_SERVING_BIN")
    if env:
        return env
    release = REPO_ROOT / ".build" / "release" / "cluster-serving"
    if release.exists():
        return str(release)
    return str(REPO_ROOT / ".build" / "debug" / "cluster-serving")


def free_port():
    """Bind to port 0, read the port the kernel picked, close, return it."""
    last = None
    for _ in range(20):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind((HOST, 0))
            return s.getsockname()[1]
        except OSError as e:  # pragma: no cover - extremely unlikely
            last = e
        finally:
            s.close()
    raise RuntimeError(f"could not find a free port: {last}")


def _ping_once(port, password=None, timeout=1.0):
    """Return True if the server at port answers a PING (NOAUTH counts)."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(b"*1\r\n$4\r\nPING\r\n")
            data = b""
            while b"\r\n" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    return False
                data += chunk
            return data.startswith(b"+PONG") or data.startswith(b"-NOAUTH")
    except OSError:
        return False


class CompatRedis(redis.Redis):
    """redis.Redis plus `do(*args)`: run a command and return the reply exactly
    as parsed from the wire (no redis-py response callbacks), so tests can
    assert real replies ("OK", integers, nested lists ...)."""

    def do(self, *args):
        pool = self.connection_pool
        conn = pool.get_connection()
        try:
            conn.send_command(*args)
            return conn.read_response()
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            conn.disconnect()
            raise
        finally:
            pool.release(conn)


def full_error(exc):
    """The complete error line the server sent. redis-py moves the leading error code (e.g. "ERR ", "NOAUTH ")
    into exc.status_code; for codes it has no exception class for (WRONGTYPE, BUSYGROUP, ...) it also keeps the
    code in the message, and which codes those are differs between versions. Both forms give the same line here."""
    code = getattr(exc, "status_code", None)
    text = str(exc)
    if not code or text == code or text.startswith(code + " "):
        return text
    return f"{code} {text}"


@contextlib.contextmanager
def raises_error(expected):
    """Assert that the block raises a redis error whose full text (including
    the error code prefix) equals `expected` exactly."""
    with pytest.raises(redis.RedisError) as info:
        yield info
    assert full_error(info.value) == expected


class ServerHandle:
    """A server process we started; knows how to stop, kill and restart it."""

    def __init__(self, *, password=None, maxmemory=None, appendfsync="everysec",
                 extra_args=(), data_dir=None):
        self.host = HOST
        self.port = None
        self.password = password
        self.maxmemory = maxmemory
        self.appendfsync = appendfsync
        self.extra_args = list(extra_args)
        self._own_dir = data_dir is None
        self.dir = data_dir or tempfile.mkdtemp(prefix="cs-compat-")
        self.proc = None
        self.target = TARGET
        self._log = None
        self.starts = 0

    # ------------------------------------------------------------------ argv
    def argv(self):
        if IS_REDIS:
            argv = [shutil.which("redis-server") or "/usr/bin/redis-server",
                    "--port", str(self.port), "--bind", HOST,
                    "--save", "", "--dir", self.dir]
            if REDIS_AOF:
                argv += ["--appendonly", "yes", "--appendfsync", self.appendfsync]
            else:
                argv += ["--appendonly", "no"]
        else:
            argv = [_default_ours_bin(), "server", "--port", str(self.port),
                    "--bind", HOST, "--dir", self.dir,
                    "--appendfsync", self.appendfsync]
        if self.password is not None:
            argv += ["--requirepass", self.password]
        if self.maxmemory is not None:
            argv += ["--maxmemory", str(self.maxmemory)]
        return argv + self.extra_args

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    @property
    def log_path(self):
        return os.path.join(self.dir, f"server-{self.port}.log")

    def log_tail(self, n=4000):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""

    # ------------------------------------------------------------- lifecycle
    def start(self, keep_port=False):
        if not IS_REDIS and not os.path.exists(self.argv_bin()):
            raise RuntimeError(
                f"cluster-serving binary not found at {self.argv_bin()!r}; build it "
                f"or set CLUSTER_SERVING_BIN, or run with CS_TARGET=redis")
        attempts = 1 if keep_port else 5
        errors = []
        for _ in range(attempts):
            if not keep_port or self.port is None:
                self.port = free_port()
            if self._spawn_and_wait(errors):
                self.starts += 1
                return self
        raise RuntimeError(f"server failed to start: {' '.join(self.argv())!r}: "
                           + " | ".join(errors))

    def argv_bin(self):
        return self.argv()[0] if IS_REDIS else _default_ours_bin()

    def _spawn_and_wait(self, errors):
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.argv(), stdout=self._log,
                                     stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=self.dir)
        deadline = time.monotonic() + READY_DEADLINE
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                errors.append(f"exited with {self.proc.returncode}: {self.log_tail(800)}")
                self._close_log()
                self.proc = None
                return False
            if _ping_once(self.port):
                return True
            time.sleep(0.05)
        errors.append(f"not ready after {READY_DEADLINE}s: {self.log_tail(800)}")
        self.stop()
        return False

    def _close_log(self):
        if self._log is not None:
            self._log.close()
            self._log = None

    def stop(self):
        """SIGTERM our process, SIGKILL it if it does not exit in time."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(STOP_TIMEOUT)
        self._close_log()

    def kill9(self):
        """SIGKILL our process (simulated crash) and reap it."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(STOP_TIMEOUT)
        self._close_log()

    def restart(self, kill=False):
        """Stop (or kill -9) the server and start it again on the same port/dir."""
        if kill:
            self.kill9()
        else:
            self.stop()
        deadline = time.monotonic() + READY_DEADLINE
        errors = []
        while True:
            try:
                return self.start(keep_port=True)
            except RuntimeError as e:  # port may linger briefly; retry same port
                errors.append(str(e))
                if time.monotonic() > deadline:
                    raise RuntimeError("restart failed: " + " | ".join(errors))
                time.sleep(0.2)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def cleanup(self):
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    # --------------------------------------------------------------- clients
    def client(self, protocol=2, decode=True, **kw):
        kw.setdefault("socket_timeout", SOCKET_TIMEOUT)
        kw.setdefault("socket_connect_timeout", SOCKET_TIMEOUT)
        # no hidden retries: a failure must surface in the test that caused it
        kw.setdefault("retry", Retry(NoBackoff(), 0))
        if self.password is not None and "password" not in kw:
            kw["password"] = self.password
        return CompatRedis(host=self.host, port=self.port, protocol=protocol,
                           decode_responses=decode, **kw)

    def __repr__(self):
        return f"<ServerHandle {self.target} {self.host}:{self.port} pid={self.pid}>"


# ---------------------------------------------------------------- pytest hooks
def pytest_report_header(config):
    if IS_REDIS:
        return f"cluster-serving compat: target={TARGET} (redis-server)"
    return f"cluster-serving compat: target=ours ({_default_ours_bin()})"


def pytest_collection_modifyitems(config, items):
    if TARGET != "redis":
        return
    skip = pytest.mark.skip(reason="cluster-serving specific (CS_TARGET=redis)")
    for item in items:
        if "ours" in item.keywords:
            item.add_marker(skip)


# -------------------------------------------------------------------- fixtures
@pytest.fixture(scope="session")
def server():
    """Session-wide server. Has host, port, dir, pid and restart()."""
    h = ServerHandle()
    try:
        h.start()
        yield h
    finally:
        h.cleanup()


@pytest.fixture
def server_factory():
    """Start dedicated servers: server_factory(password=..., maxmemory=...,
    appendfsync=..., extra_args=[...]). Stopped at the end of the test."""
    started = []

    def make(**kw):
        h = ServerHandle(**kw)
        started.append(h)
        h.start()
        return h

    yield make
    for h in started:
        h.cleanup()


@pytest.fixture(autouse=True)
def _clean_server(request):
    """FLUSHALL the session server before each test (restarting it if a
    previous test left it dead). Tests marked `ours` that are skipped do not
    need it, but the cost is negligible."""
    if "server" not in request.fixturenames and not _uses_session_server(request):
        yield
        return
    h = request.getfixturevalue("server")
    if not h.alive() or not _ping_once(h.port):
        h.restart()
    c = h.client()
    try:
        c.flushall()
    finally:
        c.close()
    yield


_SESSION_CLIENT_FIXTURES = {"r", "rb", "r3", "cli", "raw", "raw_factory", "client_factory"}


def _uses_session_server(request):
    return bool(_SESSION_CLIENT_FIXTURES & set(request.fixturenames))


@pytest.fixture
def client_factory(server):
    """client_factory(protocol=2, decode=True, **redis_kwargs) -> new client."""
    made = []

    def make(protocol=2, decode=True, **kw):
        c = server.client(protocol=protocol, decode=decode, **kw)
        made.append(c)
        return c

    yield make
    for c in made:
        try:
            c.close()
        except Exception:
            pass


@pytest.fixture
def r(client_factory):
    return client_factory(protocol=2, decode=True)


@pytest.fixture
def rb(client_factory):
    return client_factory(protocol=2, decode=False)


@pytest.fixture
def r3(client_factory):
    return client_factory(protocol=3, decode=True)


def run_cli(port, *args, input=None, password=None, timeout=CLI_TIMEOUT):
    argv = [shutil.which("redis-cli") or "/usr/bin/redis-cli", "-h", HOST, "-p", str(port)]
    if password is not None:
        argv += ["--no-auth-warning", "-a", password]
    argv += [str(a) for a in args]
    res = subprocess.run(argv, input=input, capture_output=True, text=True,
                         timeout=timeout)
    return res.stdout


@pytest.fixture
def cli(server):
    """cli(*args, input=None) -> stdout of `redis-cli -h 127.0.0.1 -p PORT *args`.

    Note: redis-cli prints its "raw" format when stdout is not a tty; pass
    "--no-raw" as the first argument to get the interactive formatting."""

    def run(*args, input=None):
        return run_cli(server.port, *args, input=input)

    return run


# --------------------------------------------------------------- raw sockets
class RespError(Exception):
    """A RESP error reply (-ERR ... / !...) returned by RawConnection.read_reply."""

    def __init__(self, text):
        super().__init__(text)
        self.text = text

    def __eq__(self, other):
        return isinstance(other, RespError) and other.text == self.text

    def __hash__(self):
        return hash(self.text)

    def __repr__(self):
        return f"RespError({self.text!r})"


class Push(list):
    """A RESP3 push (>) reply."""


class RespParser:
    """Incremental RESP2/RESP3 parser. parse(buf, pos) -> (value, newpos) or
    None if buf does not yet contain a whole reply."""

    def _line(self, buf, pos):
        end = buf.find(b"\r\n", pos)
        if end < 0:
            return None
        return buf[pos:end], end + 2

    def parse(self, buf, pos=0):
        if pos >= len(buf):
            return None
        t = buf[pos:pos + 1]
        got = self._line(buf, pos + 1)
        if got is None:
            return None
        line, nxt = got
        if t == b"+":
            return line.decode("utf-8", "replace"), nxt
        if t == b"-":
            return RespError(line.decode("utf-8", "replace")), nxt
        if t == b":":
            return int(line), nxt
        if t == b",":
            return float(line), nxt
        if t == b"#":
            return line == b"t", nxt
        if t == b"_":
            return None, nxt
        if t == b"(":
            return int(line), nxt
        if t in (b"$", b"=", b"!"):
            n = int(line)
            if n < 0:
                return None, nxt
            if len(buf) < nxt + n + 2:
                return None
            data = bytes(buf[nxt:nxt + n])
            if t == b"!":
                return RespError(data.decode("utf-8", "replace")), nxt + n + 2
            return data, nxt + n + 2
        if t in (b"*", b"~", b">", b"%", b"|"):
            n = int(line)
            if n < 0:
                return None, nxt
            count = n * 2 if t in (b"%", b"|") else n
            items = []
            p = nxt
            for _ in range(count):
                got = self.parse(buf, p)
                if got is None:
                    return None
                v, p = got
                items.append(v)
            if t == b">":
                return Push(items), p
            if t in (b"%", b"|"):
                return dict(zip(items[0::2], items[1::2])) if all(
                    not isinstance(k, (list, dict)) for k in items[0::2]) else items, p
            return items, p
        raise ValueError(f"unknown RESP type byte {t!r} in {bytes(buf[pos:pos+40])!r}")


class RawConnection:
    """Plain TCP connection with bounded reads, for protocol-level tests."""

    def __init__(self, host, port, timeout=5.0):
        self.timeout = timeout
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.settimeout(timeout)
        self.buf = b""
        self.parser = RespParser()

    # sending
    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    @staticmethod
    def encode(*args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            if isinstance(a, str):
                a = a.encode()
            elif isinstance(a, int):
                a = str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        return b"".join(out)

    def send_command(self, *args):
        self.send(self.encode(*args))

    def command(self, *args, timeout=None):
        self.send_command(*args)
        return self.read_reply(timeout)

    # receiving
    def _fill(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("timed out waiting for reply; buffered=%r" % self.buf[:200])
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            raise TimeoutError("timed out waiting for reply; buffered=%r" % self.buf[:200])
        if not chunk:
            raise ConnectionError("connection closed by server; buffered=%r" % self.buf[:200])
        self.buf += chunk

    def read_reply(self, timeout=None):
        """Read and parse one reply (RespError for errors, Push for pushes)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            got = self.parser.parse(self.buf, 0)
            if got is not None:
                v, p = got
                self.buf = self.buf[p:]
                return v
            self._fill(deadline)

    def read_raw_reply(self, timeout=None):
        """Read one reply and return its exact bytes on the wire."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            got = self.parser.parse(self.buf, 0)
            if got is not None:
                _, p = got
                raw, self.buf = self.buf[:p], self.buf[p:]
                return raw
            self._fill(deadline)

    def read_replies(self, n, timeout=None):
        return [self.read_reply(timeout) for _ in range(n)]

    def read_exactly(self, n, timeout=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        while len(self.buf) < n:
            self._fill(deadline)
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read_until_closed(self, timeout=None):
        """Read everything until the server closes the connection. Returns the
        bytes received (including already buffered ones). Raises TimeoutError
        if the connection is still open after the timeout."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            try:
                self._fill(deadline)
            except ConnectionError:
                out, self.buf = self.buf, b""
                return out
            except OSError as e:
                if isinstance(e, TimeoutError):
                    raise
                out, self.buf = self.buf, b""  # ECONNRESET counts as closed
                return out

    def nothing_pending(self, wait=0.2):
        """True if no bytes arrive within `wait` seconds."""
        if self.buf:
            return False
        self.sock.settimeout(wait)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            return True
        finally:
            self.sock.settimeout(self.timeout)
        self.buf += chunk
        return False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


@pytest.fixture
def raw_factory(server):
    """raw_factory(port=None, timeout=5.0) -> RawConnection (closed at teardown)."""
    conns = []

    def make(port=None, timeout=5.0):
        c = RawConnection(HOST, port or server.port, timeout=timeout)
        conns.append(c)
        return c

    yield make
    for c in conns:
        c.close()


@pytest.fixture
def raw(raw_factory):
    """A RawConnection to the session server; raw.new() opens another one."""
    c = raw_factory()
    c.new = raw_factory
    return c


# ---------------------------------------------------------------- helpers
def wait_until(predicate, timeout=5.0, interval=0.02):
    """Poll predicate until it returns truthy or timeout; returns last value."""
    deadline = time.monotonic() + timeout
    while True:
        v = predicate()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(interval)


def ping_server(port, timeout=2.0):
    return _ping_once(port, timeout=timeout)
