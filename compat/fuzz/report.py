"""What a fuzz run found: crashes, hangs and reply differences grouped into classes, checked against the
allowlist (known_differences.txt)."""

import collections
import re
from dataclasses import dataclass, field
from pathlib import Path

from conftest import RespError

from .endpoint import CLOSED, NO_REPLY

ERROR_TEXT_LIMIT = 160
MARKERS = (CLOSED, NO_REPLY, "(blocked)")
ALLOWLIST_PATH = Path(__file__).with_name("known_differences.txt")
ANY = "<any>"


def _without_arguments(text, words):
    """An error text with the command's own words it quotes ('g1', EXPIRE's unsupported option) as <arg>, so that
    one difference is one class however many values the fuzzer tried. Punctuation ('$', '>') is left alone: Redis
    quotes it in fixed texts. The text is otherwise exact."""
    quoted = {w.lower() for w in words if any(ch.isalnum() for ch in w)}
    text = re.sub(r"'([^']*)'", lambda m: "'<arg>'" if m.group(1).lower() in quoted else m.group(0), text)
    if text.startswith("ERR Unsupported option "):
        last = text[len("ERR Unsupported option "):]
        if last.lower() in quoted or last == "":
            text = "ERR Unsupported option <arg>"
    return text


def describe(reply, tail, words=()):
    """A reply as it is compared: the full error text, or its kind. `tail` is what came after it (SUBSCRIBE's
    further replies, or the connection closing); `words` the command, whose quoted arguments become <arg>."""
    if isinstance(reply, RespError):
        text = _without_arguments(reply.text, words[1:])
        text = text if len(text) <= ERROR_TEXT_LIMIT else text[:ERROR_TEXT_LIMIT] + "..."
    elif isinstance(reply, str) and reply in MARKERS:
        text = reply
    else:
        text = "(reply)"
    if tail and tail[-1] in (CLOSED, NO_REPLY):
        text += " then " + tail[-1]
    return text


@dataclass
class Allowed:
    command: str
    ours: str
    redis: str
    why: str
    hits: int = 0

    def matches(self, command, ours, redis):
        """Exact texts; ANY on one side (never both) for a command whose every reply differs by design."""
        return (self.command == command and self.ours in (ours, ANY) and self.redis in (redis, ANY))


def load_allowlist(path=ALLOWLIST_PATH):
    """Blocks separated by blank lines: `why:` lines (the reason, shared by the block), then one or more
    `command:` / `ours:` / `redis:` triples. `#` lines are comments."""
    entries, why, triple = [], [], {}

    def fail(number, message):
        raise ValueError(f"{path}:{number}: {message}")

    def close_triple(number):
        if not triple:
            return
        if triple.keys() != {"command", "ours", "redis"}:
            fail(number, f"incomplete entry {triple}")
        if triple["ours"] == ANY and triple["redis"] == ANY:
            fail(number, f"'{ANY}' on both sides allows everything: {triple}")
        if not why:
            fail(number, f"entry without a why: {triple}")
        entries.append(Allowed(triple["command"], triple["ours"], triple["redis"], " ".join(why)))
        triple.clear()

    for number, line in enumerate(path.read_text().splitlines() + [""], 1):
        if line.startswith("#"):
            continue
        if not line.strip():
            close_triple(number)
            why = []
            continue
        m = re.match(r"(command|ours|redis|why):\s?(.*)$", line)
        if not m:
            fail(number, f"expected 'why:', 'command:', 'ours:' or 'redis:': {line!r}")
        key, value = m.groups()
        if key == "why":
            if triple:
                fail(number, "a why belongs at the start of its block")
            why.append(value)
            continue
        if key == "command":
            close_triple(number)
        triple[key] = value
    return entries


@dataclass
class Finding:
    case: str
    sequence: list
    detail: str


@dataclass
class MismatchClass:
    command: str
    ours: str
    redis: str
    count: int = 0
    example: str = ""
    allowed: Allowed = None


