"""Crashes and full queues: every input is answered exactly once, and nothing accepted is dropped."""
import collections
import threading
import time

import numpy as np
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from conftest import client_module


def payload(value):
    """The stock client's encoding of one [3, 8, 8] input (what InputQueue.enqueue XADDs as `data`)."""
    queue = client_module("zoo").InputQueue.__new__(client_module("zoo").InputQueue)
    return queue.data_to_b64(image=np.full((3, 8, 8), value, dtype=np.float32))


def add_inputs(r, stream, uris):
    data = payload(25.0)
    pipe = r.pipeline(transaction=False)
    for uri in uris:
        pipe.xadd(stream, {"uri": uri, "data": data})
    return pipe.execute(raise_on_error=False)


class ResultWatcher(threading.Thread):
    """Takes results as they appear (reads and deletes them), counting how often each uri was answered."""

    def __init__(self, port, job):
        super().__init__(daemon=True)
        self.port = port
        self.r = self.connect()
        self.prefix = f"cluster-serving_{job}:"
        self.seen = collections.Counter()
        self.values = {}
        self.stopping = False

    def run(self):
        uncertain = set()  # keys whose DEL may have run when the crash cut the connection
        while not self.stopping:
            try:
                for key in list(uncertain):
                    # Only this watcher deletes results: a key that is gone was deleted by the DEL whose reply was lost.
                    if not self.r.exists(key):
                        self.count(key)
                    uncertain.discard(key)
                for key in self.r.keys(self.prefix + "*"):
                    value = self.r.hget(key, "value")
                    try:
                        deleted = self.r.delete(key)
                    except (redis.exceptions.RedisError, OSError):
                        uncertain.add(key)
                        raise
                    if deleted:
                        self.count(key, value)
            except (redis.exceptions.RedisError, OSError):
                # The server is down between the crash and the restart; the connection is made again.
                self.r = self.connect()
            time.sleep(0.01)

    def connect(self):
        # No retries: redis-py 6+ resends a command whose connection broke, so a DEL that ran just before the crash
        # would be sent again after the restart, answer 0, and the result it took would go uncounted.
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5, retry=Retry(NoBackoff(), 0))

    def count(self, key, value=None):
        uri = key.decode()[len(self.prefix):]
        self.seen[uri] += 1
        if value is not None:
            self.values[uri] = value


def test_kill_9_while_serving_then_restart_answers_every_input_exactly_once(serving):
    n = 3000
    s = serving(batchSize=4)
    s.start()
    s.cli("stop")  # hold the inputs until they are all queued
    uris = [f"crash-{i}" for i in range(n)]
    add_inputs(s.redis(), s.job, uris)
    watcher = ResultWatcher(s.port, s.job)
    watcher.start()
    s.cli("start", "--detach")
    deadline = time.time() + 60
    while sum(watcher.seen.values()) < 100 and time.time() < deadline:
        time.sleep(0.005)
    s.kill()  # SIGKILL mid-stream
    answered_before_crash = sum(watcher.seen.values())
    assert 0 < answered_before_crash < n, "the crash must land while inputs are still waiting"
    s.start()
    deadline = time.time() + 120
    while len(watcher.seen) < n and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # a late duplicate would show up here
    watcher.stopping = True
    watcher.join(5)
    missing = sorted(set(uris) - set(watcher.seen))
    r = s.redis()
    assert not missing, (f"{len(missing)} never answered, e.g. {missing[:3]}; result keys left: "
                         f"{len(r.keys(watcher.prefix + '*'))}, stream length {r.xlen(s.job)}, "
                         f"pending {r.xpending(s.job, 'serving')}")
    assert set(watcher.seen.values()) == {1}
    assert all(v != b"NaN" for v in watcher.values.values())
    assert s.redis().xlen(s.job) == 0


def test_a_full_queue_refuses_new_inputs_and_serves_every_accepted_one(serving, capfd):
    s = serving(redisMaxMemory="3mb")
    s.start()
    s.cli("stop")
    r = s.redis()
    accepted, refused = [], 0
    for round_ in range(40):
        uris = [f"full-{round_}-{i}" for i in range(100)]
        for uri, reply in zip(uris, add_inputs(r, s.job, uris)):
            if isinstance(reply, Exception):
                assert isinstance(reply, redis.exceptions.OutOfMemoryError)
                refused += 1
            else:
                accepted.append(uri)
        if refused:
            break
    assert refused > 0 and accepted
    # The stock client sees the same and says so (it drops the record, as the original client does).
    s.input_queue().enqueue("one-more", image=np.zeros((3, 8, 8), dtype=np.float32))
    assert "Redis queue is full" in capfd.readouterr().out
    assert r.xlen(s.job) == len(accepted)  # nothing trimmed
    s.cli("start", "--detach")
    for uri in accepted:
        s.wait_result(uri, timeout=60)
