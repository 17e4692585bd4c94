import Store

/// The string commands.
extension CommandFamilies {
    static let strings: [CommandSpec] = [
        CommandSpec("get", arity: 2, flags: [.readonly, .fast], keys: (1, 1, 1), access: .read, group: "string",
                    summary: "Get the value of a key") { call in
            .bulkOrNull(try call.keyspace.getString(call.args[1]))
        },
        CommandSpec("set", arity: -3, flags: [.write, .denyoom], keys: (1, 1, 1), access: .write, group: "string",
                    summary: "Set the string value of a key") { call in try set(call) },
        CommandSpec("setnx", arity: 3, flags: [.write, .denyoom, .fast], keys: (1, 1, 1), access: .write, group: "string",
                    summary: "Set the value of a key, only if the key does not exist") { call in
            let ks = call.keyspace
            if try ks.exists(call.args[1]) { return .zero }
            try ks.setString(call.args[1], call.args[2])
            return .one
        },
        setWithExpiry("setex", milliseconds: false, summary: "Set the value and expiration of a key", since: "2.0.0"),
        setWithExpiry("psetex", milliseconds: true, summary: "Set the value and expiration in milliseconds of a key", since: "2.6.0"),
        CommandSpec("mget", arity: -2, flags: [.readonly, .fast], keys: (1, -1, 1), access: .read, group: "string",
                    summary: "Get the values of all the given keys") { call in
            let ks = call.keyspace
            return .array(try call.args.dropFirst().map { key in
                guard let record = try ks.type(of: key), record == .string else { return .null }
                return .bulkOrNull(try ks.getString(key))
            })
        },
        CommandSpec("mset", arity: -3, flags: [.write, .denyoom], keys: (1, -1, 2), access: .write, group: "string",
                    summary: "Set multiple keys to multiple values", since: "1.0.1") { call in
            guard call.args.count % 2 == 1 else { throw CommandError.wrongArity("mset") }
            for i in stride(from: 1, to: call.args.count, by: 2) { try call.keyspace.setString(call.args[i], call.args[i + 1]) }
            return .ok
        },
        CommandSpec("msetnx", arity: -3, flags: [.write, .denyoom], keys: (1, -1, 2), access: .write, group: "string",
                    summary: "Set multiple keys to multiple values, only if none of the keys exist", since: "1.0.1") { call in
            guard call.args.count % 2 == 1 else { throw CommandError.wrongArity("msetnx") }
            let ks = call.keyspace
            for i in stride(from: 1, to: call.args.count, by: 2) where try ks.exists(call.args[i]) { return .zero }
            for i in stride(from: 1, to: call.args.count, by: 2) { try ks.setString(call.args[i], call.args[i + 1]) }
            return .one
        },
        CommandSpec("getset", arity: 3, flags: [.write, .denyoom, .fast], keys: (1, 1, 1), access: .write, group: "string",
                    summary: "Set the string value of a key and return its old value") { call in
            let old = try call.keyspace.getString(call.args[1])
            try call.keyspace.setString(call.args[1], call.args[2])
            return .bulkOrNull(old)
        },
        CommandSpec("getdel", arity: 2, flags: [.write, .fast], keys: (1, 1, 1), access: .write, group: "string",
                    summary: "Get the value of a key and delete the key", since: "6.2.0") { call in
            guard let old = try call.keyspace.getString(call.args[1]) else { return .null }
            try call.keyspace.delete(call.args[1])
            return .bulk(old)
        },
        CommandSpec("getex", arity: -2, flags: [.write, .fast], keys: (1, 1, 1), access: .write, group: "string",
                    summary: "Get the value of a key and optionally set its expiration", since: "6.2.0") { call in
            try getex(call)
        },
        CommandSpec("append", arity: 3, flags: [.write, .denyoom, .fast], keys: (1, 1, 1), access: .write, group: "string",
                    summary: "Append a value to a key", since: "2.0.0") { call in
            .integer(try call.keyspace.append(call.args[1], call.args[2]))
        },
        CommandSpec("strlen", arity: 2, flags: [.readonly, .fast], keys: (1, 1, 1), access: .read, group: "string",
                    summary: "Get the length of the value stored in a key", since: "2.2.0") { call in
            .integer(try call.keyspace.getString(call.args[1])?.count ?? 0)
        },
        increment("incr", summary: "Increment the integer value of a key by one") { _ in 1 },
        increment("decr", summary: "Decrement the integer value of a key by one") { _ in -1 },
        increment("incrby", arity: 3, summary: "Increment the integer value of a key by the given amount") { call in
            try call.integer(2)
        },
        increment("decrby", arity: 3, summary: "Decrement the integer value of a key by the given number") { call in
            let v = try call.integer(2)
            guard v != .min else { throw CommandError("ERR decrement would overflow") }
            return -v
        },
        CommandSpec("incrbyfloat", arity: 3, flags: [.write, .denyoom, .fast], keys: (1, 1, 1), access: .write,
                    group: "string", summary: "Increment the float value of a key by the given amount", since: "2.6.0") { call in
            let ks = call.keyspace
            // Redis checks the key's type before it reads the increment.
            if let type = try ks.type(of: call.args[1]), type != .string { throw CommandError.wrongType }
            return .bulk(try ks.incrementFloat(call.args[1], by: try call.float(2)))
        },
        CommandSpec("getrange", arity: 4, flags: [.readonly], keys: (1, 1, 1), access: .read, group: "string",
                    summary: "Get a substring of the string stored at a key", since: "2.4.0") { call in
            let start = try call.integer(2), end = try call.integer(3)
            guard let value = try call.keyspace.getString(call.args[1]) else { return .bulk([]) }
            return .bulk(substring(value, start, end))
        },
        CommandSpec("setrange", arity: 4, flags: [.write, .denyoom], keys: (1, 1, 1), access: .write, group: "string",
                    summary: "Overwrite part of a string at key starting at the specified offset", since: "2.2.0") { call in
            let offset = try call.integer(2)
            guard offset >= 0 else { throw CommandError("ERR offset is out of range") }
            return .integer(try call.keyspace.setRange(call.args[1], offset: Int(offset), call.args[3]))
        },
    ]

