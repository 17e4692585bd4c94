import Store
import Testing

/// XCLAIM, XAUTOCLAIM and XGROUP DELCONSUMER: how pending entries change owner or leave.
@Suite struct ConsumerGroupClaimTests {
    typealias F = GroupFixture

    private func claim(_ store: Store, _ consumer: [UInt8], _ ids: [StreamID], minIdle: Int64 = 0,
                       _ configure: (inout ClaimOptions) -> Void = { _ in }) throws -> [StreamID] {
        var options = ClaimOptions()
        configure(&options)
        let opts = options
        return try store.writing { ks throws in
            try ks.claim(F.key, group: F.group, consumer: consumer, minIdle: minIdle, ids: ids, options: opts).map(\.id)
        }
    }

    private func autoClaim(_ store: Store, _ consumer: [UInt8], from start: StreamID, count: Int, justID: Bool = false)
        throws -> (next: StreamID, claimed: [StreamID], deleted: [StreamID]) {
        let result = try store.writing { ks throws in
            try ks.autoClaim(F.key, group: F.group, consumer: consumer, minIdle: 0, start: start, count: count, justID: justID)
        }
        return (result.next, result.claimed.map(\.id), result.deleted)
    }

    @Test func claimMovesOwnership() throws {
        try withFreshStore { store throws in
            try F.makeStream(store)
            _ = try F.readNew(store, F.alice, count: 3)
            #expect(try claim(store, F.bob, [.id(1)]) == [.id(1)])
            #expect(try F.consumerPending(store) == ["alice": 2, "bob": 1])
            let entry = try #require(try F.pel(store).first)
            #expect(entry.consumer == F.bob)
            #expect(entry.deliveryCount == 2)
            #expect(try F.pel(store, consumer: F.alice).map(\.id) == [.id(2), .id(3)])
            #expect(try F.groupRecord(store)?.pending == 3)
            try F.expectConsistent(store)
        }
    }

    @Test func claimWithJustIDKeepsTheDeliveryCount() throws {
        try withFreshStore { store throws in
            try F.makeStream(store)
            _ = try F.readNew(store, F.alice, count: 2)
            #expect(try claim(store, F.bob, [.id(1), .id(2)]) { $0.justID = true } == [.id(1), .id(2)])
            #expect(try F.pel(store).map(\.deliveryCount) == [1, 1])
            #expect(try F.consumerPending(store) == ["alice": 0, "bob": 2])
            try F.expectConsistent(store)
        }
    }

    @Test func claimWithRetryCountAndTimeSetsThem() throws {
        try withFreshStore { store throws in
            try F.makeStream(store)
            _ = try F.readNew(store, F.alice, count: 1)
            _ = try claim(store, F.bob, [.id(1)]) {
                $0.retryCount = 7
                $0.deliveryTime = 1_000
            }
            let entry = try #require(try F.pel(store).first)
            #expect(entry.deliveryCount == 7)
            #expect(entry.deliveryTime == 1_000)
        }
    }

    @Test func claimByTheOwnerKeepsCounters() throws {
        try withFreshStore { store throws in
            try F.makeStream(store)
            _ = try F.readNew(store, F.alice, count: 2)
            #expect(try claim(store, F.alice, [.id(1), .id(2)]) == [.id(1), .id(2)])
            #expect(try F.consumerPending(store) == ["alice": 2])
            try F.expectConsistent(store)
        }
    }

    @Test func claimWithForceCreatesAPendingEntry() throws {
        try withFreshStore { store throws in
            try F.makeStream(store)
            _ = try F.readNew(store, F.alice, count: 2)
            // Entry 4 was delivered to nobody: only FORCE claims it.
            #expect(try claim(store, F.bob, [.id(4)]).isEmpty)
            #expect(try F.groupRecord(store)?.pending == 2)
            #expect(try claim(store, F.bob, [.id(4)]) { $0.force = true } == [.id(4)])
            #expect(try F.groupRecord(store)?.pending == 3)
            #expect(try F.consumerPending(store) == ["alice": 2, "bob": 1])
            let entry = try #require(try F.pel(store).last)
            #expect(entry.id == .id(4))
            #expect(entry.consumer == F.bob)
            #expect(entry.deliveryCount == 2)  // as Redis: created at 1, then counted as this delivery
            // FORCE does not create entries that are not in the stream.
            #expect(try claim(store, F.bob, [.id(42)]) { $0.force = true }.isEmpty)
            try F.expectConsistent(store)
        }
    }

