import Store

/// The list commands, with the blocking BLPOP, BRPOP and BLMOVE.
extension CommandFamilies {
    static let lists: [CommandSpec] = [
        push("lpush", .left, onlyIfExists: false, summary: "Prepend one or multiple elements to a list"),
        push("rpush", .right, onlyIfExists: false, summary: "Append one or multiple elements to a list"),
        push("lpushx", .left, onlyIfExists: true, summary: "Prepend an element to a list, only if the list exists"),
        push("rpushx", .right, onlyIfExists: true, summary: "Append an element to a list, only if the list exists"),
        pop("lpop", .left, summary: "Remove and get the first elements in a list"),
        pop("rpop", .right, summary: "Remove and get the last elements in a list"),
        CommandSpec("llen", arity: 2, flags: [.readonly, .fast], keys: (1, 1, 1), access: .read, group: "list",
                    summary: "Get the length of a list") { call in .integer(try call.keyspace.listLength(call.args[1])) },
        CommandSpec("lrange", arity: 4, flags: [.readonly], keys: (1, 1, 1), access: .read, group: "list",
                    summary: "Get a range of elements from a list") { call in
            let start = try call.integer(2), stop = try call.integer(3)
            return .array(try call.keyspace.listRange(call.args[1], clamp(start), clamp(stop)).map(Reply.bulk))
        },
        CommandSpec("lindex", arity: 3, flags: [.readonly], keys: (1, 1, 1), access: .read, group: "list",
                    summary: "Get an element from a list by its index") { call in
            // Redis 7.0 answers for a missing key, or refuses another type, before it reads the index.
            guard try call.keyExists(1, as: .list) else { return .null }
            return .bulkOrNull(try call.keyspace.listIndex(call.args[1], clamp(try call.integer(2))))
        },
        CommandSpec("lset", arity: 4, flags: [.write, .denyoom], keys: (1, 1, 1), access: .write, group: "list",
                    summary: "Set the value of an element in a list by its index") { call in
            // The key and its type before the index, as Redis 7.0.
            guard try call.keyExists(1, as: .list) else { throw CommandError.noSuchKey }
            try call.keyspace.listSet(call.args[1], clamp(try call.integer(2)), call.args[3])
            return .ok
        },
        CommandSpec("lrem", arity: 4, flags: [.write], keys: (1, 1, 1), access: .write, group: "list",
                    summary: "Remove elements from a list") { call in
            .integer(try call.keyspace.listRemove(call.args[1], count: clamp(try call.integer(2)), call.args[3]))
        },
        CommandSpec("ltrim", arity: 4, flags: [.write], keys: (1, 1, 1), access: .write, group: "list",
                    summary: "Trim a list to the specified range") { call in
            let start = try call.integer(2), stop = try call.integer(3)
            try call.keyspace.listTrim(call.args[1], clamp(start), clamp(stop))
            return .ok
        },
        CommandSpec("linsert", arity: 5, flags: [.write, .denyoom], keys: (1, 1, 1), access: .write, group: "list",
                    summary: "Insert an element before or after another element in a list", since: "2.2.0") { call in
            let before: Bool
            switch call.option(2) {
            case "BEFORE": before = true
            case "AFTER": before = false
            default: throw CommandError.syntax
            }
            return .integer(try call.keyspace.listInsert(call.args[1], before: before, pivot: call.args[3], call.args[4]))
        },
        CommandSpec("lpos", arity: -3, flags: [.readonly], keys: (1, 1, 1), access: .read, group: "list",
                    summary: "Return the index of matching elements on a list", since: "6.0.6") { call in try lpos(call) },
        CommandSpec("lmove", arity: 5, flags: [.write, .denyoom], keys: (1, 2, 1), access: .write, group: "list",
                    summary: "Pop an element from a list, push it to another list and return it", since: "6.2.0") { call in
            let (from, to) = try ends(call, 3)
            return .bulkOrNull(try call.keyspace.listMove(call.args[1], call.args[2], from: from, to: to))
        },
        CommandSpec("rpoplpush", arity: 3, flags: [.write, .denyoom], keys: (1, 2, 1), access: .write, group: "list",
                    summary: "Remove the last element in a list, prepend it to another list and return it", since: "1.2.0") { call in
            .bulkOrNull(try call.keyspace.listMove(call.args[1], call.args[2], from: .right, to: .left))
        },
        CommandSpec("brpoplpush", arity: 4, flags: [.write, .denyoom], keys: (1, 2, 1), group: "list",
                    summary: "Pop an element from a list, push it to another list and return it; or block until one is available",
                    since: "2.2.0") { call in
            let timeout = try call.timeoutSeconds(3)
            let (source, destination) = (call.args[1], call.args[2])
            let attempt: BlockedRetry = { ks in try ks.listMove(source, destination, from: .right, to: .left).map(Reply.bulk) }
            if let reply = try attempt(call.keyspace) { return .reply(reply) }
            return .block(keys: [source], timeoutMilliseconds: timeout, timeoutReply: .nullArray,
                          retry: whileSourceIsList(source, attempt))
        },
        blockingPop("blpop", .left, summary: "Remove and get the first element in a list, or block until one is available"),
        blockingPop("brpop", .right, summary: "Remove and get the last element in a list, or block until one is available"),
        CommandSpec("blmove", arity: 6, flags: [.write, .denyoom], keys: (1, 2, 1), group: "list",
                    summary: "Pop an element from a list, push it to another list and return it; or block until one is available",
                    since: "6.2.0") { call in
            let (from, to) = try ends(call, 3)
            let timeout = try call.timeoutSeconds(5)
            let (source, destination) = (call.args[1], call.args[2])
            let attempt: BlockedRetry = { ks in
                try ks.listMove(source, destination, from: from, to: to).map(Reply.bulk)
            }
            if let reply = try attempt(call.keyspace) { return .reply(reply) }
            return .block(keys: [source], timeoutMilliseconds: timeout, timeoutReply: .nullArray,
                          retry: whileSourceIsList(source, attempt))
        },
    ]

