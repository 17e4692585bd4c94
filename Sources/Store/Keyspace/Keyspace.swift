/// One numbered database (0–15) seen through a transaction: key lookup with expiry, creation, deletion,
/// renaming and iteration. The data types (`Strings.swift`, `Hashes.swift`, ...) build on this.
///
/// Reads work in any transaction. Methods that change data require a `WriteTransaction`; calling them in a
/// read transaction is a programmer error.
public struct Keyspace {
    public static let databaseCount = 16

    let txn: Transaction
    public let db: Int

    init(txn: Transaction, db: Int) {
        precondition((0..<Self.databaseCount).contains(db), "database index out of range")
        self.txn = txn
        self.db = db
    }

    var env: LMDBEnvironment { txn.env }
    public var now: Int64 { txn.now }

    /// Milliseconds since `time` (a stored delivery or seen time), 0 for a time in the future; saturates
    /// instead of trapping on a stored extreme.
    public func idleTime(since time: Int64) -> Int64 {
        let (elapsed, overflow) = now.subtractingReportingOverflow(time)
        if overflow { return time < 0 ? .max : 0 }
        return Swift.max(0, elapsed)
    }

    var writer: WriteTransaction {
        guard let w = txn as? WriteTransaction else { preconditionFailure("write in a read transaction") }
        return w
    }

    func recordKey(_ name: Bytes) -> Bytes {
        var k = Bytes()
        k.reserveCapacity(name.count + 1)
        k.append(UInt8(db))
        k.append(contentsOf: KeyName.encode(name))
        return k
    }

    // MARK: Lookup

    /// The live record of `key`, or nil when the key does not exist or has expired.
    /// In a write transaction an expired key is deleted on the way (lazy expiry).
    func record(_ key: Bytes, payload: Bool = true) throws -> KeyRecord? {
        guard let record = try txn.withValue(env.keysDB, recordKey(key), { raw in
            try KeyRecord(decoding: raw, payload: payload)
        }) else { return nil }
        if let full = record.fullName, full != key { return nil }
        if record.expireAt != 0 && record.expireAt <= txn.now {
            if txn is WriteTransaction { try remove(key, record) }
            return nil
        }
        return record
    }

    /// The live record of `key` if it holds `type`; nil when missing; `wrongType` otherwise.
    func record(_ key: Bytes, of type: KeyType) throws -> KeyRecord? {
        guard let record = try record(key) else { return nil }
        guard record.type == type else { throw StoreError.wrongType }
        return record
    }

    public func type(of key: Bytes) throws -> KeyType? { try record(key, payload: false)?.type }

    public func exists(_ key: Bytes) throws -> Bool { try record(key, payload: false) != nil }

    /// The expiry time of `key` in Unix milliseconds: nil if the key is missing, 0 if it has none.
    public func expireTime(of key: Bytes) throws -> Int64? { try record(key, payload: false)?.expireAt }

    // MARK: Changes

    /// Writes `record` for `key`. `previous` is the record it replaces (nil for a new key); it keeps the
    /// expiry index and the key counters right.
    func save(_ key: Bytes, _ record: KeyRecord, replacing previous: KeyRecord?) throws {
        var record = record
        if KeyName.isDigested(KeyName.encode(key)) { record.fullName = key }
        let w = writer
        try w.put(env.keysDB, recordKey(key), record.encoded())
        let oldExpiry = previous?.expireAt ?? 0
        if oldExpiry != record.expireAt {
            if oldExpiry != 0 { try w.delete(env.expiresDB, expiryKey(key, oldExpiry)) }
            if record.expireAt != 0 { try w.put(env.expiresDB, expiryKey(key, record.expireAt), []) }
            w.expiresDelta[db, default: 0] += (record.expireAt != 0 ? 1 : 0) - (oldExpiry != 0 ? 1 : 0)
        }
        if previous == nil { w.keysDelta[db, default: 0] += 1 }
        touch(key)
    }

