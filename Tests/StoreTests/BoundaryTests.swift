import Store
import Testing

/// Client numbers at their limits: the store's rules answer them as Redis does, without trapping.
@Suite struct BoundaryTests {
    // MARK: Number spellings

    @Test func scanCursorsAreReadAsStrtoul() {
        #expect(CNumberParsing.scanCursor(b("0")) == 0)
        #expect(CNumberParsing.scanCursor(b("")) == 0)
        #expect(CNumberParsing.scanCursor(b("-1")) == .max)
        #expect(CNumberParsing.scanCursor(b("+7")) == 7)
        #expect(CNumberParsing.scanCursor(b("-18446744073709551615")) == 1)
        #expect(CNumberParsing.scanCursor(b("18446744073709551615")) == .max)
        for bad in [" 1", "\t1", "1 ", "18446744073709551616", "-18446744073709551616", "-", "+", "x", "0x1"] {
            #expect(CNumberParsing.scanCursor(b(bad)) == nil, "\(bad)")
        }
    }

    @Test func floatsAreReadAsRedisString2ld() throws {
        #expect(Keyspace.parseFloat(b("1.5")) == 1.5)
        #expect(try #require(Keyspace.parseFloat(b("inf"))).isInfinite)
        #expect(try #require(Keyspace.parseFloat(b("1e400"))).isFinite)  // long double
        #expect(try #require(Keyspace.parseFloat(b("1e-400"))) > 0)
        #expect(try #require(Keyspace.parseFloat(b("1e-4940"))) > 0)  // underflows to a denormal: kept
        #expect(Keyspace.parseFloat(b("1e-5000")) == nil)  // underflows to zero
        #expect(Keyspace.parseFloat(b("1e5000")) == nil)  // overflows
        #expect(Keyspace.parseFloat(b("1\u{0}x")) == 1)  // C stops at the NUL
        for bad in ["nan", " 1", "\t1", "1 ", "", "x", "-"] {
            #expect(Keyspace.parseFloat(b(bad)) == nil, "\(bad)")
        }
        #expect(Keyspace.parseFloat(b(String(repeating: "0", count: 5118) + "1")) == 1)
        #expect(Keyspace.parseFloat(b(String(repeating: "0", count: 5119) + "1")) == nil)
    }

    @Test func integersReachInt64MinButNotBeyond() {
        #expect(Keyspace.parseInteger(b("-9223372036854775808")) == .min)
        #expect(Keyspace.parseInteger(b("9223372036854775807")) == .max)
        #expect(Keyspace.parseInteger(b("9223372036854775808")) == nil)
        #expect(Keyspace.parseInteger(b("-9223372036854775809")) == nil)
        #expect(Keyspace.parseInteger(b("")) == nil)
        #expect(Keyspace.parseInteger(b("-")) == nil)
    }

    // MARK: Strings

    @Test func setRangeRefusesAnEndPastTheLimitWithoutOverflowing() throws {
        try withFreshStore { store throws in
            for offset in [Int.max, Int.max - 1, Keyspace.maxStringLength] {
                #expect(throws: StoreError.stringTooLong) {
                    try store.writing { try $0.setRange(b("k"), offset: offset, b("A")) }
                }
            }
            #expect(try store.writing { try $0.setRange(b("k"), offset: Int.max, []) } == 0)
            #expect(try store.writing { try $0.setRange(b("k"), offset: 3, b("xy")) } == 5)
            #expect(try store.reading { try $0.getString(b("k")) } == [0, 0, 0] + b("xy"))
            #expect(try store.writing { try $0.setRange(b("k"), offset: 1, b("abcdef")) } == 7)
            #expect(try store.reading { try $0.getString(b("k")) } == [0] + b("abcdef"))
        }
    }

    // MARK: Streams

    @Test func noXAddSucceedsOnceTheLastIDIsTheLargestPossible() throws {
        try withFreshStore { store throws in
            let key = b("s"), fields = [b("f"), b("v")]
            _ = try store.writing { try $0.streamAdd(key, id: .explicit(.max), fields: fields) }
            for id: XAddID in [.auto, .autoSequence(ms: .max), .explicit(.id(1, 1))] {
                #expect(throws: StoreError.stream(.idSpaceExhausted)) {
                    try store.writing { try $0.streamAdd(key, id: id, fields: fields) }
                }
            }
        }
    }

    @Test func entriesAddedAndEntriesReadWrapPastInt64MaxAsInRedis() throws {
        try withFreshStore { store throws in
            let key = GroupFixture.key
            try GroupFixture.makeStream(store, entries: 1)
            try store.writing { ks throws in
                try ks.streamSetID(key, lastID: .id(9, 9), entriesAdded: UInt64(Int64.max), maxDeletedID: nil)
                _ = try ks.streamAdd(key, id: .explicit(.id(10, 1)), fields: [b("f"), b("v")])
            }
            #expect(try store.reading { try $0.streamMeta(key) }?.entriesAdded == 1 << 63)
            #expect(try store.reading { try $0.groupSummaries(key) }?.first?.lag == 2)
            _ = try GroupFixture.readNew(store, GroupFixture.alice)
            let group = try #require(try store.reading { try $0.groupSummaries(key) }?.first)
            #expect(group.record.entriesRead == .min)
            #expect(group.lag == 0)
        }
    }

    @Test func anAbsurdClaimTimeBecomesNowAndIdleTimesNeverTrap() throws {
        try withFreshStore { store throws in
            try GroupFixture.makeStream(store, entries: 1)
            _ = try GroupFixture.readNew(store, GroupFixture.alice)
            for time in [Int64.min, -1, Int64.max] {
                var options = ClaimOptions()
                options.deliveryTime = time
                let before = Store.nowMilliseconds()
                _ = try store.writing { ks throws in
                    try ks.claim(GroupFixture.key, group: GroupFixture.group, consumer: GroupFixture.bob, minIdle: 0,
                                 ids: [.id(1)], options: options)
                }
                let delivered = try #require(try GroupFixture.pel(store).first).deliveryTime
                #expect(delivered >= before && delivered <= Store.nowMilliseconds(), "TIME \(time)")
            }
            try store.reading { ks throws in
                #expect(ks.idleTime(since: .min) == .max)
                #expect(ks.idleTime(since: .max) == 0)
                #expect(ks.idleTime(since: ks.now - 5) == 5)
            }
        }
    }

    @Test func deliveryCountsWrapPastUInt64MaxAsInRedis() throws {
        try withFreshStore { store throws in
            try GroupFixture.makeStream(store, entries: 1)
            _ = try GroupFixture.readNew(store, GroupFixture.alice)
            var options = ClaimOptions()
            options.retryCount = .max
            _ = try store.writing { ks throws in
                try ks.claim(GroupFixture.key, group: GroupFixture.group, consumer: GroupFixture.alice, minIdle: 0,
                             ids: [.id(1)], options: options)
            }
            _ = try store.writing { ks throws in
                try ks.readHistory(GroupFixture.key, group: GroupFixture.group, consumer: GroupFixture.alice,
                                   after: .zero, count: nil)
            }
            #expect(try GroupFixture.pel(store).first?.deliveryCount == 0)
        }
    }
}
