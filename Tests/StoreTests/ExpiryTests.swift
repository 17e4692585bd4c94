import Foundation
import Store
import Testing

/// Key expiry: lazy (on lookup), active (the writer's background rounds), and the counters and index behind it.
@Suite struct ExpiryTests {
    private func now() -> Int64 { Store.nowMilliseconds() }

    /// Polls `condition` every 20 ms until it holds or `seconds` pass; returns whether it held.
    private func eventually(within seconds: Double, _ condition: () throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try condition()
    }

    @Test func keyWithExpiryInThePastIsInvisible() throws {
        try withFreshStore { store throws in
            let past = now() - 1_000
            try store.writing { try $0.setString(b("k"), b("v"), expireAt: past) }
            try store.reading { ks throws in
                #expect(try ks.getString(b("k")) == nil)
                #expect(try ks.exists(b("k")) == false)
                #expect(try ks.expireTime(of: b("k")) == nil)
                #expect(try ks.type(of: b("k")) == nil)
                #expect(try ks.keys(matching: GlobPattern(b("*"))).isEmpty)
            }
            #expect(try store.writing { try $0.getString(b("k")) } == nil)
        }
    }

    @Test func lazyExpiryInAWriteDeletesTheKeyAndItsCounters() throws {
        try withFreshStore { store throws in
            try store.writing { ks throws in
                try ks.setString(b("gone"), b("v"), expireAt: now() - 1)
                try ks.setString(b("kept"), b("v"))
            }
            // Whether lazy or active expiry got there first, the key and its expiry are gone.
            #expect(try store.writing { try $0.exists(b("gone")) } == false)
            #expect(store.keyCount(db: 0) == (keys: 1, expires: 0))
        }
    }

    @Test func ttlSurvivesARestart() throws {
        try withTemporaryDirectory { dir throws in
            let at = now() + 3_600_000
            try withStore(at: dir) { store throws in
                try store.writing { try $0.setString(b("k"), b("v"), expireAt: at) }
                #expect(try store.reading { try $0.expireTime(of: b("k")) } == at)
            }
            try withStore(at: dir) { store throws in
                #expect(try store.reading { try $0.expireTime(of: b("k")) } == at)
                #expect(try store.reading { try $0.getString(b("k")) } == b("v"))
                #expect(store.keyCount(db: 0) == (keys: 1, expires: 1))
            }
        }
    }

    @Test func persistRemovesTheExpiry() async throws {
        try await withTemporaryDirectoryAsync { dir throws in
            let store = try Store(options: Store.Options(directory: dir, initialMapSize: 8 << 20))
            defer { store.shutdown() }
            let at = now() + 300
            try store.writing { try $0.setString(b("k"), b("v"), expireAt: at) }
            #expect(store.keyCount(db: 0) == (keys: 1, expires: 1))
            #expect(try store.writing { try $0.setExpireTime(b("k"), 0) } == true)
            #expect(try store.reading { try $0.expireTime(of: b("k")) } == 0)
            #expect(store.keyCount(db: 0) == (keys: 1, expires: 0))
            // Past the old expiry time the key is still there: its expiry-index entry went too.
            try await Task.sleep(for: .milliseconds(max(0, at - now()) + 200))
            #expect(try store.reading { try $0.getString(b("k")) } == b("v"))
            #expect(store.keyCount(db: 0) == (keys: 1, expires: 0))
            #expect(try store.writing { try $0.setExpireTime(b("missing"), 0) } == false)
        }
    }