    /// GETRANGE's index rules.
    static func substring(_ value: [UInt8], _ start: Int64, _ end: Int64) -> [UInt8] {
        let length = Int64(value.count)
        guard length > 0 else { return [] }
        var s = start < 0 ? length + start : start
        var e = end < 0 ? length + end : end
        if s < 0 { s = 0 }
        if e < 0 { e = 0 }
        if e >= length { e = length - 1 }
        guard s <= e else { return [] }
        return Array(value[Int(s)...Int(e)])
    }

    private static func increment(_ name: String, arity: Int = 2, summary: String,
                                  _ delta: @escaping @Sendable (Call) throws -> Int64) -> CommandSpec {
        CommandSpec(name, arity: arity, flags: [.write, .denyoom, .fast], keys: (1, 1, 1), access: .write,
                    group: "string", summary: summary) { call in
            .integer(try call.keyspace.incrementInteger(call.args[1], by: try delta(call)))
        }
    }

    private static func setWithExpiry(_ name: String, milliseconds: Bool, summary: String, since: String) -> CommandSpec {
        CommandSpec(name, arity: 4, flags: [.write, .denyoom], keys: (1, 1, 1), access: .write, group: "string",
                    summary: summary, since: since) { call in
            let value = try call.integer(2)
            let invalid = CommandError("ERR invalid expire time in '\(name)' command")
            guard value > 0 else { throw invalid }
            let ks = call.keyspace
            let at = try call.expiryTime(value, milliseconds: milliseconds, absolute: false, now: ks.now)
            try ks.setString(call.args[1], call.args[3], expireAt: at)
            return .ok
        }
    }

