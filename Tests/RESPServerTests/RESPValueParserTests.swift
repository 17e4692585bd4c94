import NIOCore
import Testing

@testable import RESPServer

private func parse(_ text: String, maxDepth: Int = 100) throws(RESPProtocolError) -> RESPValue? {
    var buffer = ByteBuffer(string: text)
    var parser = RESPValueParser(maxDepth: maxDepth)
    return try parser.parse(&buffer)
}

private func parse(bytes: [UInt8]) throws(RESPProtocolError) -> RESPValue? {
    var buffer = ByteBuffer(bytes: bytes)
    var parser = RESPValueParser()
    return try parser.parse(&buffer)
}

private func bulk(_ s: String) -> RESPValue { .bulkString(Array(s.utf8)) }

@Suite struct RESPValueParserTests {
    // MARK: Edge cases

    @Test func integerEdges() throws {
        #expect(try parse(":0\r\n") == .integer(0))
        #expect(try parse(":-9223372036854775808\r\n") == .integer(Int64.min))
        #expect(try parse(":9223372036854775807\r\n") == .integer(Int64.max))
        #expect(throws: RESPProtocolError.invalidInteger) { try parse(":9223372036854775808\r\n") }
        #expect(throws: RESPProtocolError.invalidInteger) { try parse(":-9223372036854775809\r\n") }
        #expect(throws: RESPProtocolError.invalidInteger) { try parse(":\r\n") }
        #expect(throws: RESPProtocolError.invalidInteger) { try parse(":-\r\n") }
        #expect(throws: RESPProtocolError.invalidInteger) { try parse(":1x\r\n") }
    }

    @Test func nullsAndEmpties() throws {
        #expect(try parse("$0\r\n\r\n") == .bulkString([]))
        #expect(try parse("$-1\r\n") == .bulkString(nil))
        #expect(try parse("*-1\r\n") == .array(nil))
        #expect(try parse("*0\r\n") == .array([]))
        #expect(try parse("_\r\n") == .null)
        #expect(try parse("%0\r\n") == .map([]))
        #expect(try parse("~0\r\n") == .set([]))
        #expect(try parse(">0\r\n") == .push([]))
        #expect(try parse("+\r\n") == .simpleString(""))
        #expect(try parse("$-1\r\n") != .null)
        #expect(try parse("*-1\r\n") != .array([]))
    }

