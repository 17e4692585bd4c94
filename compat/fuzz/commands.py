"""Fuzz cases: argument lists built from each command's arity, key spec and argument tree.

The command set is ours (`COMMAND` on our server); the argument trees are Redis's own (`COMMAND DOCS` on the
real redis-server: tokens such as IDLE, ENTRIESREAD or LIMIT, argument types, optional/multiple flags). A
command Redis does not document gets arity-driven cases only.

Three kinds of case, all deterministic for a seed:
* shapes: well-formed argument lists (no options, every option, each alternative, a few random choices), each
  run against every fixture key in the command's key positions;
* boundaries: one argument at a time replaced by each boundary value of its type, the rest well-formed;
* arity: too few and too many words.
The random phase (`random_sequences`) mixes these with stray option words, in sequences run without a reset.
"""

import random
from dataclasses import dataclass, field

from .fixture import GROUP_KEYS, KEY_NAMES, NATURAL_BY_NAME

MEGABYTE = "x" * (1 << 20)

INTEGERS = [
    "0", "1", "-1", "2", "-2", "2147483648", "-2147483648", "2147483647", "-2147483647",
    "9223372036854775807", "-9223372036854775808", "-9223372036854775807", "9223372036854775808",
    "-9223372036854775809", "18446744073709551615", "18446744073709551616",
    "inf", "-inf", "+inf", "nan", "1e400", "1e-400", "1e300", "1.5", "", "abc", " 1", "01", "-0", "0x1A",
]
DOUBLES = INTEGERS + ["1e19", "-1e300", "1e308", "4.5e15", "0.001", "1e-5", "3.0000000000000001"]
STREAM_IDS = [
    "18446744073709551615-18446744073709551615", "18446744073709551615-0", "18446744073709551614-18446744073709551615",
    "9223372036854775807-9223372036854775807", "0-0", "0-1", "1-1", " 1-1", "1-1 ", "1-", "-1", "1--1", "1-*",
    "18446744073709551616-0", "1-18446744073709551616", "$", ">", "+", "-", "*", "(1-1", "(0-0",
    "(18446744073709551615-18446744073709551615",
]
STRINGS = ["", "v", MEGABYTE, "0", "-1", "9223372036854775807", "-9223372036854775808", "18446744073709551616",
           "inf", "nan", "1e400"] + STREAM_IDS
PATTERNS = ["*", "", "[", "\\", "[a-", "*" * 64, "h*", MEGABYTE]
OPTION_WORDS = ["COUNT", "LIMIT", "IDLE", "TIME", "RETRYCOUNT", "ENTRIESREAD", "ENTRIESADDED", "MAXDELETEDID",
                "MAXLEN", "MINID", "PX", "EX", "PXAT", "EXAT", "BLOCK", "RANK", "JUSTID", "FORCE",
                "LASTID", "NOACK", "STREAMS", "GROUP", "WITHVALUES", "MATCH", "TYPE", "FULL", "NX", "XX", "GT",
                "LT", "KEEPTTL", "PERSIST", "GET", "MKSTREAM", "NOMKSTREAM", "~", "="]
BOUNDARIES_BY_TYPE = {
    "integer": INTEGERS, "double": DOUBLES, "unix-time": INTEGERS, "string": STRINGS, "pattern": PATTERNS,
}
# Every key a key slot tries: the fixture's keys plus two odd names.
KEY_VARIANTS = KEY_NAMES + ["", "k" * 1024]


@dataclass(eq=False)
class Command:
    """One command or subcommand as our server's COMMAND reports it, with Redis's argument tree."""
    words: tuple
    arity: int
    flags: frozenset
    first_key: int
    last_key: int
    key_step: int
    group: str = "generic"
    arguments: list = None

    @property
    def name(self):
        return " ".join(w.upper() for w in self.words)

    @property
    def blocking(self):
        return "blocking" in self.flags

    @property
    def writes(self):
        return "write" in self.flags or "readonly" not in self.flags


