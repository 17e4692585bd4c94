import Store
import Testing

/// The XADD ID rules (`Keyspace.streamAdd`) through a real store.
@Suite struct StreamAddIDTests {
    private let key = b("s")
    private let fields = [b("f"), b("v")]

    private func add(_ store: Store, _ id: XAddID) throws -> StreamID? {
        let key = self.key, fields = self.fields
        return try store.writing { try $0.streamAdd(key, id: id, fields: fields) }
    }

    @Test func autoIDTakesTheClockAndCountsWithinOneMillisecond() throws {
        try withFreshStore { store throws in
            let before = UInt64(Store.nowMilliseconds())
            let key = self.key, fields = self.fields
            // One transaction has one clock reading: the sequence counts up within it.
            let ids = try store.writing { ks throws in
                try (0..<5).map { _ in try ks.streamAdd(key, id: .auto, fields: fields)! }
            }
            let after = UInt64(Store.nowMilliseconds())
            #expect(ids.allSatisfy { $0.ms == ids[0].ms })
            #expect(ids.map(\.seq) == [0, 1, 2, 3, 4])
            #expect((before...after).contains(ids[0].ms))
        }
    }

    @Test func autoIDsStrictlyIncreaseOverAThousandAdds() throws {
        try withFreshStore { store throws in
            var ids: [StreamID] = []
            for _ in 0..<100 {
                let key = self.key, fields = self.fields
                ids += try store.writing { ks in try (0..<10).map { _ in try ks.streamAdd(key, id: .auto, fields: fields)! } }
            }
            #expect(ids.count == 1000)
            #expect(zip(ids, ids.dropFirst()).allSatisfy { $0 < $1 })
            let meta = try store.reading { try $0.streamMeta(key) }
            #expect(meta?.length == 1000)
            #expect(meta?.lastID == ids.last)
            #expect(meta?.firstID == ids.first)
        }
    }

    @Test func explicitIDMustExceedTheLast() throws {
        try withFreshStore { store throws in
            #expect(try add(store, .explicit(.id(5, 5))) == .id(5, 5))
            for id in [StreamID.id(5, 5), .id(5, 4), .id(4, 9), .id(0, 1)] {
                #expect(throws: StoreError.stream(.idNotGreaterThanTop)) { try add(store, .explicit(id)) }
            }
            #expect(try add(store, .explicit(.id(5, 6))) == .id(5, 6))
            #expect(try store.reading { try $0.streamMeta(key)?.length } == 2)
        }
    }

    @Test func zeroIDIsRejected() throws {
        try withFreshStore { store throws in
            #expect(throws: StoreError.stream(.idMustBeGreaterThanZero)) { try add(store, .explicit(.zero)) }
            // The failed XADD did not create the stream.
            #expect(try store.reading { try $0.exists(key) } == false)
            #expect(store.keyCount(db: 0).keys == 0)
            _ = try add(store, .explicit(.id(1)))
            #expect(throws: StoreError.stream(.idMustBeGreaterThanZero)) { try add(store, .explicit(.zero)) }
        }
    }

    @Test func autoSequencePicksTheNextSequenceNumber() throws {
        try withFreshStore { store throws in
            #expect(try add(store, .autoSequence(ms: 0)) == .id(0, 1))  // 0-0 is never an ID
            #expect(try add(store, .autoSequence(ms: 5)) == .id(5, 0))
            #expect(try add(store, .autoSequence(ms: 5)) == .id(5, 1))
            #expect(try add(store, .explicit(.id(5, 9))) == .id(5, 9))
            #expect(try add(store, .autoSequence(ms: 5)) == .id(5, 10))
            #expect(try add(store, .autoSequence(ms: 7)) == .id(7, 0))
            #expect(throws: StoreError.stream(.idNotGreaterThanTop)) { try add(store, .autoSequence(ms: 6)) }
        }
    }

    @Test func autoSequenceAtTheLastSequenceOfItsMillisecondIsRejected() throws {
        try withFreshStore { store throws in
            _ = try add(store, .explicit(.id(5, .max)))
            #expect(throws: StoreError.stream(.idNotGreaterThanTop)) { try add(store, .autoSequence(ms: 5)) }
            #expect(try add(store, .auto)!.ms > 5)
        }
    }

    @Test func exhaustedIDSpaceIsReported() throws {
        try withFreshStore { store throws in
            _ = try add(store, .explicit(.id(1)))
            let key = self.key
            try store.writing { try $0.streamSetID(key, lastID: .max, entriesAdded: nil, maxDeletedID: nil) }
            #expect(throws: StoreError.stream(.idSpaceExhausted)) { try add(store, .auto) }
            // Redis checks the exhausted stream before the ID: an explicit ID gets the same answer.
            #expect(throws: StoreError.stream(.idSpaceExhausted)) { try add(store, .explicit(.max)) }
        }
    }

    @Test func autoIDAfterRestartExceedsTheLast() throws {
        try withTemporaryDirectory { dir throws in
            let last = try withStore(at: dir) { store throws in
                _ = try add(store, .auto)
                return try add(store, .auto)!
            }
            let next = try withStore(at: dir) { store in try add(store, .auto)! }
            #expect(next > last)
        }
    }

    @Test func autoIDAfterXSETIDIntoTheFutureFollowsIt() throws {
        try withTemporaryDirectory { dir throws in
            let future = StreamID.id(UInt64(Store.nowMilliseconds()) + 3_600_000, 7)
            try withStore(at: dir) { store throws in
                _ = try add(store, .auto)
                let key = self.key
                try store.writing { try $0.streamSetID(key, lastID: future, entriesAdded: nil, maxDeletedID: nil) }
                #expect(try add(store, .auto) == .id(future.ms, 8))
            }
            // Restarted, the clock is still behind the last ID: the sequence keeps counting.
            let next = try withStore(at: dir) { store in try add(store, .auto)! }
            #expect(next == .id(future.ms, 9))
        }
    }

    @Test func autoIDAfterDeletingTheTopEntryStillExceedsIt() throws {
        try withTemporaryDirectory { dir throws in
            let top = StreamID.id(UInt64(Store.nowMilliseconds()) + 60_000, 0)
            try withStore(at: dir) { store throws in
                _ = try add(store, .explicit(.id(1)))
                _ = try add(store, .explicit(top))
                let key = self.key
                #expect(try store.writing { try $0.streamDelete(key, ids: [top]) } == 1)
                #expect(try store.reading { try $0.streamMeta(key)?.lastID } == top)
                #expect(throws: StoreError.stream(.idNotGreaterThanTop)) { try add(store, .explicit(top)) }
            }
            try withStore(at: dir) { store throws in
                #expect(try add(store, .auto)! > top)
                #expect(throws: StoreError.stream(.idNotGreaterThanTop)) { try add(store, .explicit(top)) }
            }
        }
    }

    @Test func xsetidBelowTheTopEntryIsRejected() throws {
        try withFreshStore { store throws in
            _ = try add(store, .explicit(.id(10)))
            let key = self.key
            #expect(throws: StoreError.stream(.setIDSmallerThanTop)) {
                try store.writing { try $0.streamSetID(key, lastID: .id(9), entriesAdded: nil, maxDeletedID: nil) }
            }
            #expect(try store.reading { try $0.streamMeta(key)?.lastID } == .id(10))
        }
    }
}
