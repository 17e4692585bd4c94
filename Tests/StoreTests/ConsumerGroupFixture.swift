import Store
import Testing

/// A stream `s` with entries 1-0 … n-0 (fields `f`, `v<n>`) and a group `g` created at 0.
enum GroupFixture {
    static let key = b("s")
    static let group = b("g")
    static let alice = b("alice")
    static let bob = b("bob")

    static func makeStream(_ store: Store, entries: Int = 5, groupStart: StreamID? = .zero) throws {
        try store.writing { ks throws in
            for n in 1...entries {
                _ = try ks.streamAdd(key, id: .explicit(.id(UInt64(n))), fields: [b("f"), b("v\(n)")])
            }
            try ks.groupCreate(key, group, startID: groupStart, entriesRead: nil, makeStream: false)
        }
    }

    static func readNew(_ store: Store, _ consumer: [UInt8], count: Int? = nil, noAck: Bool = false) throws -> [StreamID] {
        try store.writing { ks throws in
            try ks.readNew(key, group: group, consumer: consumer, count: count, noAck: noAck).map(\.id)
        }
    }

    static func acknowledge(_ store: Store, _ ids: [StreamID]) throws -> Int {
        try store.writing { ks in try ks.acknowledge(key, group: group, ids: ids) }
    }

    static func delete(_ store: Store, _ ids: [StreamID]) throws {
        _ = try store.writing { ks in try ks.streamDelete(key, ids: ids) }
    }

    /// The group's PEL, or one consumer's.
    static func pel(_ ks: Keyspace, consumer: [UInt8]? = nil) throws -> [PendingEntry] {
        try ks.pendingRange(key, group: group, from: .zero, to: .max, count: Int.max, consumer: consumer, minIdle: nil)
    }

    static func pel(_ store: Store, consumer: [UInt8]? = nil) throws -> [PendingEntry] {
        try store.reading { try pel($0, consumer: consumer) }
    }

    static func groupRecord(_ store: Store) throws -> GroupRecord? {
        try store.reading { ks in try ks.groupSummaries(key)?.first { $0.record.name == group }?.record }
    }

    static func summary(_ store: Store) throws -> Keyspace.GroupSummary? {
        try store.reading { ks in try ks.groupSummaries(key)?.first { $0.record.name == group } }
    }

    /// Pending count per consumer, from the consumer records.
    static func consumerPending(_ store: Store) throws -> [String: UInt64] {
        try store.reading { ks throws in
            var out: [String: UInt64] = [:]
            for c in try ks.consumerRecords(key, group: group) { out[String(decoding: c.name, as: UTF8.self)] = c.pending }
            return out
        }
    }

    /// The group rules: the group counter equals its PEL, each consumer counter equals its own PEL, every
    /// group entry is in exactly its owner's PEL.
    static func expectConsistent(_ store: Store, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try store.reading { ks throws in
            let groupPEL = try pel(ks)
            let record = try #require(try ks.groupSummaries(key)?.first { $0.record.name == group }?.record,
                                      sourceLocation: sourceLocation)
            #expect(Int(record.pending) == groupPEL.count, "group counter vs PEL", sourceLocation: sourceLocation)
            var owned = 0
            for consumer in try ks.consumerRecords(key, group: group) {
                let own = try pel(ks, consumer: consumer.name)
                #expect(Int(consumer.pending) == own.count, "consumer counter vs its PEL", sourceLocation: sourceLocation)
                #expect(own.allSatisfy { $0.consumer == consumer.name }, sourceLocation: sourceLocation)
                owned += own.count
            }
            #expect(owned == groupPEL.count, "every pending entry has one owner", sourceLocation: sourceLocation)
        }
    }
}