@dataclass
class Case:
    command: Command
    args: list                      # words after the command name(s)
    kind: str                       # shape | boundary | arity | random
    note: str = ""
    words: list = field(init=False)

    def __post_init__(self):
        self.words = [w.upper() for w in self.command.words] + list(self.args)

    def describe(self, limit=160):
        shown = " ".join(w if len(w) <= 40 else f"<{len(w)} bytes>" for w in self.words)
        shown = shown if shown else "''"
        return shown[:limit]


# ------------------------------------------------------------------- catalog
def _text(v):
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else v


def _pairs(flat):
    """RESP2 map (flat list) -> dict with str keys."""
    if isinstance(flat, dict):
        return {_text(k): v for k, v in flat.items()}
    return {_text(flat[i]): flat[i + 1] for i in range(0, len(flat) - 1, 2)}


def _argument_tree(raw):
    out = []
    for item in raw or []:
        a = _pairs(item)
        node = {"name": _text(a.get("name", "")), "type": _text(a.get("type", "string")),
                "token": _text(a.get("token")) if a.get("token") is not None else None,
                "flags": {_text(f) for f in a.get("flags", [])}}
        node["arguments"] = _argument_tree(a.get("arguments"))
        out.append(node)
    return out


def build_catalog(command_reply, docs_reply, skipped):
    """Commands from our COMMAND reply, argument trees from Redis's COMMAND DOCS; `skipped` maps names to why."""
    docs = _pairs(docs_reply)
    catalog = []

    def add(entry, parent_docs, parent=None):
        name = _text(entry[0]).lower()
        words = tuple(name.split("|"))
        display = " ".join(words).upper()
        if display in skipped or words[0].upper() in skipped:
            return
        subs = entry[9] if len(entry) > 9 else []
        d = _pairs(parent_docs.get(name, [])) if parent_docs else {}
        if subs:
            sub_docs = _pairs(d.get("subcommands", []))
            for sub in subs:
                add(sub, sub_docs, entry)
            return
        keys = entry[3:6] if parent is None else parent[3:6]
        catalog.append(Command(words=words, arity=int(entry[1]), flags=frozenset(_text(f) for f in entry[2]),
                               first_key=int(keys[0]), last_key=int(keys[1]), key_step=int(keys[2]),
                               group=_text(d.get("group", "generic")) if d else "generic",
                               arguments=_argument_tree(d.get("arguments")) if d else None))

    for entry in command_reply:
        add(entry, docs)
    return sorted(catalog, key=lambda c: c.words)


# -------------------------------------------------------------------- shapes
@dataclass
class Slot:
    """A place in an argument list that takes a value (not a token)."""
    type: str
    name: str
    path: str

    def natural(self, command):
        if self.type == "key":
            return GROUP_KEYS.get(command.group, KEY_NAMES)[0]
        special = NATURAL_BY_NAME.get((command.words[0], self.name)) or NATURAL_BY_NAME.get(self.name)
        if special is not None:
            return special
        return {"integer": "1", "double": "1.5", "unix-time": "4102444800", "pattern": "*"}.get(self.type, "v")


def _expand(nodes, choices, path=""):
    """Walk an argument tree; `choices(path, question, alternative_names)` answers "include" (an optional
    argument), "repeat" (a multiple one, twice) and "alternative" (an index into a oneof's names).

    Returns a list of items: str (a token) or Slot."""
    items = []
    for node in nodes:
        here = f"{path}/{node['name']}"
        if "optional" in node["flags"] and not choices(here, "include"):
            continue
        repeats = 2 if "multiple" in node["flags"] and choices(here, "repeat") else 1
        for i in range(repeats):
            if node["token"] and (i == 0 or "multiple_token" in node["flags"]):
                items.append(node["token"])
            t = node["type"]
            if t == "pure-token":
                continue
            if t == "oneof":
                alts = node["arguments"]
                pick = choices(here, "alternative", [a["name"] for a in alts]) % len(alts)
                items += _expand([dict(alts[pick], flags=alts[pick]["flags"] - {"optional"})], choices, here)
            elif t == "block":
                items += _expand(node["arguments"], choices, here)
            else:
                items.append(Slot(t, node["name"], here))
    return items


