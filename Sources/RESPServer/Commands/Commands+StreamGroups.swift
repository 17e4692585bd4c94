import Foundation
import Store

/// XGROUP, XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM.
extension CommandFamilies {
    static let streamGroups: [CommandSpec] = [
        CommandSpec("xgroup", arity: -2, flags: [.write], keys: (2, 2, 1), access: .write, group: "stream",
                    summary: "A container for consumer groups commands", since: "5.0.0",
                    subcommands: [.init("create", -5, denyoom: true), .init("setid", -5), .init("destroy", 4),
                                  .init("createconsumer", 5, denyoom: true), .init("delconsumer", 5), .init("help", 2)]) { call in
            try xgroup(call)
        },
        CommandSpec("xreadgroup", arity: -7, flags: [.write, .movableKeys], keys: (0, 0, 0), group: "stream",
                    summary: "Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.",
                    since: "5.0.0") { call in try xreadgroup(call) },
        CommandSpec("xack", arity: -4, flags: [.write, .fast], keys: (1, 1, 1), access: .write, group: "stream",
                    summary: "Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group.",
                    since: "5.0.0") { call in
            // Without the key or the group there is nothing to acknowledge, and Redis does not read the IDs.
            guard try call.keyspace.groupExists(call.args[1], call.args[2]) else { return .zero }
            let ids = try call.args[3...].map { try StreamArguments.id($0) }
            return .integer(try call.keyspace.acknowledge(call.args[1], group: call.args[2], ids: ids))
        },
        CommandSpec("xpending", arity: -3, flags: [.readonly], keys: (1, 1, 1), access: .read, group: "stream",
                    summary: "Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.",
                    since: "5.0.0") { call in try xpending(call) },
        CommandSpec("xclaim", arity: -6, flags: [.write, .fast], keys: (1, 1, 1), access: .write, group: "stream",
                    summary: "Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.",
                    since: "5.0.0") { call in try xclaim(call) },
        CommandSpec("xautoclaim", arity: -6, flags: [.write, .fast], keys: (1, 1, 1), access: .write, group: "stream",
                    summary: "Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.",
                    since: "6.2.0") { call in try xautoclaim(call) },
        CommandSpec("xinfo", arity: -2, flags: [.readonly], keys: (2, 2, 1), access: .read, group: "stream",
                    summary: "A container for stream introspection commands", since: "5.0.0",
                    subcommands: [.init("stream", -3), .init("groups", 3), .init("consumers", 4), .init("help", 2)]) { call in try XInfo.run(call) },
    ]

    static func noGroupForKey(_ call: Call, group: [UInt8], key: [UInt8]) -> CommandError {
        CommandError("NOGROUP No such consumer group '\(String(decoding: group, as: UTF8.self))' for key name '\(String(decoding: key, as: UTF8.self))'")
    }

    static func noKeyOrGroup(key: [UInt8], group: [UInt8]) -> CommandError {
        CommandError("NOGROUP No such key '\(String(decoding: key, as: UTF8.self))' or consumer group '\(String(decoding: group, as: UTF8.self))'")
    }

    private static let xgroupHelp = [
        "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CREATE <key> <groupname> <id|$> [option]",
        "    Create a new consumer group. Options are:",
        "    * MKSTREAM",
        "      Create the empty stream if it does not exist.",
        "    * ENTRIESREAD entries_read",
        "      Set the group's entries_read counter (internal use).",
        "CREATECONSUMER <key> <groupname> <consumer>",
        "    Create a new consumer in the specified group.",
        "DELCONSUMER <key> <groupname> <consumer>",
        "    Remove the specified consumer.",
        "DESTROY <key> <groupname>",
        "    Remove the specified group.",
        "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
        "    Set the current group ID and entries_read counter.",
        "HELP",
        "    Prints this help.",
    ]

    private static func entriesRead(_ call: Call, _ i: Int) throws -> Int64 {
        let n = try call.integer(i)
        guard n >= 0 || n == -1 else { throw CommandError("ERR value for ENTRIESREAD must be positive or -1") }
        return n
    }

