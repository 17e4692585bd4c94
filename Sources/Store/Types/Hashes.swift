/// Hashes: fields filed in `items` under `objectID + "h" + field`; the key record's payload holds the field
/// count so HLEN is O(1). A long field's LMDB key is a digest (`KeyName`), so values store the field name too.
extension Keyspace {
    private static let fieldTag = UInt8(ascii: "h")

    private func fieldKey(_ record: KeyRecord, _ field: Bytes) -> Bytes {
        itemKey(record.objectID, Self.fieldTag, KeyName.encode(field))
    }

    private static func count(_ record: KeyRecord) -> UInt64 {
        var r = ByteReader(record.payload)
        return r.readUInt64()
    }

    /// Field and value as stored: `field(len-prefixed) value`.
    private static func encodeField(_ field: Bytes, _ value: Bytes) -> Bytes {
        var b = Bytes()
        b.reserveCapacity(field.count + value.count + 4)
        b.appendLengthPrefixed(field)
        b.append(contentsOf: value)
        return b
    }

    private static func decodeField(_ bytes: Bytes) -> (Bytes, Bytes) {
        var r = ByteReader(bytes)
        let field = r.readLengthPrefixed()
        return (field, r.readRest())
    }

    public func hashLength(_ key: Bytes) throws -> Int {
        guard let record = try record(key, of: .hash) else { return 0 }
        return Int(Self.count(record))
    }

    public func hashGet(_ key: Bytes, _ field: Bytes) throws -> Bytes? {
        guard let record = try record(key, of: .hash) else { return nil }
        return try fieldValue(record, field)
    }

    private func fieldValue(_ record: KeyRecord, _ field: Bytes) throws -> Bytes? {
        guard let raw = try txn.get(env.itemsDB, fieldKey(record, field)) else { return nil }
        let (name, value) = Self.decodeField(raw)
        return name == field ? value : nil
    }

    /// All fields and values, in field order; empty when missing.
    public func hashGetAll(_ key: Bytes) throws -> [(Bytes, Bytes)] {
        guard let record = try record(key, of: .hash) else { return [] }
        var out: [(Bytes, Bytes)] = []
        try txn.scan(env.itemsDB, prefix: itemKey(record.objectID, Self.fieldTag, [])) { _, v in
            out.append(Self.decodeField(v))
            return true
        }
        return out
    }

    /// One HSCAN step; see `scan(cursor:count:pattern:type:)`.
    public func hashScan(_ key: Bytes, cursor: UInt64, count: Int, pattern: GlobPattern?) throws -> (UInt64, [(Bytes, Bytes)]) {
        guard let record = try record(key, of: .hash) else { return (0, []) }
        let prefix = itemKey(record.objectID, Self.fieldTag, [])
        var out: [(Bytes, Bytes)] = []
        var visited = 0
        var resume: Bytes?
        try txn.scan(env.itemsDB, prefix: prefix, from: env.scanCursors.position(of: cursor)) { k, v in
            if visited >= count {
                resume = k
                return false
            }
            visited += 1
            let (field, value) = Self.decodeField(v)
            if let pattern, !pattern.matchesAll, !pattern.matches(field) { return true }
            out.append((field, value))
            return true
        }
        return (resume.map { env.scanCursors.register($0) } ?? 0, out)
    }

    /// HSET: sets the fields; returns how many were new.
    public func hashSet(_ key: Bytes, _ pairs: [(Bytes, Bytes)], onlyIfNew: Bool = false) throws -> Int {
        let old = try record(key, of: .hash)
        var record = try old ?? KeyRecord(type: .hash, objectID: newObjectID(), payload: [])
        var count = old.map(Self.count) ?? 0
        var added = 0
        for (field, value) in pairs {
            let exists = try fieldValue(record, field) != nil
            if exists && onlyIfNew { continue }
            try writer.put(env.itemsDB, fieldKey(record, field), Self.encodeField(field, value))
            if !exists {
                added += 1
                count += 1
            }
        }
        guard added > 0 || old != nil else { return 0 }
        record.payload = bigEndianKey(count)
        if added > 0 || old == nil { try save(key, record, replacing: old) } else { touch(key) }
        return added
    }

    /// HDEL: returns how many fields were removed; the key goes when its last field does.
    public func hashDelete(_ key: Bytes, _ fields: [Bytes]) throws -> Int {
        guard var record = try record(key, of: .hash) else { return 0 }
        var count = Self.count(record)
        var removed = 0
        for field in Set(fields) where try fieldValue(record, field) != nil {
            try writer.delete(env.itemsDB, fieldKey(record, field))
            removed += 1
            count -= 1
        }
        guard removed > 0 else { return 0 }
        if count == 0 {
            try delete(key)
        } else {
            let old = record
            record.payload = bigEndianKey(count)
            try save(key, record, replacing: old)
        }
        return removed
    }

    /// HINCRBY: returns the new value.
    public func hashIncrement(_ key: Bytes, _ field: Bytes, by delta: Int64) throws -> Int64 {
        var current: Int64 = 0
        if let raw = try hashGet(key, field) {
            guard let v = Self.parseInteger(raw) else { throw StoreError.notAnInteger }
            current = v
        }
        let (sum, overflow) = current.addingReportingOverflow(delta)
        if overflow { throw StoreError.overflow }
        _ = try hashSet(key, [(field, Array(String(sum).utf8))])
        return sum
    }

    /// HINCRBYFLOAT: returns the new value as text.
    public func hashIncrementFloat(_ key: Bytes, _ field: Bytes, by delta: LongDouble) throws -> Bytes {
        var current: LongDouble = 0
        if let raw = try hashGet(key, field) {
            guard let v = Self.parseFloat(raw) else { throw StoreError.notAFloat }
            current = v
        }
        let sum = current + delta
        guard sum.isFinite else { throw StoreError.nanOrInfinity }
        let text = Array(Self.formatFloat(sum).utf8)
        _ = try hashSet(key, [(field, text)])
        return text
    }
}
