import NIOCore
import Testing

@testable import RESPServer

/// Feeds `input` in `chunk`-byte pieces until the decoder throws or the input ends; returns the requests
/// decoded before that (so a test can see that nothing was produced before the error).
@discardableResult
private func feed(_ input: [UInt8], chunk: Int, limits: RequestLimits) throws -> [[[UInt8]]] {
    var decoder = RESPRequestDecoder(limits: limits)
    var buffer = ByteBuffer()
    var out: [[[UInt8]]] = []
    var start = 0
    repeat {
        let end = chunk >= input.count - start ? input.count : start + chunk
        buffer.writeBytes(input[start..<end])
        start = end
        while let request = try decoder.decode(buffer: &buffer) { out.append(request) }
        buffer.discardReadBytes()
    } while start < input.count
    return out
}

private func limits(maxBulk: Int? = nil, maxQuery: Int? = nil, authenticated: Bool = true) -> RequestLimits {
    var l = RequestLimits()
    if let maxBulk { l.maxBulkLength = maxBulk }
    if let maxQuery { l.maxQueryBuffer = maxQuery }
    l.authenticated = authenticated
    return l
}

struct BadRequest: Sendable, CustomTestStringConvertible {
    let name: String
    let input: [UInt8]
    let limits: RequestLimits
    let error: RESPProtocolError

    init(_ name: String, _ input: String, _ error: RESPProtocolError, limits: RequestLimits = RequestLimits()) {
        self.name = name
        self.input = Array(input.utf8)
        self.error = error
        self.limits = limits
    }

    var testDescription: String { name }
}

private let badRequests: [BadRequest] = [
    BadRequest("non-numeric multibulk length", "*abc\r\n", .invalidMultibulkLength),
    BadRequest("multibulk length over 2^31-1", "*2147483648\r\n", .invalidMultibulkLength),
    BadRequest("multibulk length with a leading zero", "*01\r\n", .invalidMultibulkLength),
    BadRequest("non-numeric bulk length", "*1\r\n$abc\r\n", .invalidBulkLength),
    BadRequest("bulk length with a leading zero", "*1\r\n$03\r\n", .invalidBulkLength),
    BadRequest("bulk length -0", "*1\r\n$-0\r\n", .invalidBulkLength),
    BadRequest("negative bulk length", "*1\r\n$-5\r\n", .invalidBulkLength),
    BadRequest("bulk length -1 in a request", "*1\r\n$-1\r\n", .invalidBulkLength),
    BadRequest("bulk length above proto-max-bulk-len", "*1\r\n$11\r\n", .invalidBulkLength, limits: limits(maxBulk: 10)),
    BadRequest("simple string instead of bulk", "*1\r\n+foo\r\n", .expectedDollar(got: UInt8(ascii: "+"))),
    BadRequest("integer instead of bulk", "*2\r\n$1\r\na\r\n:1\r\n", .expectedDollar(got: UInt8(ascii: ":"))),
    BadRequest("unclosed double quote", "set a \"b c\r\n", .unbalancedQuotes),
    BadRequest("unclosed single quote", "set a 'b c\r\n", .unbalancedQuotes),
    BadRequest("closing quote followed by a letter", "set a \"b\"c\r\n", .unbalancedQuotes),
    BadRequest("unauthenticated multibulk of 11", "*11\r\n", .unauthenticatedMultibulkLength,
               limits: limits(authenticated: false)),
    BadRequest("unauthenticated bulk of 16385", "*1\r\n$16385\r\n", .unauthenticatedBulkLength,
               limits: limits(authenticated: false)),
    BadRequest("request beyond client-query-buffer-limit", "*2\r\n$6\r\nabcdef\r\n$6\r\nabcdef\r\n", .queryBufferLimit,
               limits: limits(maxQuery: 10)),
    BadRequest("bulk length Int64.min", "*1\r\n$-9223372036854775808\r\n", .invalidBulkLength),
    BadRequest("bulk length past Int64.max", "*1\r\n$9223372036854775808\r\n", .invalidBulkLength),
    // With proto-max-bulk-len raised to its top, a length near Int.max must not overflow the arithmetic.
    BadRequest("bulk length Int64.max under a maximal proto-max-bulk-len", "*1\r\n$9223372036854775807\r\n",
               .queryBufferLimit, limits: limits(maxBulk: Int.max)),
    BadRequest("second bulk near Int64.max under maximal limits", "*2\r\n$1\r\na\r\n$9223372036854775807\r\n",
               .queryBufferLimit, limits: limits(maxBulk: Int.max, maxQuery: Int.max)),
]

