import Store
import Testing

/// XINFO GROUPS lag and entries-read, XPENDING's summary, and groups across a restart.
@Suite struct ConsumerGroupLagTests {
    typealias F = GroupFixture

    @Test func groupCreatedAtZeroOnFiveEntriesLagsByFive() throws {
        try withFreshStore { store throws in
            try F.makeStream(store)
            let summary = try #require(try F.summary(store))
            #expect(summary.lag == 5)
            #expect(summary.record.entriesRead == -1)
            #expect(summary.record.lastID == .zero)
            #expect(summary.consumers == 0)
            #expect(summary.record.pending == 0)
        }
    }

    @Test func groupCreatedAtTheEndHasNoLag() throws {
        try withFreshStore { store throws in
            try F.makeStream(store, groupStart: nil)
            let summary = try #require(try F.summary(store))
            #expect(summary.record.lastID == .id(5))
            #expect(summary.lag == 0)
        }
    }

    @Test func readingCountsEntriesRead() throws {
        try withFreshStore { store throws in
            try F.makeStream(store)
            _ = try F.readNew(store, F.alice, count: 2)
            var summary = try #require(try F.summary(store))
            #expect(summary.record.entriesRead == 2)
            #expect(summary.lag == 3)
            _ = try F.readNew(store, F.bob)
            summary = try #require(try F.summary(store))
            #expect(summary.record.entriesRead == 5)
            #expect(summary.lag == 0)
            #expect(summary.consumers == 2)
        }
    }

    @Test func newEntriesAfterReadingAllAddToLag() throws {
        try withFreshStore { store throws in
            try F.makeStream(store)
            _ = try F.readNew(store, F.alice)
            try store.writing { ks throws in
                _ = try ks.streamAdd(F.key, id: .explicit(.id(6)), fields: [b("f"), b("v6")])
                _ = try ks.streamAdd(F.key, id: .explicit(.id(7)), fields: [b("f"), b("v7")])
            }
            #expect(try F.summary(store)?.lag == 2)
        }
    }

    @Test func deletingAnUnreadEntryMakesLagUnknown() throws {
        try withFreshStore { store throws in
            try F.makeStream(store)
            try F.delete(store, [.id(3)])
            #expect(try F.summary(store)?.lag == nil)
            _ = try F.readNew(store, F.alice, count: 1)
            #expect(try F.summary(store)?.lag == nil)
        }
    }

    @Test func deletingAnAlreadyReadEntryKeepsLagKnown() throws {
        try withFreshStore { store throws in
            try F.makeStream(store)
            _ = try F.readNew(store, F.alice, count: 3)
            try F.delete(store, [.id(2)])
            let summary = try #require(try F.summary(store))
            #expect(summary.record.entriesRead == 3)
            #expect(summary.lag == 2)
        }
    }

    @Test func pendingSummaryGivesFirstLastAndPerConsumerCounts() throws {
        try withFreshStore { store throws in
            try F.makeStream(store)
            #expect(try store.reading { try $0.pendingSummary(F.key, group: F.group) }.count == 0)
            _ = try F.readNew(store, F.alice, count: 3)
            _ = try F.readNew(store, F.bob)
            var summary = try store.reading { try $0.pendingSummary(F.key, group: F.group) }
            #expect(summary.count == 5)
            #expect(summary.first == .id(1))
            #expect(summary.last == .id(5))
            #expect(summary.consumers.map { String(decoding: $0.0, as: UTF8.self) } == ["alice", "bob"])
            #expect(summary.consumers.map(\.1) == [3, 2])
            _ = try F.acknowledge(store, [.id(1), .id(4), .id(5)])
            summary = try store.reading { try $0.pendingSummary(F.key, group: F.group) }
            #expect(summary.count == 2)
            #expect(summary.first == .id(2))
            #expect(summary.last == .id(3))
            #expect(summary.consumers.map { String(decoding: $0.0, as: UTF8.self) } == ["alice"])
            _ = try F.acknowledge(store, [.id(2), .id(3)])
            summary = try store.reading { try $0.pendingSummary(F.key, group: F.group) }
            #expect(summary.count == 0)
            #expect(summary.first == nil)
            #expect(summary.last == nil)
            #expect(summary.consumers.isEmpty)
        }
    }

    @Test func unknownGroupIsReportedWithKeyAndGroup() throws {
        try withFreshStore { store throws in
            try F.makeStream(store)
            #expect(throws: StoreError.stream(.noGroup(key: F.key, group: b("nope")))) {
                try store.reading { try $0.pendingSummary(F.key, group: b("nope")) }
            }
        }
    }

    @Test func restartKeepsGroupsPELsDeliveryCountsAndConsumers() throws {
        try withTemporaryDirectory { dir throws in
            try withStore(at: dir) { store throws in
                try F.makeStream(store)
                _ = try F.readNew(store, F.alice, count: 3)
                _ = try store.writing { ks throws in
                    try ks.readHistory(F.key, group: F.group, consumer: F.alice, after: .zero, count: 1)
                }
                _ = try store.writing { ks throws in
                    try ks.claim(F.key, group: F.group, consumer: F.bob, minIdle: 0, ids: [.id(3)], options: ClaimOptions())
                }
                try store.writing { try $0.groupCreate(F.key, b("other"), startID: nil, entriesRead: nil, makeStream: false) }
            }
            try withStore(at: dir) { store throws in
                let names = try store.reading { try $0.groupSummaries(F.key)?.map { String(decoding: $0.record.name, as: UTF8.self) } }
                #expect(names == ["g", "other"])
                let group = try #require(try F.groupRecord(store))
                #expect(group.lastID == .id(3))
                #expect(group.entriesRead == 3)
                #expect(group.pending == 3)
                let pel = try F.pel(store)
                #expect(pel.map(\.id) == [.id(1), .id(2), .id(3)])
                #expect(pel.map { String(decoding: $0.consumer, as: UTF8.self) } == ["alice", "alice", "bob"])
                #expect(pel.map(\.deliveryCount) == [2, 1, 2])
                #expect(try F.consumerPending(store) == ["alice": 2, "bob": 1])
                try F.expectConsistent(store)
                // And the group carries on where it was.
                #expect(try F.readNew(store, F.alice) == [.id(4), .id(5)])
                #expect(try F.summary(store)?.lag == 0)
            }
        }
    }
}
