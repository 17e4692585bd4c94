import Foundation

#if arch(x86_64)
/// Redis does float arithmetic in C's long double; on x86_64 that is Float80.
public typealias LongDouble = Float80
#else
public typealias LongDouble = Double
#endif


/// Strings: binary-safe values up to 512 MB, with the integer and float operations.
/// The value is the key record's payload, so a GET is one LMDB lookup.
extension Keyspace {
    public static let maxStringLength = 512 * 1024 * 1024

    /// The string at `key`; nil when missing. Throws `wrongType` for other types.
    public func getString(_ key: Bytes) throws -> Bytes? {
        try record(key, of: .string)?.payload
    }

    /// Stores `value` at `key`, replacing a value of any type.
    /// - Parameters:
    ///   - expireAt: Unix ms to expire at, 0 for none.
    ///   - keepTTL: keep the current expiry instead (SET KEEPTTL).
    public func setString(_ key: Bytes, _ value: Bytes, expireAt: Int64 = 0, keepTTL: Bool = false) throws {
        _ = try setString(key, value, expireAt: expireAt, keepTTL: keepTTL, condition: nil, returningOld: false)
    }

    /// When SET writes: NX (only a missing key) or XX (only an existing one).
    public enum SetCondition: Sendable { case ifMissing, ifExists }

    /// SET with its options in one lookup: returns whether it wrote, and the old string when asked (GET).
    /// - Throws: `wrongType` when `returningOld` and the key holds another type.
    public func setString(_ key: Bytes, _ value: Bytes, expireAt: Int64, keepTTL: Bool, condition: SetCondition?,
                          returningOld: Bool) throws -> (written: Bool, old: Bytes?) {
        let old = try record(key, payload: returningOld)
        if returningOld, let old, old.type != .string { throw StoreError.wrongType }
        let oldValue = returningOld ? old?.payload : nil
        switch condition {
        case .ifMissing where old != nil, .ifExists where old == nil: return (false, oldValue)
        default: break
        }
        var keptExpiry = expireAt
        if keepTTL, let old { keptExpiry = old.expireAt }
        if let old, old.type != .string {
            try remove(key, old)
            try save(key, KeyRecord(type: .string, expireAt: keptExpiry, payload: value), replacing: nil)
        } else {
            try save(key, KeyRecord(type: .string, expireAt: keptExpiry, payload: value), replacing: old)
        }
        return (true, oldValue)
    }

    /// Replaces the value of an existing string, keeping its expiry.
    private func updateString(_ key: Bytes, _ old: KeyRecord?, _ value: Bytes) throws {
        var new = old ?? KeyRecord(type: .string, payload: [])
        new.payload = value
        try save(key, new, replacing: old)
    }

    /// APPEND: returns the new length.
    public func append(_ key: Bytes, _ suffix: Bytes) throws -> Int {
        let old = try record(key, of: .string)
        let length = (old?.payload.count ?? 0) + suffix.count
        guard length <= Self.maxStringLength else { throw StoreError.stringTooLong }
        try updateString(key, old, (old?.payload ?? []) + suffix)
        return length
    }

    /// INCRBY and friends: returns the new value.
    public func incrementInteger(_ key: Bytes, by delta: Int64) throws -> Int64 {
        let old = try record(key, of: .string)
        let current: Int64
        if let old {
            guard let v = Self.parseInteger(old.payload) else { throw StoreError.notAnInteger }
            current = v
        } else {
            current = 0
        }
        let (sum, overflow) = current.addingReportingOverflow(delta)
        if overflow { throw StoreError.overflow }
        try updateString(key, old, Array(String(sum).utf8))
        return sum
    }

    /// INCRBYFLOAT: returns the new value as Redis prints it.
    public func incrementFloat(_ key: Bytes, by delta: LongDouble) throws -> Bytes {
        let old = try record(key, of: .string)
        var current: LongDouble = 0
        if let old {
            guard let v = Self.parseFloat(old.payload) else { throw StoreError.notAFloat }
            current = v
        }
        let sum = current + delta
        guard sum.isFinite else { throw StoreError.nanOrInfinity }
        let text = Array(Self.formatFloat(sum).utf8)
        try updateString(key, old, text)
        return text
    }

