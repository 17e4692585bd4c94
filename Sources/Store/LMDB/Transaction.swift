import CLMDB

public typealias Bytes = [UInt8]

/// A read transaction: a consistent snapshot of the store that never waits for the writer.
///
/// `now` is the clock every expiry check in this transaction uses, taken once so that one command sees one time.
public class Transaction {
    let env: LMDBEnvironment
    let txn: OpaquePointer
    public let now: Int64
    private var finished = false

    init(env: LMDBEnvironment, readOnly: Bool, now: Int64) throws {
        self.env = env
        self.now = now
        env.resizeLock.lockShared()
        var txn: OpaquePointer?
        let rc = mdb_txn_begin(env.handle, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &txn)
        guard rc == 0, let txn else {
            env.resizeLock.unlock()
            throw LMDBError(rc)
        }
        self.txn = txn
    }

    deinit { abort() }

    /// Ends the transaction, dropping any changes. Safe to call twice.
    func abort() {
        guard !finished else { return }
        finished = true
        mdb_txn_abort(txn)
        env.resizeLock.unlock()
    }

    func commit() throws {
        precondition(!finished, "transaction already finished")
        finished = true
        defer { env.resizeLock.unlock() }
        try LMDBError.check(mdb_txn_commit(txn))
    }

    // MARK: Raw access

