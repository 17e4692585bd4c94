import NIOCore
import Testing

@testable import RESPServer

/// What a client parsing `reply` written under `version` must see.
func expectedValue(_ reply: Reply, _ version: Int) -> RESPValue {
    let resp3 = version >= 3
    func all(_ items: [Reply]) -> [RESPValue] { items.map { expectedValue($0, version) } }
    switch reply {
    case .simple(let s): return .simpleString(s)
    case .error(let s): return .error(s)
    case .integer(let i): return .integer(i)
    case .bulk(let b): return .bulkString(b)
    case .null: return resp3 ? .null : .bulkString(nil)
    case .nullArray: return resp3 ? .null : .array(nil)
    case .array(let items): return .array(all(items))
    case .set(let items): return resp3 ? .set(all(items)) : .array(all(items))
    case .push(let items): return resp3 ? .push(all(items)) : .array(all(items))
    case .map(let pairs):
        if resp3 { return .map(pairs.map { (expectedValue($0.0, version), expectedValue($0.1, version)) }) }
        return .array(pairs.flatMap { [expectedValue($0.0, version), expectedValue($0.1, version)] })
    case .double(let d): return resp3 ? .double(d) : .bulkString(Array(ReplyEncoder.formatDouble(d).utf8))
    case .boolean(let b): return resp3 ? .boolean(b) : .integer(b ? 1 : 0)
    case .verbatim(let t): return resp3 ? .verbatim(format: "txt", Array(t.utf8)) : .bulkString(Array(t.utf8))
    case .noReply, .raw, .sequence: fatalError("not one value")
    }
}

struct RoundTripSample: Sendable, CustomTestStringConvertible {
    let name: String
    let reply: Reply
    var testDescription: String { name }
    init(_ name: String, _ reply: Reply) {
        self.name = name
        self.reply = reply
    }
}

let roundTripSamples: [RoundTripSample] = [
    RoundTripSample("simple", .simple("OK")),
    RoundTripSample("simple with UTF-8", .simple("héllo €")),
    RoundTripSample("error", .error("WRONGTYPE Operation against a key holding the wrong kind of value")),
    RoundTripSample("integers", .array([.integer(0), .integer(-1), .integer(Int64.max), .integer(Int64.min)])),
    RoundTripSample("bulk", .bulk("value")),
    RoundTripSample("binary bulk", .bulk([0, 13, 10, 255, 36, 42])),
    RoundTripSample("empty bulk", .bulk([])),
    RoundTripSample("null", .null),
    RoundTripSample("null array", .nullArray),
    RoundTripSample("empty array", .emptyArray),
    RoundTripSample("map", .map([(.bulk("name"), .bulk("g1")), (.bulk("lag"), .null), (.bulk("pending"), .integer(3))])),
    RoundTripSample("set", .set([.bulk("a"), .bulk("b")])),
    RoundTripSample("doubles", .array([.double(1.5), .double(-3), .double(.infinity), .double(-.infinity), .double(.nan)])),
    RoundTripSample("booleans", .array([.boolean(true), .boolean(false)])),
    RoundTripSample("verbatim", .verbatim("# Server\r\nredis_version:7.2.0\r\n")),
    RoundTripSample("push", .push([.bulk("message"), .bulk("news"), .bulk("hi")])),
    RoundTripSample("stream reply", .array([.array([.bulk("s"), .array([.array([.bulk("1-0"), .array([.bulk("f"), .bulk("v")])])])])])),
    RoundTripSample("XINFO-like", .map([(.bulk("groups"), .array([.map([(.bulk("name"), .bulk("g")), (.bulk("lag"), .integer(0))])]))])),
    RoundTripSample("big array", .array((0..<300).map { .bulk("item-\($0)") })),
]

@Suite struct RESPValueRoundTripTests {
    @Test(arguments: roundTripSamples, [2, 3])
    func encoderOutputParsesBack(sample: RoundTripSample, version: Int) throws {
        var buffer = ByteBuffer(bytes: encoded(sample.reply, version))
        var parser = RESPValueParser()
        let value = try parser.parse(&buffer)
        #expect(value == expectedValue(sample.reply, version))
        #expect(buffer.readableBytes == 0)
    }

