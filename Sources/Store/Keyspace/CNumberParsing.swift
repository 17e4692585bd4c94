/// The C library number readers that Redis's own parsers fall back on, over byte strings, so that we accept
/// exactly the spellings Redis accepts (leading spaces, signs, leading zeros) where Redis uses them.
///
/// Redis hands its arguments to C as NUL-terminated strings, so an embedded NUL ends the number there; each
/// reader here works on the bytes before the first NUL for that reason.
public enum CNumberParsing {
    /// The bytes C sees: up to the first NUL.
    static func cString<C: Collection<UInt8>>(_ bytes: C) -> C.SubSequence {
        bytes.prefix { $0 != 0 }
    }

    private static func isSpace(_ c: UInt8) -> Bool { c == 32 || (c >= 9 && c <= 13) }

    /// C's `strtoull(s, &end, 10)` read in full: leading white space, an optional sign, at least one digit and
    /// nothing after. A minus negates modulo 2^64 (as C does); nil when nothing was read, something follows the
    /// digits, or the value exceeds 2^64 - 1 (ERANGE).
    static func strtoull(_ s: some Collection<UInt8>) -> UInt64? {
        var i = s.startIndex
        while i != s.endIndex, isSpace(s[i]) { i = s.index(after: i) }
        var negative = false
        if i != s.endIndex, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") {
            negative = s[i] == UInt8(ascii: "-")
            i = s.index(after: i)
        }
        var value: UInt64 = 0
        var digits = 0
        while i != s.endIndex, s[i] >= 48, s[i] <= 57 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = m.addingReportingOverflow(UInt64(s[i] - 48))
            if o1 || o2 { return nil }
            value = sum
            digits += 1
            i = s.index(after: i)
        }
        guard digits > 0, i == s.endIndex else { return nil }
        return negative ? 0 &- value : value
    }

    /// Redis's `string2ull` (stream ID parts): a canonical integer must not be negative; anything else is
    /// read by `strtoull` (so " 1", "+1", "007" and even " -1" are accepted).
    public static func string2ull(_ bytes: some Collection<UInt8>) -> UInt64? {
        let s = cString(bytes)
        if let canonical = Keyspace.parseInteger(s) { return canonical < 0 ? nil : UInt64(canonical) }
        guard !s.isEmpty else { return nil }
        return strtoull(s)
    }

    /// A SCAN cursor as Redis's `parseScanCursorOrReply` reads it: `strtoul`, refusing a leading space
    /// ("-1" is 2^64 - 1; "" is 0).
    public static func scanCursor(_ bytes: some Collection<UInt8>) -> UInt64? {
        let s = cString(bytes)
        guard let first = s.first else { return 0 }
        guard !isSpace(first) else { return nil }
        return strtoull(s)
    }
}
