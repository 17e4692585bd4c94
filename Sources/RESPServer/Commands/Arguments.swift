import Store

/// Parsing of command arguments with Redis's error texts.
extension Call {
    /// Argument `i` as a 64-bit integer. - Throws: `ERR value is not an integer or out of range`.
    func integer(_ i: Int) throws -> Int64 {
        guard let v = Keyspace.parseInteger(args[i]) else { throw CommandError.notInteger }
        return v
    }

    /// Argument `i` as an integer ≥ 0, with `error` otherwise.
    func nonNegative(_ i: Int, _ error: CommandError = .outOfRangePositive) throws -> Int64 {
        let v = try integer(i)
        guard v >= 0 else { throw error }
        return v
    }

    func float(_ i: Int) throws -> LongDouble {
        guard let v = Keyspace.parseFloat(args[i]) else { throw CommandError.notFloat }
        return v
    }

    /// A blocking timeout in seconds (BLPOP family): returns milliseconds, nil for 0 (forever).
    /// As Redis 7.0: milliseconds are `ceil(seconds * 1000)` in long double, so 1e-400 is 1 ms and -1e-400 is 0
    /// (forever); a value beyond Int64 (1e19, inf) converts as x86 does, to Int64.min, hence "negative".
    func timeoutSeconds(_ i: Int) throws -> Int64? {
        guard let v = Keyspace.parseFloat(args[i]) else { throw CommandError.timeoutNotFloat }
        let ms = (v * 1000).rounded(.up)
        guard ms >= 0, ms < 0x1p63 else { throw CommandError.timeoutNegative }
        guard let whole = Int64(exactly: ms) else { throw CommandError.timeoutNegative }
        return whole == 0 ? nil : whole
    }

    /// Whether the key `args[i]` exists, for commands Redis answers for a missing key, or refuses for another
    /// type, before it reads their other arguments. - Throws: WRONGTYPE when it holds another type.
    func keyExists(_ i: Int, as type: KeyType) throws -> Bool {
        guard let found = try keyspace.type(of: args[i]) else { return false }
        guard found == type else { throw CommandError.wrongType }
        return true
    }

    /// Unix milliseconds for an expiry given in `unit` (seconds or ms), relative or absolute.
    /// - Throws: `ERR invalid expire time in '<command>' command` when it overflows.
    func expiryTime(_ value: Int64, milliseconds: Bool, absolute: Bool, now: Int64) throws -> Int64 {
        let invalid = CommandError("ERR invalid expire time in '\(name)' command")
        var ms = value
        if !milliseconds {
            let (m, o) = value.multipliedReportingOverflow(by: 1000)
            if o { throw invalid }
            ms = m
        }
        if absolute { return ms }
        let (sum, o) = ms.addingReportingOverflow(now)
        if o { throw invalid }
        return sum
    }
}

/// Reading optional words of a command one by one.
struct OptionReader {
    let call: Call
    var index: Int

    init(_ call: Call, from index: Int) {
        self.call = call
        self.index = index
    }

    var atEnd: Bool { index >= call.args.count }
    var remaining: Int { call.args.count - index }

    /// The next word upper-cased, consumed.
    mutating func nextOption() -> String {
        defer { index += 1 }
        return call.option(index)
    }

    /// The next word, consumed. - Throws: `ERR syntax error` when there is none.
    mutating func value() throws -> [UInt8] {
        guard index < call.args.count else { throw CommandError.syntax }
        defer { index += 1 }
        return call.args[index]
    }

    mutating func integer() throws -> Int64 {
        guard index < call.args.count else { throw CommandError.syntax }
        defer { index += 1 }
        return try call.integer(index)
    }
}
