/// A stream entry ID, `ms-seq`: two unsigned 64-bit numbers compared in that order.
///
/// The ID rules, stated once:
/// - IDs in a stream strictly increase; `0-0` is never an entry ID.
/// - An auto ID (`*`) is `max(now, last.ms)` with the next sequence number; `ms-*` picks the next sequence
///   within `ms` (see `Keyspace.nextID`).
/// - In ranges, `-` and `+` are the smallest and largest IDs, a bare `ms` is `ms-0` as a start and
///   `ms-<max>` as an end, and a leading `(` makes a bound exclusive.
public struct StreamID: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var ms: UInt64
    public var seq: UInt64

    public init(ms: UInt64, seq: UInt64) {
        self.ms = ms
        self.seq = seq
    }

    public static let zero = StreamID(ms: 0, seq: 0)
    public static let max = StreamID(ms: .max, seq: .max)

    public static func < (a: StreamID, b: StreamID) -> Bool {
        a.ms != b.ms ? a.ms < b.ms : a.seq < b.seq
    }

    public var description: String { "\(ms)-\(seq)" }

    /// `ms-seq` as bytes, written digit by digit (replies carry one per entry).
    public var bytes: Bytes {
        var out = Bytes()
        out.reserveCapacity(42)
        Self.appendDecimal(ms, to: &out)
        out.append(UInt8(ascii: "-"))
        Self.appendDecimal(seq, to: &out)
        return out
    }

    private static func appendDecimal(_ value: UInt64, to out: inout Bytes) {
        if value == 0 {
            out.append(UInt8(ascii: "0"))
            return
        }
        let start = out.count
        var v = value
        while v > 0 {
            out.append(UInt8(ascii: "0") + UInt8(v % 10))
            v /= 10
        }
        out[start...].reverse()
    }

    /// The next ID in order, or nil after `max`.
    public var successor: StreamID? {
        if seq < .max { return StreamID(ms: ms, seq: seq + 1) }
        if ms < .max { return StreamID(ms: ms + 1, seq: 0) }
        return nil
    }

    /// The previous ID in order, or nil before `zero`.
    public var predecessor: StreamID? {
        if seq > 0 { return StreamID(ms: ms, seq: seq - 1) }
        if ms > 0 { return StreamID(ms: ms - 1, seq: .max) }
        return nil
    }

    /// Parses `ms-seq` or `ms` as Redis does: at most 127 bytes, read up to a NUL, split at the first `-`, each
    /// part by `string2ull` (so " 1-+2" is 1-2); a missing sequence becomes `missingSequence`.
    public init?(parsing text: Bytes, missingSequence: UInt64 = 0) {
        guard let (ms, seq) = Self.parts(text) else { return nil }
        guard let seq else {
            self.init(ms: ms, seq: missingSequence)
            return
        }
        guard let s = CNumberParsing.string2ull(seq) else { return nil }
        self.init(ms: ms, seq: s)
    }

    /// The milliseconds of `text`, and its sequence part unparsed (nil without a `-`): XADD reads `ms-*` from it.
    public static func parts(_ text: Bytes) -> (ms: UInt64, seq: ArraySlice<UInt8>?)? {
        guard text.count <= 127 else { return nil }
        let c = CNumberParsing.cString(text)
        guard let dash = c.firstIndex(of: UInt8(ascii: "-")) else {
            return CNumberParsing.string2ull(c).map { ($0, nil) }
        }
        guard let ms = CNumberParsing.string2ull(c[..<dash]) else { return nil }
        return (ms, c[(dash + 1)...])
    }

    /// The 16-byte big-endian form used in LMDB keys: byte order is ID order.
    var key: Bytes {
        var b = Bytes()
        b.reserveCapacity(16)
        b.appendBigEndian(ms)
        b.appendBigEndian(seq)
        return b
    }

    init(key bytes: some Collection<UInt8>) {
        var r = ByteReader(Bytes(bytes))
        self.init(ms: r.readUInt64(), seq: r.readUInt64())
    }
}

/// The ID asked for in XADD.
public enum XAddID: Sendable {
    /// `*`
    case auto
    /// `ms-*`
    case autoSequence(ms: UInt64)
    case explicit(StreamID)
}

/// Stream and consumer-group rule violations; the RESP layer has the exact reply text for each.
public enum StreamError: Error, Equatable, Sendable {
    case idMustBeGreaterThanZero
    case idNotGreaterThanTop
    case idSpaceExhausted
    case setIDSmallerThanTop
    case setIDEntriesAddedSmallerThanLength
    case setIDMaxDeletedGreaterThanID
    case noGroup(key: Bytes, group: Bytes)
    case groupExists
    case groupNeedsStream
    case noSuchKey
}
