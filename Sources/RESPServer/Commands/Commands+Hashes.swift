import Store

/// The hash commands.
extension CommandFamilies {
    static let hashes: [CommandSpec] = [
        CommandSpec("hset", arity: -4, flags: [.write, .denyoom, .fast], keys: (1, 1, 1), access: .write, group: "hash",
                    summary: "Set the string value of a hash field", since: "2.0.0") { call in
            .integer(try call.keyspace.hashSet(call.args[1], try pairs(call, "hset")))
        },
        CommandSpec("hmset", arity: -4, flags: [.write, .denyoom, .fast], keys: (1, 1, 1), access: .write, group: "hash",
                    summary: "Set multiple hash fields to multiple values", since: "2.0.0") { call in
            _ = try call.keyspace.hashSet(call.args[1], try pairs(call, "hmset"))
            return .ok
        },
        CommandSpec("hsetnx", arity: 4, flags: [.write, .denyoom, .fast], keys: (1, 1, 1), access: .write, group: "hash",
                    summary: "Set the value of a hash field, only if the field does not exist", since: "2.0.0") { call in
            .integer(try call.keyspace.hashSet(call.args[1], [(call.args[2], call.args[3])], onlyIfNew: true))
        },
        CommandSpec("hget", arity: 3, flags: [.readonly, .fast], keys: (1, 1, 1), access: .read, group: "hash",
                    summary: "Get the value of a hash field", since: "2.0.0") { call in
            .bulkOrNull(try call.keyspace.hashGet(call.args[1], call.args[2]))
        },
        CommandSpec("hmget", arity: -3, flags: [.readonly, .fast], keys: (1, 1, 1), access: .read, group: "hash",
                    summary: "Get the values of all the given hash fields", since: "2.0.0") { call in
            let ks = call.keyspace
            return .array(try call.args.dropFirst(2).map { .bulkOrNull(try ks.hashGet(call.args[1], $0)) })
        },
        CommandSpec("hgetall", arity: 2, flags: [.readonly], keys: (1, 1, 1), access: .read, group: "hash",
                    summary: "Get all the fields and values in a hash", since: "2.0.0") { call in
            .map(try call.keyspace.hashGetAll(call.args[1]).map { (.bulk($0.0), .bulk($0.1)) })
        },
        CommandSpec("hdel", arity: -3, flags: [.write, .fast], keys: (1, 1, 1), access: .write, group: "hash",
                    summary: "Delete one or more hash fields", since: "2.0.0") { call in
            .integer(try call.keyspace.hashDelete(call.args[1], Array(call.args[2...])))
        },
        CommandSpec("hlen", arity: 2, flags: [.readonly, .fast], keys: (1, 1, 1), access: .read, group: "hash",
                    summary: "Get the number of fields in a hash", since: "2.0.0") { call in
            .integer(try call.keyspace.hashLength(call.args[1]))
        },
        CommandSpec("hexists", arity: 3, flags: [.readonly, .fast], keys: (1, 1, 1), access: .read, group: "hash",
                    summary: "Determine if a hash field exists", since: "2.0.0") { call in
            .bool(try call.keyspace.hashGet(call.args[1], call.args[2]) != nil)
        },
        CommandSpec("hkeys", arity: 2, flags: [.readonly], keys: (1, 1, 1), access: .read, group: "hash",
                    summary: "Get all the fields in a hash", since: "2.0.0") { call in
            .array(try call.keyspace.hashGetAll(call.args[1]).map { .bulk($0.0) })
        },
        CommandSpec("hvals", arity: 2, flags: [.readonly], keys: (1, 1, 1), access: .read, group: "hash",
                    summary: "Get all the values in a hash", since: "2.0.0") { call in
            .array(try call.keyspace.hashGetAll(call.args[1]).map { .bulk($0.1) })
        },
        CommandSpec("hstrlen", arity: 3, flags: [.readonly, .fast], keys: (1, 1, 1), access: .read, group: "hash",
                    summary: "Get the length of the value of a hash field", since: "3.2.0") { call in
            .integer(try call.keyspace.hashGet(call.args[1], call.args[2])?.count ?? 0)
        },
        CommandSpec("hincrby", arity: 4, flags: [.write, .denyoom, .fast], keys: (1, 1, 1), access: .write, group: "hash",
                    summary: "Increment the integer value of a hash field by the given number", since: "2.0.0") { call in
            let delta = try call.integer(3)
            do {
                return .integer(try call.keyspace.hashIncrement(call.args[1], call.args[2], by: delta))
            } catch StoreError.notAnInteger {
                throw CommandError("ERR hash value is not an integer")
            }
        },
        CommandSpec("hincrbyfloat", arity: 4, flags: [.write, .denyoom, .fast], keys: (1, 1, 1), access: .write,
                    group: "hash", summary: "Increment the float value of a hash field by the given amount", since: "2.6.0") { call in
            let delta = try call.float(3)
            guard delta.isFinite else { throw CommandError("ERR value is NaN or Infinity") }
            do {
                return .bulk(try call.keyspace.hashIncrementFloat(call.args[1], call.args[2], by: delta))
            } catch StoreError.notAFloat {
                throw CommandError("ERR hash value is not a float")
            } catch StoreError.nanOrInfinity {
                throw CommandError("ERR increment would produce NaN or Infinity")
            }
        },
        CommandSpec("hscan", arity: -3, flags: [.readonly], keys: (1, 1, 1), access: .read, group: "hash",
                    summary: "Incrementally iterate hash fields and associated values", since: "2.8.0") { call in
            // Redis 7.0's order: the cursor, the key (a missing one is an empty scan), then the options.
            let cursor = try scanCursor(call, 2)
            guard try call.keyExists(1, as: .hash) else { return .array([.bulk("0"), .array([])]) }
            var options = OptionReader(call, from: 3)
            let (count, pattern, _) = try scanOptions(&options, allowType: false)
            let (next, pairs) = try call.keyspace.hashScan(call.args[1], cursor: cursor, count: count, pattern: pattern)
            return .array([.bulk(String(next)), .array(pairs.flatMap { [Reply.bulk($0.0), .bulk($0.1)] })])
        },
        CommandSpec("hrandfield", arity: -2, flags: [.readonly], keys: (1, 1, 1), access: .read, group: "hash",
                    summary: "Get one or multiple random fields from a hash", since: "6.2.0") { call in
            try randomFields(call)
        },
    ]