    @Test(arguments: [2, 3])
    func everyReplyOfAPipelineParsesInOrder(version: Int) throws {
        var buffer = ByteBuffer()
        for sample in roundTripSamples { ReplyEncoder.write(sample.reply, protocolVersion: version, into: &buffer) }
        var parser = RESPValueParser()
        for sample in roundTripSamples {
            #expect(try parser.parse(&buffer) == expectedValue(sample.reply, version), "\(sample.name)")
        }
        #expect(try parser.parse(&buffer) == nil)
        #expect(buffer.readableBytes == 0)
    }

    /// Cut anywhere before its end, a value is incomplete: nil, and nothing consumed. The rest completes it.
    @Test(arguments: roundTripSamples.filter { $0.name != "big array" }, [2, 3])
    func incompleteAtEveryCutPoint(sample: RoundTripSample, version: Int) throws {
        let bytes = encoded(sample.reply, version)
        for cut in 0..<bytes.count {
            var buffer = ByteBuffer(bytes: bytes[..<cut])
            var parser = RESPValueParser()
            let partial = try parser.parse(&buffer)
            #expect(partial == nil, "cut at \(cut)")
            #expect(buffer.readableBytes == cut, "cut at \(cut) consumed bytes")
            buffer.writeBytes(bytes[cut...])
            #expect(try parser.parse(&buffer) == expectedValue(sample.reply, version), "cut at \(cut)")
            #expect(buffer.readableBytes == 0)
        }
    }

    @Test func bigArrayFedByteByByteParsesOnce() throws {
        let bytes = encoded(.array((0..<300).map { .bulk("item-\($0)") }), 3)
        var buffer = ByteBuffer()
        var parser = RESPValueParser()
        var values: [RESPValue] = []
        for byte in bytes {
            buffer.writeInteger(byte)
            if let value = try parser.parse(&buffer) { values.append(value) }
        }
        #expect(values.count == 1)
        #expect(values.first == .array((0..<300).map { .bulkString(Array("item-\($0)".utf8)) }))
        #expect(buffer.readableBytes == 0)
    }

    /// A large reply in small reads is resumed, not parsed again from its start each time.
    @Test func largeReplyInSmallReadsParsesInLinearTime() throws {
        let reply = Reply.array((0..<20_000).map { .array([.bulk("\($0)-0"), .array([.bulk("f"), .bulk("v\($0)")])]) })
        let bytes = encoded(reply, 2)
        var buffer = ByteBuffer()
        var parser = RESPValueParser()
        var value: RESPValue?
        let elapsed = ContinuousClock().measure {
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + 64)
                buffer.writeBytes(bytes[start..<end])
                start = end
                if let v = try? parser.parse(&buffer) { value = v }
                buffer.discardReadBytes()
            }
        }
        #expect(value == expectedValue(reply, 2))
        #expect(elapsed < .seconds(5))
    }

    @Test func parserStartsAfreshWhenGivenAnotherBuffer() throws {
        var parser = RESPValueParser()
        var first = ByteBuffer(string: "*3\r\n$5\r\nhello\r\n:1\r\n")
        #expect(try parser.parse(&first) == nil)
        var other = ByteBuffer(string: ":7\r\n")
        #expect(try parser.parse(&other) == .integer(7))
    }

    @Test func parserIsUsableAfterAnError() throws {
        var parser = RESPValueParser()
        var bad = ByteBuffer(string: "*2\r\n:1\r\n?\r\n")
        #expect(throws: RESPProtocolError.unknownType(UInt8(ascii: "?"))) { try parser.parse(&bad) }
        var good = ByteBuffer(string: "*1\r\n+OK\r\n")
        #expect(try parser.parse(&good) == .array([.simpleString("OK")]))
    }
}
