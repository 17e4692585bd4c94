import Foundation
import Store

/// Where a job's records come from: its stream in db 0, read in-process through consumer group `serving`.
///
/// The rules, stated once:
/// - The group is created at `0-0` with MKSTREAM, so entries written before the job started are served.
/// - Every entry still in the stream is unanswered: the job deletes an entry in the same transaction that writes
///   its result and acknowledges it (`ResultSink`). So when the group already exists (a previous run, or a stock
///   client that created it at `$`), the job rewinds it to `0-0`: entries pending on consumers of a run that
///   crashed are delivered again, and entries a client's `$` group skipped are delivered at all.
/// - Each worker reads as its own stable consumer (`<jobName>/worker-<n>`).
final class StreamSource: @unchecked Sendable {
    static let group: Bytes = Array("serving".utf8)

    let store: Store
    let stream: Bytes
    private let signal = NSCondition()
    private var generation = 0

    init(store: Store, stream: String) {
        self.store = store
        self.stream = Array(stream.utf8)
    }

    /// Creates (or rewinds) the group; returns how many entries wait in the stream.
    @discardableResult
    func prepare() throws -> UInt64 {
        let stream = self.stream
        return try store.write { txn in
            let keyspace = txn.keyspace(0)
            if let type = try keyspace.type(of: stream), type != .stream {
                throw ServingError.streamKeyHasWrongType(key: String(decoding: stream, as: UTF8.self), type: type.name)
            }
            if try keyspace.groupExists(stream, Self.group) {
                try keyspace.groupSetID(stream, Self.group, id: .zero, entriesRead: 0)
            } else {
                try keyspace.groupCreate(stream, Self.group, startID: .zero, entriesRead: 0, makeStream: true)
            }
            return try keyspace.streamMeta(stream)?.length ?? 0
        }
    }

    /// Called after every store commit: wakes readers when the stream changed.
    func keysChanged(_ keys: [TouchedKey]) {
        guard keys.contains(where: { $0.db == 0 && $0.key == stream }) else { return }
        signal.lock()
        generation &+= 1
        signal.broadcast()
        signal.unlock()
    }

    /// Up to `max` new entries for `consumer`: returns as soon as there are `max`, or when `window` has passed since
    /// the first one arrived; waits for the first one at most `idleTimeout` (so that the caller can check for a stop).
    func next(consumer: Bytes, max: Int, window: TimeInterval, idleTimeout: TimeInterval) throws -> [StreamEntry] {
        var (entries, seen) = try read(consumer: consumer, count: max)
        if entries.isEmpty {
            guard waitForChange(after: seen, until: Date(timeIntervalSinceNow: idleTimeout)) else { return [] }
            (entries, seen) = try read(consumer: consumer, count: max)
            if entries.isEmpty { return [] }
        }
        let deadline = Date(timeIntervalSinceNow: window)
        while entries.count < max && window > 0 {
            guard waitForChange(after: seen, until: deadline) else { break }
            let more: [StreamEntry]
            (more, seen) = try read(consumer: consumer, count: max - entries.count)
            entries += more
        }
        return entries
    }

    /// Reads up to `count` new entries; also returns the change counter as it was before the read, so that a
    /// change during the read is not missed by the wait that follows.
    private func read(consumer: Bytes, count: Int) throws -> ([StreamEntry], Int) {
        let seen = signal.withLock { generation }
        let stream = self.stream
        do {
            let entries = try store.write { txn in
                try txn.keyspace(0).readNew(stream, group: Self.group, consumer: consumer, count: count, noAck: false)
            }
            return (entries, seen)
        } catch StoreError.stream(.noGroup) {
            // The stream was deleted (DEL, FLUSHALL): start over with a new one.
            try prepare()
            return ([], seen)
        }
    }

    /// Waits until the stream changes after `seen`, or `deadline`; true if it changed.
    private func waitForChange(after seen: Int, until deadline: Date) -> Bool {
        signal.lock()
        defer { signal.unlock() }
        while generation == seen {
            if !signal.wait(until: deadline) { return generation != seen }
        }
        return true
    }
}
