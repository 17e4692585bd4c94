/// The argument syntax of each command, as COMMAND DOCS reports it (redis-cli builds its hints from it).
///
/// Written in the notation of Redis's documentation: UPPER-case words are tokens, lower-case words are values,
/// `[...]` is optional, `a|b` is one of, `...` repeats the element before it, `(...)` groups.
enum CommandSyntax {
    static let table: [String: String] = [
        "append": "key value", "auth": "[username] password", "bgsave": "[SCHEDULE]",
        "blmove": "source destination LEFT|RIGHT LEFT|RIGHT timeout", "blpop": "key ... timeout",
        "brpop": "key ... timeout", "brpoplpush": "source destination timeout",
        "client": "", "command": "", "config": "", "dbsize": "", "decr": "key", "decrby": "key decrement",
        "del": "key ...", "discard": "", "echo": "message", "exec": "",
        "exists": "key ...", "expire": "key seconds [NX|XX|GT|LT]", "expireat": "key unix-time-seconds [NX|XX|GT|LT]",
        "expiretime": "key", "flushall": "[ASYNC|SYNC]", "flushdb": "[ASYNC|SYNC]", "get": "key", "getdel": "key",
        "getex": "key [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|PERSIST]",
        "getrange": "key start end", "getset": "key value", "hdel": "key field ...", "hello":
            "[protover [AUTH username password] [SETNAME clientname]]",
        "hexists": "key field", "hget": "key field", "hgetall": "key", "hincrby": "key field increment",
        "hincrbyfloat": "key field increment", "hkeys": "key", "hlen": "key", "hmget": "key field ...",
        "hmset": "key (field value) ...", "hrandfield": "key [count [WITHVALUES]]",
        "hscan": "key cursor [MATCH pattern] [COUNT count]", "hset": "key (field value) ...",
        "hsetnx": "key field value", "hstrlen": "key field", "hvals": "key", "incr": "key",
        "incrby": "key increment", "incrbyfloat": "key increment", "info": "[section ...]", "keys": "pattern",
        "lastsave": "", "lindex": "key index", "linsert": "key BEFORE|AFTER pivot element", "llen": "key",
        "lmove": "source destination LEFT|RIGHT LEFT|RIGHT", "lpop": "key [count]",
        "lpos": "key element [RANK rank] [COUNT num-matches] [MAXLEN len]", "lpush": "key element ...",
        "lpushx": "key element ...", "lrange": "key start stop", "lrem": "key count element",
        "lset": "key index element", "ltrim": "key start stop", "mget": "key ...", "monitor": "",
        "mset": "(key value) ...", "msetnx": "(key value) ...", "multi": "", "object": "",
        "persist": "key", "pexpire": "key milliseconds [NX|XX|GT|LT]",
        "pexpireat": "key unix-time-milliseconds [NX|XX|GT|LT]", "pexpiretime": "key",
        "ping": "[message]", "psetex": "key milliseconds value", "psubscribe": "pattern ...", "pttl": "key",
        "publish": "channel message", "pubsub": "", "punsubscribe": "[pattern ...]", "quit": "",
        "randomkey": "", "rename": "key newkey", "renamenx": "key newkey", "reset": "", "rpop": "key [count]",
        "rpoplpush": "source destination", "rpush": "key element ...", "rpushx": "key element ...", "save": "",
        "scan": "cursor [MATCH pattern] [COUNT count] [TYPE type]", "select": "index",
        "set": "key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]",
        "setex": "key seconds value", "setnx": "key value", "setrange": "key offset value",
        "shutdown": "[NOSAVE|SAVE] [NOW] [FORCE] [ABORT]", "strlen": "key", "subscribe": "channel ...",
        "time": "", "ttl": "key", "type": "key", "unlink": "key ...", "unsubscribe": "[channel ...]",
        "unwatch": "", "watch": "key ...", "xack": "key group id ...",
        "xadd": "key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id (field value) ...",
        "xautoclaim": "key group consumer min-idle-time start [COUNT count] [JUSTID]",
        "xclaim": "key group consumer min-idle-time id ... [IDLE ms] [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]",
        "xdel": "key id ...", "xgroup": "", "xinfo": "", "xlen": "key",
        "xpending": "key group [[IDLE min-idle-time] start end count [consumer]]",
        "xrange": "key start end [COUNT count]",
        "xread": "[COUNT count] [BLOCK milliseconds] STREAMS key ... id ...",
        "xreadgroup": "GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key ... id ...",
        "xrevrange": "key end start [COUNT count]", "xsetid": "key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]",
        "xtrim": "key MAXLEN|MINID [=|~] threshold [LIMIT count]",
    ]

