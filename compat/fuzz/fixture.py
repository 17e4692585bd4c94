"""The keyspace every fuzz case starts from, the natural argument values that fit it, and the probes.

One key of each type, so that every command meets its own type, a wrong type and a missing key:
  s  string            i  integer string      f  float string     e  string with a fixed far expiry
  h  hash (f1 f2 f3)   l  list (a b c 1 2)    m  missing
  x  stream 1-1..4-1, group g1 (consumer c1 has 1-1 and 2-1 pending, c2 has none), group g2 at $
"""

KEY_NAMES = ["s", "i", "f", "h", "l", "x", "m", "e"]
# The key a command of each Redis group uses when the case is not about keys.
GROUP_KEYS = {
    "string": ["s", "i"], "hash": ["h"], "list": ["l"], "stream": ["x"], "generic": ["s", "h", "l", "x"],
}

FAR_EXPIRY_MS = "4102444800000"  # 2100-01-01: fixed, so EXPIRETIME is comparable

RESET = [
    ["RESET"],  # leaves MULTI, subscribe mode and RESP3, selects db 0
    ["FLUSHALL"],
    ["SET", "s", "hello"],
    ["SET", "i", "12345"],
    ["SET", "f", "1.5"],
    ["SET", "e", "v", "PXAT", FAR_EXPIRY_MS],
    ["HSET", "h", "f1", "v1", "f2", "2", "f3", "1.5"],
    ["RPUSH", "l", "a", "b", "c", "1", "2"],
    ["XADD", "x", "1-1", "f", "v"],
    ["XADD", "x", "2-1", "f", "v"],
    ["XADD", "x", "3-1", "f", "v"],
    ["XADD", "x", "4-1", "f", "v"],
    ["XGROUP", "CREATE", "x", "g1", "0"],
    ["XGROUP", "CREATE", "x", "g2", "$"],
    ["XREADGROUP", "GROUP", "g1", "c1", "COUNT", "2", "STREAMS", "x", ">"],
    ["XGROUP", "CREATECONSUMER", "x", "g1", "c2"],
]

# Server settings a CONFIG SET case may change, put back after it (the values both servers start with).
CONFIG_RESTORE = [["CONFIG", "SET", "maxmemory", "0"], ["CONFIG", "SET", "appendfsync", "everysec"],
                  ["CONFIG", "SET", "timeout", "0"]]

# Values of well-formed arguments by Redis's argument name ((command, name) first): they make the command do
# its real work on the fixture (an existing group, a pending ID, a field that is there).
NATURAL_BY_NAME = {
    "group": "g1", "groupname": "g1", "consumer": "c1", "consumername": "c1", "field": "f1",
    "element": "a", "pivot": "b", "value": "v", "min-idle-time": "0", "threshold": "2",
    "start": "-", "end": "+", "id": "2-1", "last-id": "3-1", "lastid": "3-1", "max-deleted-id": "1-1",
    "entries-added": "10", "entries_added": "10", "max_deleted_entry_id": "1-1", "entries_read": "2", "entries-read": "2", "offset": "1", "count": "2",
    "increment": "3", "decrement": "3", "index": "1", "rank": "1", "len": "3", "num-len": "3",
    "cursor": "0", "channel": "ch", "shardchannel": "ch", "message": "hi", "section": "server",
    "parameter": "maxmemory", "newkey": "n", "destination": "d", "source": "l", "wherefrom": "LEFT",
    "whereto": "RIGHT", "connection-name": "fuzz", "client-id": "1", "ip:port": "127.0.0.1:1",
    "seconds": "100", "milliseconds": "100000", "unix-time-seconds": "4102444800",
    "unix-time-milliseconds": FAR_EXPIRY_MS, "ms": "1000", "username": "default", "password": "nopass",
    "protover": "2", "clientname": "fuzz", "index-or-db": "0", "command-name": "get", "pattern": "*",
    "match": "*", "libname": "fuzz", "libver": "1", "lib-name": "fuzz", "lib-ver": "1",
    ("blpop", "timeout"): "0.01", ("brpop", "timeout"): "0.01", ("blmove", "timeout"): "0.01",
    ("brpoplpush", "timeout"): "0.01", ("xread", "milliseconds"): "10", ("xreadgroup", "milliseconds"): "10",
    ("xreadgroup", "id"): ">", ("xread", "id"): "0-0", ("xrange", "start"): "-", ("xrange", "end"): "+",
    ("xrevrange", "end"): "+", ("xrevrange", "start"): "-", ("lrange", "start"): "0", ("lrange", "stop"): "-1",
    ("getrange", "start"): "0", ("getrange", "end"): "-1", ("ltrim", "start"): "0", ("ltrim", "stop"): "-1",
    ("xpending", "start"): "-", ("xpending", "end"): "+", ("xautoclaim", "start"): "0-0",
    ("xclaim", "id"): "1-1", ("config", "value"): "0", ("hincrby", "field"): "f2",
    ("hincrbyfloat", "field"): "f3", ("xack", "id"): "1-1", ("xdel", "id"): "2-1", ("xadd", "id"): "5-1",
    ("xsetid", "last-id"): "9-9", ("lset", "index"): "0", ("lrem", "count"): "0",
    ("object", "key"): "s", ("debug", "key"): "s",
}


def probes(key, key_type):
    """Reads (and one XADD) that touch what a write may have stored in `key`: several crashes only show on a later
    ordinary command once an extreme value (a TTL, a counter, an idle time) is stored."""
    out = [["TYPE", key], ["TTL", key], ["PTTL", key], ["EXPIRETIME", key], ["PEXPIRETIME", key]]
    if key_type == "string":
        out += [["GET", key], ["STRLEN", key], ["GETRANGE", key, "0", "-1"]]
    elif key_type == "hash":
        out += [["HGETALL", key], ["HLEN", key], ["HRANDFIELD", key, "-3", "WITHVALUES"]]
    elif key_type == "list":
        out += [["LRANGE", key, "0", "-1"], ["LLEN", key], ["LPOS", key, "a", "RANK", "-1"]]
    elif key_type == "stream":
        out += [["XINFO", "STREAM", key, "FULL"], ["XINFO", "STREAM", key], ["XINFO", "GROUPS", key],
                ["XINFO", "CONSUMERS", key, "g1"], ["XPENDING", key, "g1"], ["XPENDING", key, "g1", "-", "+", "10"],
                ["XPENDING", key, "g1", "IDLE", "0", "-", "+", "10", "c1"],
                ["XREADGROUP", "GROUP", "g1", "probe", "COUNT", "3", "STREAMS", key, ">"],
                ["XREADGROUP", "GROUP", "g1", "c1", "COUNT", "3", "STREAMS", key, "0"],
                ["XAUTOCLAIM", key, "g1", "probe", "0", "0-0", "COUNT", "5"],
                ["XCLAIM", key, "g1", "probe", "0", "1-1", "2-1"],
                ["XRANGE", key, "-", "+"], ["XREVRANGE", key, "+", "-", "COUNT", "2"],
                ["XADD", key, "*", "probe", "1"], ["XLEN", key]]
    return out