    /// XGROUP: the checks run in Redis's order (CREATE's and SETID's options, key type, key, group), then the
    /// subcommand with its count of words.
    private static func xgroup(_ call: Call) throws -> Reply {
        let sub = call.option(1)
        let argc = call.args.count
        if sub == "HELP" && argc == 2 { return .array(xgroupHelp.map { .simple($0) }) }
        guard argc >= 4 else { throw CommandError.subcommandSyntax(call.args[1], "xgroup") }
        var makeStream = false
        var readCount: Int64?
        if sub == "CREATE" || sub == "SETID" {
            var i = 5
            while i < argc {
                if sub == "CREATE" && call.option(i) == "MKSTREAM" {
                    makeStream = true
                    i += 1
                } else if call.option(i) == "ENTRIESREAD" && i + 1 < argc {
                    readCount = try entriesRead(call, i + 1)
                    i += 2
                } else {
                    throw CommandError.subcommandSyntax(call.args[1], "xgroup")
                }
            }
        }
        let ks = call.keyspace
        let (key, group) = (call.args[2], call.args[3])
        let meta = try ks.streamMeta(key)
        if !makeStream {
            guard meta != nil else { throw CommandError(StreamError.groupNeedsStream, command: "xgroup") }
            if ["SETID", "CREATECONSUMER", "DELCONSUMER"].contains(sub), try !ks.groupExists(key, group) {
                throw noGroupForKey(call, group: group, key: key)
            }
        }
        let isLast = call.args[4...].first == [UInt8(ascii: "$")]
        switch sub {
        case "CREATE" where argc >= 5 && argc <= 8:
            let start: StreamID? = isLast ? nil : try StreamArguments.id(call.args[4])
            try ks.groupCreate(key, group, startID: start, entriesRead: readCount, makeStream: makeStream)
            return .ok
        case "SETID" where argc == 5 || argc == 7:
            // Unlike CREATE, SETID takes `-` and `+` (the smallest and the largest ID), as Redis 7.0.
            let id: StreamID? = isLast ? nil : try StreamArguments.id(call.args[4], allowingMinMax: true)
            try ks.groupSetID(key, group, id: id, entriesRead: readCount)
            return .ok
        case "DESTROY" where argc == 4:
            return .bool(try ks.groupDestroy(key, group))
        case "CREATECONSUMER" where argc == 5:
            return .bool(try ks.consumerCreate(key, group, call.args[4]))
        case "DELCONSUMER" where argc == 5:
            return .integer(try ks.consumerDelete(key, group, call.args[4]))
        default:
            throw CommandError.subcommandSyntax(call.args[1], "xgroup")
        }
    }

