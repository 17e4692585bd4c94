/// KEYS, SCAN, RANDOMKEY and key counting. They read key records without their values.
extension Keyspace {
    /// Every live key matching `pattern`.
    public func keys(matching pattern: GlobPattern) throws -> [Bytes] {
        var out: [Bytes] = []
        try forEachLiveKey(from: nil) { _, name, _ in
            if pattern.matchesAll || pattern.matches(name) { out.append(name) }
            return true
        }
        return out
    }

    /// One SCAN step: visits about `count` keys from `cursor`, returns the next cursor (0 when done) and
    /// the keys among them that match `pattern` and `type`.
    public func scan(cursor: UInt64, count: Int, pattern: GlobPattern?, type: KeyType?) throws -> (UInt64, [Bytes]) {
        var out: [Bytes] = []
        var visited = 0
        var resume: Bytes?
        try forEachLiveKey(from: env.scanCursors.position(of: cursor)) { k, name, record in
            if visited >= count {
                resume = Bytes(k)
                return false
            }
            visited += 1
            if let type, record.type != type { return true }
            if let pattern, !pattern.matchesAll, !pattern.matches(name) { return true }
            out.append(name)
            return true
        }
        return (resume.map { env.scanCursors.register($0) } ?? 0, out)
    }

    /// A random live key, or nil when the database is empty.
    public func randomKey() throws -> Bytes? {
        var probe: Bytes = [UInt8(db)]
        for _ in 0..<8 { probe.append(UInt8.random(in: 0...255)) }
        var found: Bytes?
        for start in [probe, nil] where found == nil {
            try forEachLiveKey(from: start) { _, name, _ in
                found = name
                return false
            }
        }
        return found
    }

    /// Counts keys and keys with an expiry (expired ones included until they are deleted), by scanning.
    func countKeys() throws -> (keys: Int, expires: Int) {
        var keys = 0, expires = 0
        try txn.scanRaw(env.keysDB, prefix: [UInt8(db)]) { _, raw in
            keys += 1
            if try KeyRecord(decoding: raw, payload: false).expireAt != 0 { expires += 1 }
            return true
        }
        return (keys, expires)
    }

    /// Visits the live keys from the LMDB key `start` on: each one's LMDB key (to resume from), name and record
    /// (without its value).
    private func forEachLiveKey(from start: Bytes?,
                                _ body: (UnsafeRawBufferPointer, Bytes, KeyRecord) throws -> Bool) throws {
        try txn.scanRaw(env.keysDB, prefix: [UInt8(db)], from: start) { k, raw in
            let record = try KeyRecord(decoding: raw, payload: false)
            if record.expireAt != 0 && record.expireAt <= txn.now { return true }
            return try body(k, name(ofRecordKey: k, record: record), record)
        }
    }
}