    @Test func claimRespectsMinIdle() throws {
        try withFreshStore { store throws in
            try F.makeStream(store)
            _ = try F.readNew(store, F.alice, count: 2)
            #expect(try claim(store, F.bob, [.id(1), .id(2)], minIdle: 3_600_000).isEmpty)
            #expect(try F.pel(store).allSatisfy { $0.consumer == F.alice && $0.deliveryCount == 1 })
            try F.expectConsistent(store)
        }
    }

    @Test func claimOfADeletedEntryDropsItFromThePEL() throws {
        try withFreshStore { store throws in
            try F.makeStream(store)
            _ = try F.readNew(store, F.alice, count: 3)
            try F.delete(store, [.id(2)])
            #expect(try claim(store, F.bob, [.id(2), .id(3)]) == [.id(3)])
            #expect(try F.pel(store).map(\.id) == [.id(1), .id(3)])
            #expect(try F.groupRecord(store)?.pending == 2)
            #expect(try F.consumerPending(store)["alice"] == 1)
            #expect(try F.consumerPending(store)["bob"] == 1)
            try F.expectConsistent(store)
        }
    }

    @Test func autoClaimWalksThePELWithACursor() throws {
        try withFreshStore { store throws in
            try F.makeStream(store)
            _ = try F.readNew(store, F.alice)
            let first = try autoClaim(store, F.bob, from: .zero, count: 2)
            #expect(first.claimed == [.id(1), .id(2)])
            #expect(first.next == .id(3))
            #expect(first.deleted.isEmpty)
            let rest = try autoClaim(store, F.bob, from: first.next, count: 10)
            #expect(rest.claimed == [.id(3), .id(4), .id(5)])
            #expect(rest.next == .zero)
            #expect(try F.consumerPending(store) == ["alice": 0, "bob": 5])
            #expect(try F.pel(store).map(\.deliveryCount) == [2, 2, 2, 2, 2])
            try F.expectConsistent(store)
        }
    }

    @Test func autoClaimWithJustIDKeepsTheDeliveryCount() throws {
        try withFreshStore { store throws in
            try F.makeStream(store)
            _ = try F.readNew(store, F.alice, count: 2)
            #expect(try autoClaim(store, F.bob, from: .zero, count: 10, justID: true).claimed == [.id(1), .id(2)])
            #expect(try F.pel(store).map(\.deliveryCount) == [1, 1])
        }
    }

    @Test func autoClaimReportsAndDropsDeletedEntries() throws {
        try withFreshStore { store throws in
            try F.makeStream(store)
            _ = try F.readNew(store, F.alice)
            try F.delete(store, [.id(2), .id(4)])
            // Deleted entries count towards COUNT.
            let page = try autoClaim(store, F.bob, from: .zero, count: 2)
            #expect(page.claimed == [.id(1)])
            #expect(page.deleted == [.id(2)])
            #expect(page.next == .id(3))
            let rest = try autoClaim(store, F.bob, from: page.next, count: 10)
            #expect(rest.claimed == [.id(3), .id(5)])
            #expect(rest.deleted == [.id(4)])
            #expect(rest.next == .zero)
            #expect(try F.pel(store).map(\.id) == [.id(1), .id(3), .id(5)])
            #expect(try F.consumerPending(store) == ["alice": 0, "bob": 3])
            #expect(try F.groupRecord(store)?.pending == 3)
            try F.expectConsistent(store)
        }
    }

    @Test func autoClaimByTheOwnerOfDeletedEntriesKeepsItsCounters() throws {
        try withFreshStore { store throws in
            try F.makeStream(store)
            _ = try F.readNew(store, F.alice)
            try F.delete(store, [.id(1)])
            let result = try autoClaim(store, F.alice, from: .zero, count: 10)
            #expect(result.deleted == [.id(1)])
            #expect(result.claimed == [.id(2), .id(3), .id(4), .id(5)])
            #expect(try F.consumerPending(store) == ["alice": 4])
            try F.expectConsistent(store)
        }
    }

    @Test func consumerDeleteRemovesItsEntriesFromTheGroupPEL() throws {
        try withFreshStore { store throws in
            try F.makeStream(store)
            _ = try F.readNew(store, F.alice, count: 3)
            _ = try F.readNew(store, F.bob)
            #expect(try store.writing { try $0.consumerDelete(F.key, F.group, F.alice) } == 3)
            #expect(try F.pel(store).map(\.id) == [.id(4), .id(5)])
            #expect(try F.groupRecord(store)?.pending == 2)
            #expect(try F.consumerPending(store) == ["bob": 2])
            #expect(try store.writing { try $0.consumerDelete(F.key, F.group, b("nobody")) } == 0)
            // Acknowledging what the deleted consumer held changes nothing.
            #expect(try F.acknowledge(store, [.id(1), .id(2), .id(3)]) == 0)
            try F.expectConsistent(store)
        }
    }
}
