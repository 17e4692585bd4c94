"""Runs fuzz cases on both servers side by side and records crashes, hangs and reply differences.

Per case: the fixture is restored on both servers when the previous case may have changed it; the command goes
to both; a PING follows on the same connection (its reply also ends the command's replies: SUBSCRIBE answers
once per channel); our server not answering it means a crash (the process is gone) or a hang (alive, silent).
After a write that did not fail, probes read the keys it named, because several crashes only show on a later
ordinary command once an extreme value is stored.
"""

import os
import shutil
import time

from conftest import RespError

from .commands import Case
from .endpoint import CLOSED, NO_REPLY, Endpoint
from .fixture import CONFIG_RESTORE, KEY_NAMES, RESET, probes
from .report import Report, describe
from .servers import crash_summary

COMMAND_TIMEOUT = 10.0      # a non-blocking command: plenty for the debug binary and a 1 MB argument
BLOCK_WINDOW = 0.5          # how long Redis may take before we call a blocking command "blocked"
HANG_GRACE = 2.5            # how much longer than Redis our server may take to answer a blocked command
PING_REPLIES = ("PONG", "QUEUED")


def _ping_reply(reply):
    """The reply to our trailing PING: PONG, QUEUED inside MULTI, [pong, ""] in RESP2 subscribe mode."""
    if reply in PING_REPLIES:
        return True
    return isinstance(reply, list) and len(reply) == 2 and reply[0] in (b"pong", "pong")


def _wake_commands(case):
    """Commands that give a blocked command data: a push or an entry on the first key it waits on."""
    name, args = case.command.words[0], case.args
    if name in ("blpop", "brpop") and len(args) >= 2:
        return [["RPUSH", args[0], "wake"]]
    if name in ("blmove", "brpoplpush") and args:
        return [["RPUSH", args[0], "wake"]]
    if name in ("xread", "xreadgroup"):
        upper = [a.upper() for a in args]
        if "STREAMS" in upper:
            rest = args[upper.index("STREAMS") + 1:]
            if rest:
                return [["XADD", rest[0], "*", "wake", "1"]]
    return []


def _still_running(server, grace=5.0):
    """False if the process exits within `grace` seconds (a crash may take a moment to finish)."""
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not server.alive():
            return False
        time.sleep(0.05)
    return True