def _shape_choosers(rng, command):
    """Deciders for the shapes of one command: minimal, everything, each alternative index, random ones."""
    def fixed(include, repeat, alternative):
        return lambda path, question, names=(): {"include": include, "repeat": repeat,
                                                 "alternative": alternative}[question]
    out = [fixed(False, False, 0), fixed(True, False, 0), fixed(True, True, 0)]
    out += [fixed(True, False, i) for i in range(1, 5)] + [fixed(False, False, i) for i in range(1, 5)]
    for _ in range(3):
        seed = rng.random()
        local = random.Random(seed)
        out.append(lambda path, question, names=(), r=local: r.random() < 0.5 if question != "alternative"
                   else r.randrange(max(len(names), 1)))
    return out


def _targeted_chooser(target):
    """The shape that has the argument at path `target` and no other option: its boundary values are not
    masked by a sibling option (XCLAIM's TIME overrides IDLE)."""
    def on_path(path):
        return target == path or target.startswith(path + "/")

    def choose(path, question, names=()):
        if question == "include":
            return on_path(path)
        if question == "repeat":
            return False
        return next((i for i, name in enumerate(names) if on_path(f"{path}/{name}")), 0)
    return choose


def _shape_for_boundaries(command, items, index):
    """(shape, index) where the slot at items[index] gets its boundary values: its targeted shape if any."""
    if command.arguments is None:
        return items, index
    path = items[index].path
    targeted = _expand(command.arguments, _targeted_chooser(path))
    at = next((k for k, i in enumerate(targeted) if isinstance(i, Slot) and i.path == path), None)
    return (targeted, at) if at is not None else (items, index)


def _arity_shape(command):
    """For a command without docs: key slots where the key spec says, value slots elsewhere, minimal arity."""
    count = abs(command.arity) - len(command.words)
    items = []
    for i in range(count):
        pos = i + len(command.words)
        is_key = command.first_key and command.first_key <= pos and (
            command.last_key < 0 or pos <= command.last_key) and (pos - command.first_key) % max(command.key_step, 1) == 0
        items.append(Slot("key" if is_key else "string", f"arg{i}", f"/arg{i}"))
    return items


def shapes(command, rng):
    """Distinct well-formed shapes (lists of tokens and Slots) of one command."""
    if command.arguments is None:
        return [_arity_shape(command)]
    seen, out = set(), []
    for chooser in _shape_choosers(rng, command):
        items = _expand(command.arguments, chooser)
        signature = tuple(i if isinstance(i, str) else (i.type, i.path) for i in items)
        if signature not in seen:
            seen.add(signature)
            out.append(items)
    return out


def _fill(items, command, index_values):
    """Words for a shape: index_values where given, natural values in the other slots."""
    out = []
    for n, item in enumerate(items):
        if n in index_values:
            out.append(index_values[n])
        elif isinstance(item, Slot):
            out.append(item.natural(command))
        else:
            out.append(item)
    return out


# --------------------------------------------------------------------- cases
def systematic_cases(catalog, rng):
    """Shapes x keys, then boundary values one slot at a time, then arity errors, for every command."""
    for command in catalog:
        seen = set()

        def emit(args, kind, note=""):
            key = tuple(args)
            if key not in seen:
                seen.add(key)
                return Case(command, args, kind, note)
            return None

        all_shapes = shapes(command, rng)
        boundary_done = set()
        for items in all_shapes:
            key_slots = [n for n, i in enumerate(items) if isinstance(i, Slot) and i.type == "key"]
            for variant in KEY_VARIANTS if key_slots else [None]:
                for slot in key_slots[:2] or [None]:  # the source and the destination of LMOVE, RENAME...
                    overrides = {} if slot is None else {slot: variant}
                    case = emit(_fill(items, command, overrides), "shape")
                    if case:
                        yield case
            for n, item in enumerate(items):
                if not isinstance(item, Slot) or item.type == "key" or item.path in boundary_done:
                    continue
                boundary_done.add(item.path)
                target, at = _shape_for_boundaries(command, items, n)
                for value in BOUNDARIES_BY_TYPE.get(item.type, STRINGS):
                    if _skip_value(command, item, value):
                        continue
                    case = emit(_fill(target, command, {at: value}), "boundary", item.path)
                    if case:
                        yield case
        minimal = _fill(all_shapes[0], command, {})
        for args in ([], minimal[:-1], minimal + ["extra"], minimal + ["extra", "9223372036854775807"]):
            case = emit(list(args), "arity")
            if case:
                yield case


