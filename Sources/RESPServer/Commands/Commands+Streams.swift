import Store

/// XADD, XLEN, XRANGE, XREVRANGE, XREAD, XDEL, XTRIM, XSETID.
extension CommandFamilies {
    static let streams: [CommandSpec] = [
        CommandSpec("xadd", arity: -5, flags: [.write, .denyoom, .fast], keys: (1, 1, 1), access: .write, group: "stream",
                    summary: "Appends a new entry to a stream", since: "5.0.0") { call in
            // Redis 7.0's order: the options and the ID, the trim options together, the count of words, 0-0,
            // then the key.
            var options = OptionReader(call, from: 2)
            var noMakeStream = false
            var parsedID: XAddID?
            let trim = try StreamArguments.trim(&options, allowNoMakeStream: true, noMakeStream: &noMakeStream) { index in
                parsedID = try StreamArguments.addID(call.args[index])
            }
            let rest = call.args.count - options.index
            guard rest >= 3 && rest % 2 == 1, let requested = parsedID else { throw CommandError.wrongArity("xadd") }
            if case .explicit(let id) = requested, id == .zero {
                throw CommandError(StreamError.idMustBeGreaterThanZero, command: "xadd")
            }
            let fields = Array(call.args[(options.index + 1)...])
            guard let id = try call.keyspace.streamAdd(call.args[1], id: requested, fields: fields,
                                                       noMakeStream: noMakeStream, trim: trim) else { return .null }
            return .bulk(id.bytes)
        },
        CommandSpec("xlen", arity: 2, flags: [.readonly, .fast], keys: (1, 1, 1), access: .read, group: "stream",
                    summary: "Return the number of entries in a stream", since: "5.0.0") { call in
            .integer(Int64(try call.keyspace.streamMeta(call.args[1])?.length ?? 0))
        },
        range("xrange", reverse: false, summary: "Return a range of elements in a stream, with IDs matching the specified IDs interval"),
        range("xrevrange", reverse: true, summary: "Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE"),
        CommandSpec("xread", arity: -4, flags: [.readonly, .movableKeys], keys: (0, 0, 0), group: "stream",
                    summary: "Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.",
                    since: "5.0.0") { call in try xread(&call) },
        CommandSpec("xdel", arity: -3, flags: [.write, .fast], keys: (1, 1, 1), access: .write, group: "stream",
                    summary: "Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.",
                    since: "5.0.0") { call in
            // The key and its type before the IDs, as Redis 7.0.
            guard try call.keyExists(1, as: .stream) else { return .zero }
            let ids = try call.args[2...].map { try StreamArguments.id($0) }
            return .integer(try call.keyspace.streamDelete(call.args[1], ids: ids))
        },
        CommandSpec("xtrim", arity: -4, flags: [.write], keys: (1, 1, 1), access: .write, group: "stream",
                    summary: "Trims the stream to (approximately if '~' is passed) a certain size", since: "5.0.0") { call in
            var options = OptionReader(call, from: 2)
            var unused = false
            // A word that is not a trim option is refused where it stands, before the options are checked together.
            guard let trim = try StreamArguments.trim(&options, allowNoMakeStream: false, noMakeStream: &unused,
                                                      atOtherWord: { _ in throw CommandError.syntax }),
                  options.atEnd else { throw CommandError.syntax }
            return .integer(try call.keyspace.streamTrim(call.args[1], trim))
        },
        CommandSpec("xsetid", arity: -3, flags: [.write, .denyoom, .fast], keys: (1, 1, 1), access: .write, group: "stream",
                    summary: "An internal command for replicating stream values", since: "5.0.0") { call in
            let id = try StreamArguments.id(call.args[2])
            var entriesAdded: UInt64?
            var maxDeleted: StreamID?
            var options = OptionReader(call, from: 3)
            while !options.atEnd {
                let option = options.nextOption()
                guard options.remaining >= 1 else { throw CommandError.syntax }
                switch option {
                case "ENTRIESADDED":
                    let n = try options.integer()
                    guard n >= 0 else { throw CommandError("ERR entries_added must be positive") }
                    entriesAdded = UInt64(n)
                case "MAXDELETEDID":
                    let value = try StreamArguments.id(try options.value())
                    guard value <= id else {
                        throw CommandError("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id")
                    }
                    maxDeleted = value
                default:
                    throw CommandError.syntax
                }
            }
            try call.keyspace.streamSetID(call.args[1], lastID: id, entriesAdded: entriesAdded, maxDeletedID: maxDeleted)
            return .ok
        },
    ]

