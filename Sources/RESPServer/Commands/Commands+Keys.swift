import Store

/// DEL, UNLINK, EXISTS, TYPE, KEYS, SCAN, RENAME, RENAMENX, the EXPIRE family, TTL, PERSIST, RANDOMKEY, OBJECT.
extension CommandFamilies {
    static let keys: [CommandSpec] = [
        CommandSpec("del", arity: -2, flags: [.write], keys: (1, -1, 1), access: .write, group: "generic",
                    summary: "Delete a key") { call in try delete(call) },
        CommandSpec("unlink", arity: -2, flags: [.write, .fast], keys: (1, -1, 1), access: .write, group: "generic",
                    summary: "Delete a key asynchronously in another thread", since: "4.0.0") { call in try delete(call) },
        CommandSpec("exists", arity: -2, flags: [.readonly, .fast], keys: (1, -1, 1), access: .read, group: "generic",
                    summary: "Determine if a key exists") { call in
            var n = 0
            for key in call.args.dropFirst() where try call.keyspace.exists(key) { n += 1 }
            return .integer(n)
        },
        CommandSpec("type", arity: 2, flags: [.readonly, .fast], keys: (1, 1, 1), access: .read, group: "generic",
                    summary: "Determine the type stored at key") { call in
            .simple(try call.keyspace.type(of: call.args[1])?.name ?? "none")
        },
        CommandSpec("keys", arity: 2, flags: [.readonly], access: .read, group: "generic",
                    summary: "Find all keys matching the given pattern") { call in
            .array(try call.keyspace.keys(matching: GlobPattern(call.args[1])).map(Reply.bulk))
        },
        CommandSpec("scan", arity: -2, flags: [.readonly], access: .read, group: "generic",
                    summary: "Incrementally iterate the keys space", since: "2.8.0") { call in
            let cursor = try scanCursor(call, 1)
            var options = OptionReader(call, from: 2)
            let (count, pattern, type) = try scanOptions(&options, allowType: true)
            let (next, keys) = try call.keyspace.scan(cursor: cursor, count: count, pattern: pattern, type: type)
            return .array([.bulk(String(next)), .array(keys.map(Reply.bulk))])
        },
        CommandSpec("rename", arity: 3, flags: [.write], keys: (1, 2, 1), access: .write, group: "generic",
                    summary: "Rename a key") { call in
            try call.keyspace.rename(call.args[1], to: call.args[2])
            return .ok
        },
        CommandSpec("renamenx", arity: 3, flags: [.write, .fast], keys: (1, 2, 1), access: .write, group: "generic",
                    summary: "Rename a key, only if the new key does not exist") { call in
            let ks = call.keyspace
            guard try ks.exists(call.args[1]) else { throw CommandError.noSuchKey }
            if try ks.exists(call.args[2]) { return .zero }
            try ks.rename(call.args[1], to: call.args[2])
            return .one
        },
        expireCommand("expire", milliseconds: false, absolute: false, summary: "Set a key's time to live in seconds"),
        expireCommand("pexpire", milliseconds: true, absolute: false, summary: "Set a key's time to live in milliseconds"),
        expireCommand("expireat", milliseconds: false, absolute: true, summary: "Set the expiration for a key as a UNIX timestamp"),
        expireCommand("pexpireat", milliseconds: true, absolute: true, summary: "Set the expiration for a key as a UNIX timestamp specified in milliseconds"),
        ttlCommand("ttl", absolute: false, seconds: true, summary: "Get the time to live for a key in seconds"),
        ttlCommand("pttl", absolute: false, seconds: false, summary: "Get the time to live for a key in milliseconds"),
        ttlCommand("expiretime", absolute: true, seconds: true, summary: "Get the expiration Unix timestamp for a key"),
        ttlCommand("pexpiretime", absolute: true, seconds: false,
                   summary: "Get the expiration Unix timestamp for a key in milliseconds"),
        CommandSpec("persist", arity: 2, flags: [.write, .fast], keys: (1, 1, 1), access: .write, group: "generic",
                    summary: "Remove the expiration from a key", since: "2.2.0") { call in
            guard let at = try call.keyspace.expireTime(of: call.args[1]), at != 0 else { return .zero }
            try call.keyspace.setExpireTime(call.args[1], 0)
            return .one
        },
        CommandSpec("randomkey", arity: 1, flags: [.readonly], access: .read, group: "generic",
                    summary: "Return a random key from the keyspace") { call in
            .bulkOrNull(try call.keyspace.randomKey())
        },
        CommandSpec("object", arity: -2, flags: [.readonly], keys: (2, 2, 1), access: .read, group: "generic",
                    summary: "A container for object introspection commands", since: "2.2.3",
                    subcommands: [.init("encoding", 3), .init("refcount", 3), .init("idletime", 3), .init("freq", 3), .init("help", 2)]) { call in try object(call) },
    ]

    private static func delete(_ call: Call) throws -> Reply {
        var n = 0
        for key in call.args.dropFirst() where try call.keyspace.delete(key) { n += 1 }
        return .integer(n)
    }

    static func scanCursor(_ call: Call, _ i: Int) throws -> UInt64 {
        guard let cursor = CNumberParsing.scanCursor(call.args[i]) else { throw CommandError("ERR invalid cursor") }
        return cursor
    }

