import Foundation
import Store

/// The answer to one record: the `value` text of its result hash, and, for `NaN`, the reason.
struct RecordResult: Sendable {
    let id: StreamID
    /// nil for an entry without a `uri` field: it is acknowledged and removed, with nowhere to answer.
    let uri: Bytes?
    let value: Bytes
    let error: String?

    static let nanValue = Array("NaN".utf8)

    static func failed(_ id: StreamID, uri: Bytes, reason: String) -> RecordResult {
        RecordResult(id: id, uri: uri, value: nanValue, error: reason)
    }
}

/// Writes results where the stock client looks for them: hash `cluster-serving_<jobName>:<uri>`, field `value`.
///
/// Exactly once: the result hashes, the XACK and the XDEL of the inputs of one batch are one store write job,
/// so one transaction. A crash before its commit leaves the inputs pending (served again after the restart); after
/// it, they are answered and gone from the stream, so never served twice.
struct ResultSink: Sendable {
    static let resultPrefix = "cluster-serving_"
    static let valueField = Array("value".utf8)
    static let errorField = Array("error".utf8)

    let store: Store
    let stream: Bytes
    let keyPrefix: Bytes

    init(store: Store, jobName: String) {
        self.store = store
        self.stream = Array(jobName.utf8)
        self.keyPrefix = Array((Self.resultPrefix + jobName + ":").utf8)
    }

    /// Queues the batch's write; `completion` runs on the store's writer thread after the commit.
    func write(_ results: [RecordResult], completion: @escaping @Sendable (Result<Void, any Error>) -> Void) {
        guard !results.isEmpty else { return completion(.success(())) }
        let (stream, prefix) = (self.stream, self.keyPrefix)
        store.submit(ClosureWriteJob({ txn in
            let keyspace = txn.keyspace(0)
            for result in results {
                guard let uri = result.uri else { continue }
                let key = prefix + uri
                // A key of another type in the way would make HSET fail: the result wins, as a fresh key.
                if let type = try keyspace.type(of: key), type != .hash { _ = try keyspace.delete(key) }
                var fields = [(Self.valueField, result.value)]
                if let error = result.error {
                    fields.append((Self.errorField, Array(error.utf8)))
                } else {
                    _ = try keyspace.hashDelete(key, [Self.errorField])
                }
                _ = try keyspace.hashSet(key, fields)
                keyspace.touch(key)
            }
            let ids = results.map(\.id)
            _ = try keyspace.acknowledge(stream, group: StreamSource.group, ids: ids)
            _ = try keyspace.streamDelete(stream, ids: ids)
            keyspace.touch(stream)
        }, completion: completion))
    }
}
