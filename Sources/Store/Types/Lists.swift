/// Lists: elements filed in `items` under `objectID + "l" + index`, the index biased so that byte order is
/// numeric order. The key record's payload holds `[head, tail)`, so pushes and pops at either end, LLEN,
/// LINDEX and LSET are O(1); LREM, LINSERT and LTRIM rewrite the list.
public enum ListEnd: Sendable {
    case left, right
}

extension Keyspace {
    private static let elementTag = UInt8(ascii: "l")

    private struct Bounds {
        var head: Int64
        var tail: Int64
        var count: Int { Int(tail - head) }
    }

    private static func bounds(_ record: KeyRecord) -> Bounds {
        var r = ByteReader(record.payload)
        return Bounds(head: r.readInt64(), tail: r.readInt64())
    }

    private static func encode(_ b: Bounds) -> Bytes {
        var out = Bytes()
        out.appendBigEndian(b.head)
        out.appendBigEndian(b.tail)
        return out
    }

    private func elementKey(_ record: KeyRecord, _ index: Int64) -> Bytes {
        itemKey(record.objectID, Self.elementTag, bigEndianKey(UInt64(bitPattern: index) ^ (1 << 63)))
    }

    /// Maps a Redis index (negative from the end) into `0..<count`, or nil when outside.
    private static func position(_ index: Int, count: Int) -> Int? {
        let i = index < 0 ? count + index : index
        return (0..<count).contains(i) ? i : nil
    }

    public func listLength(_ key: Bytes) throws -> Int {
        guard let record = try record(key, of: .list) else { return 0 }
        return Self.bounds(record).count
    }

    /// LPUSH/RPUSH (and the X forms with `onlyIfExists`): returns the new length (0 if nothing was pushed).
    public func listPush(_ key: Bytes, _ values: [Bytes], at end: ListEnd, onlyIfExists: Bool = false) throws -> Int {
        let old = try record(key, of: .list)
        if old == nil && onlyIfExists { return 0 }
        var record = try old ?? KeyRecord(type: .list, objectID: newObjectID(), payload: Self.encode(Bounds(head: 0, tail: 0)))
        var b = Self.bounds(record)
        for v in values {
            switch end {
            case .left:
                b.head -= 1
                try writer.put(env.itemsDB, elementKey(record, b.head), v)
            case .right:
                try writer.put(env.itemsDB, elementKey(record, b.tail), v)
                b.tail += 1
            }
        }
        record.payload = Self.encode(b)
        try save(key, record, replacing: old)
        return b.count
    }

    /// LPOP/RPOP: removes up to `count` elements from one end; nil when the key is missing.
    public func listPop(_ key: Bytes, from end: ListEnd, count: Int) throws -> [Bytes]? {
        guard var record = try record(key, of: .list) else { return nil }
        let old = record
        var b = Self.bounds(record)
        var out: [Bytes] = []
        while out.count < count && b.count > 0 {
            let index = end == .left ? b.head : b.tail - 1
            let k = elementKey(record, index)
            out.append(try txn.get(env.itemsDB, k) ?? [])
            try writer.delete(env.itemsDB, k)
            if end == .left { b.head += 1 } else { b.tail -= 1 }
        }
        if b.count == 0 {
            try delete(key)
        } else {
            record.payload = Self.encode(b)
            try save(key, record, replacing: old)
        }
        return out
    }

    /// LRANGE with Redis's index rules.
    public func listRange(_ key: Bytes, _ start: Int, _ stop: Int) throws -> [Bytes] {
        guard let record = try record(key, of: .list) else { return [] }
        return try elements(record, start, stop)
    }

    private func elements(_ record: KeyRecord, _ start: Int = 0, _ stop: Int = -1) throws -> [Bytes] {
        let b = Self.bounds(record)
        var s = start < 0 ? b.count + start : start
        var e = stop < 0 ? b.count + stop : stop
        s = Swift.max(s, 0)
        e = Swift.min(e, b.count - 1)
        guard s <= e else { return [] }
        var out: [Bytes] = []
        out.reserveCapacity(e - s + 1)
        try txn.scan(env.itemsDB, prefix: itemKey(record.objectID, Self.elementTag, []),
                     from: elementKey(record, b.head + Int64(s))) { _, v in
            out.append(v)
            return out.count < e - s + 1
        }
        return out
    }