    /// XREADGROUP GROUP group consumer [COUNT n] [BLOCK ms] [NOACK] STREAMS key... id...
    private static func xreadgroup(_ call: Call) throws -> BlockingOutcome {
        let request = try ReadRequest(call, group: true)
        let (group, consumer) = (request.group!, request.consumer!)
        let ks = call.keyspace
        // Per stream in Redis 7.0's order: the key's type, the key and the group, then the ID; every stream and
        // group exists before anything is read (and the PEL changed).
        var history: [StreamID?] = []
        for (key, id) in zip(request.keys, request.ids) {
            guard try ks.groupExists(key, group) else {
                throw CommandError("NOGROUP No such key '\(String(decoding: key, as: UTF8.self))' or consumer group '\(String(decoding: group, as: UTF8.self))' in XREADGROUP with GROUP option")
            }
            if id == [UInt8(ascii: ">")] {
                history.append(nil)
            } else if id == [UInt8(ascii: "$")] {
                throw CommandError("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.")
            } else {
                history.append(try StreamArguments.id(id))
            }
        }
        let keys = request.keys
        let (count, noAck) = (request.count, request.noAck)
        let resp3 = call.session.protocolVersion >= 3
        func reply(_ found: [(Reply, Reply)]) -> Reply {
            resp3 ? .map(found) : .array(found.map { .array([$0.0, $0.1]) })
        }
        var found: [(Reply, Reply)] = []
        for (key, after) in zip(keys, history) {
            if let after {
                let entries = try ks.readHistory(key, group: group, consumer: consumer, after: after, count: count)
                found.append((.bulk(key), .array(entries.map { e in
                    .array([.bulk(e.id.bytes), e.fields.map { .array($0.map(Reply.bulk)) } ?? .nullArray])
                })))
            } else {
                let entries = try ks.readNew(key, group: group, consumer: consumer, count: count, noAck: noAck)
                if !entries.isEmpty { found.append((.bulk(key), StreamArguments.entries(entries))) }
            }
        }
        if !found.isEmpty { return .reply(reply(found)) }
        guard let block = request.block, history.allSatisfy({ $0 == nil }) else { return .reply(.nullArray) }
        // Woken by a write to any of the keys: answers as Redis 7.0 when the key or group went away.
        let retry: BlockedRetry = { ks in
            var found: [(Reply, Reply)] = []
            for key in keys {
                guard try ks.type(of: key) == .stream else {
                    throw CommandError("UNBLOCKED the stream key no longer exists")
                }
                guard try ks.groupExists(key, group) else {
                    throw CommandError("NOGROUP the consumer group this client was blocked on no longer exists")
                }
                let entries = try ks.readNew(key, group: group, consumer: consumer, count: count, noAck: noAck)
                if !entries.isEmpty { found.append((.bulk(key), StreamArguments.entries(entries))) }
            }
            return found.isEmpty ? nil : reply(found)
        }
        return .block(keys: keys, timeoutMilliseconds: block == 0 ? nil : block, timeoutReply: .nullArray, retry: retry)
    }

    /// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]: the arguments are read before the
    /// key, in Redis 7.0's order (IDLE, count, start, end); words after the consumer are ignored, as Redis does.
    private static func xpending(_ call: Call) throws -> Reply {
        let argc = call.args.count
        guard argc == 3 || (argc >= 6 && argc <= 9) else { throw CommandError.syntax }
        let (key, group) = (call.args[1], call.args[2])
        var minIdle: Int64?
        var first = 3
        if argc >= 6 && call.option(3) == "IDLE" {
            minIdle = try call.integer(4)
            guard argc >= 8 else { throw CommandError.syntax }
            first = 5
        }
        let count = argc >= 6 ? max(0, try call.integer(first + 2)) : 0
        let start = argc >= 6 ? try StreamArguments.rangeBound(call.args[first], isStart: true) : .zero
        let end = argc >= 6 ? try StreamArguments.rangeBound(call.args[first + 1], isStart: false) : .max
        let ks = call.keyspace
        guard try ks.groupExists(key, group) else { throw noKeyOrGroup(key: key, group: group) }
        if argc == 3 {
            let summary = try ks.pendingSummary(key, group: group)
            guard summary.count > 0 else { return .array([.zero, .null, .null, .nullArray]) }
            return .array([
                .integer(Int64(summary.count)), .bulkOrNull(summary.first?.bytes), .bulkOrNull(summary.last?.bytes),
                .array(summary.consumers.map { .array([.bulk($0.0), .bulk(String($0.1))]) }),
            ])
        }
        let consumer = argc > first + 3 ? call.args[first + 3] : nil
        let entries = try ks.pendingRange(key, group: group, from: start, to: end, count: Int(min(count, Int64(Int32.max))),
                                          consumer: consumer, minIdle: minIdle)
        return .array(entries.map { e in
            .array([.bulk(e.id.bytes), .bulk(e.consumer), .integer(ks.idleTime(since: e.deliveryTime)),
                    .integer(Int64(bitPattern: e.deliveryCount))])
        })
    }

