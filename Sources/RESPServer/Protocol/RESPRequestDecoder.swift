import NIOCore
import Store

/// Limits a request must stay within, read on every decode so that CONFIG SET takes effect at once.
public struct RequestLimits: Sendable {
    /// `proto-max-bulk-len`
    public var maxBulkLength: Int = 512 * 1024 * 1024
    /// `client-query-buffer-limit`: the most bytes one request may hold.
    public var maxQueryBuffer: Int = 1024 * 1024 * 1024
    /// Unauthenticated clients may only send small requests (Redis's guard against memory abuse).
    public var authenticated = true

    public init() {}

    static let maxInline = 64 * 1024
    static let maxMultibulk = Int(Int32.max)
    static let unauthenticatedMultibulk = 10
    static let unauthenticatedBulk = 16384
}

/// Decodes client requests: RESP arrays of bulk strings, or inline commands (a line of words, as `nc` and
/// redis-cli's inline mode send). Returns nil until a whole request is buffered; throws `RESPProtocolError`
/// for malformed input.
///
/// Parsing resumes where it stopped: each complete argument is consumed from the buffer at once, so a large
/// request arriving in small reads costs linear time.
public struct RESPRequestDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = [[UInt8]]

    /// Set by the connection as the configuration and its authentication change.
    public var limits: RequestLimits

    /// Arguments still expected, and those read so far, while inside a multibulk request.
    private var remainingArguments = 0
    private var arguments: [[UInt8]] = []
    private var requestBytes = 0

    public init(limits: RequestLimits = RequestLimits()) {
        self.limits = limits
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> [[UInt8]]? {
        while true {
            if remainingArguments == 0 {
                guard let first = buffer.readableBytesView.first else { return nil }
                if first == UInt8(ascii: "*") {
                    guard let count = try readMultibulkHeader(&buffer) else { return nil }
                    if count <= 0 { continue }  // `*0` and `*-1` are ignored, as Redis does
                    remainingArguments = count
                    arguments = []
                    arguments.reserveCapacity(Swift.min(count, 1024))
                    requestBytes = 0
                } else {
                    guard let words = try readInline(&buffer) else { return nil }
                    if words.isEmpty { continue }
                    return words
                }
            }
            while remainingArguments > 0 {
                guard let argument = try readBulk(&buffer) else { return nil }
                arguments.append(argument)
                remainingArguments -= 1
            }
            defer { arguments = [] }
            return arguments
        }
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> [[UInt8]]? {
        try decode(buffer: &buffer)
    }

    /// The line after the type byte, up to CRLF, as an integer; nil when the line is incomplete.
    private func readLength(_ buffer: ByteBuffer, tooBig: RESPProtocolError) throws -> (Int?, Int)? {
        let view = buffer.readableBytesView
        guard let cr = view.firstIndex(of: UInt8(ascii: "\r")) else {
            if view.count > RequestLimits.maxInline { throw tooBig }
            return nil
        }
        guard cr + 1 < view.endIndex else { return nil }
        let digits = view[(view.startIndex + 1)..<cr]
        let consumed = cr + 2 - view.startIndex
        return (Self.parseInteger(digits), consumed)
    }

    private mutating func readMultibulkHeader(_ buffer: inout ByteBuffer) throws -> Int? {
        guard let (value, consumed) = try readLength(buffer, tooBig: .tooBigMultibulkCount) else { return nil }
        guard let count = value, count <= RequestLimits.maxMultibulk else { throw RESPProtocolError.invalidMultibulkLength }
        if !limits.authenticated && count > RequestLimits.unauthenticatedMultibulk {
            throw RESPProtocolError.unauthenticatedMultibulkLength
        }
        buffer.moveReaderIndex(forwardBy: consumed)
        return count
    }

    private mutating func readBulk(_ buffer: inout ByteBuffer) throws -> [UInt8]? {
        guard let first = buffer.readableBytesView.first else { return nil }
        guard first == UInt8(ascii: "$") else { throw RESPProtocolError.expectedDollar(got: first) }
        guard let (value, consumed) = try readLength(buffer, tooBig: .tooBigBulkCount) else { return nil }
        guard let length = value, length >= 0, length <= limits.maxBulkLength else {
            throw RESPProtocolError.invalidBulkLength
        }
        if !limits.authenticated && length > RequestLimits.unauthenticatedBulk {
            throw RESPProtocolError.unauthenticatedBulkLength
        }
        // Compared by subtraction: CONFIG SET proto-max-bulk-len may allow lengths near Int.max.
        if length > limits.maxQueryBuffer - requestBytes { throw RESPProtocolError.queryBufferLimit }
        guard buffer.readableBytes - consumed - 2 >= length else { return nil }
        buffer.moveReaderIndex(forwardBy: consumed)
        guard let bytes = buffer.readBytes(length: length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 2)
        requestBytes += length
        return bytes
    }

    /// An inline request: one line, split into words as Redis's `sdssplitargs` does.
    private func readInline(_ buffer: inout ByteBuffer) throws -> [[UInt8]]? {
        let view = buffer.readableBytesView
        guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
            if view.count > RequestLimits.maxInline { throw RESPProtocolError.tooBigInlineRequest }
            return nil
        }
        var line = view[view.startIndex..<newline]
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        let words = try InlineSplitter.split(Array(line))
        buffer.moveReaderIndex(forwardBy: newline + 1 - view.startIndex)
        return words
    }

    /// A signed decimal as Redis's `string2ll`: no leading zeros, no "-0", down to Int64.min; nil when not a number.
    static func parseInteger(_ digits: some Collection<UInt8>) -> Int? {
        Keyspace.parseInteger(digits).map { Int($0) }
    }
}

