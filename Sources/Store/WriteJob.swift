/// A unit of work for the store's writer thread.
///
/// The writer runs every job that is waiting in one LMDB write transaction, commits it (with an fsync under
/// `appendfsync always`), then calls `finish` on each. If the map fills up, the transaction is aborted, the map
/// grows and the whole batch runs again, so `run` must change nothing outside the transaction and may run
/// more than once.
public protocol WriteJob: AnyObject, Sendable {
    /// Applies the job's changes. Throw only what the transaction threw (`LMDBError`): a job turns its own
    /// failures (wrong type, bad arguments) into its result and leaves the store unchanged.
    func run(_ txn: WriteTransaction) throws
    /// Called on the writer thread after the commit: `.success` once the changes are durable as configured,
    /// or the error that made the commit fail (then nothing of the batch was written).
    func finish(_ result: Result<Void, any Error>)
}

/// A job made of two closures.
public final class ClosureWriteJob: WriteJob, @unchecked Sendable {
    private let body: (WriteTransaction) throws -> Void
    private let completion: (Result<Void, any Error>) -> Void

    public init(_ body: @escaping (WriteTransaction) throws -> Void,
                completion: @escaping (Result<Void, any Error>) -> Void) {
        self.body = body
        self.completion = completion
    }

    public func run(_ txn: WriteTransaction) throws { try body(txn) }
    public func finish(_ result: Result<Void, any Error>) { completion(result) }
}
