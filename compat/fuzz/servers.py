"""The two servers the fuzzer compares: real redis-server 7 and a frozen copy of our binary.

Both reuse conftest's ServerHandle (free port on 127.0.0.1, PING readiness, stop by PID); only the command line
differs. Our binary is copied before the run so that a rebuild by someone else cannot swap it mid-run, and it
runs with a data-segment limit so that a client-sized allocation (a 32 GiB reply buffer) fails fast inside the
process instead of taking the machine's memory: the fuzzer then sees a crash, which is what it is.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

from conftest import HOST, REPO_ROOT, ServerHandle

FROZEN_BIN_DIR = Path(os.environ.get("CS_FUZZ_BIN_DIR", "/tmp/fuzz-bin"))
# Our server's heap limit: far above what any fuzz case legitimately needs (1 MB values, small keyspace).
DATA_LIMIT_BYTES = int(os.environ.get("CS_FUZZ_DATA_LIMIT", str(4 << 30)))


def source_binary():
    """The binary under test: $CLUSTER_SERVING_BIN, else the debug build (the fuzzer is meant for it)."""
    env = os.environ.get("CLUSTER_SERVING_BIN")
    if env:
        return Path(env)
    for candidate in (REPO_ROOT / ".build" / "debug" / "cluster-serving",
                      REPO_ROOT / ".build" / "release" / "cluster-serving"):
        if candidate.exists():
            return candidate
    return REPO_ROOT / ".build" / "debug" / "cluster-serving"


def freeze_binary():
    """Copy the binary under test to FROZEN_BIN_DIR and return the copy's path."""
    src = source_binary()
    if not src.exists():
        raise RuntimeError(f"cluster-serving binary not found at {src}; run `swift build --product cluster-serving`")
    FROZEN_BIN_DIR.mkdir(parents=True, exist_ok=True)
    dst = FROZEN_BIN_DIR / "cluster-serving"
    tmp = dst.with_suffix(f".tmp{os.getpid()}")
    shutil.copy2(src, tmp)
    os.replace(tmp, dst)  # atomic: a concurrent run never sees half a file
    return dst


class OursServer(ServerHandle):
    """Our binary (the frozen copy) under `ulimit -d`; exec keeps the PID ServerHandle stops. No Swift backtracer
    unless CS_FUZZ_BACKTRACE is set: it takes seconds per crash; a fatalError/precondition line still reaches the
    log, and crash_summary symbolizes the frames the runtime prints with it."""

    def __init__(self, binary):
        super().__init__()
        self.binary = str(binary)
        self.target = "ours"

    def argv(self):
        limit_kib = DATA_LIMIT_BYTES // 1024
        backtrace = "enable=yes,interactive=no,color=no" if os.environ.get("CS_FUZZ_BACKTRACE") else "enable=no"
        return ["/bin/sh", "-c", f'ulimit -d {limit_kib} && SWIFT_BACKTRACE={backtrace} exec "$@"', "sh", self.binary,
                "server",
                "--port", str(self.port), "--bind", HOST, "--dir", self.dir, "--appendfsync", "everysec"]

    def argv_bin(self):
        return self.binary


class RedisServer(ServerHandle):
    """redis-server 7 without persistence."""

    def __init__(self):
        super().__init__()
        self.target = "redis"

    def argv(self):
        return [shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(self.port), "--bind", HOST,
                "--save", "", "--appendonly", "no", "--dir", self.dir]

    def argv_bin(self):
        return self.argv()[0]


def crash_summary(log_text, binary, frames=4):
    """The fatal error line of a crash and the first frames in our binary, symbolized (file:line) when
    llvm-symbolizer is installed, so that a report says where the trap is."""
    lines = log_text.splitlines()
    fatal = [l for l in lines if "Fatal error" in l or "fatal error" in l or "Precondition failed" in l
             or "Assertion failed" in l or "Illegal instruction" in l]
    offsets = []
    for line in lines:
        m = re.search(r"\scluster-serving\s+0x[0-9a-f]+ <unavailable> \+ (\d+)", line)
        if m:
            offsets.append(hex(int(m.group(1))))
    out = fatal[-1:] or ["no message: a trap (overflow, nil unwrap, index out of range) or a signal; "
                         "CS_FUZZ_BACKTRACE=1 CS_FUZZ_ONLY=<command> shows where"]
    symbolizer = shutil.which("llvm-symbolizer")
    if symbolizer and offsets:
        try:
            res = subprocess.run([symbolizer, f"--obj={binary}", "--demangle", *offsets[:frames * 3]],
                                 capture_output=True, text=True, timeout=20)
            demangler = shutil.which("swift-demangle")
            text = res.stdout
            if demangler:
                text = subprocess.run([demangler, "--simplified"], input=text, capture_output=True, text=True,
                                      timeout=20).stdout
            blocks = [b.splitlines() for b in text.strip().split("\n\n") if b.strip()]
            shown = [f"{b[0]} ({b[1].replace(str(REPO_ROOT) + '/', '')})" for b in blocks
                     if len(b) >= 2 and "compiler-generated" not in b[1] and "partial apply" not in b[0]]
            out += ["at " + s for s in shown[:frames]]
        except (OSError, subprocess.SubprocessError):
            pass
    return "\n      ".join(out)