    private static func pairs(_ call: Call, _ name: String) throws -> [([UInt8], [UInt8])] {
        guard call.args.count % 2 == 0 else { throw CommandError.wrongArity(name) }
        return stride(from: 2, to: call.args.count, by: 2).map { (call.args[$0], call.args[$0 + 1]) }
    }

    /// HRANDFIELD key [count [WITHVALUES]]: a positive count gives distinct fields, a negative one may repeat.
    /// Counts are Redis's: within ±(2^63 - 1), halved with WITHVALUES. A repeating reply is bounded by
    /// `maxRepeatingReplyBytes` once past 1024 picks (Redis would build it whatever its size, minutes and
    /// gigabytes for -2147483647); past it the count is refused as out of range.
    private static func randomFields(_ call: Call) throws -> Reply {
        // The count before the other words, as Redis 7.0.
        let count: Int64? = call.args.count >= 3 ? try call.integer(2) : nil
        guard call.args.count <= 4 else { throw CommandError.syntax }
        let withValues = call.args.count == 4
        if withValues && call.option(3) != "WITHVALUES" { throw CommandError.syntax }
        if count == .min {
            throw CommandError("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
        }
        if let count, withValues && (count < -(Int64.max / 2) || count > Int64.max / 2) {
            throw CommandError("ERR value is out of range")
        }
        let all = try call.keyspace.hashGetAll(call.args[1])
        guard let count else { return all.randomElement().map { .bulk($0.0) } ?? .null }
        var chosen: [([UInt8], [UInt8])]
        if count >= 0 {
            chosen = Array(all.shuffled().prefix(Int(min(count, Int64(all.count)))))
        } else if all.isEmpty {
            chosen = []
        } else {
            let repeats = Int(count.magnitude)
            // RESP bytes per pick, on average: `$<len>\r\n<field>\r\n`, and the value's likewise.
            let bytes = all.reduce(0) { $0 + $1.0.count + 16 + (withValues ? $1.1.count + 16 : 0) } / all.count
            // A small count is always served, however large the fields.
            guard repeats <= max(1024, maxRepeatingReplyBytes / max(bytes, 1)) else {
                throw CommandError("ERR value is out of range")
            }
            return repeatedPicks(all, count: repeats, withValues: withValues, resp3: call.session.protocolVersion >= 3)
        }
        if !withValues { return .array(chosen.map { .bulk($0.0) }) }
        if call.session.protocolVersion >= 3 { return .array(chosen.map { .array([.bulk($0.0), .bulk($0.1)]) }) }
        return .array(chosen.flatMap { [Reply.bulk($0.0), .bulk($0.1)] })
    }

    /// A repeating HRANDFIELD reply, already encoded: each field is encoded once and copied per pick, so millions
    /// of picks cost bulk copies rather than a reply tree (which took a minute in a debug build).
    private static func repeatedPicks(_ all: [([UInt8], [UInt8])], count: Int, withValues: Bool, resp3: Bool) -> Reply {
        func bulk(_ bytes: [UInt8]) -> [UInt8] { Array("$\(bytes.count)\r\n".utf8) + bytes + [13, 10] }
        let encoded = all.map { field, value in
            withValues ? (resp3 ? Array("*2\r\n".utf8) : []) + bulk(field) + bulk(value) : bulk(field)
        }
        var out = Array("*\(withValues && !resp3 ? count * 2 : count)\r\n".utf8)
        let average = encoded.reduce(0) { $0 + $1.count } / max(encoded.count, 1)
        out.reserveCapacity(min(count * average, maxRepeatingReplyBytes))
        var random = SplitMix64(seed: UInt64.random(in: .min ... .max))
        for _ in 0..<count { out += encoded[Int(random.next() % UInt64(encoded.count))] }
        return .raw(out)
    }

    /// The largest reply a repeating HRANDFIELD builds (about 4 million short fields): bounds the memory one
    /// client can make the server hold for a single reply.
    static let maxRepeatingReplyBytes = 64 * 1024 * 1024
}

/// A fast pseudo-random generator for picking millions of fields (the system generator makes a call per number).
private struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