@dataclass
class Report:
    allowlist: list
    cases: int = 0
    commands: set = field(default_factory=set)
    by_kind: collections.Counter = field(default_factory=collections.Counter)
    crashes: list = field(default_factory=list)
    hangs: list = field(default_factory=list)
    classes: dict = field(default_factory=dict)
    fuzzer_errors: list = field(default_factory=list)
    probes: int = 0
    stopped_early: bool = False
    seconds: float = 0.0
    _case_failed: bool = False

    def count(self, case):
        self.cases += 1
        self.commands.add(case.command.name)
        self.by_kind[case.kind] += 1
        self._case_failed = False

    def crash(self, case, history, what, summary):
        self._case_failed = True
        detail = ("died on " + what + "\n      " if what != case.describe() else "") + summary
        self.crashes.append(Finding(case.describe(), [c.describe() for c in history[:-1]], detail))

    def hang(self, case, history, what):
        self._case_failed = True
        self.hangs.append(Finding(case.describe(), [c.describe() for c in history[:-1]], what))

    def compare(self, case, ours, redis):
        if self._case_failed or ours == redis:
            return
        self._add(case.command.name, ours, redis, case.describe())

    def compare_probe(self, case, words, ours, redis):
        self.probes += 1
        if self._case_failed or ours == redis:
            return
        probe = " ".join(w.upper() for w in words[:1] + [w for w in words[1:2] if w.isupper()])
        self._add(f"{probe} after {case.command.name}", ours, redis,
                  f"{case.describe()} ; then {' '.join(words)}")

    def _add(self, command, ours, redis, example):
        key = (command, ours, redis)
        cls = self.classes.get(key)
        if cls is None:
            cls = self.classes[key] = MismatchClass(command, ours, redis, example=example)
            cls.allowed = next((a for a in self.allowlist if a.matches(command, ours, redis)), None)
        cls.count += 1
        if cls.allowed:
            cls.allowed.hits += 1

    # ----------------------------------------------------------------- verdict
    @property
    def mismatches(self):
        return sum(c.count for c in self.classes.values())

    @property
    def unexpected(self):
        return sorted((c for c in self.classes.values() if not c.allowed), key=lambda c: -c.count)

    @property
    def stale(self):
        """Entries that matched nothing although their command ran (a CS_FUZZ_ONLY run leaves the rest alone)."""
        return [a for a in self.allowlist if a.hits == 0 and a.command.split(" after ")[-1] in self.commands]

    @property
    def failed(self):
        return bool(self.crashes or self.hangs or self.unexpected or self.fuzzer_errors)

    def summary(self):
        allowed = sum(c.count for c in self.classes.values() if c.allowed)
        return (f"commands {len(self.commands)}, cases {self.cases} ({dict(self.by_kind)}), probes {self.probes}, "
                f"crashes {len(self.crashes)}, hangs {len(self.hangs)}, mismatches {self.mismatches} in "
                f"{len(self.classes)} classes, allowed {allowed} in {sum(1 for c in self.classes.values() if c.allowed)}"
                f" classes, unexpected {sum(c.count for c in self.unexpected)} in {len(self.unexpected)} classes, "
                f"stale allowlist entries {len(self.stale)}, {self.seconds:.0f} s"
                + (" (STOPPED EARLY: time budget)" if self.stopped_early else ""))

    def render(self, top=None):
        out = ["== command fuzz: " + self.summary()]
        for title, findings in (("CRASHES", self.crashes), ("HANGS", self.hangs)):
            if findings:
                by_command = collections.Counter(f.case.split(" ")[0] for f in findings)
                out.append(f"-- {title} ({len(findings)}; by command: "
                           + ", ".join(f"{c} {n}" for c, n in by_command.most_common()) + ")")
                for f in findings:
                    out.append(f"  {f.case}\n    {f.detail}")
                    if f.sequence:
                        out.append("    after, in the same sequence: " + " ; ".join(f.sequence[-8:]))
        for title, classes in (("UNEXPECTED MISMATCHES", self.unexpected),
                               ("ALLOWED MISMATCHES", sorted((c for c in self.classes.values() if c.allowed),
                                                             key=lambda c: -c.count))):
            if classes:
                out.append(f"-- {title} ({len(classes)} classes, {sum(c.count for c in classes)} cases)")
                for c in classes[:top]:
                    out.append(f"  {c.count:6d}  {c.command}\n          ours:  {c.ours}\n          redis: {c.redis}"
                               f"\n          e.g.   {c.example}")
        if self.stale:
            out.append(f"-- STALE ALLOWLIST ENTRIES ({len(self.stale)}; reported, not failed: the difference "
                       "did not occur, it may be fixed)")
            for a in self.stale:
                out.append(f"  {a.command}\n    ours:  {a.ours}\n    redis: {a.redis}")
        for e in self.fuzzer_errors:
            out.append(f"-- FUZZER ERROR: {e}")
        return "\n".join(out)
