import Foundation
import Store

/// UTF-8 bytes of a string literal.
func b(_ s: String) -> [UInt8] { Array(s.utf8) }

/// A fresh data directory under the system's temporary directory, removed when `body` returns.
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("store-tests-\(UUID().uuidString)", isDirectory: true).path
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// Async form, for tests that poll.
func withTemporaryDirectoryAsync<T>(_ body: (String) async throws -> T) async throws -> T {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("store-tests-\(UUID().uuidString)", isDirectory: true).path
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// Opens a store in `directory`, runs `body` and shuts the store down, so that the next `openStore` of the
/// same directory (a restart) finds it released.
func withStore<T>(at directory: String, durability: Durability = .everysec, initialMapSize: Int = 8 << 20,
                  _ body: (Store) throws -> T) throws -> T {
    let store = try Store(options: Store.Options(directory: directory, durability: durability,
                                                 initialMapSize: initialMapSize))
    defer { store.shutdown() }
    return try body(store)
}

/// A store in a fresh directory, for tests that need no restart.
func withFreshStore<T>(durability: Durability = .everysec, _ body: (Store) throws -> T) throws -> T {
    try withTemporaryDirectory { dir in try withStore(at: dir, durability: durability, body) }
}

extension Store {
    /// Runs `body` on database `db` in a write transaction and waits for the commit.
    @discardableResult
    func writing<T>(db: Int = 0, _ body: @escaping (Keyspace) throws -> T) throws -> T {
        try write { txn in try body(txn.keyspace(db)) }
    }

    /// Runs `body` on database `db` in a read transaction.
    func reading<T>(db: Int = 0, _ body: (Keyspace) throws -> T) throws -> T {
        try read { txn in try body(txn.keyspace(db)) }
    }
}

extension StreamID {
    /// `ms-seq` for tests: `id(5)` is 5-0.
    static func id(_ ms: UInt64, _ seq: UInt64 = 0) -> StreamID { StreamID(ms: ms, seq: seq) }
}
