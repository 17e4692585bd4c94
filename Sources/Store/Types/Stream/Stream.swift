import Atomics

/// Streams: entries filed in `items` under `objectID + "e" + ID(16, big-endian)`, so XRANGE is a cursor scan.
/// The stream's counters live in the key record's payload (`StreamMeta`).
public struct StreamMeta: Sendable, Equatable {
    public var length: UInt64 = 0
    public var lastID: StreamID = .zero
    public var maxDeletedID: StreamID = .zero
    public var entriesAdded: UInt64 = 0
    /// Redis's recorded-first-entry-id: the first entry's ID, 0-0 when empty.
    public var firstID: StreamID = .zero

    init() {}

    init(decoding bytes: Bytes) {
        var r = ByteReader(bytes)
        length = r.readUInt64()
        lastID = StreamID(ms: r.readUInt64(), seq: r.readUInt64())
        maxDeletedID = StreamID(ms: r.readUInt64(), seq: r.readUInt64())
        entriesAdded = r.readUInt64()
        firstID = StreamID(ms: r.readUInt64(), seq: r.readUInt64())
    }

    func encoded() -> Bytes {
        var b = Bytes()
        b.reserveCapacity(72)
        b.appendBigEndian(length)
        b.append(contentsOf: lastID.key)
        b.append(contentsOf: maxDeletedID.key)
        b.appendBigEndian(entriesAdded)
        b.append(contentsOf: firstID.key)
        return b
    }
}

/// One entry: its ID and its field/value pairs, flattened.
public struct StreamEntry: Sendable, Equatable {
    public let id: StreamID
    public let fields: [Bytes]
}

/// How XADD and XTRIM trim: MAXLEN or MINID, exact (`=`) or approximate (`~`, whole nodes only), with LIMIT.
public struct StreamTrim: Sendable {
    public enum Strategy: Sendable {
        case maxLength(UInt64)
        case minID(StreamID)
    }
    public var strategy: Strategy
    public var approximate: Bool
    /// Most entries removed in one call; 0 means no limit.
    public var limit: Int

    public init(strategy: Strategy, approximate: Bool, limit: Int) {
        self.strategy = strategy
        self.approximate = approximate
        self.limit = limit
    }
}

/// A stream key's record and counters, loaded once per command.
struct StreamHandle {
    var record: KeyRecord
    var meta: StreamMeta
    var objectID: UInt64 { record.objectID }
    func entryKey(_ id: StreamID) -> Bytes { bigEndianKey(objectID) + [UInt8(ascii: "e")] + id.key }
    var entryPrefix: Bytes { bigEndianKey(objectID) + [UInt8(ascii: "e")] }
}

extension Keyspace {
    /// The node size that `~` trimming works in, as Redis's `stream-node-max-entries` (CONFIG SET changes it
    /// while the writer reads it, hence the atomic).
    public static var streamNodeMaxEntries: Int {
        get { nodeMaxEntries.load(ordering: .relaxed) }
        set { nodeMaxEntries.store(newValue, ordering: .relaxed) }
    }
    private static let nodeMaxEntries = ManagedAtomic<Int>(100)

    func stream(_ key: Bytes) throws -> StreamHandle? {
        guard let record = try record(key, of: .stream) else { return nil }
        return StreamHandle(record: record, meta: StreamMeta(decoding: record.payload))
    }

    func saveStream(_ key: Bytes, _ handle: StreamHandle) throws {
        var record = handle.record
        record.payload = handle.meta.encoded()
        try save(key, record, replacing: handle.record)
    }

    func createStream(_ key: Bytes) throws -> StreamHandle {
        let record = KeyRecord(type: .stream, objectID: try newObjectID(), payload: StreamMeta().encoded())
        try save(key, record, replacing: nil)
        return StreamHandle(record: record, meta: StreamMeta())
    }

    /// The counters of the stream at `key`; nil when missing.
    public func streamMeta(_ key: Bytes) throws -> StreamMeta? { try stream(key)?.meta }

    // MARK: Entry encoding

    static func encodeFields(_ fields: [Bytes]) -> Bytes {
        var b = Bytes()
        b.reserveCapacity(fields.reduce(4) { $0 + $1.count + 4 })
        b.appendBigEndian(UInt32(fields.count))
        for f in fields { b.appendLengthPrefixed(f) }
        return b
    }

