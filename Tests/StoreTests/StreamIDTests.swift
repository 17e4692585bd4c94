import Store
import Testing

@Suite struct StreamIDTests {
    // MARK: Parsing

    @Test func parsesMillisecondsAndSequence() {
        #expect(StreamID(parsing: b("1-2")) == .id(1, 2))
        #expect(StreamID(parsing: b("0-1")) == .id(0, 1))
        #expect(StreamID(parsing: b("1700000000000-42")) == .id(1_700_000_000_000, 42))
    }

    @Test func missingSequenceTakesTheGivenDefault() {
        #expect(StreamID(parsing: b("5")) == .id(5, 0))
        #expect(StreamID(parsing: b("5"), missingSequence: 0) == .id(5, 0))
        #expect(StreamID(parsing: b("5"), missingSequence: .max) == .id(5, .max))
    }

    @Test func parsesTheLargestID() {
        #expect(StreamID(parsing: b("18446744073709551615-18446744073709551615")) == .max)
        #expect(StreamID(parsing: b("18446744073709551615")) == .id(.max, 0))
    }

    @Test(arguments: [
        "", "-", "+", "-1", "1-", "a-1", "1-a", "1-2-3", "1--1", " -1", "1 ", "1\t", "1.5", "0x10",
        "100000000000000000000",  // 2^64 < 21 digits
        "18446744073709551616",  // 2^64
        "1-18446744073709551616",
        "18446744073709551616-0",
        "-9223372036854775808",
    ])
    func rejectsMalformedIDs(text: String) {
        #expect(StreamID(parsing: b(text)) == nil)
    }

    /// Redis reads each part with `string2ull`, which falls back on C's `strtoull`.
    @Test func acceptsWhatStrtoullAccepts() {
        #expect(StreamID(parsing: b("007-0009")) == .id(7, 9))
        #expect(StreamID(parsing: b(" 1-1")) == .id(1, 1))
        #expect(StreamID(parsing: b("+2-+1")) == .id(2, 1))
        #expect(StreamID(parsing: b("\t3- 4")) == .id(3, 4))
        #expect(StreamID(parsing: b("00000000000000000000000000000005")) == .id(5, 0))
        #expect(StreamID(parsing: b("1--0")) == .id(1, 0))  // "-0" is not canonical, so strtoull reads it
        #expect(StreamID(parsing: b("1--01")) == .id(1, .max))  // and negates modulo 2^64
        #expect(StreamID(parsing: b("1-1\u{0}junk")) == .id(1, 1))  // C stops at the NUL
    }

    @Test func refusesIDsLongerThan127Bytes() {
        #expect(StreamID(parsing: b(String(repeating: "0", count: 126) + "1")) == .id(1, 0))
        #expect(StreamID(parsing: b(String(repeating: "0", count: 127) + "1")) == nil)
    }

    @Test func descriptionRoundTrips() {
        let ids: [StreamID] = [.zero, .max, .id(1, 2), .id(1_700_000_000_000, 99)]
        for id in ids {
            #expect(StreamID(parsing: id.bytes) == id)
        }
        #expect(StreamID.id(3, 4).description == "3-4")
        #expect(StreamID.max.description == "18446744073709551615-18446744073709551615")
    }

    // MARK: Order

    @Test func ordersByMillisecondsThenSequence() {
        #expect(StreamID.id(1, 5) < .id(2, 0))
        #expect(StreamID.id(1, 1) < .id(1, 2))
        #expect(!(StreamID.id(2, 0) < .id(1, .max)))
        #expect(!(StreamID.id(1, 1) < .id(1, 1)))
        #expect(StreamID.zero < .id(0, 1))
        #expect(StreamID.id(.max, .max - 1) < .max)
    }

    @Test func sortingMatchesNumericOrder() {
        let ids: [StreamID] = [.id(10, 0), .id(2, 9), .id(2, 10), .max, .zero, .id(9, .max)]
        #expect(ids.sorted() == [.zero, .id(2, 9), .id(2, 10), .id(9, .max), .id(10, 0), .max])
    }

    // MARK: Successor and predecessor

    @Test func successorIncrementsSequenceThenMilliseconds() {
        #expect(StreamID.id(1, 1).successor == .id(1, 2))
        #expect(StreamID.id(1, .max).successor == .id(2, 0))
        #expect(StreamID.zero.successor == .id(0, 1))
        #expect(StreamID.id(.max, .max - 1).successor == .max)
        #expect(StreamID.max.successor == nil)
    }

    @Test func predecessorDecrementsSequenceThenMilliseconds() {
        #expect(StreamID.id(1, 2).predecessor == .id(1, 1))
        #expect(StreamID.id(2, 0).predecessor == .id(1, .max))
        #expect(StreamID.id(0, 1).predecessor == .zero)
        #expect(StreamID.zero.predecessor == nil)
        #expect(StreamID.max.predecessor == .id(.max, .max - 1))
    }

    @Test(arguments: [StreamID.id(0, 1), .id(1, 0), .id(1, .max), .id(7, 3), .id(.max, 0)])
    func successorAndPredecessorAreInverse(id: StreamID) {
        #expect(id.successor?.predecessor == id)
        #expect(id.predecessor?.successor == id)
    }
}