    /// Deletes `key` with everything it holds; returns whether it existed.
    @discardableResult
    public func delete(_ key: Bytes) throws -> Bool {
        guard let record = try record(key) else { return false }
        try remove(key, record)
        touch(key)
        return true
    }

    /// Removes a key's record, its items and its expiry entry.
    func remove(_ key: Bytes, _ record: KeyRecord) throws {
        let w = writer
        try w.delete(env.keysDB, recordKey(key))
        try removeItems(of: record)
        if record.expireAt != 0 {
            try w.delete(env.expiresDB, expiryKey(key, record.expireAt))
            w.expiresDelta[db, default: 0] -= 1
        }
        w.keysDelta[db, default: 0] -= 1
    }

    /// Deletes the `items` records of a hash, list or stream.
    func removeItems(of record: KeyRecord) throws {
        switch record.type {
        case .string: break
        case .hash, .list: try writer.deletePrefix(env.itemsDB, bigEndianKey(record.objectID))
        case .stream: try removeStreamItems(record.objectID)
        }
    }

    /// Sets or clears (`at == 0`) the expiry of an existing key. Returns false when the key does not exist.
    @discardableResult
    public func setExpireTime(_ key: Bytes, _ at: Int64) throws -> Bool {
        guard let old = try record(key) else { return false }
        var new = old
        new.expireAt = at
        try save(key, new, replacing: old)
        return true
    }

    /// Renames `source` to `destination`, replacing it; the value and its expiry move along in O(1),
    /// since items are filed under the object id, not the name.
    /// - Throws: `noSuchKey` if `source` does not exist.
    public func rename(_ source: Bytes, to destination: Bytes) throws {
        guard let record = try record(source) else { throw StoreError.noSuchKey }
        if source == destination { return }
        try delete(destination)
        let w = writer
        try w.delete(env.keysDB, recordKey(source))
        if record.expireAt != 0 {
            try w.delete(env.expiresDB, expiryKey(source, record.expireAt))
            w.expiresDelta[db, default: 0] -= 1
        }
        w.keysDelta[db, default: 0] -= 1
        var moved = record
        moved.fullName = nil
        try save(destination, moved, replacing: nil)
        touch(source)
    }

    /// Marks `key` as written, for WATCH and blocked clients.
    public func touch(_ key: Bytes) {
        let touched = TouchedKey(db: db, key: key)
        writer.touchedKeys.append(touched)
        writer.touchObserver?(touched)
    }

    /// Deletes every key of this database; each counts as touched (WATCH, blocked clients).
    public func flush() throws {
        var victims: [(Bytes, KeyRecord)] = []
        try txn.scanRaw(env.keysDB, prefix: [UInt8(db)]) { k, raw in
            let record = try KeyRecord(decoding: raw, payload: false)
            victims.append((name(ofRecordKey: k, record: record), record))
            return true
        }
        for (name, record) in victims {
            try remove(name, record)
            touch(name)
        }
    }

    /// A fresh id under which a new object's items are filed.
    /// The counter is read once per transaction and written back once, before the commit
    /// (`WriteTransaction.saveCounters`).
    func newObjectID() throws -> UInt64 {
        let w = writer
        let next = try w.nextObjectID ?? txn.withValue(env.metaDB, WriteTransaction.objectCounterKey) { raw in
            var r = ByteReader(Bytes(raw))
            return r.readUInt64()
        } ?? 1
        w.nextObjectID = next + 1
        return next
    }

    func expiryKey(_ key: Bytes, _ at: Int64) -> Bytes {
        var k = Bytes()
        k.appendBigEndian(at)
        k.append(contentsOf: recordKey(key))
        return k
    }

    /// The name a `keys` record stands for.
    func name(ofRecordKey k: some Collection<UInt8>, record: KeyRecord) -> Bytes {
        record.fullName ?? Bytes(k.dropFirst())
    }
}