    @Test func resp3Scalars() throws {
        #expect(try parse("#t\r\n") == .boolean(true))
        #expect(try parse("#f\r\n") == .boolean(false))
        #expect(try parse(",1.5\r\n") == .double(1.5))
        #expect(try parse(",-2.5e3\r\n") == .double(-2500))
        #expect(try parse(",inf\r\n") == .double(.infinity))
        #expect(try parse(",-inf\r\n") == .double(-.infinity))
        #expect(try parse(",nan\r\n") == .double(.nan))
        #expect(try parse("(3492890328409238509324850943850943825024385\r\n")
            == .bigNumber("3492890328409238509324850943850943825024385"))
        #expect(try parse("(-12\r\n") == .bigNumber("-12"))
        #expect(try parse("=15\r\ntxt:Some string\r\n") == .verbatim(format: "txt", Array("Some string".utf8)))
        #expect(try parse("!21\r\nSYNTAX invalid syntax\r\n") == .error("SYNTAX invalid syntax"))
        #expect(try parse("-ERR oops\r\n") == .error("ERR oops"))
    }

    @Test func resp3Aggregates() throws {
        #expect(try parse("%2\r\n+a\r\n:1\r\n+b\r\n_\r\n") == .map([(.simpleString("a"), .integer(1)), (.simpleString("b"), .null)]))
        #expect(try parse("~2\r\n:1\r\n:2\r\n") == .set([.integer(1), .integer(2)]))
        #expect(try parse(">2\r\n+message\r\n$2\r\nhi\r\n") == .push([.simpleString("message"), bulk("hi")]))
        #expect(try parse("|1\r\n+ttl\r\n:3600\r\n$1\r\nv\r\n")
            == .attribute([(.simpleString("ttl"), .integer(3600))], bulk("v")))
        // The map's order is kept, and compared.
        #expect(try parse("%2\r\n+b\r\n:2\r\n+a\r\n:1\r\n") != .map([(.simpleString("a"), .integer(1)), (.simpleString("b"), .integer(2))]))
    }

    @Test func twoByteUTF8CutShortIsIncompleteThenWhole() throws {
        let full: [UInt8] = [UInt8(ascii: "+"), 0xC3, 0xA9, 13, 10]  // "+é\r\n"
        var buffer = ByteBuffer(bytes: full[..<2])
        var parser = RESPValueParser()
        #expect(try parser.parse(&buffer) == nil)
        #expect(buffer.readableBytes == 2)
        buffer.writeBytes(full[2...])
        #expect(try parser.parse(&buffer) == .simpleString("é"))
    }

    @Test func truncatedUTF8InACompleteLineIsReplacedNotDropped() throws {
        #expect(try parse(bytes: [UInt8(ascii: "+"), 0xC3, 13, 10]) == .simpleString("\u{FFFD}"))
        #expect(try parse(bytes: [UInt8(ascii: "$"), UInt8(ascii: "1"), 13, 10, 0xC3, 13, 10]) == .bulkString([0xC3]))
    }

    // MARK: Malformed input

    struct Malformed: Sendable, CustomTestStringConvertible {
        let input: String
        let error: RESPProtocolError
        var testDescription: String { input.debugDescription }
    }

    @Test(arguments: [
        Malformed(input: "?x\r\n", error: .unknownType(UInt8(ascii: "?"))),
        Malformed(input: "\r\n", error: .unknownType(13)),
        Malformed(input: "$-2\r\n", error: .invalidBulkLength),
        Malformed(input: "$x\r\n", error: .invalidBulkLength),
        Malformed(input: "$3\r\nabcXY", error: .expectedCRLF),
        Malformed(input: "*-2\r\n", error: .invalidMultibulkLength),
        Malformed(input: "*2147483648\r\n", error: .invalidMultibulkLength),
        Malformed(input: "%-1\r\n", error: .invalidMultibulkLength),
        Malformed(input: "~x\r\n", error: .invalidMultibulkLength),
        Malformed(input: "!-1\r\n", error: .invalidBulkLength),
        Malformed(input: "=3\r\ntxt\r\n", error: .invalidVerbatim),
        Malformed(input: "=5\r\ntxt-x\r\n", error: .invalidVerbatim),
        Malformed(input: "#x\r\n", error: .invalidBoolean),
        Malformed(input: "#\r\n", error: .invalidBoolean),
        Malformed(input: ",abc\r\n", error: .invalidDouble),
        Malformed(input: ",\r\n", error: .invalidDouble),
        Malformed(input: "(12a\r\n", error: .invalidBigNumber),
        Malformed(input: "(\r\n", error: .invalidBigNumber),
        Malformed(input: "_x\r\n", error: .invalidNull),
        Malformed(input: ":1\rX", error: .expectedCRLF),
        Malformed(input: "*2\r\n:1\r\n?\r\n", error: .unknownType(UInt8(ascii: "?"))),
    ])
    func malformedInputThrows(_ sample: Malformed) {
        #expect(throws: sample.error) { try parse(sample.input) }
    }

    @Test func failedParseConsumesNothing() {
        var buffer = ByteBuffer(string: "*2\r\n:1\r\n?\r\n")
        var parser = RESPValueParser()
        #expect(throws: RESPProtocolError.unknownType(UInt8(ascii: "?"))) { try parser.parse(&buffer) }
        #expect(buffer.readableBytes == 11)
    }

    @Test func bulkAboveTheParserLimitIsRefusedBeforeItArrives() {
        var parser = RESPValueParser()
        parser.maxBulkLength = 8
        var buffer = ByteBuffer(string: "$9\r\n")
        #expect(throws: RESPProtocolError.invalidBulkLength) { try parser.parse(&buffer) }
    }

    @Test func hugeAnnouncedCountWithoutElementsIsJustIncomplete() throws {
        #expect(try parse("*2147483647\r\n:1\r\n") == nil)
        #expect(try parse("%1073741823\r\n") == nil)
    }

    @Test func unknownTypeMessageIsHex() {
        #expect(RESPProtocolError.unknownType(0x3F).message == "unknown type byte 0x3f")
        #expect(RESPProtocolError.unknownType(0x07).message == "unknown type byte 0x07")
    }
}
