import NIOCore
import Testing

@testable import RESPServer

/// `depth` arrays, each holding the next, around `:1`.
private func nestedArrays(_ depth: Int, innermost: String = ":1\r\n") -> ByteBuffer {
    ByteBuffer(string: String(repeating: "*1\r\n", count: depth) + innermost)
}

private func expectedNesting(_ depth: Int) -> RESPValue {
    var value = RESPValue.integer(1)
    for _ in 0..<depth { value = .array([value]) }
    return value
}

@Suite struct RESPValueNestingTests {
    @Test func depthOfExactlyTheLimitParses() throws {
        var buffer = nestedArrays(100)
        var parser = RESPValueParser()
        #expect(try parser.parse(&buffer) == expectedNesting(100))
        #expect(buffer.readableBytes == 0)
    }

    @Test func oneLevelPastTheLimitIsRejected() {
        var buffer = nestedArrays(101)
        var parser = RESPValueParser()
        #expect(throws: RESPProtocolError.nestingTooDeep) { try parser.parse(&buffer) }
    }

    @Test func emptyAggregateCountsAsALevel() throws {
        var ok = nestedArrays(99, innermost: "*0\r\n")
        var tooDeep = nestedArrays(100, innermost: "%0\r\n")
        var parser = RESPValueParser()
        #expect(try parser.parse(&ok) != nil)
        #expect(throws: RESPProtocolError.nestingTooDeep) { try parser.parse(&tooDeep) }
    }

    @Test(arguments: ["%1\r\n+k\r\n", "~1\r\n", ">1\r\n", "|1\r\n+k\r\n:1\r\n"])
    func everyAggregateKindCountsTowardsTheLimit(level: String) throws {
        var parser = RESPValueParser(maxDepth: 3)
        var three = ByteBuffer(string: String(repeating: level, count: 3) + ":1\r\n")
        var four = ByteBuffer(string: String(repeating: level, count: 4) + ":1\r\n")
        #expect(try parser.parse(&three) != nil)
        #expect(throws: RESPProtocolError.nestingTooDeep) { try parser.parse(&four) }
    }

    @Test func customLimitOfZeroAllowsOnlyScalars() throws {
        var parser = RESPValueParser(maxDepth: 0)
        var scalar = ByteBuffer(string: "+OK\r\n")
        var array = ByteBuffer(string: "*0\r\n")
        #expect(try parser.parse(&scalar) == .simpleString("OK"))
        #expect(throws: RESPProtocolError.nestingTooDeep) { try parser.parse(&array) }
    }

    /// A hostile million-level nesting is refused once the limit is passed, without recursion (no stack
    /// overflow) and without looking at the rest of the input.
    @Test func millionLevelsAreRejectedQuickly() {
        var buffer = nestedArrays(1_000_000)
        var parser = RESPValueParser()
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            #expect(throws: RESPProtocolError.nestingTooDeep) { try parser.parse(&buffer) }
        }
        #expect(elapsed < .seconds(1))
        #expect(buffer.readableBytes == 4_000_004)
    }

    @Test func millionLevelsCutShortAreRejectedToo() {
        var buffer = nestedArrays(1_000_000, innermost: "")
        var parser = RESPValueParser()
        #expect(throws: RESPProtocolError.nestingTooDeep) { try parser.parse(&buffer) }
    }

    @Test func shallowButIncompleteNestingIsNil() throws {
        var buffer = ByteBuffer()
        for _ in 0..<50 { buffer.writeStaticString("*1\r\n") }
        var parser = RESPValueParser()
        #expect(try parser.parse(&buffer) == nil)
        #expect(buffer.readableBytes == 200)
        buffer.writeStaticString(":1\r\n")
        #expect(try parser.parse(&buffer) == expectedNesting(50))
    }
}