    public func listIndex(_ key: Bytes, _ index: Int) throws -> Bytes? {
        guard let record = try record(key, of: .list) else { return nil }
        let b = Self.bounds(record)
        guard let i = Self.position(index, count: b.count) else { return nil }
        return try txn.get(env.itemsDB, elementKey(record, b.head + Int64(i)))
    }

    /// LSET. - Throws: `noSuchKey`, `indexOutOfRange`.
    public func listSet(_ key: Bytes, _ index: Int, _ value: Bytes) throws {
        guard let record = try record(key, of: .list) else { throw StoreError.noSuchKey }
        let b = Self.bounds(record)
        guard let i = Self.position(index, count: b.count) else { throw StoreError.indexOutOfRange }
        try writer.put(env.itemsDB, elementKey(record, b.head + Int64(i)), value)
        touch(key)
    }

    /// Replaces the whole list (used by the operations that change its middle).
    private func rewrite(_ key: Bytes, _ old: KeyRecord, _ elements: [Bytes]) throws {
        try writer.deletePrefix(env.itemsDB, itemKey(old.objectID, Self.elementTag, []))
        if elements.isEmpty {
            try delete(key)
            return
        }
        var record = old
        for (i, v) in elements.enumerated() { try writer.put(env.itemsDB, elementKey(record, Int64(i)), v) }
        record.payload = Self.encode(Bounds(head: 0, tail: Int64(elements.count)))
        try save(key, record, replacing: old)
    }

    /// LREM: removes `count` occurrences (from the tail when negative, all when 0); returns how many.
    public func listRemove(_ key: Bytes, count: Int, _ value: Bytes) throws -> Int {
        guard let record = try record(key, of: .list) else { return 0 }
        var elements = try elements(record)
        var removed = 0
        let limit = count == 0 ? Int.max : abs(count)
        let indices = count < 0 ? Array(elements.indices.reversed()) : Array(elements.indices)
        var drop = Set<Int>()
        for i in indices where removed < limit && elements[i] == value {
            drop.insert(i)
            removed += 1
        }
        guard removed > 0 else { return 0 }
        elements = elements.enumerated().filter { !drop.contains($0.offset) }.map(\.element)
        try rewrite(key, record, elements)
        return removed
    }

    /// LTRIM: keeps `start...stop`.
    public func listTrim(_ key: Bytes, _ start: Int, _ stop: Int) throws {
        guard let record = try record(key, of: .list) else { return }
        let kept = try elements(record, start, stop)
        if kept.count == Self.bounds(record).count { return }
        try rewrite(key, record, kept)
    }

    /// LINSERT: returns the new length, -1 when the pivot is absent, 0 when the key is missing.
    public func listInsert(_ key: Bytes, before: Bool, pivot: Bytes, _ value: Bytes) throws -> Int {
        guard let record = try record(key, of: .list) else { return 0 }
        var elements = try elements(record)
        guard let at = elements.firstIndex(of: pivot) else { return -1 }
        elements.insert(value, at: before ? at : at + 1)
        try rewrite(key, record, elements)
        return elements.count
    }

    /// LPOS: positions of `value`; `rank` counts matches from the head (negative: from the tail), `count` 0
    /// means all, `maxLength` 0 means scan everything.
    public func listPositions(_ key: Bytes, _ value: Bytes, rank: Int, count: Int, maxLength: Int) throws -> [Int] {
        guard let record = try record(key, of: .list) else { return [] }
        let elements = try elements(record)
        let order = rank < 0 ? Array(elements.indices.reversed()) : Array(elements.indices)
        var skip = abs(rank) - 1
        var out: [Int] = []
        for (scanned, i) in order.enumerated() {
            if maxLength > 0 && scanned >= maxLength { break }
            guard elements[i] == value else { continue }
            if skip > 0 {
                skip -= 1
                continue
            }
            out.append(i)
            if count > 0 && out.count >= count { break }
        }
        return out
    }

    /// LMOVE: pops from `source` at `from` and pushes to `destination` at `to`; nil when the source is empty.
    /// - Throws: `wrongType` if either key holds another type (checked before anything moves).
    public func listMove(_ source: Bytes, _ destination: Bytes, from: ListEnd, to: ListEnd) throws -> Bytes? {
        guard try record(source, of: .list) != nil else { return nil }
        _ = try record(destination, of: .list)
        guard let value = try listPop(source, from: from, count: 1)?.first else { return nil }
        _ = try listPush(destination, [value], at: to)
        return value
    }
}
