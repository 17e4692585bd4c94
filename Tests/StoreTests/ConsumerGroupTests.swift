import Store
import Testing

/// XREADGROUP and XACK: how entries enter and leave the group and consumer PELs.
@Suite struct ConsumerGroupTests {
    typealias F = GroupFixture

    @Test func readNewAddsToGroupAndConsumerPELWithOneDelivery() throws {
        try withFreshStore { store throws in
            try F.makeStream(store)
            let before = Store.nowMilliseconds()
            #expect(try F.readNew(store, F.alice, count: 3) == [.id(1), .id(2), .id(3)])
            let after = Store.nowMilliseconds()
            let pel = try F.pel(store)
            #expect(pel.map(\.id) == [.id(1), .id(2), .id(3)])
            #expect(pel.allSatisfy { $0.consumer == F.alice && $0.deliveryCount == 1 })
            #expect(pel.allSatisfy { (before...after).contains($0.deliveryTime) })
            #expect(try F.pel(store, consumer: F.alice).map(\.id) == [.id(1), .id(2), .id(3)])
            let group = try #require(try F.groupRecord(store))
            #expect(group.pending == 3)
            #expect(group.lastID == .id(3))
            #expect(try F.consumerPending(store) == ["alice": 3])
            try F.expectConsistent(store)
        }
    }

    @Test func readNewContinuesAfterTheGroupsLastID() throws {
        try withFreshStore { store throws in
            try F.makeStream(store)
            _ = try F.readNew(store, F.alice, count: 3)
            #expect(try F.readNew(store, F.bob) == [.id(4), .id(5)])
            #expect(try F.readNew(store, F.alice).isEmpty)
            #expect(try F.consumerPending(store) == ["alice": 3, "bob": 2])
            #expect(try F.groupRecord(store)?.pending == 5)
            try F.expectConsistent(store)
        }
    }

    @Test func readNewWithNoAckAdvancesWithoutPending() throws {
        try withFreshStore { store throws in
            try F.makeStream(store)
            #expect(try F.readNew(store, F.alice, noAck: true).count == 5)
            let group = try #require(try F.groupRecord(store))
            #expect(group.lastID == .id(5))
            #expect(group.pending == 0)
            #expect(try F.pel(store).isEmpty)
            try F.expectConsistent(store)
        }
    }

    @Test func acknowledgeRemovesFromGroupAndConsumerPEL() throws {
        try withFreshStore { store throws in
            try F.makeStream(store)
            _ = try F.readNew(store, F.alice, count: 3)
            #expect(try F.acknowledge(store, [.id(2)]) == 1)
            #expect(try F.pel(store).map(\.id) == [.id(1), .id(3)])
            #expect(try F.pel(store, consumer: F.alice).map(\.id) == [.id(1), .id(3)])
            #expect(try F.groupRecord(store)?.pending == 2)
            #expect(try F.consumerPending(store) == ["alice": 2])
            try F.expectConsistent(store)
        }
    }

    @Test func acknowledgeCountsRepeatedIDsOnce() throws {
        try withFreshStore { store throws in
            try F.makeStream(store)
            _ = try F.readNew(store, F.alice, count: 3)
            #expect(try F.acknowledge(store, [.id(1), .id(1), .id(3), .id(3), .id(99)]) == 2)
            #expect(try F.groupRecord(store)?.pending == 1)
            #expect(try F.consumerPending(store) == ["alice": 1])
            try F.expectConsistent(store)
        }
    }

    @Test func acknowledgingAgainLeavesCountersAtZero() throws {
        try withFreshStore { store throws in
            try F.makeStream(store)
            _ = try F.readNew(store, F.alice, count: 2)
            _ = try F.readNew(store, F.bob, count: 1)
            #expect(try F.acknowledge(store, [.id(1), .id(2), .id(3)]) == 3)
            #expect(try F.acknowledge(store, [.id(1), .id(2), .id(3)]) == 0)
            #expect(try F.acknowledge(store, [.id(4), .id(5)]) == 0)  // delivered to nobody
            #expect(try F.groupRecord(store)?.pending == 0)
            #expect(try F.consumerPending(store) == ["alice": 0, "bob": 0])
            try F.expectConsistent(store)
        }
    }

