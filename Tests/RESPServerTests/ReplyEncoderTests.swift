import NIOCore
import Testing

@testable import RESPServer

/// The bytes `reply` is written as, under `version`.
func encoded(_ reply: Reply, _ version: Int) -> [UInt8] {
    var buffer = ByteBuffer()
    ReplyEncoder.write(reply, protocolVersion: version, into: &buffer)
    return buffer.readBytes(length: buffer.readableBytes) ?? []
}

struct EncodingSample: Sendable, CustomTestStringConvertible {
    let name: String
    let reply: Reply
    let resp2: String
    let resp3: String
    var testDescription: String { name }

    init(_ name: String, _ reply: Reply, _ resp2: String, _ resp3: String? = nil) {
        self.name = name
        self.reply = reply
        self.resp2 = resp2
        self.resp3 = resp3 ?? resp2
    }
}

private let samples: [EncodingSample] = [
    EncodingSample("simple string", .simple("OK"), "+OK\r\n"),
    EncodingSample("error", .error("ERR bad thing"), "-ERR bad thing\r\n"),
    EncodingSample("error with LF", .error("ERR a\nb"), "-ERR a b\r\n"),
    EncodingSample("error with lone CR", .error("ERR a\rb"), "-ERR a b\r\n"),
    EncodingSample("zero", .integer(0), ":0\r\n"),
    EncodingSample("one digit", .integer(7), ":7\r\n"),
    EncodingSample("two digits", .integer(10), ":10\r\n"),
    EncodingSample("negative", .integer(-1), ":-1\r\n"),
    EncodingSample("Int64.min", .integer(Int64.min), ":-9223372036854775808\r\n"),
    EncodingSample("Int64.max", .integer(Int64.max), ":9223372036854775807\r\n"),
    EncodingSample("bulk", .bulk("hello"), "$5\r\nhello\r\n"),
    EncodingSample("empty bulk", .bulk([]), "$0\r\n\r\n"),
    EncodingSample("bulk with CRLF", .bulk("a\r\nb"), "$4\r\na\r\nb\r\n"),
    EncodingSample("null", .null, "$-1\r\n", "_\r\n"),
    EncodingSample("null array", .nullArray, "*-1\r\n", "_\r\n"),
    EncodingSample("empty array", .emptyArray, "*0\r\n"),
    EncodingSample("array", .array([.integer(1), .bulk("a"), .null]), "*3\r\n:1\r\n$1\r\na\r\n$-1\r\n", "*3\r\n:1\r\n$1\r\na\r\n_\r\n"),
    EncodingSample("nested array", .array([.array([.integer(1), .array([])]), .simple("x")]),
                   "*2\r\n*2\r\n:1\r\n*0\r\n+x\r\n"),
    EncodingSample("array of twelve", .array((0..<12).map { .integer($0) }),
                   "*12\r\n" + (0..<12).map { ":\($0)\r\n" }.joined()),
    EncodingSample("map", .map([(.bulk("a"), .integer(1)), (.bulk("b"), .null)]),
                   "*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n$-1\r\n", "%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n_\r\n"),
    EncodingSample("empty map", .map([]), "*0\r\n", "%0\r\n"),
    EncodingSample("set", .set([.bulk("x"), .bulk("y")]), "*2\r\n$1\r\nx\r\n$1\r\ny\r\n", "~2\r\n$1\r\nx\r\n$1\r\ny\r\n"),
    EncodingSample("double", .double(1.5), "$3\r\n1.5\r\n", ",1.5\r\n"),
    EncodingSample("integral double", .double(3), "$1\r\n3\r\n", ",3\r\n"),
    EncodingSample("negative double", .double(-0.25), "$5\r\n-0.25\r\n", ",-0.25\r\n"),
    EncodingSample("infinity", .double(.infinity), "$3\r\ninf\r\n", ",inf\r\n"),
    EncodingSample("minus infinity", .double(-.infinity), "$4\r\n-inf\r\n", ",-inf\r\n"),
    EncodingSample("nan", .double(.nan), "$3\r\nnan\r\n", ",nan\r\n"),
    EncodingSample("true", .boolean(true), ":1\r\n", "#t\r\n"),
    EncodingSample("false", .boolean(false), ":0\r\n", "#f\r\n"),
    EncodingSample("verbatim", .verbatim("hello"), "$5\r\nhello\r\n", "=9\r\ntxt:hello\r\n"),
    EncodingSample("empty verbatim", .verbatim(""), "$0\r\n\r\n", "=4\r\ntxt:\r\n"),
    EncodingSample("push", .push([.bulk("message"), .bulk("ch"), .bulk("hi")]),
                   "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n", ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n"),
    EncodingSample("map inside array", .array([.map([(.simple("k"), .boolean(true))])]),
                   "*1\r\n*2\r\n+k\r\n:1\r\n", "*1\r\n%1\r\n+k\r\n#t\r\n"),
    EncodingSample("no reply", .noReply, ""),
    EncodingSample("sequence", .sequence([.push([.bulk("subscribe"), .bulk("a"), .integer(1)]), .noReply, .simple("x")]),
                   "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n+x\r\n", ">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n+x\r\n"),
    EncodingSample("raw bytes", .raw(Array("+PONG\r\n".utf8)), "+PONG\r\n"),
]

@Suite struct ReplyEncoderTests {
    @Test(arguments: samples)
    func resp2Bytes(sample: EncodingSample) {
        #expect(String(decoding: encoded(sample.reply, 2), as: UTF8.self) == sample.resp2)
    }

    @Test(arguments: samples)
    func resp3Bytes(sample: EncodingSample) {
        #expect(String(decoding: encoded(sample.reply, 3), as: UTF8.self) == sample.resp3)
    }

    @Test func binaryBulkIsWrittenVerbatim() {
        let payload: [UInt8] = [0, 255, 13, 10, 128]
        #expect(encoded(.bulk(payload), 2) == Array("$5\r\n".utf8) + payload + Array("\r\n".utf8))
        #expect(encoded(.bulk(payload), 3) == encoded(.bulk(payload), 2))
    }

    @Test func repliesAppendToWhatIsAlreadyBuffered() {
        var buffer = ByteBuffer(string: "+A\r\n")
        ReplyEncoder.write(.integer(1), protocolVersion: 2, into: &buffer)
        ReplyEncoder.write(.noReply, protocolVersion: 2, into: &buffer)
        ReplyEncoder.write(.null, protocolVersion: 3, into: &buffer)
        #expect(buffer.readString(length: buffer.readableBytes) == "+A\r\n:1\r\n_\r\n")
    }

    /// An error line must stay one line whatever its text: every CR and LF becomes a space, as Redis's
    /// `addReplyErrorLength` does. Swift treats "\r\n" as one Character, so the pair needs its own case.
    @Test(arguments: [2, 3])
    func errorWithCRLFStaysOneLine(version: Int) {
        let bytes = encoded(.error("ERR unknown command 'a\r\n+OK'"), version)
        #expect(String(decoding: bytes, as: UTF8.self) == "-ERR unknown command 'a  +OK'\r\n")
        // Whatever the fix, exactly one CRLF (the terminator) may appear.
        #expect(bytes.indices.dropLast().filter { bytes[$0] == 13 && bytes[$0 + 1] == 10 }.count == 1)
    }

    @Test func formatDoubleMatchesRedis() {
        #expect(ReplyEncoder.formatDouble(0) == "0")
        #expect(ReplyEncoder.formatDouble(100) == "100")
        #expect(ReplyEncoder.formatDouble(0.1) == "0.1")
        #expect(ReplyEncoder.formatDouble(-2.5) == "-2.5")
        #expect(ReplyEncoder.formatDouble(.infinity) == "inf")
    }
}
