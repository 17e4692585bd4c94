"""Durability of cluster-serving (our server only: skipped with CS_TARGET=redis,
which runs Redis with persistence disabled).

* --appendfsync always: every acknowledged write survives kill -9.
* stream ids keep increasing across restarts, also after the top entry was
  deleted.
* consumer groups, PEL entries (owner + delivery count), stream metadata and
  TTLs survive a restart (graceful and kill -9).
"""

import threading
import time

import pytest
import redis

pytestmark = pytest.mark.ours

LOAD_SECONDS = 1.0


def _id(s):
    ms, seq = s.split("-")
    return int(ms), int(seq)


def _pairs(flat):
    return dict(zip(flat[0::2], flat[1::2]))


class Writer(threading.Thread):
    """XADD + HSET in a loop, recording every acknowledged reply, until the
    connection dies or stop is set."""

    def __init__(self, handle):
        super().__init__(daemon=True)
        self.client = handle.client(socket_timeout=5)
        self.stop = threading.Event()
        self.acked_ids = []
        self.acked_fields = {}
        self.error = None

    def run(self):
        n = 0
        try:
            while not self.stop.is_set():
                sid = self.client.do("XADD", "durable_stream", "*", "n", str(n),
                                     "payload", "x" * 64)
                self.acked_ids.append((sid, str(n)))
                field, value = f"f{n}", f"v{n}"
                assert self.client.do("HSET", "durable_hash", field, value) == 1
                self.acked_fields[field] = value
                n += 1
        except (redis.ConnectionError, redis.TimeoutError, OSError) as e:
            self.error = e
        finally:
            try:
                self.client.close()
            except Exception:
                pass


def test_acknowledged_writes_survive_kill9(server_factory):
    h = server_factory(appendfsync="always")
    w = Writer(h)
    w.start()
    time.sleep(LOAD_SECONDS)
    h.kill9()                       # mid-load crash
    w.stop.set()
    w.join(15)
    assert not w.is_alive(), "writer thread did not stop"
    assert len(w.acked_ids) > 0, "no write was acknowledged before the kill"

    h.restart()
    c = h.client()
    try:
        entries = {sid: _pairs(fields) for sid, fields in
                   c.do("XRANGE", "durable_stream", "-", "+")}
        for sid, n in w.acked_ids:
            assert sid in entries, f"acknowledged XADD {sid} lost"
            assert entries[sid]["n"] == n
        # at most the single in-flight, unacknowledged XADD may be extra
        assert len(entries) - len(w.acked_ids) in (0, 1)

        stored = _pairs(c.do("HGETALL", "durable_hash"))
        for field, value in w.acked_fields.items():
            assert stored.get(field) == value, f"acknowledged HSET {field} lost"

        top = max(_id(s) for s in entries)
        new = c.do("XADD", "durable_stream", "*", "n", "after-restart")
        assert _id(new) > top
        assert all(_id(new) > _id(sid) for sid, _ in w.acked_ids)
    finally:
        c.close()


def _setup_groups_and_ttls(c):
    for i in range(1, 6):
        c.do("XADD", "jobs", f"{i}-0", "uri", f"u{i}")
    c.do("XGROUP", "CREATE", "jobs", "serving", "0")
    c.do("XGROUP", "CREATE", "jobs", "idle-group", "$")
    c.do("XREADGROUP", "GROUP", "serving", "w1", "COUNT", "2", "STREAMS", "jobs", ">")
    c.do("XREADGROUP", "GROUP", "serving", "w2", "COUNT", "1", "STREAMS", "jobs", ">")
    c.do("XACK", "jobs", "serving", "1-0")
    c.do("XCLAIM", "jobs", "serving", "w2", "0", "2-0", "RETRYCOUNT", "5")
    c.do("XGROUP", "CREATECONSUMER", "jobs", "serving", "w3")
    c.do("XDEL", "jobs", "5-0")             # top entry deleted
    c.do("SET", "ttl:string", "v", "EX", "1000")
    c.do("HSET", "cluster-serving_serving_stream:u1", "value", "res")
    c.do("PEXPIRE", "cluster-serving_serving_stream:u1", "500000")
    c.do("SET", "no-ttl", "v")
    c.do("SELECT", "9")
    c.do("SET", "in-db9", "nine")
    c.do("SELECT", "0")


