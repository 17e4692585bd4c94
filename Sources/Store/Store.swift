import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The store: one LMDB environment in a data directory, one writer thread with group commit, and reads
/// from any thread that never wait for the writer.
public final class Store: @unchecked Sendable {
    public struct Options: Sendable {
        public var directory: String
        public var durability: Durability
        /// The first map size; the map doubles whenever it fills.
        public var initialMapSize: Int
        /// The most jobs one write transaction takes.
        public var maxBatch: Int

        public init(directory: String, durability: Durability = .everysec, initialMapSize: Int = 256 << 20,
                    maxBatch: Int = 4096) {
            self.directory = directory
            self.durability = durability
            self.initialMapSize = initialMapSize
            self.maxBatch = maxBatch
        }
    }

    /// Why the store could not open.
    public struct OpenError: Error, CustomStringConvertible {
        public let description: String
    }

    let env: LMDBEnvironment
    public let directory: String
    private let logger: Logger
    private let maxBatch: Int
    private let lockFD: Int32

    private let queueCondition = NSCondition()
    private var queue: [any WriteJob] = []
    private var stopping = false
    private var writerThread: Thread?
    private var syncThread: Thread?
    private let writerDone = DispatchSemaphore(value: 0)
    private let syncDone = DispatchSemaphore(value: 0)

    private let stateLock = NSLock()
    private var _durability: Durability
    private var keyCounts = [Int](repeating: 0, count: Keyspace.databaseCount)
    private var expireCounts = [Int](repeating: 0, count: Keyspace.databaseCount)
    private var _usedBytes = 0
    private var _lastSyncTime = Int64(Date().timeIntervalSince1970)
    private var commitsSinceSync = 0
    private var lastExpiryRun: UInt64 = 0
    private var _commits = 0
    private var _committedJobs = 0

    private var touchObserver: (@Sendable (TouchedKey) -> Void)?
    private var commitObservers: [@Sendable ([TouchedKey]) -> Void] = []

    /// Sets who hears about writes, on the writer thread: `touch` for every key a write touches, at once (WATCH
    /// needs it before the commit); `commit` after each commit, with the keys it touched.
    public func observeWrites(touch: @escaping @Sendable (TouchedKey) -> Void,
                              commit: @escaping @Sendable ([TouchedKey]) -> Void) {
        stateLock.withLock {
            touchObserver = touch
            commitObservers.append(commit)
        }
    }

    /// Adds a listener that hears, on the writer thread after each commit, the keys it touched (the serving
    /// job wakes its stream readers this way). It must return quickly.
    public func addCommitObserver(_ commit: @escaping @Sendable ([TouchedKey]) -> Void) {
        stateLock.withLock { commitObservers.append(commit) }
    }

    public init(options: Options, logger: Logger = Logger(label: "store")) throws {
        self.directory = options.directory
        self.logger = logger
        self.maxBatch = options.maxBatch
        self._durability = options.durability
        try FileManager.default.createDirectory(atPath: options.directory, withIntermediateDirectories: true)
        lockFD = open(options.directory + "/server.lock", O_CREAT | O_RDWR, 0o644)
        guard lockFD >= 0, flock(lockFD, LOCK_EX | LOCK_NB) == 0 else {
            if lockFD >= 0 { close(lockFD) }
            throw OpenError(description: "the data directory \(options.directory) is in use by another cluster-serving process")
        }
        do {
            env = try LMDBEnvironment(directory: options.directory, mapSize: options.initialMapSize,
                                      sync: options.durability == .always)
            try read { txn in
                for db in 0..<Keyspace.databaseCount {
                    (keyCounts[db], expireCounts[db]) = try Keyspace(txn: txn, db: db).countKeys()
                }
                _usedBytes = txn.usedBytes
            }
        } catch {
            close(lockFD)
            throw error
        }
        startThreads()
    }

    deinit { shutdown() }

    // MARK: Reading

    /// Runs `body` in a read transaction. It sees every write acknowledged before it began.
    public func read<T>(_ body: (Transaction) throws -> T) throws -> T {
        let txn = try Transaction(env: env, readOnly: true, now: Self.nowMilliseconds())
        defer { txn.abort() }
        return try body(txn)
    }