    /// SETRANGE: overwrites from `offset`, zero-padding; returns the new length.
    public func setRange(_ key: Bytes, offset: Int, _ value: Bytes) throws -> Int {
        let old = try record(key, of: .string)
        var payload = old?.payload ?? []
        if value.isEmpty { return payload.count }
        // Compared without adding: a client's offset may be near Int.max.
        guard offset >= 0, value.count <= Self.maxStringLength, offset <= Self.maxStringLength - value.count else {
            throw StoreError.stringTooLong
        }
        let end = offset + value.count
        // Bulk copies only: up to 512 MB may be zero-filled, which element by element takes minutes in a debug
        // build (Redis too allocates and zeroes the whole string here).
        if payload.count < end { payload += Bytes(repeating: 0, count: end - payload.count) }
        payload.withUnsafeMutableBytes { destination in
            value.withUnsafeBytes { source in
                UnsafeMutableRawBufferPointer(rebasing: destination[offset..<end]).copyMemory(from: source)
            }
        }
        try updateString(key, old, payload)
        return payload.count
    }

    // MARK: Number formats (Redis's rules)

    /// A 64-bit integer in canonical form: no spaces, no leading '+' or zeros, "-0" refused.
    public static func parseInteger(_ bytes: some Collection<UInt8>) -> Int64? {
        guard !bytes.isEmpty, bytes.count <= 20 else { return nil }
        var it = bytes.makeIterator()
        var negative = false
        guard var first = it.next() else { return nil }
        if first == UInt8(ascii: "-") {
            negative = true
            guard let f = it.next() else { return nil }
            first = f
        }
        guard first >= 48 && first <= 57 else { return nil }
        if first == 48 { return bytes.count == 1 ? 0 : nil }
        var value: Int64 = negative ? -Int64(first - 48) : Int64(first - 48)
        while let c = it.next() {
            guard c >= 48 && c <= 57 else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (r, o2) = negative ? m.subtractingReportingOverflow(Int64(c - 48)) : m.addingReportingOverflow(Int64(c - 48))
            if o1 || o2 { return nil }
            value = r
        }
        return value
    }

    /// A float as Redis's `string2ld` accepts it: `strtold` over the whole text (read up to a NUL, as C sees it),
    /// no leading white space, shorter than 5 KB, not NaN, and not an overflow or an underflow to zero (an
    /// underflow to a tiny non-zero value is kept). "inf" is accepted.
    public static func parseFloat(_ bytes: Bytes) -> LongDouble? {
        guard !bytes.isEmpty, bytes.count < 5 * 1024 else { return nil }
        if let first = bytes.first, first == 32 || (first >= 9 && first <= 13) { return nil }
        var value: LongDouble = 0
        let ok = (bytes + [0]).withUnsafeBufferPointer { buf -> Bool in
            guard let base = buf.baseAddress else { return false }
            return base.withMemoryRebound(to: CChar.self, capacity: buf.count) { p in
                var end: UnsafeMutablePointer<CChar>?
                errno = 0
                #if arch(x86_64)
                value = strtold(p, &end)
                #else
                value = strtod(p, &end)
                #endif
                let range = errno == ERANGE && (value.isInfinite || value == 0)
                return end.map { $0.pointee == 0 } == true && !range
            }
        }
        guard ok, !value.isNaN else { return nil }
        return value
    }

    /// Formats like Redis's `ld2string` in human mode: `%.17Lf`, trailing zeros trimmed.
    public static func formatFloat(_ value: LongDouble) -> String {
        var buffer = [CChar](repeating: 0, count: 5200)
        let n = withVaList([value]) { vsnprintf(&buffer, buffer.count, "%.17Lf", $0) }
        var s = String(decoding: buffer.prefix(Int(max(0, n))).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        if s == "-0" { s = "0" }
        return s
    }
}
