"""What redis-cli prints against the server. redis-cli formats replies by
their RESP type (bulk string -> "quoted", integer -> (integer) N, nil ->
(nil), empty array -> (empty array)), so these tests pin reply types too.

"--no-raw" forces the interactive formatting (redis-cli prints raw when
stdout is not a tty). Only idle-time numbers are normalised."""

import re

import pytest


def _norm_idle_consumers(text):
    # the value printed after an "idle" field
    return re.sub(r'("idle"\n\s+\d+\) \(integer\) )\d+', r"\1<IDLE>", text)


def _norm_idle_pending(text):
    # third element of every extended-XPENDING entry is the idle time
    return re.sub(r"(\n\s+3\) \(integer\) )\d+", r"\1<IDLE>", text)


@pytest.fixture
def groups(r):
    r.do("XADD", "s", "1-0", "f", "1", "a", "b")
    r.do("XADD", "s", "2-0", "f", "2")
    r.do("XADD", "s", "3-0", "f", "3")
    r.do("XGROUP", "CREATE", "s", "g", "0")
    r.do("XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">")
    r.do("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">")
    r.do("XGROUP", "CREATE", "s", "g2", "$")
    return r


def test_cli_xinfo_groups(cli, groups):
    assert cli("--no-raw", "XINFO", "GROUPS", "s") == """\
1)  1) "name"
    2) "g"
    3) "consumers"
    4) (integer) 2
    5) "pending"
    6) (integer) 3
    7) "last-delivered-id"
    8) "3-0"
    9) "entries-read"
   10) (integer) 3
   11) "lag"
   12) (integer) 0
2)  1) "name"
    2) "g2"
    3) "consumers"
    4) (integer) 0
    5) "pending"
    6) (integer) 0
    7) "last-delivered-id"
    8) "3-0"
    9) "entries-read"
   10) (nil)
   11) "lag"
   12) (integer) 0
"""


def test_cli_xinfo_groups_raw(cli, groups):
    assert cli("XINFO", "GROUPS", "s") == (
        "name\ng\nconsumers\n2\npending\n3\nlast-delivered-id\n3-0\nentries-read\n3\nlag\n0\n"
        "name\ng2\nconsumers\n0\npending\n0\nlast-delivered-id\n3-0\nentries-read\n\nlag\n0\n")


def test_cli_xinfo_consumers(cli, groups):
    out = cli("--no-raw", "XINFO", "CONSUMERS", "s", "g")
    assert _norm_idle_consumers(out) == """\
1) 1) "name"
   2) "alice"
   3) "pending"
   4) (integer) 2
   5) "idle"
   6) (integer) <IDLE>
2) 1) "name"
   2) "bob"
   3) "pending"
   4) (integer) 1
   5) "idle"
   6) (integer) <IDLE>
"""


def test_cli_xpending_summary(cli, groups):
    assert cli("--no-raw", "XPENDING", "s", "g") == """\
1) (integer) 3
2) "1-0"
3) "3-0"
4) 1) 1) "alice"
      2) "2"
   2) 1) "bob"
      2) "1"
"""


def test_cli_xpending_summary_empty(cli, groups):
    assert cli("--no-raw", "XPENDING", "s", "g2") == """\
1) (integer) 0
2) (nil)
3) (nil)
4) (nil)
"""


def test_cli_xpending_extended(cli, groups):
    out = cli("--no-raw", "XPENDING", "s", "g", "-", "+", "10")
    assert _norm_idle_pending(out) == """\
1) 1) "1-0"
   2) "alice"
   3) (integer) <IDLE>
   4) (integer) 1
2) 1) "2-0"
   2) "alice"
   3) (integer) <IDLE>
   4) (integer) 1
3) 1) "3-0"
   2) "bob"
   3) (integer) <IDLE>
   4) (integer) 1
"""


def test_cli_xpending_extended_raw(cli, groups):
    out = cli("XPENDING", "s", "g", "-", "+", "10", "bob")
    lines = out.split("\n")
    assert lines[0:2] == ["3-0", "bob"]
    assert lines[2].isdigit()
    assert lines[3:] == ["1", ""]


def test_cli_xrange(cli, groups):
    assert cli("--no-raw", "XRANGE", "s", "-", "+") == """\
1) 1) "1-0"
   2) 1) "f"
      2) "1"
      3) "a"
      4) "b"
2) 1) "2-0"
   2) 1) "f"
      2) "2"
3) 1) "3-0"
   2) 1) "f"
      2) "3"
"""


def test_cli_xrange_raw_and_empty(cli, groups):
    assert cli("XRANGE", "s", "2", "+") == "2-0\nf\n2\n3-0\nf\n3\n"
    assert cli("--no-raw", "XRANGE", "nope", "-", "+") == "(empty array)\n"


def test_cli_xreadgroup_history(cli, groups):
    assert cli("--no-raw", "XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0") == """\
1) 1) "s"
   2) 1) 1) "1-0"
         2) 1) "f"
            2) "1"
            3) "a"
            4) "b"
      2) 1) "2-0"
         2) 1) "f"
            2) "2"
"""


def test_cli_hgetall(cli, r):
    r.do("HSET", "h", "f1", "v1", "f2", "v 2")
    assert cli("--no-raw", "HGETALL", "h") == '1) "f1"\n2) "v1"\n3) "f2"\n4) "v 2"\n'
    assert cli("HGETALL", "h") == "f1\nv1\nf2\nv 2\n"
    assert cli("--no-raw", "HGETALL", "nope") == "(empty array)\n"


def test_cli_scalar_replies(cli, r):
    assert cli("--no-raw", "SET", "k", "v") == "OK\n"
    assert cli("--no-raw", "GET", "k") == '"v"\n'
    assert cli("--no-raw", "GET", "nope") == "(nil)\n"
    assert cli("--no-raw", "INCR", "n") == "(integer) 1\n"
    assert cli("--no-raw", "XADD", "s", "10-0", "f", "v") == '"10-0"\n'
    assert cli("--no-raw", "TYPE", "s") == "stream\n"


def test_cli_errors(cli, r):
    assert cli("--no-raw", "XINFO", "STREAM", "nope") == "(error) ERR no such key\n"
    r.do("XADD", "s", "1-0", "f", "v")
    assert cli("--no-raw", "XPENDING", "s", "nog") == \
        "(error) NOGROUP No such key 's' or consumer group 'nog'\n"


def test_cli_commands_from_stdin(cli):
    out = cli(input="SET a 1\nGET a\nXADD s 9-0 k v\nXLEN s\n")
    assert out == "OK\n1\n9-0\n1\n"


def test_cli_info_memory(cli):
    out = cli("INFO", "memory")
    lines = out.replace("\r\n", "\n").split("\n")
    assert lines[0] == "# Memory"
    fields = {}
    for line in lines[1:]:
        if not line:
            continue
        assert re.fullmatch(r"[a-z0-9_]+:[^\r\n]*", line), line
        k, v = line.split(":", 1)
        fields[k] = v
    assert int(fields["used_memory"]) > 0
    assert int(fields["maxmemory"]) == 0


def test_cli_ping_and_dbsize(cli, r):
    r.mset({"a": 1, "b": 2})
    assert cli("PING") == "PONG\n"
    assert cli("--no-raw", "DBSIZE") == "(integer) 2\n"