    @Test func acknowledgeOnMissingGroupOrKeyIsZero() throws {
        try withFreshStore { store throws in
            try F.makeStream(store)
            _ = try F.readNew(store, F.alice)
            #expect(try store.writing { try $0.acknowledge(F.key, group: b("nope"), ids: [.id(1)]) } == 0)
            #expect(try store.writing { try $0.acknowledge(b("missing"), group: F.group, ids: [.id(1)]) } == 0)
            #expect(try F.groupRecord(store)?.pending == 5)
        }
    }

    @Test func readHistoryCountsAnotherDelivery() throws {
        try withFreshStore { store throws in
            try F.makeStream(store)
            _ = try F.readNew(store, F.alice, count: 3)
            let history = try store.writing { ks throws in
                try ks.readHistory(F.key, group: F.group, consumer: F.alice, after: .zero, count: nil)
            }
            #expect(history.map(\.id) == [.id(1), .id(2), .id(3)])
            #expect(history.map(\.fields) == [[b("f"), b("v1")], [b("f"), b("v2")], [b("f"), b("v3")]])
            #expect(try F.pel(store).map(\.deliveryCount) == [2, 2, 2])
            // After an ID, and with COUNT.
            let page = try store.writing { ks throws in
                try ks.readHistory(F.key, group: F.group, consumer: F.alice, after: .id(1), count: 1)
            }
            #expect(page.map(\.id) == [.id(2)])
            #expect(try F.pel(store).map(\.deliveryCount) == [2, 3, 2])
            // History changes no counters.
            #expect(try F.consumerPending(store) == ["alice": 3])
            try F.expectConsistent(store)
        }
    }

    @Test func readHistoryShowsDeletedEntriesWithoutFields() throws {
        try withFreshStore { store throws in
            try F.makeStream(store)
            _ = try F.readNew(store, F.alice, count: 3)
            try F.delete(store, [.id(2)])
            let history = try store.writing { ks throws in
                try ks.readHistory(F.key, group: F.group, consumer: F.alice, after: .zero, count: nil)
            }
            #expect(history.map(\.id) == [.id(1), .id(2), .id(3)])
            #expect(history[0].fields == [b("f"), b("v1")])
            #expect(history[1].fields == nil)
            #expect(history[2].fields == [b("f"), b("v3")])
            // The deleted entry stays pending, not counted as delivered again.
            #expect(try F.pel(store).map(\.deliveryCount) == [2, 1, 2])
            try F.expectConsistent(store)
        }
    }

    @Test func readHistoryShowsOnlyTheConsumersOwnEntries() throws {
        try withFreshStore { store throws in
            try F.makeStream(store)
            _ = try F.readNew(store, F.alice, count: 2)
            _ = try F.readNew(store, F.bob, count: 2)
            let bobs = try store.writing { ks throws in
                try ks.readHistory(F.key, group: F.group, consumer: F.bob, after: .zero, count: nil).map(\.id)
            }
            #expect(bobs == [.id(3), .id(4)])
        }
    }

    @Test func redeliveryAfterSetIDMovesTheEntryToTheNewReader() throws {
        try withFreshStore { store throws in
            try F.makeStream(store)
            _ = try F.readNew(store, F.alice, count: 3)
            try store.writing { try $0.groupSetID(F.key, F.group, id: .zero, entriesRead: nil) }
            #expect(try F.readNew(store, F.bob, count: 2) == [.id(1), .id(2)])
            let pel = try F.pel(store)
            #expect(pel.map { String(decoding: $0.consumer, as: UTF8.self) } == ["bob", "bob", "alice"])
            #expect(pel.map(\.deliveryCount) == [1, 1, 1])
            #expect(try F.consumerPending(store) == ["alice": 1, "bob": 2])
            #expect(try F.groupRecord(store)?.pending == 3)
            try F.expectConsistent(store)
        }
    }
}