    // MARK: Writing

    /// Queues a job for the writer thread.
    public func submit(_ job: any WriteJob) {
        queueCondition.lock()
        queue.append(job)
        queueCondition.signal()
        queueCondition.unlock()
    }

    /// Queues several jobs at once (one wake-up of the writer).
    public func submit(contentsOf jobs: [any WriteJob]) {
        guard !jobs.isEmpty else { return }
        queueCondition.lock()
        queue.append(contentsOf: jobs)
        queueCondition.signal()
        queueCondition.unlock()
    }

    /// Runs `body` as a write job and waits until it is committed. For in-process callers and tests; never
    /// call it from the writer thread or an event loop. Like a command, `body` must check before it changes
    /// anything: what it wrote before throwing is committed with the rest of the batch.
    public func write<T>(_ body: @escaping (WriteTransaction) throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        var output: Result<T, any Error>?
        var outcome: Result<Void, any Error> = .success(())
        submit(ClosureWriteJob({ txn in
            do { output = .success(try body(txn)) } catch let e as LMDBError { throw e } catch { output = .failure(error) }
        }, completion: { result in
            outcome = result
            done.signal()
        }))
        done.wait()
        try outcome.get()
        return try output!.get()
    }

    // MARK: Durability and statistics

    public var durability: Durability {
        get { stateLock.withLock { _durability } }
        set {
            stateLock.withLock { _durability = newValue }
            env.setSyncOnCommit(newValue == .always)
        }
    }

    /// Flushes everything committed to disk now (SAVE, BGSAVE, shutdown).
    public func sync() throws {
        try env.sync()
        stateLock.withLock {
            commitsSinceSync = 0
            _lastSyncTime = Int64(Date().timeIntervalSince1970)
        }
    }

    /// Unix time in seconds of the last sync to disk.
    public var lastSyncTime: Int64 { stateLock.withLock { _lastSyncTime } }
    /// Commits not yet flushed by a sync.
    public var pendingCommits: Int { stateLock.withLock { commitsSinceSync } }
    /// Write transactions committed, and the jobs they carried (their ratio is the group-commit batch size).
    public var commitCounts: (commits: Int, jobs: Int) { stateLock.withLock { (_commits, _committedJobs) } }
    /// Bytes in data pages after the last commit (INFO used_memory, the maxmemory check).
    public var usedBytes: Int { stateLock.withLock { _usedBytes } }
    public var fileBytes: Int { env.fileBytes }
    public var mapSize: Int { env.mapSize }

    /// Keys, and keys with an expiry, in database `db`.
    public func keyCount(db: Int) -> (keys: Int, expires: Int) {
        stateLock.withLock { (keyCounts[db], expireCounts[db]) }
    }

    public static func nowMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    // MARK: Shutdown

    /// Stops the writer after the queued jobs, syncs and releases the data directory. Safe to call twice.
    public func shutdown() {
        queueCondition.lock()
        let wasRunning = !stopping
        stopping = true
        queueCondition.broadcast()
        queueCondition.unlock()
        guard wasRunning else { return }
        writerDone.wait()
        if syncThread != nil { syncDone.wait() }
        try? env.sync()
        flock(lockFD, LOCK_UN)
        close(lockFD)
    }
}

// MARK: - Threads

extension Store {
    private func startThreads() {
        let writer = Thread { [unowned self] in self.writerLoop() }
        writer.name = "store-writer"
        writer.start()
        writerThread = writer
        let syncer = Thread { [unowned self] in self.syncLoop() }
        syncer.name = "store-sync"
        syncer.start()
        syncThread = syncer
    }