    /// A woken BLMOVE or BRPOPLPUSH whose source now holds another type keeps waiting, as in Redis (which
    /// serves only list keys); a wrong-type destination is still an error.
    private static func whileSourceIsList(_ source: [UInt8], _ attempt: @escaping BlockedRetry) -> BlockedRetry {
        { ks in try ks.type(of: source) == .list ? attempt(ks) : nil }
    }

    /// Indexes beyond Int's range behave as the nearest end.
    private static func clamp(_ v: Int64) -> Int { Int(max(min(v, Int64(Int32.max) * 1024), -Int64(Int32.max) * 1024)) }

    private static func ends(_ call: Call, _ i: Int) throws -> (ListEnd, ListEnd) {
        func end(_ word: String) throws -> ListEnd {
            switch word {
            case "LEFT": .left
            case "RIGHT": .right
            default: throw CommandError.syntax
            }
        }
        return (try end(call.option(i)), try end(call.option(i + 1)))
    }

    private static func push(_ name: String, _ end: ListEnd, onlyIfExists: Bool, summary: String) -> CommandSpec {
        CommandSpec(name, arity: -3, flags: [.write, .denyoom, .fast], keys: (1, 1, 1), access: .write, group: "list",
                    summary: summary) { call in
            .integer(try call.keyspace.listPush(call.args[1], Array(call.args[2...]), at: end, onlyIfExists: onlyIfExists))
        }
    }

    private static func pop(_ name: String, _ end: ListEnd, summary: String) -> CommandSpec {
        CommandSpec(name, arity: -2, flags: [.write, .fast], keys: (1, 1, 1), access: .write, group: "list",
                    summary: summary) { call in
            // Redis 7.0 checks the count of words here, not in the table (COMMAND INFO says -2).
            guard call.args.count <= 3 else { throw CommandError.wrongArity(name) }
            if call.args.count == 3 {
                guard let count = Keyspace.parseInteger(call.args[2]), count >= 0 else { throw CommandError.outOfRangePositive }
                guard let values = try call.keyspace.listPop(call.args[1], from: end, count: Int(min(count, Int64(Int32.max))))
                else { return .nullArray }
                return .array(values.map(Reply.bulk))
            }
            return .bulkOrNull(try call.keyspace.listPop(call.args[1], from: end, count: 1)?.first)
        }
    }

    private static func blockingPop(_ name: String, _ end: ListEnd, summary: String) -> CommandSpec {
        CommandSpec(name, arity: -3, flags: [.write], keys: (1, -2, 1), group: "list", summary: summary, since: "2.0.0") { call in
            let timeout = try call.timeoutSeconds(call.args.count - 1)
            let keys = Array(call.args[1..<(call.args.count - 1)])
            // Woken, a key that now holds another type is passed over (Redis serves only list keys); at the
            // first try it is WRONGTYPE.
            let attempt = { (ks: Keyspace, woken: Bool) throws -> Reply? in
                for key in keys {
                    if woken, try ks.type(of: key) != .list { continue }
                    if let value = try ks.listPop(key, from: end, count: 1)?.first {
                        return .array([.bulk(key), .bulk(value)])
                    }
                }
                return nil
            }
            if let reply = try attempt(call.keyspace, false) { return .reply(reply) }
            return .block(keys: keys, timeoutMilliseconds: timeout, timeoutReply: .nullArray,
                          retry: { ks in try attempt(ks, true) })
        }
    }

    /// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
    private static func lpos(_ call: Call) throws -> Reply {
        var rank: Int64 = 1, count: Int64?, maxLength: Int64 = 0
        var options = OptionReader(call, from: 3)
        while !options.atEnd {
            let option = options.nextOption()
            guard options.remaining >= 1 else { throw CommandError.syntax }
            switch option {
            case "RANK":
                rank = try options.integer()
                guard rank != 0 else {
                    throw CommandError("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")
                }
            case "COUNT", "MAXLEN":
                // Redis gives this one message for a negative and for a non-integer value alike.
                let negative = CommandError("ERR \(option) can't be negative")
                guard let n = Keyspace.parseInteger(try options.value()), n >= 0 else { throw negative }
                if option == "COUNT" { count = n } else { maxLength = n }
            default:
                throw CommandError.syntax
            }
        }
        // RANK -2^63 is what Redis's negation leaves it: from the tail, the first match on, and with COUNT
        // every match (its COUNT test overflows).
        if rank == .min {
            rank = -1
            if count != nil { count = 0 }
        }
        let positions = try call.keyspace.listPositions(call.args[1], call.args[2], rank: clamp(rank),
                                                        count: count.map { clamp($0) } ?? 1, maxLength: clamp(maxLength))
        if count != nil { return .array(positions.map { .integer($0) }) }
        return positions.first.map { .integer($0) } ?? .null
    }
}