def _skip_value(command, slot, value):
    """Values that would make Redis itself do unbounded work: HRANDFIELD key -N answers N fields (with repeats),
    so Redis would stream 2^31..2^63 replies. Our server gets these alone (OURS_ONLY)."""
    if command.words[0] == "hrandfield" and slot.name == "count":
        try:
            return int(value) < -100000
        except ValueError:
            return False
    return False


# Sent to our server only, because Redis would answer them with an endless reply: the fuzzer reads the start of
# the reply, drops the connection and checks the server lives. A reply buffer sized by the count (32 GiB for
# -2^31 fields) fails under the fuzzer's data limit and shows as a crash.
OURS_ONLY = [
    ["HRANDFIELD", "h", "-2147483647"], ["HRANDFIELD", "h", "-2147483647", "WITHVALUES"],
    ["HRANDFIELD", "h", "-9223372036854775807"], ["HRANDFIELD", "h", "-4611686018427387903", "WITHVALUES"],
    ["HRANDFIELD", "m", "-9223372036854775807"],
]


def random_sequences(catalog, rng, count, length):
    """`count` cases in sequences of `length` run without a fixture reset in between."""
    made = 0
    per_command = {c: shapes(c, rng) for c in catalog}
    while made < count:
        sequence = []
        for _ in range(min(length, count - made)):
            command = rng.choice(catalog)
            items = rng.choice(per_command[command])
            args = []
            for item in items:
                if isinstance(item, Slot):
                    args.append(_random_value(rng, command, item))
                else:
                    args.append(item if rng.random() > 0.03 else rng.choice(OPTION_WORDS))
            if rng.random() < 0.15:
                args.insert(rng.randrange(len(args) + 1), rng.choice(OPTION_WORDS))
                if rng.random() < 0.7:
                    args.insert(rng.randrange(len(args) + 1), rng.choice(INTEGERS))
            if any(_skip_value(command, i, a) for i, a in zip(items, args) if isinstance(i, Slot)):
                continue
            sequence.append(Case(command, args, "random"))
            made += 1
            if _may_expire_soon(command, args):
                break
        yield sequence


# Commands that can give a key a time to live. A TTL of a few ms fires during the sequence at a different moment on
# each server, and the next command then meets the key on one and not on the other: such a case ends its sequence.
EXPIRING_COMMANDS = {"EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT", "SETEX", "PSETEX"}
EXPIRY_OPTIONS = {"EX", "PX", "EXAT", "PXAT"}


def _may_expire_soon(command, args):
    name = command.words[0].upper()
    if name in EXPIRING_COMMANDS:
        return True
    return name in ("SET", "GETEX") and any(str(a).upper() in EXPIRY_OPTIONS for a in args)


def _random_value(rng, command, slot):
    if slot.type == "key":
        return rng.choice(KEY_NAMES) if rng.random() < 0.9 else rng.choice(KEY_VARIANTS)
    if rng.random() < 0.45:
        return slot.natural(command)
    pool = BOUNDARIES_BY_TYPE.get(slot.type, STRINGS)
    value = rng.choice(pool)
    if value is MEGABYTE and rng.random() < 0.8:  # keep the random phase's traffic small
        value = "y" * 100
    return value