@Suite struct RESPRequestDecoderErrorTests {
    @Test(arguments: badRequests, [1, 3, Int.max])
    func malformedRequestThrowsExactError(request: BadRequest, chunk: Int) {
        #expect(throws: request.error) {
            try feed(request.input, chunk: chunk, limits: request.limits)
        }
    }

    @Test func unauthenticatedLimitsAllowSmallRequests() throws {
        let payload = String(repeating: "x", count: 16384)
        let input = "*10\r\n" + String(repeating: "$16384\r\n\(payload)\r\n", count: 10)
        let requests = try feed(Array(input.utf8), chunk: Int.max, limits: limits(authenticated: false))
        #expect(requests.count == 1)
        #expect(requests.first?.count == 10)
        #expect(requests.first?.allSatisfy { $0.count == 16384 } == true)
    }

    @Test func requestExactlyAtTheQueryBufferLimitIsAccepted() throws {
        let requests = try feed(Array("*2\r\n$5\r\nabcde\r\n$5\r\nabcde\r\n".utf8), chunk: Int.max,
                                limits: limits(maxQuery: 10))
        #expect(requests == [[Array("abcde".utf8), Array("abcde".utf8)]])
    }

    @Test func bulkExactlyAtTheMaxBulkLengthIsAccepted() throws {
        let requests = try feed(Array("*1\r\n$10\r\n0123456789\r\n".utf8), chunk: Int.max, limits: limits(maxBulk: 10))
        #expect(requests == [[Array("0123456789".utf8)]])
    }

    @Test func inlineRequestOver64KiBWithoutNewlineIsTooBig() {
        let input = [UInt8](repeating: UInt8(ascii: "a"), count: 64 * 1024 + 1)
        #expect(throws: RESPProtocolError.tooBigInlineRequest) {
            try feed(input, chunk: 16 * 1024, limits: RequestLimits())
        }
    }

    @Test func inlineRequestOf64KiBWaitsForItsNewline() throws {
        var input = [UInt8](repeating: UInt8(ascii: "a"), count: 64 * 1024)
        #expect(try feed(input, chunk: Int.max, limits: RequestLimits()).isEmpty)
        input.append(contentsOf: Array("\r\n".utf8))
        let requests = try feed(input, chunk: Int.max, limits: RequestLimits())
        #expect(requests.count == 1)
        #expect(requests.first?.first?.count == 64 * 1024)
    }

    @Test func multibulkCountLineOver64KiBIsTooBig() {
        let input = [UInt8(ascii: "*")] + [UInt8](repeating: UInt8(ascii: "1"), count: 64 * 1024 + 1)
        #expect(throws: RESPProtocolError.tooBigMultibulkCount) {
            try feed(input, chunk: Int.max, limits: RequestLimits())
        }
    }

    /// As Redis: a multibulk count ≤ 0, down to Int64.min, is no request at all.
    @Test(arguments: ["*0\r\n", "*-1\r\n", "*-5\r\n", "*-9223372036854775808\r\n"])
    func emptyOrNegativeMultibulkIsSkipped(header: String) throws {
        #expect(try feed(Array((header + "*1\r\n$4\r\nPING\r\n").utf8), chunk: 1, limits: RequestLimits())
            == [[Array("PING".utf8)]])
    }

    @Test func requestsBeforeTheErrorAreStillDecoded() throws {
        var decoder = RESPRequestDecoder()
        var buffer = ByteBuffer(string: "PING\r\n*abc\r\n")
        #expect(try decoder.decode(buffer: &buffer) == [Array("PING".utf8)])
        #expect(throws: RESPProtocolError.invalidMultibulkLength) { try decoder.decode(buffer: &buffer) }
    }

    @Test func expectedDollarMessageNamesTheByte() {
        #expect(RESPProtocolError.expectedDollar(got: UInt8(ascii: "+")).message == "expected '$', got '+'")
        #expect(RESPProtocolError.invalidBulkLength.description == "Protocol error: invalid bulk length")
    }
}
