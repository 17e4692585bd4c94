"""Boundary-value command fuzzer: every command of our table, side by side with a real redis-server 7.

Fails on any crash or hang of our server, and on any reply difference (error vs non-error, or the error text)
that compat/fuzz/known_differences.txt does not list. How cases are built: compat/fuzz/commands.py.

Knobs (environment): CS_FUZZ_SEED (random phase seed), CS_FUZZ_CASES (random-phase cases, default 5000),
CS_FUZZ_BUDGET (seconds before the run stops early, default 160), CS_FUZZ_ONLY=XADD,XCLAIM (a few commands),
CS_FUZZ_REPORT=path (write the full report there too), CLUSTER_SERVING_BIN (the binary; it is copied to
/tmp/fuzz-bin first so that a rebuild cannot change it mid-run).
"""

import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # compat/, for the fuzz package

from fuzz import runner  # noqa: E402
from fuzz.commands import Case, Command  # noqa: E402
from fuzz.main import run  # noqa: E402
from fuzz.servers import OursServer, RedisServer  # noqa: E402

pytestmark = [
    pytest.mark.ours,  # compares our server with Redis: nothing to do with CS_TARGET=redis
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server 7 on PATH"),
]

REPORT_TOP = 30


def test_no_command_crashes_hangs_or_differs_from_redis_unexpectedly():
    report = run(log=lambda line: None)
    text = report.render(top=None)
    path = os.environ.get("CS_FUZZ_REPORT")
    if path:
        Path(path).write_text(text + "\n")
    print(report.render(top=REPORT_TOP))
    problems = []
    if report.crashes:
        problems.append(f"{len(report.crashes)} crashes: " + "; ".join(sorted({c.case for c in report.crashes})))
    if report.hangs:
        problems.append(f"{len(report.hangs)} hangs: " + "; ".join(sorted({h.case for h in report.hangs})))
    if report.unexpected:
        problems.append(f"{len(report.unexpected)} mismatch classes not in known_differences.txt, e.g. "
                        + "; ".join(f"{c.command}: ours {c.ours!r} / redis {c.redis!r}"
                                    for c in report.unexpected[:5]))
    problems += [f"fuzzer: {e}" for e in report.fuzzer_errors]
    assert not problems, report.summary() + "\n" + "\n".join(problems)


def test_fuzzer_reports_a_crash_and_a_hang_of_the_server_under_test(tmp_path, monkeypatch):
    """The fuzzer's own check: a stand-in for our binary (redis-server with DEBUG enabled) that dies on DEBUG
    SEGFAULT, and stalls on DEBUG SLEEP, must come out as crashes and a hang, and the run must go on. A crash
    in a probe after a write (here a DEBUG SEGFAULT slipped into the probes) is blamed on the write and the
    probe that did it is named."""
    stand_in = tmp_path / "cluster-serving"
    stand_in.write_text('#!/bin/sh\nshift\nexec redis-server "$@" --save "" --appendonly no '
                        '--enable-debug-command yes\n')
    stand_in.chmod(0o755)
    monkeypatch.setattr(runner, "COMMAND_TIMEOUT", 2.0)
    monkeypatch.setattr(runner, "probes", lambda key, kind: [["GET", key], ["DEBUG", "SEGFAULT"], ["STRLEN", key]])
    debug = Command(("debug",), -2, frozenset(), 0, 0, 0)
    get = Command(("get",), 2, frozenset(["readonly"]), 1, 1, 1)
    set_ = Command(("set",), -3, frozenset(["write"]), 1, 1, 1)
    ours, redis = OursServer(stand_in), RedisServer()
    try:
        ours.start()
        redis.start()
        fuzzer = runner.Fuzzer(ours, redis, allowlist=[], log=lambda line: None)
        fuzzer.run_cases([Case(get, ["s"], "check"), Case(debug, ["SEGFAULT"], "check"), Case(get, ["s"], "check"),
                          Case(debug, ["SLEEP", "3"], "check"), Case(get, ["s"], "check"),
                          Case(set_, ["s", "v"], "check"), Case(get, ["s"], "check")], deadline=float("inf"))
        fuzzer.close()
    finally:
        ours.cleanup()
        redis.cleanup()
    report = fuzzer.report
    assert [c.case for c in report.crashes] == ["DEBUG SEGFAULT", "SET s v"]
    assert "probe DEBUG SEGFAULT" in report.crashes[1].detail
    assert [h.case for h in report.hangs] == ["DEBUG SLEEP 3"]
    assert report.cases == 7 and report.failed