    @Test func activeExpiryDeletesExpiredKeysInTheBackground() async throws {
        try await withTemporaryDirectoryAsync { dir throws in
            let store = try Store(options: Store.Options(directory: dir, initialMapSize: 8 << 20))
            defer { store.shutdown() }
            let at = now() + 500
            for db in [0, 3] {
                try store.writing(db: db) { ks throws in
                    for i in 0..<50 { try ks.setString(b("k\(i)"), b("v"), expireAt: at) }
                    _ = try ks.hashSet(b("h"), [(b("f"), b("v"))])
                    try ks.setExpireTime(b("h"), at)
                }
            }
            #expect(store.keyCount(db: 0) == (keys: 51, expires: 51))
            // Nobody reads or writes these keys: only active expiry can remove them.
            let emptied = try await eventually(within: 3) {
                store.keyCount(db: 0).keys == 0 && store.keyCount(db: 3).keys == 0
            }
            #expect(emptied)
            #expect(store.keyCount(db: 0) == (keys: 0, expires: 0))
            #expect(store.keyCount(db: 3) == (keys: 0, expires: 0))
        }
    }

    @Test func activeExpiryLeavesKeysWithoutExpiryAlone() async throws {
        try await withTemporaryDirectoryAsync { dir throws in
            let store = try Store(options: Store.Options(directory: dir, initialMapSize: 8 << 20))
            defer { store.shutdown() }
            try store.writing { ks throws in
                try ks.setString(b("short"), b("v"), expireAt: now() + 50)
                try ks.setString(b("forever"), b("v"))
                try ks.setString(b("later"), b("v"), expireAt: now() + 3_600_000)
            }
            #expect(try await eventually(within: 3) { store.keyCount(db: 0).keys == 2 })
            #expect(store.keyCount(db: 0) == (keys: 2, expires: 1))
            #expect(try store.reading { try $0.keys(matching: GlobPattern(b("*"))).sorted { $0.lexicographicallyPrecedes($1) } }
                == [b("forever"), b("later")])
        }
    }

    /// Redis expires keys on a timer whatever the load. Here a round of active expiry runs only after the
    /// writer has been idle for 100 ms, so a steady trickle of writes (one every 10 ms) starves it.
    @Test func activeExpiryKeepsUpUnderSteadyWrites() async throws {
        try await withTemporaryDirectoryAsync { dir throws in
            let store = try Store(options: Store.Options(directory: dir, initialMapSize: 8 << 20))
            defer { store.shutdown() }
            try store.writing { ks throws in
                for i in 0..<20 { try ks.setString(b("k\(i)"), b("v"), expireAt: now() + 100) }
                try ks.setString(b("tick"), b("0"))
            }
            // Only "tick" is written, never read back, so lazy expiry cannot remove the others.
            let ticker = Ticker(store)
            _ = try await eventually(within: 1.5) { store.keyCount(db: 0).keys == 1 }
            let keysLeft = store.keyCount(db: 0).keys
            ticker.stop()
            #expect(keysLeft == 1)
            // Once the writes stop, the keys do go.
            #expect(try await eventually(within: 2) { store.keyCount(db: 0).keys == 1 })
            #expect(store.keyCount(db: 0) == (keys: 1, expires: 0))
        }
    }

    @Test func renameKeepsTheExpiry() throws {
        try withFreshStore { store throws in
            let at = now() + 3_600_000
            try store.writing { ks throws in
                try ks.setString(b("a"), b("v"), expireAt: at)
                try ks.rename(b("a"), to: b("b"))
            }
            try store.reading { ks throws in
                #expect(try ks.expireTime(of: b("b")) == at)
                #expect(try ks.exists(b("a")) == false)
            }
            #expect(store.keyCount(db: 0) == (keys: 1, expires: 1))
        }
    }

    /// Names over 400 bytes are stored as a digest; expiry and rename must work on them all the same.
    @Test func longKeyNamesExpireAndRenameLikeShortOnes() async throws {
        try await withTemporaryDirectoryAsync { dir throws in
            let store = try Store(options: Store.Options(directory: dir, initialMapSize: 8 << 20))
            defer { store.shutdown() }
            let long = b(String(repeating: "k", count: 1000))
            let renamed = b(String(repeating: "r", count: 600))
            let later = now() + 3_600_000
            try store.writing { ks throws in
                try ks.setString(long, b("v"), expireAt: later)
                try ks.rename(long, to: renamed)
                try ks.setString(long + b("-soon"), b("v"), expireAt: now() + 100)
            }
            #expect(try store.reading { try $0.expireTime(of: renamed) } == later)
            #expect(try store.reading { try $0.exists(long) } == false)
            #expect(try await eventually(within: 3) { store.keyCount(db: 0).keys == 1 })
            #expect(store.keyCount(db: 0) == (keys: 1, expires: 1))
            #expect(try store.reading { try $0.keys(matching: GlobPattern(b("r*"))) } == [renamed])
        }
    }

    @Test func renameOntoAKeyWithExpiryTakesTheSourcesExpiry() throws {
        try withFreshStore { store throws in
            try store.writing { ks throws in
                try ks.setString(b("src"), b("1"))
                try ks.setString(b("dst"), b("2"), expireAt: now() + 3_600_000)
                try ks.rename(b("src"), to: b("dst"))
            }
            #expect(try store.reading { try $0.expireTime(of: b("dst")) } == 0)
            #expect(try store.reading { try $0.getString(b("dst")) } == b("1"))
            #expect(store.keyCount(db: 0) == (keys: 1, expires: 0))
        }
    }

    @Test func countersFollowSetExpireDeleteAndFlush() throws {
        try withFreshStore { store throws in
            let later = now() + 3_600_000
            try store.writing { ks throws in
                try ks.setString(b("a"), b("1"))
                try ks.setString(b("b"), b("2"), expireAt: later)
                _ = try ks.listPush(b("l"), [b("x")], at: .right)
            }
            #expect(store.keyCount(db: 0) == (keys: 3, expires: 1))
            try store.writing { try $0.setExpireTime(b("l"), later) }
            #expect(store.keyCount(db: 0) == (keys: 3, expires: 2))
            // SET without KEEPTTL clears the expiry; with KEEPTTL keeps it.
            try store.writing { try $0.setString(b("b"), b("3")) }
            #expect(store.keyCount(db: 0) == (keys: 3, expires: 1))
            try store.writing { try $0.setString(b("l"), b("now a string"), keepTTL: true) }
            #expect(try store.reading { try $0.expireTime(of: b("l")) } == later)
            #expect(store.keyCount(db: 0) == (keys: 3, expires: 1))
            #expect(try store.writing { try $0.delete(b("l")) } == true)
            #expect(store.keyCount(db: 0) == (keys: 2, expires: 0))
            #expect(try store.writing { try $0.delete(b("l")) } == false)
            try store.writing { try $0.setExpireTime(b("a"), later) }
            #expect(store.keyCount(db: 0) == (keys: 2, expires: 1))
            try store.writing { try $0.flush() }
            #expect(store.keyCount(db: 0) == (keys: 0, expires: 0))
            // The same counts are found by scanning.
            try store.writing { ks throws in
                try ks.setString(b("x"), b("1"), expireAt: later)
                try ks.setString(b("x"), b("2"), keepTTL: true)
            }
            #expect(store.keyCount(db: 0) == (keys: 1, expires: 1))
        }
    }
}

/// Submits a write to `tick` every 10 ms from its own thread until stopped.
private final class Ticker: @unchecked Sendable {
    private let lock = NSLock()
    private var running = true
    private let done = DispatchSemaphore(value: 0)

    init(_ store: Store) {
        Thread { [self] in
            var n = 0
            while lock.withLock({ running }) {
                n += 1
                let value = b("\(n)")
                store.submit(ClosureWriteJob({ txn in try txn.keyspace(0).setString(b("tick"), value) }, completion: { _ in }))
                usleep(10_000)
            }
            done.signal()
        }.start()
    }

    func stop() {
        lock.withLock { running = false }
        done.wait()
    }
}