/// Splits an inline command line into words: spaces separate, `"..."` takes `\n \r \t \b \a \\ \" \xHH`
/// escapes, `'...'` takes `\'`. A closing quote must be followed by a space or the end of the line.
enum InlineSplitter {
    static func split(_ line: [UInt8]) throws -> [[UInt8]] {
        var words: [[UInt8]] = []
        var i = 0
        func isSpace(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 10 || c == 13 || c == 11 || c == 12 }
        while true {
            while i < line.count && isSpace(line[i]) { i += 1 }
            if i == line.count { return words }
            var word: [UInt8] = []
            var inDouble = false, inSingle = false
            while true {
                if inDouble {
                    guard i < line.count else { throw RESPProtocolError.unbalancedQuotes }
                    let c = line[i]
                    if c == UInt8(ascii: "\\") && i + 3 < line.count && line[i + 1] == UInt8(ascii: "x"),
                       let hi = hex(line[i + 2]), let lo = hex(line[i + 3]) {
                        word.append(hi << 4 | lo)
                        i += 3
                    } else if c == UInt8(ascii: "\\") && i + 1 < line.count {
                        i += 1
                        switch line[i] {
                        case UInt8(ascii: "n"): word.append(10)
                        case UInt8(ascii: "r"): word.append(13)
                        case UInt8(ascii: "t"): word.append(9)
                        case UInt8(ascii: "b"): word.append(8)
                        case UInt8(ascii: "a"): word.append(7)
                        default: word.append(line[i])
                        }
                    } else if c == UInt8(ascii: "\"") {
                        if i + 1 < line.count && !isSpace(line[i + 1]) { throw RESPProtocolError.unbalancedQuotes }
                        inDouble = false
                        i += 1
                        break
                    } else {
                        word.append(c)
                    }
                } else if inSingle {
                    guard i < line.count else { throw RESPProtocolError.unbalancedQuotes }
                    let c = line[i]
                    if c == UInt8(ascii: "\\") && i + 1 < line.count && line[i + 1] == UInt8(ascii: "'") {
                        word.append(UInt8(ascii: "'"))
                        i += 1
                    } else if c == UInt8(ascii: "'") {
                        if i + 1 < line.count && !isSpace(line[i + 1]) { throw RESPProtocolError.unbalancedQuotes }
                        inSingle = false
                        i += 1
                        break
                    } else {
                        word.append(c)
                    }
                } else {
                    if i == line.count || isSpace(line[i]) { break }
                    switch line[i] {
                    case UInt8(ascii: "\""): inDouble = true
                    case UInt8(ascii: "'"): inSingle = true
                    default: word.append(line[i])
                    }
                }
                i += 1
            }
            words.append(word)
        }
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 97...102: c - 87
        case 65...70: c - 55
        default: nil
        }
    }
}
