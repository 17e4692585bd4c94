import Foundation
import Store
import Testing

/// The LMDB map growing on demand, data surviving a restart under every durability, and the directory lock.
@Suite struct StoreDurabilityTests {
    /// A 4,000-byte value that names its own batch and field, so a mix-up cannot read back as correct.
    private static func value(_ batch: Int, _ field: Int) -> [UInt8] {
        let tag = b("\(batch):\(field):")
        var value = [UInt8]()
        value.reserveCapacity(4000 + tag.count)
        while value.count < 4000 { value += tag }
        return Array(value[..<4000])
    }

    private static let batches = 40
    private static let fieldsPerBatch = 128  // 40 × 128 × 4,000 bytes ≈ 20 MiB

    private static func expectAllFields(_ store: Store) throws {
        try store.reading { ks throws in
            #expect(try ks.hashLength(b("h")) == batches * fieldsPerBatch)
            var mismatches = 0
            for batch in 0..<batches {
                for field in 0..<fieldsPerBatch where try ks.hashGet(b("h"), b("f\(batch)-\(field)")) != value(batch, field) {
                    mismatches += 1
                }
            }
            #expect(mismatches == 0)
        }
    }

    @Test func mapGrowsFromOneMiBToHoldTwentyMiB() throws {
        try withTemporaryDirectory { dir throws in
            try withStore(at: dir, initialMapSize: 1 << 20) { store throws in
                #expect(store.mapSize == 1 << 20)
                for batch in 0..<Self.batches {
                    let added = try store.writing { ks throws in
                        try ks.hashSet(b("h"), (0..<Self.fieldsPerBatch).map { (b("f\(batch)-\($0)"), Self.value(batch, $0)) })
                    }
                    #expect(added == Self.fieldsPerBatch)
                }
                #expect(store.mapSize >= 20 << 20)
                #expect(store.usedBytes >= 20_000_000)
                try Self.expectAllFields(store)
            }
            try withStore(at: dir, initialMapSize: 1 << 20) { store throws in
                #expect(store.mapSize >= 20 << 20)
                try Self.expectAllFields(store)
            }
        }
    }

    /// Reopening an idle store should not change its map: the data file is as large as the map (MDB_WRITEMAP
    /// sizes it so), and sizing the map at twice the file doubles it on every restart.
    @Test func reopeningAnIdleStoreKeepsItsMapSize() throws {
        try withTemporaryDirectory { dir throws in
            var sizes: [Int] = []
            for _ in 0..<4 {
                try withStore(at: dir, initialMapSize: 1 << 20) { store in sizes.append(store.mapSize) }
            }
            #expect(sizes == [1 << 20, 1 << 20, 1 << 20, 1 << 20])
            #expect(sizes.first == 1 << 20)
        }
    }

    @Test(arguments: Durability.allCases)
    func writesSurviveARestart(durability: Durability) throws {
        try withTemporaryDirectory { dir throws in
            try withStore(at: dir, durability: durability) { store throws in
                #expect(store.durability == durability)
                for i in 0..<20 {
                    try store.writing { try $0.setString(b("k\(i)"), b("v\(i)")) }
                }
                try store.writing(db: 7) { ks throws in
                    _ = try ks.hashSet(b("h"), [(b("a"), b("1")), (b("b"), b("2"))])
                    _ = try ks.listPush(b("l"), [b("x"), b("y")], at: .right)
                    _ = try ks.streamAdd(b("s"), id: .explicit(.id(1)), fields: [b("f"), b("v")])
                }
            }
            try withStore(at: dir, durability: durability) { store throws in
                #expect(store.keyCount(db: 0) == (keys: 20, expires: 0))
                #expect(store.keyCount(db: 7) == (keys: 3, expires: 0))
                try store.reading { ks throws in
                    for i in 0..<20 { #expect(try ks.getString(b("k\(i)")) == b("v\(i)")) }
                }
                try store.reading(db: 7) { ks throws in
                    #expect(try ks.hashGetAll(b("h")).map { $0.0 + [61] + $0.1 } == [b("a=1"), b("b=2")])
                    #expect(try ks.listRange(b("l"), 0, -1) == [b("x"), b("y")])
                    #expect(try ks.streamRange(b("s"), from: .zero, to: .max).map(\.id) == [.id(1)])
                }
            }
        }
    }

    @Test func secondStoreOnAnOpenDirectoryIsRefused() throws {
        try withTemporaryDirectory { dir throws in
            try withStore(at: dir) { first throws in
                try first.writing { try $0.setString(b("k"), b("v")) }
                #expect(throws: Store.OpenError.self) {
                    _ = try Store(options: Store.Options(directory: dir, initialMapSize: 8 << 20))
                }
                // The refused open disturbed nothing.
                try first.writing { try $0.setString(b("k2"), b("v2")) }
                #expect(try first.reading { try $0.getString(b("k")) } == b("v"))
            }
            // Once the first is shut down, the directory can be opened again.
            try withStore(at: dir) { store throws in
                #expect(store.keyCount(db: 0).keys == 2)
            }
        }
    }

    @Test func flushingAllSixteenDatabasesEmptiesThem() throws {
        try withTemporaryDirectory { dir throws in
            try withStore(at: dir) { store throws in
                for db in 0..<16 {
                    try store.writing(db: db) { ks throws in
                        try ks.setString(b("s"), b("v"))
                        try ks.setString(b("t"), b("v"), expireAt: Store.nowMilliseconds() + 3_600_000)
                        _ = try ks.hashSet(b("h"), [(b("f"), b("v"))])
                        _ = try ks.streamAdd(b("x"), id: .auto, fields: [b("f"), b("v")])
                    }
                }
                #expect((0..<16).allSatisfy { store.keyCount(db: $0) == (keys: 4, expires: 1) })
                try store.write { txn in
                    for db in 0..<16 { try txn.keyspace(db).flush() }
                }
                #expect((0..<16).allSatisfy { store.keyCount(db: $0) == (keys: 0, expires: 0) })
                #expect(try store.reading { try $0.keys(matching: GlobPattern(b("*"))) }.isEmpty)
            }
            try withStore(at: dir) { store throws in
                #expect((0..<16).allSatisfy { store.keyCount(db: $0) == (keys: 0, expires: 0) })
                // Flushed keys come back empty, not with their old contents.
                #expect(try store.writing { try $0.hashSet(b("h"), [(b("g"), b("w"))]) } == 1)
                #expect(try store.reading { try $0.hashLength(b("h")) } == 1)
            }
        }
    }
}
