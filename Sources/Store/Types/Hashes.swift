/// Hashes keep their fields in insertion order, as Redis's small (listpack) hashes do, with two indexes in `items`:
/// - by name:  `objectID + "h" + field` → `seq(8) field(len-prefixed)` (the name, since long names are digests)
/// - by order: `objectID + "o" + seq(8)` → `field(len-prefixed) value`
/// The key record's payload holds the field count (HLEN is O(1)) and the next sequence number.
extension Keyspace {
    private static let fieldTag = UInt8(ascii: "h")
    private static let orderTag = UInt8(ascii: "o")

    private struct HashHeader {
        var count: UInt64
        var nextSeq: UInt64

        init(_ record: KeyRecord) {
            var r = ByteReader(record.payload)
            count = r.readUInt64()
            nextSeq = r.readUInt64()
        }

        init() {
            count = 0
            nextSeq = 0
        }

        var encoded: Bytes { bigEndianKey(count) + bigEndianKey(nextSeq) }
    }

    private func fieldKey(_ record: KeyRecord, _ field: Bytes) -> Bytes {
        itemKey(record.objectID, Self.fieldTag, KeyName.encode(field))
    }

    private func orderKey(_ record: KeyRecord, _ seq: UInt64) -> Bytes {
        itemKey(record.objectID, Self.orderTag, bigEndianKey(seq))
    }

    private static func decodePair(_ bytes: Bytes) -> (Bytes, Bytes) {
        var r = ByteReader(bytes)
        let field = r.readLengthPrefixed()
        return (field, r.readRest())
    }

    private static func encodePair(_ field: Bytes, _ value: Bytes) -> Bytes {
        var b = Bytes()
        b.reserveCapacity(field.count + value.count + 4)
        b.appendLengthPrefixed(field)
        b.append(contentsOf: value)
        return b
    }

    /// The sequence number of `field`, or nil when the hash has no such field.
    private func sequence(_ record: KeyRecord, _ field: Bytes) throws -> UInt64? {
        guard let raw = try txn.get(env.itemsDB, fieldKey(record, field)) else { return nil }
        var r = ByteReader(raw)
        let seq = r.readUInt64()
        return r.readLengthPrefixed() == field ? seq : nil
    }

    public func hashLength(_ key: Bytes) throws -> Int {
        guard let record = try record(key, of: .hash) else { return 0 }
        return Int(HashHeader(record).count)
    }

    public func hashGet(_ key: Bytes, _ field: Bytes) throws -> Bytes? {
        guard let record = try record(key, of: .hash), let seq = try sequence(record, field) else { return nil }
        return try txn.get(env.itemsDB, orderKey(record, seq)).map { Self.decodePair($0).1 }
    }

    /// All fields and values, in insertion order; empty when missing.
    public func hashGetAll(_ key: Bytes) throws -> [(Bytes, Bytes)] {
        guard let record = try record(key, of: .hash) else { return [] }
        var out: [(Bytes, Bytes)] = []
        try txn.scan(env.itemsDB, prefix: itemKey(record.objectID, Self.orderTag, [])) { _, v in
            out.append(Self.decodePair(v))
            return true
        }
        return out
    }

    /// One HSCAN step; see `scan(cursor:count:pattern:type:)`.
    public func hashScan(_ key: Bytes, cursor: UInt64, count: Int, pattern: GlobPattern?) throws -> (UInt64, [(Bytes, Bytes)]) {
        guard let record = try record(key, of: .hash) else { return (0, []) }
        let prefix = itemKey(record.objectID, Self.orderTag, [])
        var out: [(Bytes, Bytes)] = []
        var visited = 0
        var resume: Bytes?
        try txn.scan(env.itemsDB, prefix: prefix, from: env.scanCursors.position(of: cursor)) { k, v in
            if visited >= count {
                resume = k
                return false
            }
            visited += 1
            let (field, value) = Self.decodePair(v)
            if let pattern, !pattern.matchesAll, !pattern.matches(field) { return true }
            out.append((field, value))
            return true
        }
        return (resume.map { env.scanCursors.register($0) } ?? 0, out)
    }

    /// HSET: sets the fields (new ones go last); returns how many were new.
    public func hashSet(_ key: Bytes, _ pairs: [(Bytes, Bytes)], onlyIfNew: Bool = false) throws -> Int {
        let old = try record(key, of: .hash)
        var record = try old ?? KeyRecord(type: .hash, objectID: newObjectID(), payload: HashHeader().encoded)
        var header = HashHeader(record)
        var added = 0
        for (field, value) in pairs {
            if let seq = try sequence(record, field) {
                if onlyIfNew { continue }
                try writer.put(env.itemsDB, orderKey(record, seq), Self.encodePair(field, value))
            } else {
                let seq = header.nextSeq
                header.nextSeq += 1
                header.count += 1
                added += 1
                var index = bigEndianKey(seq)
                index.appendLengthPrefixed(field)
                try writer.put(env.itemsDB, fieldKey(record, field), index)
                try writer.put(env.itemsDB, orderKey(record, seq), Self.encodePair(field, value))
            }
        }
        if added > 0 {
            record.payload = header.encoded
            try save(key, record, replacing: old)
        } else if old != nil {
            touch(key)
        }
        return added
    }

    /// HDEL: returns how many fields were removed; the key goes when its last field does.
    public func hashDelete(_ key: Bytes, _ fields: [Bytes]) throws -> Int {
        guard var record = try record(key, of: .hash) else { return 0 }
        var header = HashHeader(record)
        var removed = 0
        for field in Set(fields) {
            guard let seq = try sequence(record, field) else { continue }
            try writer.delete(env.itemsDB, fieldKey(record, field))
            try writer.delete(env.itemsDB, orderKey(record, seq))
            removed += 1
            header.count -= 1
        }
        guard removed > 0 else { return 0 }
        if header.count == 0 {
            try delete(key)
        } else {
            let old = record
            record.payload = header.encoded
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
