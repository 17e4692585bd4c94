import NIOCore
import NIOEmbedded
import Testing

@testable import RESPServer

/// Feeds `input` to a fresh decoder `chunk` bytes at a time, as a stream reader would: the unread bytes stay
/// in the buffer, new bytes are appended behind them, and `decode` is called until it returns nil.
/// Returns the requests and the bytes left unread at the end.
private func decodeStream(_ input: [UInt8], chunk: Int, limits: RequestLimits = RequestLimits()) throws
    -> (requests: [[String]], leftover: Int) {
    var decoder = RESPRequestDecoder(limits: limits)
    var buffer = ByteBuffer()
    var requests: [[String]] = []
    var start = 0
    repeat {
        let end = chunk >= input.count - start ? input.count : start + chunk
        buffer.writeBytes(input[start..<end])
        start = end
        while let request = try decoder.decode(buffer: &buffer) {
            requests.append(request.map { String(decoding: $0, as: UTF8.self) })
        }
        buffer.discardReadBytes()
    } while start < input.count
    return (requests, buffer.readableBytes)
}

private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

/// Chunk sizes every stream is fed in: 1 (byte by byte) to 7, and the whole input at once.
private let chunkSizes = Array(1...7) + [Int.max]

struct RequestSample: Sendable, CustomTestStringConvertible {
    let name: String
    let input: [UInt8]
    let expected: [[String]]
    var testDescription: String { name }
}

private let samples: [RequestSample] = [
    RequestSample(name: "one multibulk", input: bytes("*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n"), expected: [["GET", "key"]]),
    RequestSample(name: "pipelined multibulk",
                  input: bytes("*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\nb\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\n"),
                  expected: [["PING"], ["SET", "a", "b"], ["GET", "a"]]),
    RequestSample(name: "CRLF inside a bulk string", input: bytes("*1\r\n$4\r\na\r\nb\r\n"), expected: [["a\r\nb"]]),
    RequestSample(name: "empty bulk string", input: bytes("*2\r\n$4\r\nECHO\r\n$0\r\n\r\n"), expected: [["ECHO", ""]]),
    RequestSample(name: "ten-digit lengths",
                  input: bytes("*2\r\n$4\r\nECHO\r\n$12\r\nhello world!\r\n"), expected: [["ECHO", "hello world!"]]),
    RequestSample(name: "inline PING", input: bytes("PING\r\n"), expected: [["PING"]]),
    RequestSample(name: "inline with double quotes", input: bytes("set a \"b c\"\r\n"), expected: [["set", "a", "b c"]]),
    RequestSample(name: "inline escapes", input: bytes("\"\\x41\" 'it\\'s' \"a\\tb\\n\"\r\n"),
                  expected: [["A", "it's", "a\tb\n"]]),
    RequestSample(name: "inline bare LF terminator", input: bytes("PING\nECHO x\n"), expected: [["PING"], ["ECHO", "x"]]),
    RequestSample(name: "empty inline lines ignored", input: bytes("\r\n\n   \r\nPING\r\n\r\n"), expected: [["PING"]]),
    RequestSample(name: "extra spaces and tabs", input: bytes("  SET\t k   v  \r\n"), expected: [["SET", "k", "v"]]),
    RequestSample(name: "*0 and *-1 ignored", input: bytes("*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n*0\r\n"), expected: [["PING"]]),
    RequestSample(name: "inline then multibulk",
                  input: bytes("PING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\nQUIT\r\n"),
                  expected: [["PING"], ["ECHO", "hi"], ["QUIT"]]),
]

@Suite struct RESPRequestDecoderTests {
    @Test(arguments: samples, chunkSizes)
    func sameRequestsWhateverTheChunking(sample: RequestSample, chunk: Int) throws {
        let (requests, leftover) = try decodeStream(sample.input, chunk: chunk)
        #expect(requests == sample.expected)
        #expect(leftover == 0)
    }

    @Test(arguments: chunkSizes)
    func binaryBulkStringsKeepEveryByte(chunk: Int) throws {
        let payload: [UInt8] = [0x00, 0xFF, 0x0D, 0x0A, 0x24, 0x2A, 0x00, 0x80]
        let input = bytes("*2\r\n$3\r\nSET\r\n$8\r\n") + payload + bytes("\r\n")
        var decoder = RESPRequestDecoder()
        var buffer = ByteBuffer()
        var got: [[UInt8]]?
        var start = 0
        while start < input.count && got == nil {
            let end = min(input.count, start + min(chunk, input.count))
            buffer.writeBytes(input[start..<end])
            start = end
            got = try decoder.decode(buffer: &buffer)
        }
        #expect(got == [bytes("SET"), payload])
        #expect(buffer.readableBytes == 0)
    }

    @Test(arguments: [1, 7, 4096, Int.max])
    func largeBulkStringArrivingInPieces(chunk: Int) throws {
        let payload = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let input = bytes("*1\r\n$100000\r\n") + payload + bytes("\r\n")
        var decoder = RESPRequestDecoder()
        var buffer = ByteBuffer()
        var results: [[[UInt8]]] = []
        var start = 0
        while start < input.count {
            let end = chunk >= input.count - start ? input.count : start + chunk
            buffer.writeBytes(input[start..<end])
            start = end
            if let request = try decoder.decode(buffer: &buffer) { results.append(request) }
        }
        #expect(results.count == 1)
        #expect(results.first == [payload])
    }

    @Test func incompleteRequestConsumesOnlyWholeArguments() throws {
        var decoder = RESPRequestDecoder()
        var buffer = ByteBuffer(string: "*2\r\n$3\r\nGET\r\n$3\r\nke")
        #expect(try decoder.decode(buffer: &buffer) == nil)
        // The header and the first argument are consumed; the partial second argument is left for later.
        #expect(buffer.readableBytes == "$3\r\nke".utf8.count)
        buffer.writeString("y\r\n")
        #expect(try decoder.decode(buffer: &buffer) == [bytes("GET"), bytes("key")])
        #expect(try decoder.decode(buffer: &buffer) == nil)
    }

    /// The decoder in a channel pipeline, as the server uses it: requests split across reads come out whole.
    @Test func decodesThroughAByteToMessageHandler() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(RESPRequestDecoder()))
        let input = bytes("*2\r\n$4\r\nECHO\r\n$5\r\nhel\r\n\r\nPING\r\n*1\r\n$4\r\nQUIT\r\n")
        for start in stride(from: 0, to: input.count, by: 5) {
            try channel.writeInbound(ByteBuffer(bytes: input[start..<min(start + 5, input.count)]))
        }
        var requests: [[String]] = []
        while let request: [[UInt8]] = try channel.readInbound() {
            requests.append(request.map { String(decoding: $0, as: UTF8.self) })
        }
        #expect(requests == [["ECHO", "hel\r\n"], ["PING"], ["QUIT"]])
        #expect(try channel.finish().isClean)
    }

    @Test func pipelinedRequestsComeOutOneAtATime() throws {
        var decoder = RESPRequestDecoder()
        var buffer = ByteBuffer(string: "PING\r\n*1\r\n$4\r\nPING\r\nPING\r\n")
        var count = 0
        while let request = try decoder.decode(buffer: &buffer) {
            #expect(request == [bytes("PING")])
            count += 1
        }
        #expect(count == 3)
        #expect(buffer.readableBytes == 0)
    }
}