    /// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME ms] [RETRYCOUNT n] [FORCE] [JUSTID] [LASTID id]
    private static func xclaim(_ call: Call) throws -> Reply {
        let (key, group, consumer) = (call.args[1], call.args[2], call.args[3])
        let ks = call.keyspace
        guard try ks.groupExists(key, group) else { throw noKeyOrGroup(key: key, group: group) }
        guard let minIdle = Keyspace.parseInteger(call.args[4]) else {
            throw CommandError("ERR Invalid min-idle-time argument for XCLAIM")
        }
        var ids: [StreamID] = []
        var i = 5
        while i < call.args.count, let id = StreamID(parsing: call.args[i]) {
            ids.append(id)
            i += 1
        }
        var options = ClaimOptions()
        while i < call.args.count {
            let option = call.option(i)
            let hasValue = i + 1 < call.args.count
            switch option {
            case "FORCE": options.force = true
            case "JUSTID": options.justID = true
            case "IDLE" where hasValue:
                guard let idle = Keyspace.parseInteger(call.args[i + 1]) else {
                    throw CommandError("ERR Invalid IDLE option argument for XCLAIM")
                }
                options.deliveryTime = ks.now &- idle  // as Redis; an absurd result becomes now (see claim)
                i += 1
            case "TIME" where hasValue:
                guard let time = Keyspace.parseInteger(call.args[i + 1]) else {
                    throw CommandError("ERR Invalid TIME option argument for XCLAIM")
                }
                options.deliveryTime = time
                i += 1
            case "RETRYCOUNT" where hasValue:
                guard let n = Keyspace.parseInteger(call.args[i + 1]) else {
                    throw CommandError("ERR Invalid RETRYCOUNT option argument for XCLAIM")
                }
                // A negative count is Redis's "not given": the delivery count goes up by one as usual.
                options.retryCount = n >= 0 ? UInt64(n) : nil
                i += 1
            case "LASTID" where hasValue:
                options.lastID = try StreamArguments.id(call.args[i + 1])
                i += 1
            default:
                throw CommandError("ERR Unrecognized XCLAIM option '\(call.string(i))'")
            }
            i += 1
        }
        let claimed = try ks.claim(key, group: group, consumer: consumer, minIdle: max(0, minIdle), ids: ids, options: options)
        return options.justID ? .array(claimed.map { .bulk($0.id.bytes) }) : StreamArguments.entries(claimed)
    }

    /// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]: the arguments are read before
    /// the key and the group, as Redis 7.0 reads them.
    private static func xautoclaim(_ call: Call) throws -> Reply {
        let (key, group, consumer) = (call.args[1], call.args[2], call.args[3])
        guard let minIdle = Keyspace.parseInteger(call.args[4]) else {
            throw CommandError("ERR Invalid min-idle-time argument for XAUTOCLAIM")
        }
        let start = try StreamArguments.rangeBound(call.args[5], isStart: true)
        var count = 100
        var justID = false
        var i = 6
        while i < call.args.count {
            switch call.option(i) {
            case "COUNT" where i + 1 < call.args.count:
                // Redis's bound: COUNT times 10 attempts, and COUNT stream IDs of 16 bytes, must fit a long.
                // (Redis then allocates COUNT * 16 bytes up front and may answer "Insufficient memory"; we do
                // not allocate by COUNT, so any count in range is served.)
                guard let n = Keyspace.parseInteger(call.args[i + 1]), n >= 1, n <= Int64.max / 16 else {
                    throw CommandError("ERR COUNT must be > 0")
                }
                count = Int(min(n, Int64(Int32.max)))
                i += 2
            case "JUSTID":
                justID = true
                i += 1
            default:
                throw CommandError.syntax
            }
        }
        let ks = call.keyspace
        guard try ks.groupExists(key, group) else { throw noKeyOrGroup(key: key, group: group) }
        let result = try ks.autoClaim(key, group: group, consumer: consumer, minIdle: max(0, minIdle), start: start,
                                      count: count, justID: justID)
        return .array([
            .bulk(result.next.bytes),
            justID ? .array(result.claimed.map { .bulk($0.id.bytes) }) : StreamArguments.entries(result.claimed),
            .array(result.deleted.map { .bulk($0.bytes) }),
        ])
    }
}