    private static func range(_ name: String, reverse: Bool, summary: String) -> CommandSpec {
        CommandSpec(name, arity: -4, flags: [.readonly], keys: (1, 1, 1), access: .read, group: "stream",
                    summary: summary, since: "5.0.0") { call in
            // Redis 7.0's order: the start bound (the later word for XREVRANGE), the end bound, every COUNT (the
            // last one counts), the key; a COUNT of 0 or less is a null reply, after the key's type is checked.
            let start = try StreamArguments.rangeBound(call.args[reverse ? 3 : 2], isStart: true)
            let end = try StreamArguments.rangeBound(call.args[reverse ? 2 : 3], isStart: false)
            var count: Int64?
            var i = 4
            while i < call.args.count {
                guard call.option(i) == "COUNT", i + 1 < call.args.count else { throw CommandError.syntax }
                count = try call.integer(i + 1)
                i += 2
            }
            guard try call.keyspace.streamMeta(call.args[1]) != nil else { return .array([]) }
            if let count, count <= 0 { return .nullArray }
            return StreamArguments.entries(try call.keyspace.streamRange(call.args[1], from: start, to: end,
                                                                         count: count.map { Int(min($0, Int64(Int32.max))) },
                                                                         reverse: reverse))
        }
    }

    /// XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]
    private static func xread(_ call: inout Call) throws -> BlockingOutcome {
        let request = try ReadRequest(call, group: false)
        let ks = call.keyspace
        // `$` means "after the last entry now", fixed when the command starts. Each key's type is checked
        // before its ID is read, as Redis 7.0.
        var after: [StreamID] = []
        for (key, id) in zip(request.keys, request.ids) {
            let meta = try ks.streamMeta(key)
            if id == [UInt8(ascii: "$")] {
                after.append(meta?.lastID ?? .zero)
            } else if id == [UInt8(ascii: ">")] {
                throw CommandError("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.")
            } else {
                after.append(try StreamArguments.id(id))
            }
        }
        let keys = request.keys
        let count = request.count
        let resp3 = call.session.protocolVersion >= 3
        let attempt = { (ks: Keyspace, woken: Bool) throws -> Reply? in
            var found: [(Reply, Reply)] = []
            for (key, id) in zip(keys, after) {
                guard let start = id.successor else { continue }
                // Woken, a key that now holds another type is passed over, as Redis serves only stream keys.
                if woken, try ks.type(of: key) != .stream { continue }
                let entries = try ks.streamRange(key, from: start, to: .max, count: count)
                if !entries.isEmpty { found.append((.bulk(key), StreamArguments.entries(entries))) }
            }
            if found.isEmpty { return nil }
            return resp3 ? .map(found) : .array(found.map { .array([$0.0, $0.1]) })
        }
        if let reply = try attempt(ks, false) { return .reply(reply) }
        guard let block = request.block else { return .reply(.nullArray) }
        return .block(keys: keys, timeoutMilliseconds: block == 0 ? nil : block, timeoutReply: .nullArray,
                      retry: { ks in try attempt(ks, true) })
    }
}

/// The options XREAD and XREADGROUP share: [COUNT n] [BLOCK ms] [NOACK] STREAMS keys... ids...
struct ReadRequest {
    var count: Int?
    /// Milliseconds to block; 0 = forever; nil = do not block.
    var block: Int64?
    var noAck = false
    var keys: [[UInt8]] = []
    var ids: [[UInt8]] = []
    var group: [UInt8]?
    var consumer: [UInt8]?

    init(_ call: Call, group: Bool) throws {
        var options = OptionReader(call, from: 1)
        while !options.atEnd {
            let option = options.nextOption()
            switch option {
            case "COUNT" where options.remaining >= 1:
                let n = try options.integer()
                count = n > 0 ? Int(min(n, Int64(Int32.max))) : nil
            case "BLOCK" where options.remaining >= 1:
                guard let ms = Keyspace.parseInteger(try options.value()) else {
                    throw CommandError("ERR timeout is not an integer or out of range")
                }
                guard ms >= 0 else { throw CommandError.timeoutNegative }
                block = ms
            case "NOACK" where group:
                noAck = true
            case "GROUP" where group && options.remaining >= 2:
                self.group = try options.value()
                consumer = try options.value()
            case "STREAMS":
                let rest = options.remaining
                guard rest > 0 && rest % 2 == 0 else {
                    // Redis 7.0 names XREAD here for XREADGROUP too.
                    throw CommandError("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.")
                }
                keys = Array(call.args[options.index..<(options.index + rest / 2)])
                ids = Array(call.args[(options.index + rest / 2)...])
                options.index = call.args.count
            default:
                throw CommandError.syntax
            }
        }
        guard !keys.isEmpty else { throw CommandError.syntax }
        if group && self.group == nil {
            throw CommandError("ERR Missing GROUP option for XREADGROUP")
        }
    }
}