class Fuzzer:
    def __init__(self, ours_server, redis_server, allowlist, log=print):
        self.ours = Endpoint("ours", ours_server)
        self.redis = Endpoint("redis", redis_server)
        self.report = Report(allowlist)
        self.log = log
        self.dirty = True
        self.config_dirty = False
        self.history = []           # the current sequence, for crash reports
        for e in (self.ours, self.redis):
            e.connect()

    def close(self):
        self.ours.close()
        self.redis.close()

    # ---------------------------------------------------------------- phases
    def run_cases(self, cases, deadline):
        for case in cases:
            if time.monotonic() > deadline:
                self.report.stopped_early = True
                return
            self._reset_if_dirty()
            self.history = []
            self._run(case)

    def run_sequences(self, sequences, deadline):
        for sequence in sequences:
            if time.monotonic() > deadline:
                self.report.stopped_early = True
                return
            self.dirty = True
            self._reset_if_dirty()
            self.history = []
            for case in sequence:
                self._run(case)

    def run_ours_only(self, commands, command_of):
        """Commands whose Redis reply is endless: our server must start answering and survive the client
        leaving mid-reply. `command_of(words)` gives the Command for reporting."""
        for words in commands:
            self._reset_if_dirty()
            case = Case(command_of(words), words[1:], "ours-only")
            self.history = [case]
            self.report.count(case)
            self.ours.send(words)
            first = self.ours.read_first_line(COMMAND_TIMEOUT)
            if first == NO_REPLY:
                self._ours_silent(case, "no reply within %.0f s" % COMMAND_TIMEOUT)
            else:
                self._check_alive(self.ours, case.describe(), case)  # reconnects: drops the rest of the reply
            self.dirty = True

    # ------------------------------------------------------------------ reset
    def _reset_if_dirty(self):
        if not self.dirty:
            return
        # RESET first: it leaves MULTI and subscribe mode, in which the rest would be queued or refused
        commands = RESET[:1] + (CONFIG_RESTORE if self.config_dirty else []) + RESET[1:]
        for endpoint in (self.redis, self.ours):
            replies = endpoint.pipeline(commands)
            if any(r in (CLOSED, NO_REPLY) for r in replies):
                last = self.history[-1] if self.history else None
                self._recover(endpoint, "the fixture reset after " + (last.describe() if last else "start"), last)
                endpoint.pipeline(commands)
        self.dirty = self.config_dirty = False

    # ------------------------------------------------------------------- case
    def _run(self, case):
        self.history.append(case)
        self.report.count(case)
        words = case.words
        if case.command.words[0] == "config":
            self.config_dirty = True
        if case.command.writes:
            self.dirty = True
        if case.command.blocking:
            redis_reply, ours_reply = self._run_blocking(case)
        else:
            for endpoint in (self.redis, self.ours):
                endpoint.send(words)
            redis_reply = self.redis.read(COMMAND_TIMEOUT)
            ours_reply = self.ours.read(COMMAND_TIMEOUT)
            if ours_reply == NO_REPLY and redis_reply != NO_REPLY:
                self._ours_silent(case, "no reply within %.0f s" % COMMAND_TIMEOUT)
        redis_tail = self._finish(self.redis, case, redis_reply)
        ours_tail = self._finish(self.ours, case, ours_reply)
        self.report.compare(case, describe(ours_reply, ours_tail, case.words),
                            describe(redis_reply, redis_tail, case.words))
        if case.command.writes and (not isinstance(ours_reply, RespError) or not isinstance(redis_reply, RespError)):
            self._probe(case)

    def _run_blocking(self, case):
        """Both servers get the command at once; one Redis blocks on for real is woken on both, then unblocked."""
        for endpoint in (self.redis, self.ours):
            endpoint.send(case.words)
        started = time.monotonic()
        redis_reply = self.redis.read(BLOCK_WINDOW)
        redis_took = time.monotonic() - started
        if redis_reply != NO_REPLY:
            ours_reply = self.ours.read(max(redis_took + HANG_GRACE - (time.monotonic() - started), 0.05))
            if ours_reply == NO_REPLY:
                self._ours_silent(case, "Redis answered in %.3f s, ours not in %.1f s more" % (redis_took, HANG_GRACE))
            return redis_reply, ours_reply
        ours_reply = self.ours.read(0.01)
        blocked_reply = "(blocked)"
        for endpoint in (self.redis, self.ours):
            for words in _wake_commands(case):
                endpoint.wake(words)
        redis_reply = self.redis.read(2.0)
        if redis_reply == NO_REPLY:
            self.redis.unblock_main()
            redis_reply = self.redis.read(2.0)
        if ours_reply == NO_REPLY:
            ours_reply = self.ours.read(2.0 + HANG_GRACE)
            if ours_reply == NO_REPLY:
                self.ours.unblock_main()
                ours_reply = self.ours.read(HANG_GRACE)
                if ours_reply == NO_REPLY and redis_reply != NO_REPLY:
                    self._ours_silent(case, "still blocked after the key got data and CLIENT UNBLOCK")
                elif ours_reply == NO_REPLY:
                    self._check_alive(self.ours, case.describe(), case)
            ours_reply = blocked_reply if ours_reply not in (NO_REPLY, CLOSED) else ours_reply
        if redis_reply == NO_REPLY:
            self._check_alive(self.redis, case.describe(), case)
        return (blocked_reply if redis_reply != NO_REPLY else NO_REPLY), ours_reply

    def _finish(self, endpoint, case, first):
        """Read the command's further replies up to our PING's (SUBSCRIBE answers once per channel) and check
        the server is alive. Returns the further replies, ending with CLOSED / NO_REPLY if it went silent."""
        if first in (CLOSED, NO_REPLY):
            self._check_alive(endpoint, case.describe(), case)
            return []
        extra = []
        if not endpoint.send(["PING"]):
            self._check_alive(endpoint, case.describe(), case)
            return [CLOSED]
        deadline = time.monotonic() + COMMAND_TIMEOUT
        while True:
            reply = endpoint.read(max(deadline - time.monotonic(), 0.01))
            if _ping_reply(reply):
                return extra
            if reply in (CLOSED, NO_REPLY):
                self._check_alive(endpoint, case.describe(), case)
                return extra + [reply]
            extra.append(reply)

    def _probe(self, case):
        keys = [k for k in dict.fromkeys(case.args) if k in KEY_NAMES]
        for key in keys:
            kind = self.ours.pipeline([["TYPE", key]])[0]
            if not isinstance(kind, str) or kind in ("none", "QUEUED"):
                continue
            commands = probes(key, kind)
            ours = self.ours.pipeline(commands)
            redis = self.redis.pipeline(commands)
            if ours[-1] in (CLOSED, NO_REPLY):
                what = "one of the probes of %s after it" % key
                if ours[-1] == NO_REPLY:
                    self._ours_silent(case, "no reply to " + what)
                elif not self._check_alive(self.ours, what, case):
                    self._locate_probe_crash(commands)
                return
            for n, words in enumerate(commands):
                o = ours[n] if n < len(ours) else CLOSED
                r = redis[n] if n < len(redis) else CLOSED
                self.report.compare_probe(case, words, describe(o, [], words), describe(r, [], words))

    def _locate_probe_crash(self, commands):
        """Probes go pipelined, and our server flushes replies at the end of a batch, so the probe that crashed
        it is unknown: replay the sequence on our server alone, then the probes one at a time."""
        if any(c.command.blocking for c in self.history):
            return
        self.ours.pipeline(RESET)
        for past in self.history:
            if self.ours.pipeline([past.words])[-1] in (CLOSED, NO_REPLY):
                break
        else:
            for words in commands:
                if self.ours.pipeline([words])[-1] in (CLOSED, NO_REPLY):
                    self.report.crashes[-1].detail = self.report.crashes[-1].detail.replace(
                        "one of the probes", "probe " + " ".join(words), 1)
                    break
        if not self.ours.server.alive() or not self.ours.answers_ping():
            self._recover(self.ours, "replay", None)

    # --------------------------------------------------------------- recovery
    def _check_alive(self, endpoint, what, case):
        """After a closed or silent connection: reconnect if the server answers, else record and restart it."""
        if endpoint.server.alive() and endpoint.answers_ping():
            try:
                endpoint.connect()
                self.dirty = True
                return True
            except (OSError, ConnectionError, TimeoutError):
                pass
        self._recover(endpoint, what, case)
        return False

    def _ours_silent(self, case, what):
        """Our server did not answer a command Redis answered: a hang of that connection if the server still
        answers others, else a crash or a hang of the whole server (_recover tells which)."""
        if self.ours.server.alive() and self.ours.answers_ping():
            self.report.hang(case, self.history, what + " (other connections are still served)")
            self.ours.connect()
            self.dirty = True
        else:
            self._recover(self.ours, case.describe(), case)

    def _recover(self, endpoint, what, case):
        """The server is gone or silent: record it (ours only; Redis failing is a fuzzer bug) and restart it."""
        alive = _still_running(endpoint.server)
        if endpoint is self.ours and case is not None:
            if alive:
                self.report.hang(case, self.history, f"server silent (PING on a new connection) after {what}")
            else:
                self.report.crash(case, self.history, what,
                                  crash_summary(endpoint.server.log_tail(6000), endpoint.server.binary))
        elif endpoint is self.redis:
            self.report.fuzzer_errors.append(f"redis-server did not answer after {what}")
        self.log(f"[fuzz] {endpoint.name} {'silent' if alive else 'died'} after {what}; restarting")
        if alive:
            endpoint.server.kill9()
        else:
            endpoint.server.stop()
        shutil.rmtree(endpoint.server.dir, ignore_errors=True)  # a stored extreme value could crash the start too
        os.makedirs(endpoint.server.dir, exist_ok=True)
        endpoint.server.restart()
        endpoint.connect()
        self.dirty = True