    private func writerLoop() {
        while true {
            queueCondition.lock()
            while queue.isEmpty && !stopping {
                if !queueCondition.wait(until: Date(timeIntervalSinceNow: 0.1)) { break }
            }
            let batch = Array(queue.prefix(maxBatch))
            queue.removeFirst(batch.count)
            let stop = stopping && queue.isEmpty
            queueCondition.unlock()
            if !batch.isEmpty { execute(batch) }
            // Active expiry about ten times a second, busy or not.
            let now = DispatchTime.now().uptimeNanoseconds
            if batch.isEmpty || now - lastExpiryRun > 100_000_000 {
                lastExpiryRun = now
                expireDueKeys()
            }
            if stop && batch.isEmpty { break }
        }
        writerDone.signal()
    }

    /// Runs a batch in one transaction: on a full map, grow and run it again; when one transaction cannot hold
    /// it all, run the jobs one by one.
    private func execute(_ batch: [any WriteJob]) {
        while true {
            do {
                let txn = try WriteTransaction(env: env, readOnly: false, now: Self.nowMilliseconds())
                let (onTouch, onCommit) = stateLock.withLock { (touchObserver, commitObservers) }
                txn.touchObserver = onTouch
                do {
                    for job in batch { try job.run(txn) }
                    try txn.saveCounters()
                    let used = txn.usedBytes
                    try txn.commit()
                    committed(txn, usedBytes: used, jobs: batch.count)
                } catch {
                    txn.abort()
                    throw error
                }
                for job in batch { job.finish(.success(())) }
                for observer in onCommit { observer(txn.touchedKeys) }
                return
            } catch LMDBError.mapFull {
                do {
                    try env.grow()
                    logger.info("grew the LMDB map to \(env.mapSize) bytes")
                } catch {
                    logger.error("could not grow the LMDB map: \(error)")
                    for job in batch { job.finish(.failure(error)) }
                    return
                }
            } catch LMDBError.txnFull where batch.count > 1 {
                for job in batch { execute([job]) }
                return
            } catch {
                logger.error("write transaction failed: \(error)")
                for job in batch { job.finish(.failure(error)) }
                return
            }
        }
    }

    private func committed(_ txn: WriteTransaction, usedBytes: Int, jobs: Int) {
        stateLock.withLock {
            _commits += 1
            _committedJobs += jobs
            for (db, delta) in txn.keysDelta { keyCounts[db] += delta }
            for (db, delta) in txn.expiresDelta { expireCounts[db] += delta }
            _usedBytes = usedBytes
            if _durability == .always {
                _lastSyncTime = Int64(Date().timeIntervalSince1970)
            } else {
                commitsSinceSync += 1
            }
        }
    }

    /// Active expiry: deletes keys whose time has come, a bounded number per round, oldest first.
    private func expireDueKeys() {
        guard stateLock.withLock({ expireCounts.contains { $0 > 0 } }) else { return }
        execute([ClosureWriteJob({ txn in
            var due: [(Int, Bytes)] = []
            try txn.scan(txn.env.expiresDB, prefix: []) { k, _ in
                var r = ByteReader(k)
                guard r.readInt64() <= txn.now, due.count < 500 else { return false }
                due.append((Int(r.readUInt8()), r.readRest()))
                return true
            }
            for (db, encodedName) in due {
                let keyspace = Keyspace(txn: txn, db: db)
                let recordKey = [UInt8(db)] + encodedName
                guard let record = try txn.withValue(txn.env.keysDB, recordKey, {
                    try KeyRecord(decoding: $0, payload: false)
                }) else { continue }
                let name = keyspace.name(ofRecordKey: recordKey, record: record)
                _ = try keyspace.record(name)  // deletes it when expired
                keyspace.touch(name)
            }
        }, completion: { _ in })])
    }

    private func syncLoop() {
        while true {
            queueCondition.lock()
            let stop = stopping
            queueCondition.unlock()
            if stop { break }
            usleep(100_000)
            let due = stateLock.withLock {
                _durability == .everysec && commitsSinceSync > 0
                    && Int64(Date().timeIntervalSince1970) > _lastSyncTime
            }
            if due {
                do { try sync() } catch { logger.error("background sync failed: \(error)") }
            }
        }
        syncDone.signal()
    }
}

extension Transaction {
    /// Database `db` (0–15) seen through this transaction.
    public func keyspace(_ db: Int) -> Keyspace { Keyspace(txn: self, db: db) }
}
