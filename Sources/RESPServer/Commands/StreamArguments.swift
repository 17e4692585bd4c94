import Store

/// Stream IDs and options as the stream commands take them.
enum StreamArguments {
    /// An ID `ms[-seq]`; with `allowingMinMax`, also `-` (0-0) and `+` (the largest ID).
    static func id(_ bytes: [UInt8], missingSequence: UInt64 = 0, allowingMinMax: Bool = false) throws -> StreamID {
        if allowingMinMax && bytes == [UInt8(ascii: "-")] { return .zero }
        if allowingMinMax && bytes == [UInt8(ascii: "+")] { return .max }
        guard let id = StreamID(parsing: bytes, missingSequence: missingSequence) else { throw CommandError.invalidStreamID }
        return id
    }

    /// XADD's ID: `*`, `ms-*` or `ms[-seq]`.
    static func addID(_ bytes: [UInt8]) throws -> XAddID {
        if bytes == [UInt8(ascii: "*")] { return .auto }
        if let (ms, seq) = StreamID.parts(bytes), seq == [UInt8(ascii: "*")] { return .autoSequence(ms: ms) }
        return .explicit(try id(bytes))
    }

    /// A range bound: `-`, `+`, `ms`, `ms-seq`, or `(` for exclusive.
    static func rangeBound(_ bytes: [UInt8], isStart: Bool) throws -> StreamID {
        if bytes == [UInt8(ascii: "-")] { return .zero }
        if bytes == [UInt8(ascii: "+")] { return .max }
        let missing: UInt64 = isStart ? 0 : .max
        guard bytes.first == UInt8(ascii: "(") else { return try id(bytes, missingSequence: missing) }
        let inner = try id(Array(bytes.dropFirst()), missingSequence: missing)
        if isStart {
            guard let next = inner.successor else { throw CommandError("ERR invalid start ID for the interval") }
            return next
        }
        guard let previous = inner.predecessor else { throw CommandError("ERR invalid end ID for the interval") }
        return previous
    }

    /// Entries as a reply: `[id, [field, value, ...]]` each.
    static func entries(_ entries: [StreamEntry]) -> Reply {
        .array(entries.map(entry))
    }

    static func entry(_ e: StreamEntry) -> Reply {
        .array([.bulk(e.id.bytes), .array(e.fields.map(Reply.bulk))])
    }

    /// MAXLEN/MINID [=|~] threshold [LIMIT count], from `options`, for XADD and XTRIM. Stops at the first word
    /// that is not a trim option (XADD's ID), handing its index to `atOtherWord` before the options are checked
    /// together, as Redis reads XADD's ID. Returns nil when no strategy was given.
    static func trim(_ options: inout OptionReader, allowNoMakeStream: Bool, noMakeStream: inout Bool,
                     atOtherWord: (Int) throws -> Void = { _ in }) throws -> StreamTrim? {
        var strategy: StreamTrim.Strategy?
        var approximate = false
        var limit: Int64?
        loop: while !options.atEnd {
            let word = options.call.option(options.index)
            switch word {
            case "NOMKSTREAM" where allowNoMakeStream:
                noMakeStream = true
                options.index += 1
            case "MAXLEN", "MINID":
                if strategy != nil {
                    throw CommandError("ERR syntax error, MAXLEN and MINID options at the same time are not compatible")
                }
                options.index += 1
                var value = try options.value()
                if value == [UInt8(ascii: "~")] || value == [UInt8(ascii: "=")] {
                    approximate = value == [UInt8(ascii: "~")]
                    value = try options.value()
                }
                if word == "MAXLEN" {
                    guard let n = Keyspace.parseInteger(value) else { throw CommandError.notInteger }
                    guard n >= 0 else { throw CommandError("ERR The MAXLEN argument must be >= 0.") }
                    strategy = .maxLength(UInt64(n))
                } else {
                    strategy = .minID(try id(value))
                }
            case "LIMIT":
                options.index += 1
                let n = try options.integer()
                guard n >= 0 else { throw CommandError("ERR The LIMIT argument must be >= 0.") }
                limit = n
            default:
                try atOtherWord(options.index)
                break loop
            }
        }
        if let limit {
            guard let strategy else {
                throw CommandError("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy")
            }
            guard approximate else { throw CommandError("ERR syntax error, LIMIT cannot be used without the special ~ option") }
            return StreamTrim(strategy: strategy, approximate: true, limit: Int(limit))
        }
        guard let strategy else { return nil }
        // Without LIMIT, `~` removes at most 100 nodes' worth per call, as Redis; like Redis's, the product wraps
        // for a huge stream-node-max-entries, and a result ≤ 0 means 10000.
        let nodes = 100 &* Keyspace.streamNodeMaxEntries
        return StreamTrim(strategy: strategy, approximate: approximate, limit: approximate ? (nodes > 0 ? nodes : 10000) : 0)
    }
}