    /// Calls `body` with the value stored under `key`, or returns nil when there is none.
    /// The buffer is only valid inside `body`.
    func withValue<T>(_ dbi: MDB_dbi, _ key: Bytes, _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T? {
        try key.withUnsafeBytes { kb in
            var k = MDB_val(mv_size: kb.count, mv_data: UnsafeMutableRawPointer(mutating: kb.baseAddress))
            var v = MDB_val()
            let rc = mdb_get(txn, dbi, &k, &v)
            if rc == MDB_NOTFOUND { return nil }
            try LMDBError.check(rc)
            return try body(UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
        }
    }

    func get(_ dbi: MDB_dbi, _ key: Bytes) throws -> Bytes? {
        try withValue(dbi, key) { Bytes($0) }
    }

    func cursor(_ dbi: MDB_dbi) throws -> Cursor {
        try Cursor(txn: self, dbi: dbi)
    }

    /// Visits the records whose keys start with `prefix`, from `start` (≥ prefix) upward, until `body` returns
    /// false. The buffers point into the map and are valid only inside `body`: callers copy what they keep, so a
    /// scan that needs only keys or headers does not copy every value.
    func scanRaw(_ dbi: MDB_dbi, prefix: Bytes, from start: Bytes? = nil,
                 _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool) throws {
        let cursor = try self.cursor(dbi)
        var entry = try cursor.seek(start ?? prefix)
        while let (k, v) = entry, k.starts(with: prefix) {
            if try !body(k, v) { return }
            entry = try cursor.next()
        }
    }

    /// `scanRaw`, with copies of each key and value.
    func scan(_ dbi: MDB_dbi, prefix: Bytes, from start: Bytes? = nil, _ body: (Bytes, Bytes) throws -> Bool) throws {
        try scanRaw(dbi, prefix: prefix, from: start) { k, v in try body(Bytes(k), Bytes(v)) }
    }

    /// Visits the records whose keys start with `prefix`, from `start` (inclusive) downward, until `body` returns
    /// false, with copies of each key and value.
    func scanReverse(_ dbi: MDB_dbi, prefix: Bytes, from start: Bytes? = nil, _ body: (Bytes, Bytes) throws -> Bool) throws {
        let cursor = try self.cursor(dbi)
        var entry = try cursor.seekLast(atOrBefore: start ?? (prefix + Bytes(repeating: 0xFF, count: 32)))
        while let (k, v) = entry, k.starts(with: prefix) {
            if try !body(Bytes(k), Bytes(v)) { return }
            entry = try cursor.previous()
        }
    }

    /// Bytes held in data pages, for INFO's used_memory and the maxmemory check.
    public var usedBytes: Int { env.usedBytes(in: txn) }
}

/// A write transaction. Only the store's writer thread creates these.
public final class WriteTransaction: Transaction {
    /// Keys written in this transaction, for WATCH and for waking blocked clients.
    public internal(set) var touchedKeys: [TouchedKey] = []
    /// Changes to the number of keys, and of keys with an expiry, per database; applied after commit.
    var keysDelta: [Int: Int] = [:]
    /// The next object id, once a command in this transaction allocated one (see `Keyspace.newObjectID`).
    var nextObjectID: UInt64?
    static let objectCounterKey = Array("next-object-id".utf8)

    /// Writes back what the transaction kept in memory; the writer calls it before the commit.
    func saveCounters() throws {
        if let next = nextObjectID { try put(env.metaDB, Self.objectCounterKey, bigEndianKey(next)) }
    }

    /// Told of every touched key at once (WATCH must see a write before the EXEC that follows it).
    var touchObserver: (@Sendable (TouchedKey) -> Void)?
    var expiresDelta: [Int: Int] = [:]

    func put(_ dbi: MDB_dbi, _ key: Bytes, _ value: Bytes) throws {
        try key.withUnsafeBytes { kb in
            try value.withUnsafeBytes { vb in
                var k = MDB_val(mv_size: kb.count, mv_data: UnsafeMutableRawPointer(mutating: kb.baseAddress))
                var v = MDB_val(mv_size: vb.count, mv_data: UnsafeMutableRawPointer(mutating: vb.baseAddress))
                try LMDBError.check(mdb_put(txn, dbi, &k, &v, 0))
            }
        }
    }

    /// Deletes `key`; returns whether it existed.
    @discardableResult
    func delete(_ dbi: MDB_dbi, _ key: Bytes) throws -> Bool {
        try key.withUnsafeBytes { kb in
            var k = MDB_val(mv_size: kb.count, mv_data: UnsafeMutableRawPointer(mutating: kb.baseAddress))
            let rc = mdb_del(txn, dbi, &k, nil)
            if rc == MDB_NOTFOUND { return false }
            try LMDBError.check(rc)
            return true
        }
    }

    /// Deletes every record whose key starts with `prefix`; returns how many.
    @discardableResult
    func deletePrefix(_ dbi: MDB_dbi, _ prefix: Bytes) throws -> Int {
        let cursor = try self.cursor(dbi)
        var count = 0
        var entry = try cursor.seek(prefix)
        while let (k, _) = entry, k.starts(with: prefix) {
            try cursor.deleteCurrent()
            count += 1
            entry = try cursor.seek(prefix)
        }
        return count
    }

    /// Empties a whole database.
    func empty(_ dbi: MDB_dbi) throws {
        try LMDBError.check(mdb_drop(txn, dbi, 0))
    }
}

/// A key changed by a write, as (database, key).
public struct TouchedKey: Hashable, Sendable {
    public let db: Int
    public let key: Bytes

    public init(db: Int, key: Bytes) {
        self.db = db
        self.key = key
    }
}

/// A cursor over one database. Returned keys and values point into the map: they are valid until the cursor
/// moves, changes the database or its transaction ends.
final class Cursor {
    typealias Entry = (UnsafeRawBufferPointer, UnsafeRawBufferPointer)

    private let handle: OpaquePointer

    init(txn: Transaction, dbi: MDB_dbi) throws {
        var c: OpaquePointer?
        try LMDBError.check(mdb_cursor_open(txn.txn, dbi, &c))
        handle = c!
    }

    deinit { mdb_cursor_close(handle) }

    private func op(_ op: MDB_cursor_op, key: Bytes? = nil) throws -> Entry? {
        var k = MDB_val()
        var v = MDB_val()
        let rc: Int32
        if let key {
            rc = key.withUnsafeBytes { kb in
                k = MDB_val(mv_size: kb.count, mv_data: UnsafeMutableRawPointer(mutating: kb.baseAddress))
                return mdb_cursor_get(handle, &k, &v, op)
            }
        } else {
            rc = mdb_cursor_get(handle, &k, &v, op)
        }
        if rc == MDB_NOTFOUND { return nil }
        try LMDBError.check(rc)
        return (UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size),
                UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
    }

    /// Positions at the first key ≥ `key`.
    func seek(_ key: Bytes) throws -> Entry? {
        key.isEmpty ? try op(MDB_FIRST) : try op(MDB_SET_RANGE, key: key)
    }

    /// Positions at the last key ≤ `key`.
    func seekLast(atOrBefore key: Bytes) throws -> Entry? {
        if let found = try op(MDB_SET_RANGE, key: key) {
            if found.0.elementsEqual(key) { return found }
            return try op(MDB_PREV)
        }
        return try op(MDB_LAST)
    }

    func next() throws -> Entry? { try op(MDB_NEXT) }
    func previous() throws -> Entry? { try op(MDB_PREV) }

    func deleteCurrent() throws {
        try LMDBError.check(mdb_cursor_del(handle, 0))
    }
}