    static func decodeFields(_ bytes: Bytes) -> [Bytes] {
        var r = ByteReader(bytes)
        let n = Int(r.readUInt32())
        return (0..<n).map { _ in r.readLengthPrefixed() }
    }

    func entry(_ handle: StreamHandle, _ id: StreamID) throws -> StreamEntry? {
        try txn.get(env.itemsDB, handle.entryKey(id)).map { StreamEntry(id: id, fields: Self.decodeFields($0)) }
    }

    // MARK: XADD

    /// The ID an XADD gets; the rules are stated on `StreamID`.
    func nextID(after last: StreamID, _ requested: XAddID) throws(StreamError) -> StreamID {
        switch requested {
        case .auto:
            let now = UInt64(Swift.max(0, txn.now))
            if now > last.ms { return StreamID(ms: now, seq: 0) }
            guard let next = last.successor else { throw .idSpaceExhausted }
            return next
        case .autoSequence(let ms):
            if ms > last.ms { return StreamID(ms: ms, seq: ms == 0 ? 1 : 0) }
            guard ms == last.ms, last.seq < .max else { throw .idNotGreaterThanTop }
            return StreamID(ms: ms, seq: last.seq + 1)
        case .explicit(let id):
            if id == .zero { throw .idMustBeGreaterThanZero }
            guard id > last else { throw .idNotGreaterThanTop }
            return id
        }
    }

    /// XADD: appends an entry, creating the stream unless `noMakeStream`; returns nil when the stream does not
    /// exist and `noMakeStream` is set. Trims afterwards when asked.
    public func streamAdd(_ key: Bytes, id requested: XAddID, fields: [Bytes], noMakeStream: Bool = false,
                          trim: StreamTrim? = nil) throws -> StreamID? {
        var handle: StreamHandle
        if let existing = try stream(key) {
            handle = existing
        } else {
            if noMakeStream { return nil }
            if case .explicit(let id) = requested, id == .zero { throw StoreError.stream(.idMustBeGreaterThanZero) }
            handle = StreamHandle(record: KeyRecord(type: .stream, payload: []), meta: StreamMeta())
        }
        // At the last possible ID no XADD can succeed, whatever ID it asks for (Redis checks this first).
        if handle.meta.lastID == .max { throw StoreError.stream(.idSpaceExhausted) }
        let id: StreamID
        do { id = try nextID(after: handle.meta.lastID, requested) } catch { throw StoreError.stream(error) }
        if handle.record.objectID == 0 { handle = try createStream(key) }
        try writer.put(env.itemsDB, handle.entryKey(id), Self.encodeFields(fields))
        handle.meta.length += 1
        // XSETID ENTRIESADDED may have put the counter anywhere; like Redis's uint64_t it wraps.
        handle.meta.entriesAdded &+= 1
        handle.meta.lastID = id
        if handle.meta.length == 1 { handle.meta.firstID = id }
        if let trim { _ = try trimEntries(&handle, trim) }
        try saveStream(key, handle)
        return id
    }

    // MARK: XRANGE, XREVRANGE, XREAD

    /// Entries with `start <= id <= end`, in order (or reversed), at most `count` (nil: all).
    public func streamRange(_ key: Bytes, from start: StreamID, to end: StreamID, count: Int? = nil,
                            reverse: Bool = false) throws -> [StreamEntry] {
        guard let handle = try stream(key) else { return [] }
        return try entries(handle, from: start, to: end, count: count, reverse: reverse)
    }

    func entries(_ handle: StreamHandle, from start: StreamID, to end: StreamID, count: Int?,
                 reverse: Bool = false) throws -> [StreamEntry] {
        var out: [StreamEntry] = []
        if start > end || count == 0 { return out }
        let visit: (Bytes, Bytes) throws -> Bool = { k, v in
            let id = StreamID(key: k.suffix(16))
            if reverse ? id < start : id > end { return false }
            out.append(StreamEntry(id: id, fields: Self.decodeFields(v)))
            return count.map { out.count < $0 } ?? true
        }
        if reverse {
            try txn.scanReverse(env.itemsDB, prefix: handle.entryPrefix, from: handle.entryKey(end), visit)
        } else {
            try txn.scan(env.itemsDB, prefix: handle.entryPrefix, from: handle.entryKey(start), visit)
        }
        return out
    }