    /// MATCH, COUNT and (for SCAN) TYPE.
    static func scanOptions(_ options: inout OptionReader, allowType: Bool) throws -> (Int, GlobPattern?, KeyType?) {
        var count = 10
        var pattern: GlobPattern?
        var type: KeyType?
        var unknownType = false
        while !options.atEnd {
            let option = options.nextOption()
            switch option {
            case "COUNT" where options.remaining >= 1:
                let n = try options.integer()
                guard n >= 1 else { throw CommandError.syntax }
                count = Int(min(n, 1 << 30))
            case "MATCH" where options.remaining >= 1:
                pattern = GlobPattern(try options.value())
            case "TYPE" where allowType && options.remaining >= 1:
                let name = String(decoding: try options.value(), as: UTF8.self)
                type = KeyType(name: name)
                unknownType = type == nil
            default:
                throw CommandError.syntax
            }
        }
        // An unknown TYPE matches nothing, as in Redis 7.0.
        if unknownType { pattern = GlobPattern(Array("\u{0}never\u{0}".utf8)) }
        return (count, pattern, type)
    }

    private static func expireCommand(_ name: String, milliseconds: Bool, absolute: Bool, summary: String) -> CommandSpec {
        CommandSpec(name, arity: -3, flags: [.write, .fast], keys: (1, 1, 1), access: .write, group: "generic",
                    summary: summary) { call in
            // Redis 7.0 reads the options before the number.
            var nx = false, xx = false, gt = false, lt = false
            for i in 3..<call.args.count {
                switch call.option(i) {
                case "NX": nx = true
                case "XX": xx = true
                case "GT": gt = true
                case "LT": lt = true
                default: throw CommandError("ERR Unsupported option \(call.string(i))")
                }
            }
            if nx && (xx || gt || lt) {
                throw CommandError("ERR NX and XX, GT or LT options at the same time are not compatible")
            }
            if gt && lt { throw CommandError("ERR GT and LT options at the same time are not compatible") }
            let value = try call.integer(2)
            let ks = call.keyspace
            let at = try call.expiryTime(value, milliseconds: milliseconds, absolute: absolute, now: ks.now)
            guard let current = try ks.expireTime(of: call.args[1]) else { return .zero }
            if nx && current != 0 { return .zero }
            if xx && current == 0 { return .zero }
            if gt && (current == 0 || at <= current) { return .zero }
            if lt && current != 0 && at >= current { return .zero }
            if at <= ks.now {
                try ks.delete(call.args[1])
            } else {
                try ks.setExpireTime(call.args[1], at)
            }
            return .one
        }
    }

    /// TTL, PTTL, EXPIRETIME, PEXPIRETIME. As Redis: the time left (or the expiry itself) clamped at 0, then
    /// rounded to the nearest second; computed without overflow for an expiry stored at 2^63 - 1 ms.
    private static func ttlCommand(_ name: String, absolute: Bool, seconds: Bool, summary: String) -> CommandSpec {
        CommandSpec(name, arity: 2, flags: [.readonly, .fast], keys: (1, 1, 1), access: .read, group: "generic",
                    summary: summary) { call in
            let ks = call.keyspace
            guard let at = try ks.expireTime(of: call.args[1]) else { return .integer(-2) }
            guard at != 0 else { return .integer(-1) }
            let ms = absolute ? max(0, at) : max(0, at.subtractingReportingOverflow(ks.now).partialValue)
            return .integer(seconds ? ms / 1000 + (ms % 1000 >= 500 ? 1 : 0) : ms)
        }
    }

    private static func object(_ call: Call) throws -> Reply {
        let sub = call.option(1)
        if sub == "HELP" && call.args.count == 2 {
            return .array(["OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                           "ENCODING <key>", "    Return the kind of internal representation used in order to store the value",
                           "    associated with a <key>.",
                           "FREQ <key>", "    Return the access logarithmic access frequency counter of a <key>.",
                           "HELP", "    Print this help.",
                           "IDLETIME <key>", "    Return the idle time of a <key>, that is the approximated number of",
                           "    seconds elapsed since the last access to the key.",
                           "REFCOUNT <key>", "    Return the number of references of the value associated with the specified",
                           "    <key>."].map { .simple($0) })
        }
        guard call.args.count == 3, ["ENCODING", "REFCOUNT", "IDLETIME", "FREQ"].contains(sub) else {
            throw CommandError.unknownSubcommand(call.args[1], "object")
        }
        let ks = call.keyspace
        guard let type = try ks.type(of: call.args[2]) else { return .null }
        switch sub {
        case "ENCODING":
            switch type {
            case .string:
                let value = try ks.getString(call.args[2]) ?? []
                if value.count <= 20 && Keyspace.parseInteger(value) != nil { return .bulk("int") }
                return .bulk(value.count <= 44 ? "embstr" : "raw")
            case .hash: return .bulk(try ks.hashLength(call.args[2]) <= 128 ? "listpack" : "hashtable")
            case .list: return .bulk("quicklist")
            case .stream: return .bulk("stream")
            }
        case "REFCOUNT": return .one
        case "IDLETIME": return .zero
        default:
            throw CommandError("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
        }
    }
}
