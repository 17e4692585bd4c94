import Foundation
import Serving
import Store

/// The queue in the same process (`cluster-serving start`): XADD and HGETALL through the Store's API, no socket.
/// Results announce themselves through the store's commit observer.
public final class StoreQueue: ServingQueue, @unchecked Sendable {
    private let store: Store
    private let jobs: JobManager
    private let maxMemory: Int64
    private let lock = NSLock()
    private var wake: (@Sendable ([String]) -> Void)?

    /// `maxMemory` is the store's limit (0 = none): XADD is refused beyond it, as the RESP server refuses it.
    public init(store: Store, jobs: JobManager, maxMemory: Int64) {
        self.store = store
        self.jobs = jobs
        self.maxMemory = maxMemory
        store.addCommitObserver { [weak self] keys in
            guard let self, let wake = self.lock.withLock({ self.wake }) else { return }
            let results = keys.filter { $0.db == 0 && $0.key.starts(with: Self.resultPrefix) }
            if !results.isEmpty { wake(results.map { String(decoding: $0.key, as: UTF8.self) }) }
        }
    }

    private static let resultPrefix = Array("cluster-serving_".utf8)

    public func onResults(_ wake: @escaping @Sendable ([String]) -> Void) { lock.withLock { self.wake = wake } }

    public func add(_ entries: [QueueEntry]) async throws(QueueError) {
        // The RESP server's rule: 1 MiB for the server itself plus the data pages, against maxmemory.
        if maxMemory > 0 && Int64(store.usedBytes) + (1 << 20) > maxMemory { throw .full }
        do {
            try await onWriter { txn in
                let keyspace = txn.keyspace(0)
                for entry in entries {
                    let key = Array(entry.stream.utf8)
                    let flat = entry.fields.flatMap { [Array($0.0.utf8), $0.1] }
                    _ = try keyspace.streamAdd(key, id: .auto, fields: flat)
                    keyspace.touch(key)
                }
            }
        } catch {
            throw .unavailable("\(error)")
        }
    }

    public func results(_ keys: [String]) async throws(QueueError) -> [String: [String: [UInt8]]] {
        do { return try read(keys) } catch { throw .unavailable("\(error)") }
    }

    public func resultsNow(_ keys: [String]) -> [String: [String: [UInt8]]]? { try? read(keys) }

    private func read(_ keys: [String]) throws -> [String: [String: [UInt8]]] {
        try store.read { txn in
            var found: [String: [String: [UInt8]]] = [:]
            let keyspace = txn.keyspace(0)
            for key in keys {
                let pairs = try keyspace.hashGetAll(Array(key.utf8))
                guard !pairs.isEmpty else { continue }
                found[key] = Dictionary(pairs.map { (String(decoding: $0.0, as: UTF8.self), $0.1) }) { a, _ in a }
            }
            return found
        }
    }

    public func delete(_ keys: [String]) async {
        guard !keys.isEmpty else { return }
        try? await onWriter { txn in
            let keyspace = txn.keyspace(0)
            for key in keys where try keyspace.delete(Array(key.utf8)) { keyspace.touch(Array(key.utf8)) }
        }
    }

    public func models() async -> [ModelInfo]? {
        jobs.all.map(Self.describe)
    }

    public func isReachable() async -> Bool { true }

    /// A job as the model APIs describe it: the same metadata `SERVING METADATA` gives a frontend on another host.
    static func describe(_ job: ServingJob) -> ModelInfo {
        let stats = Dictionary(job.metrics.snapshot.figures.map { ($0.name, $0.value) }
                               + [("queue_depth", Double(job.queueDepth))]) { a, _ in a }
        return ModelInfo.decode(name: job.config.jobName, state: job.state.description,
                                path: job.modelFile.isEmpty ? job.config.modelPath : job.modelFile,
                                metadata: ServingCommand.metadata(job), stats: stats)
    }

    /// Runs a write on the store's writer thread without blocking a Swift concurrency thread.
    private func onWriter(_ body: @escaping (WriteTransaction) throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            nonisolated(unsafe) var failure: (any Error)?
            store.submit(ClosureWriteJob({ txn in
                do { try body(txn) } catch let error as LMDBError { throw error } catch { failure = error }
            }, completion: { outcome in
                switch outcome {
                case .success: if let failure { continuation.resume(throwing: failure) } else { continuation.resume() }
                case .failure(let error): continuation.resume(throwing: error)
                }
            }))
        }
    }
}
