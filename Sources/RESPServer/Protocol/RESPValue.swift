import NIOCore

/// A RESP2 or RESP3 value as a server sends it, for the client side (a RESP client, or tests of the encoder).
public indirect enum RESPValue: Equatable, Sendable {
    /// `+text`
    case simpleString(String)
    /// `-text` and the RESP3 blob error `!len`.
    case error(String)
    /// `:n`
    case integer(Int64)
    /// `$len` bytes; nil for RESP2's `$-1`.
    case bulkString([UInt8]?)
    /// `*n`; nil for RESP2's `*-1`.
    case array([RESPValue]?)
    /// RESP3 `_`
    case null
    /// RESP3 `,`: `inf`, `-inf` and `nan` included.
    case double(Double)
    /// RESP3 `#t` / `#f`
    case boolean(Bool)
    /// RESP3 `(`: the decimal digits, with an optional leading `-`.
    case bigNumber(String)
    /// RESP3 `=`: a three-letter format (`txt`, `mkd`) and the text.
    case verbatim(format: String, [UInt8])
    /// RESP3 `%`: pairs in the order received.
    case map([(RESPValue, RESPValue)])
    /// RESP3 `~`
    case set([RESPValue])
    /// RESP3 `>`
    case push([RESPValue])
    /// RESP3 `|`: attributes, then the value they describe.
    case attribute([(RESPValue, RESPValue)], RESPValue)

    public static func == (a: RESPValue, b: RESPValue) -> Bool {
        func samePairs(_ x: [(RESPValue, RESPValue)], _ y: [(RESPValue, RESPValue)]) -> Bool {
            x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        }
        switch (a, b) {
        case let (.simpleString(x), .simpleString(y)), let (.error(x), .error(y)), let (.bigNumber(x), .bigNumber(y)):
            return x == y
        case let (.integer(x), .integer(y)): return x == y
        case let (.bulkString(x), .bulkString(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case (.null, .null): return true
        case let (.double(x), .double(y)): return x == y || (x.isNaN && y.isNaN)
        case let (.boolean(x), .boolean(y)): return x == y
        case let (.verbatim(f, x), .verbatim(g, y)): return f == g && x == y
        case let (.map(x), .map(y)): return samePairs(x, y)
        case let (.set(x), .set(y)), let (.push(x), .push(y)): return x == y
        case let (.attribute(x, v), .attribute(y, w)): return samePairs(x, y) && v == w
        default: return false
        }
    }
}

extension RESPProtocolError {
    public static let nestingTooDeep = Self("nesting too deep")
    public static let expectedCRLF = Self("expected CRLF")
    public static let invalidInteger = Self("invalid integer")
    public static let invalidDouble = Self("invalid double")
    public static let invalidBoolean = Self("invalid boolean")
    public static let invalidBigNumber = Self("invalid big number")
    public static let invalidVerbatim = Self("invalid verbatim string")
    public static let invalidNull = Self("invalid null")

    public static func unknownType(_ byte: UInt8) -> Self {
        Self("unknown type byte 0x\(byte < 16 ? "0" : "")\(String(byte, radix: 16))")
    }
}

/// Parses RESP2 and RESP3 values from a stream of bytes.
///
/// `parse` returns a value once it is wholly buffered and consumes exactly its bytes; it returns nil, consuming
/// nothing, while the value is incomplete. Aggregates are parsed with an explicit stack, not recursion, so a
/// hostile nesting is refused at `maxDepth` without growing the call stack. After an error the stream is out
/// of step and should be closed; the parser itself starts afresh.
public struct RESPValueParser: Sendable {
    /// The most aggregates (arrays, maps, sets, pushes, attributes) one value may nest.
    public let maxDepth: Int
    /// The longest bulk string, blob error or verbatim string accepted.
    public var maxBulkLength = 512 * 1024 * 1024

    public init(maxDepth: Int = 100) {
        self.maxDepth = maxDepth
    }

    private enum Kind { case array, set, push, map, attribute }

    /// An aggregate being filled: `expected` elements in all (a map counts keys and values, an attribute
    /// also the value it describes).
    private struct Frame {
        let kind: Kind
        let expected: Int
        var items: [RESPValue] = []
    }

    private enum Step {
        case value(RESPValue)
        case open(Frame)
    }

    /// The aggregates of the value in progress, outermost first, and how many of its bytes are parsed:
    /// an incomplete value is resumed where it stopped, so a large reply arriving in small reads costs
    /// linear time. Its bytes stay unconsumed in the buffer until it is complete.
    private var stack: [Frame] = []
    private var parsedBytes = 0

    /// The next value in `buffer`, consuming its bytes; nil, consuming nothing, while it is incomplete.
    /// One parser reads one stream: between calls the caller may only append to the buffer (or discard
    /// bytes already consumed).
    public mutating func parse(_ buffer: inout ByteBuffer) throws(RESPProtocolError) -> RESPValue? {
        if buffer.readableBytes < parsedBytes { reset() }  // not the stream this parser was reading
        let result = buffer.withUnsafeReadableBytes { bytes in
            Result { () throws(RESPProtocolError) -> RESPValue? in try parseValue(bytes) }
        }
        do {
            guard let value = try result.get() else { return nil }
            buffer.moveReaderIndex(forwardBy: parsedBytes)
            reset()
            return value
        } catch {
            reset()
            throw error
        }
    }

    private mutating func reset() {
        stack = []
        parsedBytes = 0
    }

    private mutating func parseValue(_ p: UnsafeRawBufferPointer) throws(RESPProtocolError) -> RESPValue? {
        while true {
            guard let (step, next) = try element(p, at: parsedBytes) else { return nil }
            var finished: RESPValue
            switch step {
            case .open(let frame):
                guard stack.count < maxDepth else { throw .nestingTooDeep }
                parsedBytes = next
                if frame.expected > 0 {
                    stack.append(frame)
                    continue
                }
                finished = Self.close(frame)
            case .value(let value):
                parsedBytes = next
                finished = value
            }
            // Hand the value to the enclosing aggregates, closing each one it completes.
            while true {
                guard var top = stack.popLast() else { return finished }
                top.items.append(finished)
                if top.items.count < top.expected {
                    stack.append(top)
                    break
                }
                finished = Self.close(top)
            }
        }
    }

    private static func close(_ frame: Frame) -> RESPValue {
        func pairs(_ items: ArraySlice<RESPValue>) -> [(RESPValue, RESPValue)] {
            stride(from: items.startIndex, to: items.endIndex, by: 2).map { (items[$0], items[$0 + 1]) }
        }
        switch frame.kind {
        case .array: return .array(frame.items)
        case .set: return .set(frame.items)
        case .push: return .push(frame.items)
        case .map: return .map(pairs(frame.items[...]))
        case .attribute: return .attribute(pairs(frame.items.dropLast()), frame.items.last!)
        }
    }

    /// The line starting at `start`, without its CRLF, and the offset after it; nil while incomplete.
    private func line(_ p: UnsafeRawBufferPointer, from start: Int) throws(RESPProtocolError) -> (Range<Int>, Int)? {
        guard start <= p.count, let cr = p[start...].firstIndex(of: 13) else { return nil }
        guard cr + 1 < p.count else { return nil }
        guard p[cr + 1] == 10 else { throw .expectedCRLF }
        return (start..<cr, cr + 2)
    }

    /// One scalar, or the header of an aggregate, at `offset`.
    private func element(_ p: UnsafeRawBufferPointer, at offset: Int) throws(RESPProtocolError) -> (Step, Int)? {
        guard offset < p.count else { return nil }
        let type = p[offset]
        guard Self.types.contains(type) else { throw .unknownType(type) }
        guard let (range, next) = try line(p, from: offset + 1) else { return nil }
        let text = p[range]
        func string() -> String { String(decoding: text, as: UTF8.self) }
        func length(_ error: RESPProtocolError) throws(RESPProtocolError) -> Int {
            guard let n = Self.integer(text), n >= -1, n <= Int64(Int32.max) else { throw error }
            return Int(n)
        }
        /// `n` bytes after the header, followed by CRLF.
        func blob(_ n: Int) throws(RESPProtocolError) -> ([UInt8], Int)? {
            guard n >= 0, n <= maxBulkLength else { throw .invalidBulkLength }
            guard p.count - next >= n + 2 else { return nil }
            guard p[next + n] == 13, p[next + n + 1] == 10 else { throw .expectedCRLF }
            return (Array(p[next..<(next + n)]), next + n + 2)
        }
        func aggregate(_ kind: Kind, _ n: Int, perElement: Int = 1, extra: Int = 0) throws(RESPProtocolError) -> (Step, Int) {
            guard n >= 0 else { throw .invalidMultibulkLength }
            var frame = Frame(kind: kind, expected: n * perElement + extra)
            frame.items.reserveCapacity(Swift.min(frame.expected, 1024))
            return (.open(frame), next)
        }
        switch type {
        case UInt8(ascii: "+"): return (.value(.simpleString(string())), next)
        case UInt8(ascii: "-"): return (.value(.error(string())), next)
        case UInt8(ascii: ":"):
            guard let n = Self.integer(text) else { throw .invalidInteger }
            return (.value(.integer(n)), next)
        case UInt8(ascii: "$"):
            let n = try length(.invalidBulkLength)
            if n == -1 { return (.value(.bulkString(nil)), next) }
            return try blob(n).map { (.value(.bulkString($0)), $1) }
        case UInt8(ascii: "!"):
            return try blob(try length(.invalidBulkLength)).map { (.value(.error(String(decoding: $0, as: UTF8.self))), $1) }
        case UInt8(ascii: "="):
            guard let (body, end) = try blob(try length(.invalidBulkLength)) else { return nil }
            guard body.count >= 4, body[3] == UInt8(ascii: ":") else { throw .invalidVerbatim }
            return (.value(.verbatim(format: String(decoding: body[0..<3], as: UTF8.self), Array(body[4...]))), end)
        case UInt8(ascii: "*"):
            let n = try length(.invalidMultibulkLength)
            if n == -1 { return (.value(.array(nil)), next) }
            return try aggregate(.array, n)
        case UInt8(ascii: "~"): return try aggregate(.set, try length(.invalidMultibulkLength))
        case UInt8(ascii: ">"): return try aggregate(.push, try length(.invalidMultibulkLength))
        case UInt8(ascii: "%"): return try aggregate(.map, try length(.invalidMultibulkLength), perElement: 2)
        case UInt8(ascii: "|"): return try aggregate(.attribute, try length(.invalidMultibulkLength), perElement: 2, extra: 1)
        case UInt8(ascii: "_"):
            guard text.isEmpty else { throw .invalidNull }
            return (.value(.null), next)
        case UInt8(ascii: "#"):
            guard text.count == 1, text.first == UInt8(ascii: "t") || text.first == UInt8(ascii: "f") else {
                throw .invalidBoolean
            }
            return (.value(.boolean(text.first == UInt8(ascii: "t"))), next)
        case UInt8(ascii: ","):
            guard let d = Self.double(string()) else { throw .invalidDouble }
            return (.value(.double(d)), next)
        case UInt8(ascii: "("):
            let digits = text.first == UInt8(ascii: "-") ? text.dropFirst() : text[...]
            guard !digits.isEmpty, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { throw .invalidBigNumber }
            return (.value(.bigNumber(string())), next)
        default:
            throw .unknownType(type)  // not reached: checked above
        }
    }

    /// The type bytes of RESP2 and RESP3.
    private static let types = Set("+-:$*_,#(!=%~>|".utf8)

    /// A signed 64-bit decimal: an optional `-` and 1–19 digits, without overflow.
    static func integer(_ digits: some Collection<UInt8>) -> Int64? {
        var it = digits.makeIterator()
        guard var c = it.next() else { return nil }
        let negative = c == UInt8(ascii: "-")
        if negative {
            guard let d = it.next() else { return nil }
            c = d
        }
        var value: Int64 = 0
        while true {
            guard c >= 48 && c <= 57 else { return nil }
            let digit = Int64(c - 48)
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            // Accumulate negatively so that Int64.min parses.
            let (s, o2) = negative ? m.subtractingReportingOverflow(digit) : m.addingReportingOverflow(digit)
            if o1 || o2 { return nil }
            value = s
            guard let d = it.next() else { return value }
            c = d
        }
    }

    /// A RESP3 double: decimal or exponent notation, `inf`, `-inf`, `nan`.
    static func double(_ text: String) -> Double? {
        switch text.lowercased() {
        case "inf", "+inf": return .infinity
        case "-inf": return -.infinity
        case "nan", "-nan": return .nan
        default:
            guard !text.isEmpty, text.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || "+-.eE".utf8.contains($0) }) else {
                return nil
            }
            return Double(text)
        }
    }
}