    /// The last entry, or nil when the stream is empty or missing.
    public func streamLastEntry(_ key: Bytes) throws -> StreamEntry? {
        guard let handle = try stream(key) else { return nil }
        return try entries(handle, from: .zero, to: .max, count: 1, reverse: true).first
    }

    // MARK: XDEL, XTRIM, XSETID

    /// XDEL: deletes the given entries; returns how many existed.
    public func streamDelete(_ key: Bytes, ids: [StreamID]) throws -> Int {
        guard var handle = try stream(key) else { return 0 }
        var deleted = 0
        for id in ids where try writer.delete(env.itemsDB, handle.entryKey(id)) {
            deleted += 1
            handle.meta.length -= 1
            if id > handle.meta.maxDeletedID { handle.meta.maxDeletedID = id }
        }
        guard deleted > 0 else { return 0 }
        try refreshFirstID(&handle)
        try saveStream(key, handle)
        return deleted
    }

    /// XTRIM: returns how many entries were removed.
    public func streamTrim(_ key: Bytes, _ trim: StreamTrim) throws -> Int {
        guard var handle = try stream(key) else { return 0 }
        let removed = try trimEntries(&handle, trim)
        if removed > 0 { try saveStream(key, handle) }
        return removed
    }

    /// Removes the oldest entries as `trim` says. With `~`, only in whole nodes of `streamNodeMaxEntries`
    /// entries, as Redis trims whole radix-tree nodes.
    func trimEntries(_ handle: inout StreamHandle, _ trim: StreamTrim) throws -> Int {
        let node = UInt64(Swift.max(1, Self.streamNodeMaxEntries))
        var budget: UInt64
        switch trim.strategy {
        case .maxLength(let max):
            guard handle.meta.length > max else { return 0 }
            budget = handle.meta.length - max
            if trim.approximate { budget -= budget % node }
        case .minID:
            budget = handle.meta.length
        }
        let limit = UInt64(trim.limit)
        if limit > 0 { budget = Swift.min(budget, trim.approximate ? limit - limit % node : limit) }
        guard budget > 0 else { return 0 }
        var victims: [Bytes] = []
        try txn.scanRaw(env.itemsDB, prefix: handle.entryPrefix) { k, _ in
            if case .minID(let min) = trim.strategy, StreamID(key: k.suffix(16)) >= min { return false }
            victims.append(Bytes(k))
            return UInt64(victims.count) < budget
        }
        if trim.approximate, case .minID = trim.strategy {
            victims.removeLast(victims.count % Int(node))
        }
        for k in victims { try writer.delete(env.itemsDB, k) }
        handle.meta.length -= UInt64(victims.count)
        if !victims.isEmpty { try refreshFirstID(&handle) }
        return victims.count
    }

    private func refreshFirstID(_ handle: inout StreamHandle) throws {
        handle.meta.firstID = try entries(handle, from: .zero, to: .max, count: 1).first?.id ?? .zero
    }

    /// XSETID: moves the last ID (and optionally entries-added and max-deleted-entry-id).
    public func streamSetID(_ key: Bytes, lastID: StreamID, entriesAdded: UInt64?, maxDeletedID: StreamID?) throws {
        guard var handle = try stream(key) else { throw StoreError.stream(.noSuchKey) }
        if let entriesAdded, entriesAdded < handle.meta.length {
            throw StoreError.stream(.setIDEntriesAddedSmallerThanLength)
        }
        if let maxDeletedID, lastID < maxDeletedID { throw StoreError.stream(.setIDMaxDeletedGreaterThanID) }
        if handle.meta.length > 0, let last = try entries(handle, from: .zero, to: .max, count: 1, reverse: true).first,
           lastID < last.id {
            throw StoreError.stream(.setIDSmallerThanTop)
        }
        handle.meta.lastID = lastID
        if let entriesAdded { handle.meta.entriesAdded = entriesAdded }
        if let maxDeletedID { handle.meta.maxDeletedID = maxDeletedID }
        try saveStream(key, handle)
    }

    /// Deletes a stream's entries, groups, consumers and pending lists.
    /// Only the object id is needed: the record may have been read without its payload.
    func removeStreamItems(_ objectID: UInt64) throws {
        for group in try groups(ofStream: objectID) { try removeGroupItems(group) }
        try writer.deletePrefix(env.itemsDB, bigEndianKey(objectID))
    }
}