def _snapshot(c):
    return {
        "pending": c.do("XPENDING", "jobs", "serving"),
        "pending_ext": [(e[0], e[1], e[3]) for e in
                        c.do("XPENDING", "jobs", "serving", "-", "+", "10")],
        # entries-read / lag are derived bookkeeping; real Redis does not
        # restore entries-read from its AOF either, so they are not compared
        "groups": [{k: v for k, v in _pairs(g).items() if k not in ("entries-read", "lag")}
                   for g in c.do("XINFO", "GROUPS", "jobs")],
        "consumers": sorted((_pairs(x)["name"], _pairs(x)["pending"])
                            for x in c.do("XINFO", "CONSUMERS", "jobs", "serving")),
        "stream": {k: v for k, v in _pairs(c.do("XINFO", "STREAM", "jobs")).items()
                   if k in ("length", "last-generated-id", "max-deleted-entry-id",
                            "entries-added", "recorded-first-entry-id", "groups",
                            "first-entry", "last-entry")},
        "entries": c.do("XRANGE", "jobs", "-", "+"),
    }


@pytest.mark.parametrize("kill", [False, True], ids=["sigterm", "kill9"])
def test_groups_pel_and_ttls_survive_restart(server_factory, kill):
    h = server_factory(appendfsync="always")
    c = h.client()
    _setup_groups_and_ttls(c)
    before = _snapshot(c)
    c.close()
    assert before["pending"][0] == 2
    assert before["pending_ext"] == [("2-0", "w2", 5), ("3-0", "w2", 1)]

    h.restart(kill=kill)
    c = h.client()
    try:
        after = _snapshot(c)
        assert after == before
        assert 900_000 < c.do("PTTL", "ttl:string") <= 1_000_000
        assert 0 < c.do("PTTL", "cluster-serving_serving_stream:u1") <= 500_000
        assert c.do("TTL", "no-ttl") == -1
        assert c.do("HGET", "cluster-serving_serving_stream:u1", "value") == "res"
        c.do("SELECT", "9")
        assert c.do("GET", "in-db9") == "nine"
        c.do("SELECT", "0")
        # the deleted top id 5-0 is never handed out again
        assert _id(c.do("XADD", "jobs", "*", "uri", "u6")) > (5, 0)
        with pytest.raises(redis.ResponseError):
            c.do("XADD", "jobs", "5-0", "uri", "dup")
        # the group keeps working where it left off
        got = c.do("XREADGROUP", "GROUP", "serving", "w1", "STREAMS", "jobs", ">")
        assert [e[1][1] for e in got[0][1]] == ["u4", "u6"]
        assert c.do("XACK", "jobs", "serving", "2-0", "3-0") == 2
    finally:
        c.close()


def test_expired_keys_stay_expired_after_restart(server_factory):
    h = server_factory(appendfsync="always")
    c = h.client()
    c.do("SET", "short", "v", "PX", "200")
    c.do("SET", "long", "v", "EX", "1000")
    c.close()
    time.sleep(0.4)
    h.restart(kill=True)
    c = h.client()
    try:
        assert c.do("EXISTS", "short") == 0
        assert c.do("GET", "long") == "v"
    finally:
        c.close()


def test_graceful_restart_with_everysec_keeps_data(server):
    """The session server (--appendfsync everysec) flushes on SIGTERM."""
    c = server.client()
    c.do("XADD", "everysec", "1-0", "f", "v")
    c.do("HSET", "h", "f", "v")
    c.close()
    server.restart()
    c = server.client()
    try:
        assert c.do("XRANGE", "everysec", "-", "+") == [["1-0", ["f", "v"]]]
        assert c.do("HGETALL", "h") == ["f", "v"]
    finally:
        c.close()


def test_restart_many_times_keeps_stream_consistent(server_factory):
    h = server_factory(appendfsync="always")
    last = (0, 0)
    for round_ in range(3):
        c = h.client()
        try:
            for _ in range(20):
                sid = _id(c.do("XADD", "s", "*", "r", str(round_)))
                assert sid > last
                last = sid
            assert c.do("XLEN", "s") == 20 * (round_ + 1)
        finally:
            c.close()
        h.restart(kill=(round_ % 2 == 1))
    c = h.client()
    try:
        assert c.do("XLEN", "s") == 60
        info = _pairs(c.do("XINFO", "STREAM", "s"))
        assert info["entries-added"] == 60
        assert _id(info["last-generated-id"]) == last
    finally:
        c.close()
