"""A whole fuzz run: freeze our binary, start both servers, build the cases, run them, report.

Standalone (from the repository root):
    .venv/bin/python -m compat.fuzz.main            # same knobs as the test: CS_FUZZ_SEED, CS_FUZZ_CASES, ...
"""

import os
import random
import sys
import time

from conftest import HOST, RawConnection

from .commands import OURS_ONLY, build_catalog, random_sequences, systematic_cases
from .report import load_allowlist
from .runner import Fuzzer
from .servers import OursServer, RedisServer, freeze_binary

# Commands never sent, and why. Everything else in our COMMAND table is fuzzed, including QUIT, RESET, HELLO,
# MULTI and the SUBSCRIBE family: the fixture reset starts with RESET, and a closed connection is reopened.
SKIPPED = {
    "SHUTDOWN": "stops the server under test",
    "MONITOR": "turns the connection into a feed of every other connection's commands: replies no longer pair "
               "with the commands sent",
    "CLIENT REPLY": "OFF and SKIP suppress the replies the fuzzer waits for",
    "SERVING": "cluster-serving's job control, not in Redis (and not in `cluster-serving server`)",
}

DEFAULT_SEED = 20261207
DEFAULT_RANDOM_CASES = 5000
DEFAULT_SEQUENCE_LENGTH = 6
DEFAULT_BUDGET_SECONDS = 160


def settings():
    env = os.environ.get
    return {
        "seed": int(env("CS_FUZZ_SEED", DEFAULT_SEED)),
        "random_cases": int(env("CS_FUZZ_CASES", DEFAULT_RANDOM_CASES)),
        "sequence_length": int(env("CS_FUZZ_SEQUENCE", DEFAULT_SEQUENCE_LENGTH)),
        "budget": float(env("CS_FUZZ_BUDGET", DEFAULT_BUDGET_SECONDS)),
        "only": [w.strip().upper() for w in env("CS_FUZZ_ONLY", "").split(",") if w.strip()],
    }


def load_catalog(ours, redis):
    ours_conn = RawConnection(HOST, ours.port, timeout=10.0)
    redis_conn = RawConnection(HOST, redis.port, timeout=10.0)
    try:
        return build_catalog(ours_conn.command("COMMAND"), redis_conn.command("COMMAND", "DOCS"), SKIPPED)
    finally:
        ours_conn.close()
        redis_conn.close()


def run(log=print, **overrides):
    """Run the fuzzer; returns its Report (report.failed says whether the test should fail)."""
    opts = dict(settings(), **overrides)
    started = time.monotonic()
    deadline = started + opts["budget"]
    ours = OursServer(freeze_binary())
    redis = RedisServer()
    fuzzer = None
    try:
        ours.start()
        redis.start()
        catalog = load_catalog(ours, redis)
        if opts["only"]:
            catalog = [c for c in catalog if c.name in opts["only"] or c.words[0].upper() in opts["only"]]
        rng = random.Random(opts["seed"])
        fuzzer = Fuzzer(ours, redis, load_allowlist(), log=log)
        fuzzer.run_cases(systematic_cases(catalog, rng), deadline)
        by_name = {c.name: c for c in catalog}
        fuzzer.run_ours_only([w for w in OURS_ONLY if w[0] in by_name], lambda words: by_name[words[0]])
        fuzzer.run_sequences(random_sequences(catalog, rng, opts["random_cases"], opts["sequence_length"]),
                             deadline)
        fuzzer.report.seconds = time.monotonic() - started
        return fuzzer.report
    finally:
        if fuzzer is not None:
            fuzzer.close()
        ours.cleanup()
        redis.cleanup()


if __name__ == "__main__":  # pragma: no cover
    report = run()
    print(report.render())
    if os.environ.get("CS_FUZZ_REPORT"):
        with open(os.environ["CS_FUZZ_REPORT"], "w") as out:
            out.write(report.render() + "\n")
    sys.exit(1 if report.failed else 0)