    /// COMMAND DOCS `arguments` for a syntax string.
    static func arguments(_ syntax: String) -> Reply {
        var parser = Parser(tokens: tokenize(syntax))
        return .array(parser.sequence(until: nil))
    }

    private static func tokenize(_ s: String) -> [String] {
        var out: [String] = []
        var word = ""
        for ch in s {
            if "[]()| ".contains(ch) {
                if !word.isEmpty { out.append(word) }
                word = ""
                if ch != " " { out.append(String(ch)) }
            } else {
                word.append(ch)
            }
        }
        if !word.isEmpty { out.append(word) }
        return out
    }

    private struct Parser {
        let tokens: [String]
        var i = 0

        init(tokens: [String]) { self.tokens = tokens }

        /// Elements up to `end` (a closing bracket), each possibly marked optional or multiple.
        mutating func sequence(until end: String?) -> [Reply] {
            var items: [Reply] = []
            while i < tokens.count, tokens[i] != end {
                var alternatives = [element()]
                while i < tokens.count, tokens[i] == "|" {
                    i += 1
                    alternatives.append(element())
                }
                var item = alternatives.count > 1 ? argument(name: "choice", type: "oneof", nested: alternatives) : alternatives[0]
                if i < tokens.count, tokens[i] == "..." {
                    i += 1
                    item = item.adding(flag: "multiple")
                }
                items.append(item)
            }
            if i < tokens.count { i += 1 }
            return items
        }

        mutating func element() -> Reply {
            let token = tokens[i]
            i += 1
            switch token {
            case "[":
                let inner = sequence(until: "]")
                let item = inner.count == 1 ? inner[0] : argument(name: "block", type: "block", nested: inner)
                return item.adding(flag: "optional")
            case "(":
                return argument(name: "data", type: "block", nested: sequence(until: ")"))
            default:
                if token == token.uppercased() && token.contains(where: \.isLetter) {
                    // A token followed by its value (`COUNT count`) is one argument with that token.
                    if i < tokens.count, tokens[i] != token.uppercased() || !tokens[i].contains(where: \.isLetter),
                       !"[]()|".contains(tokens[i]), tokens[i] != "...", tokens[i].lowercased() == tokens[i] {
                        let value = tokens[i]
                        i += 1
                        return argument(name: value, type: valueType(value), token: token)
                    }
                    return argument(name: token.lowercased(), type: "pure-token", token: token)
                }
                return argument(name: token, type: valueType(token))
            }
        }

        func valueType(_ name: String) -> String {
            if name == "key" || name.hasSuffix("key") || name == "source" || name == "destination" { return "key" }
            if name == "pattern" { return "pattern" }
            if ["count", "index", "start", "end", "stop", "offset", "increment", "decrement", "seconds", "milliseconds",
                "cursor", "timeout", "len", "rank", "num-matches", "protover", "min-idle-time", "ms"].contains(name) {
                return name == "timeout" ? "double" : "integer"
            }
            if name.hasPrefix("unix-time") { return "unix-time" }
            return "string"
        }

        func argument(name: String, type: String, token: String? = nil, nested: [Reply] = []) -> Reply {
            var fields: [(Reply, Reply)] = [(.bulk("name"), .bulk(name)), (.bulk("type"), .bulk(type))]
            if let token { fields.append((.bulk("token"), .bulk(token))) }
            if !nested.isEmpty { fields.append((.bulk("arguments"), .array(nested))) }
            return .map(fields)
        }
    }
}

private extension Reply {
    /// Adds a flag (optional, multiple) to an argument map.
    func adding(flag: String) -> Reply {
        guard case .map(var fields) = self else { return self }
        if let at = fields.firstIndex(where: { $0.0 == .bulk("flags") }), case .set(let flags) = fields[at].1 {
            fields[at].1 = .set(flags + [.simple(flag)])
        } else {
            fields.append((.bulk("flags"), .set([.simple(flag)])))
        }
        return .map(fields)
    }
}