    /// An EX, PX, EXAT or PXAT option as given: the option word and the index of its value. Redis reads the value
    /// only after every word passed the syntax check (and, for GETEX, after the key's type). Repeating the same
    /// option replaces its value; mixing two of them is a syntax error.
    private struct ExpiryWord {
        let option: String
        let valueIndex: Int

        /// The option just read as `option`, taking the next word as its value; nil when it may not come here
        /// (after a different time option) or has no value.
        static func read(_ option: String, after earlier: ExpiryWord?, _ options: inout OptionReader) -> ExpiryWord? {
            guard earlier == nil || earlier?.option == option, options.remaining >= 1 else { return nil }
            defer { options.index += 1 }
            return ExpiryWord(option: option, valueIndex: options.index)
        }
    }

    /// SET key value [NX|XX] [GET] [EX|PX|EXAT|PXAT time|KEEPTTL]
    private static func set(_ call: Call) throws -> Reply {
        var nx = false, xx = false, get = false, keepTTL = false
        var expiry: ExpiryWord?
        var options = OptionReader(call, from: 3)
        while !options.atEnd {
            let option = options.nextOption()
            switch option {
            case "NX" where !xx: nx = true
            case "XX" where !nx: xx = true
            case "GET": get = true
            case "KEEPTTL" where expiry == nil: keepTTL = true
            case "EX", "PX", "EXAT", "PXAT":
                guard !keepTTL, let word = ExpiryWord.read(option, after: expiry, &options) else {
                    throw CommandError.syntax
                }
                expiry = word
            default:
                throw CommandError.syntax
            }
        }
        let ks = call.keyspace
        let at = try expiryTime(expiry, call, now: ks.now)
        let condition: Keyspace.SetCondition? = nx ? .ifMissing : xx ? .ifExists : nil
        let (written, old) = try ks.setString(call.args[1], call.args[2], expireAt: at, keepTTL: keepTTL,
                                              condition: condition, returningOld: get)
        if get { return .bulkOrNull(old) }
        return written ? .ok : .null
    }

    /// The Unix ms an EX/PX/EXAT/PXAT option stands for (0 without one).
    /// - Throws: `ERR value is not an integer or out of range`; `ERR invalid expire time` for a time ≤ 0 or one
    ///   that overflows.
    private static func expiryTime(_ expiry: ExpiryWord?, _ call: Call, now: Int64) throws -> Int64 {
        guard let expiry else { return 0 }
        let value = try call.integer(expiry.valueIndex)
        guard value > 0 else { throw CommandError("ERR invalid expire time in '\(call.name)' command") }
        return try call.expiryTime(value, milliseconds: expiry.option.hasPrefix("P"),
                                   absolute: expiry.option.hasSuffix("AT"), now: now)
    }

    /// GETEX key [EX|PX|EXAT|PXAT time|PERSIST]
    private static func getex(_ call: Call) throws -> Reply {
        var expiry: ExpiryWord?
        var persist = false
        var options = OptionReader(call, from: 2)
        while !options.atEnd {
            let option = options.nextOption()
            switch option {
            case "PERSIST" where expiry == nil: persist = true
            case "EX", "PX", "EXAT", "PXAT":
                guard !persist, let word = ExpiryWord.read(option, after: expiry, &options) else {
                    throw CommandError.syntax
                }
                expiry = word
            default:
                throw CommandError.syntax
            }
        }
        let ks = call.keyspace
        guard let value = try ks.getString(call.args[1]) else { return .null }
        let at = try expiryTime(expiry, call, now: ks.now)
        if expiry != nil {
            if at <= ks.now { try ks.delete(call.args[1]) } else { try ks.setExpireTime(call.args[1], at) }
        } else if persist, try ks.expireTime(of: call.args[1]) != 0 {
            try ks.setExpireTime(call.args[1], 0)
        }
        return .bulk(value)
    }
}
