/// Consumer groups, their consumers and pending-entries lists (PEL).
///
/// Storage (all in `items`), with one object id per group and per consumer:
/// - group:        `streamObject + "g" + name`      → `GroupRecord`
/// - group PEL:    `groupObject + "p" + ID`         → `PendingRecord` (delivery time, count, consumer name)
/// - consumer:     `groupObject + "c" + name`       → `ConsumerRecord`
/// - consumer PEL: `consumerObject + "q" + ID`      → empty
///
/// The group rules, stated once:
/// - One pending entry (NACK) is shared by the group and the consumer that owns it: it is in the group PEL
///   and in exactly one consumer PEL, and both are changed together.
/// - `entries_read` counts the entries the group has read, or is invalid (-1) when it cannot be known; lag is
///   `entries_added - entries_read` when that count is trustworthy (see `StreamInfo.swift`).
/// - A consumer exists from the first command that names it (XREADGROUP, XCLAIM, CREATECONSUMER).
public struct GroupRecord: Sendable {
    public internal(set) var name: Bytes
    let id: UInt64
    public internal(set) var lastID: StreamID
    /// -1 when unknown.
    public internal(set) var entriesRead: Int64
    public internal(set) var pending: UInt64

    init(name: Bytes, id: UInt64, lastID: StreamID, entriesRead: Int64, pending: UInt64 = 0) {
        self.name = name
        self.id = id
        self.lastID = lastID
        self.entriesRead = entriesRead
        self.pending = pending
    }

    init(decoding bytes: Bytes) {
        var r = ByteReader(bytes)
        id = r.readUInt64()
        lastID = StreamID(ms: r.readUInt64(), seq: r.readUInt64())
        entriesRead = r.readInt64()
        pending = r.readUInt64()
        name = r.readLengthPrefixed()
    }

    func encoded() -> Bytes {
        var b = Bytes()
        b.appendBigEndian(id)
        b.append(contentsOf: lastID.key)
        b.appendBigEndian(entriesRead)
        b.appendBigEndian(pending)
        b.appendLengthPrefixed(name)
        return b
    }
}

public struct ConsumerRecord: Sendable {
    public internal(set) var name: Bytes
    let id: UInt64
    /// Last time the consumer was named by a command (Unix ms).
    public internal(set) var seenTime: Int64
    /// Last time it was given or claimed entries (Unix ms), -1 when never.
    public internal(set) var activeTime: Int64
    public internal(set) var pending: UInt64

    init(name: Bytes, id: UInt64, seenTime: Int64, activeTime: Int64 = -1, pending: UInt64 = 0) {
        self.name = name
        self.id = id
        self.seenTime = seenTime
        self.activeTime = activeTime
        self.pending = pending
    }

    init(decoding bytes: Bytes) {
        var r = ByteReader(bytes)
        id = r.readUInt64()
        seenTime = r.readInt64()
        activeTime = r.readInt64()
        pending = r.readUInt64()
        name = r.readLengthPrefixed()
    }

    func encoded() -> Bytes {
        var b = Bytes()
        b.appendBigEndian(id)
        b.appendBigEndian(seenTime)
        b.appendBigEndian(activeTime)
        b.appendBigEndian(pending)
        b.appendLengthPrefixed(name)
        return b
    }
}

/// A pending entry as XPENDING and XINFO show it.
public struct PendingEntry: Sendable {
    public let id: StreamID
    public internal(set) var consumer: Bytes
    public internal(set) var deliveryTime: Int64
    public internal(set) var deliveryCount: UInt64

    init(id: StreamID, decoding bytes: Bytes) {
        var r = ByteReader(bytes)
        self.id = id
        deliveryTime = r.readInt64()
        deliveryCount = r.readUInt64()
        consumer = r.readLengthPrefixed()
    }

    init(id: StreamID, consumer: Bytes, deliveryTime: Int64, deliveryCount: UInt64) {
        self.id = id
        self.consumer = consumer
        self.deliveryTime = deliveryTime
        self.deliveryCount = deliveryCount
    }

    func encoded() -> Bytes {
        var b = Bytes()
        b.appendBigEndian(deliveryTime)
        b.appendBigEndian(deliveryCount)
        b.appendLengthPrefixed(consumer)
        return b
    }
}

// MARK: - Records

extension Keyspace {
    static let groupTag = UInt8(ascii: "g")
    static let pendingTag = UInt8(ascii: "p")
    static let consumerTag = UInt8(ascii: "c")
    static let consumerPendingTag = UInt8(ascii: "q")

    func itemKey(_ object: UInt64, _ tag: UInt8, _ suffix: Bytes) -> Bytes {
        var k = bigEndianKey(object)
        k.append(tag)
        k.append(contentsOf: suffix)
        return k
    }

    func groups(_ stream: StreamHandle) throws -> [GroupRecord] { try groups(ofStream: stream.objectID) }

    func groups(ofStream objectID: UInt64) throws -> [GroupRecord] {
        var out: [GroupRecord] = []
        try txn.scan(env.itemsDB, prefix: itemKey(objectID, Self.groupTag, [])) { _, v in
            out.append(GroupRecord(decoding: v))
            return true
        }
        return out
    }

    func group(_ stream: StreamHandle, _ name: Bytes) throws -> GroupRecord? {
        try txn.get(env.itemsDB, itemKey(stream.objectID, Self.groupTag, KeyName.encode(name)))
            .map(GroupRecord.init(decoding:))
            .flatMap { $0.name == name ? $0 : nil }
    }

    func saveGroup(_ stream: StreamHandle, _ group: GroupRecord) throws {
        try writer.put(env.itemsDB, itemKey(stream.objectID, Self.groupTag, KeyName.encode(group.name)), group.encoded())
    }

    func consumers(_ group: GroupRecord) throws -> [ConsumerRecord] {
        var out: [ConsumerRecord] = []
        try txn.scan(env.itemsDB, prefix: itemKey(group.id, Self.consumerTag, [])) { _, v in
            out.append(ConsumerRecord(decoding: v))
            return true
        }
        return out
    }

    func consumer(_ group: GroupRecord, _ name: Bytes) throws -> ConsumerRecord? {
        try txn.get(env.itemsDB, itemKey(group.id, Self.consumerTag, KeyName.encode(name)))
            .map(ConsumerRecord.init(decoding:))
            .flatMap { $0.name == name ? $0 : nil }
    }

    func saveConsumer(_ group: GroupRecord, _ consumer: ConsumerRecord) throws {
        try writer.put(env.itemsDB, itemKey(group.id, Self.consumerTag, KeyName.encode(consumer.name)), consumer.encoded())
    }

    /// The consumer named `name`, created if missing; its seen-time is set to now either way.
    func seenConsumer(_ group: GroupRecord, _ name: Bytes) throws -> ConsumerRecord {
        var consumer = try consumer(group, name) ?? ConsumerRecord(name: name, id: try newObjectID(), seenTime: now)
        consumer.seenTime = now
        try saveConsumer(group, consumer)
        return consumer
    }

    func pendingEntry(_ group: GroupRecord, _ id: StreamID) throws -> PendingEntry? {
        try txn.get(env.itemsDB, itemKey(group.id, Self.pendingTag, id.key)).map { PendingEntry(id: id, decoding: $0) }
    }

    func savePending(_ group: GroupRecord, _ entry: PendingEntry) throws {
        try writer.put(env.itemsDB, itemKey(group.id, Self.pendingTag, entry.id.key), entry.encoded())
    }

    /// Visits a PEL (a group's, or one consumer's with `consumer`) from `start` to `end`.
    func forEachPending(_ group: GroupRecord, consumer: ConsumerRecord? = nil, from start: StreamID = .zero,
                        to end: StreamID = .max, _ body: (PendingEntry) throws -> Bool) throws {
        if let consumer {
            try txn.scan(env.itemsDB, prefix: itemKey(consumer.id, Self.consumerPendingTag, []),
                         from: itemKey(consumer.id, Self.consumerPendingTag, start.key)) { k, _ in
                let id = StreamID(key: k.suffix(16))
                guard id <= end else { return false }
                guard let entry = try pendingEntry(group, id) else { return true }
                return try body(entry)
            }
        } else {
            try txn.scan(env.itemsDB, prefix: itemKey(group.id, Self.pendingTag, []),
                         from: itemKey(group.id, Self.pendingTag, start.key)) { k, v in
                let id = StreamID(key: k.suffix(16))
                guard id <= end else { return false }
                return try body(PendingEntry(id: id, decoding: v))
            }
        }
    }

    // MARK: - XGROUP

    /// XGROUP CREATE. `startID` nil means `$` (the stream's last ID).
    /// - Throws: `groupNeedsStream` when the key is missing and `makeStream` is false; `groupExists`.
    public func groupCreate(_ key: Bytes, _ name: Bytes, startID: StreamID?, entriesRead: Int64?,
                            makeStream: Bool) throws {
        var stream = try stream(key)
        if stream == nil {
            guard makeStream else { throw StoreError.stream(.groupNeedsStream) }
            stream = try createStream(key)
        }
        guard let stream else { return }
        if try group(stream, name) != nil { throw StoreError.stream(.groupExists) }
        let start = startID ?? stream.meta.lastID
        let read = entriesRead ?? -1
        try saveGroup(stream, GroupRecord(name: name, id: try newObjectID(), lastID: start, entriesRead: read))
        touch(key)
    }

    /// The stream and group a group command works on.
    /// - Throws: `noSuchKey` or `noGroup`, as the caller's command reports them.
    func streamAndGroup(_ key: Bytes, _ name: Bytes) throws -> (StreamHandle, GroupRecord) {
        guard let stream = try stream(key) else { throw StoreError.stream(.noGroup(key: key, group: name)) }
        guard let group = try group(stream, name) else { throw StoreError.stream(.noGroup(key: key, group: name)) }
        return (stream, group)
    }

    /// Whether `key` is a stream with a group `name` (XREADGROUP checks every stream before reading any).
    public func groupExists(_ key: Bytes, _ name: Bytes) throws -> Bool {
        guard let stream = try stream(key) else { return false }
        return try group(stream, name) != nil
    }

    /// XGROUP SETID. `id` nil means `$`.
    public func groupSetID(_ key: Bytes, _ name: Bytes, id: StreamID?, entriesRead: Int64?) throws {
        let (stream, initial) = try streamAndGroup(key, name)
        var group = initial
        group.lastID = id ?? stream.meta.lastID
        group.entriesRead = entriesRead ?? -1
        try saveGroup(stream, group)
    }

    /// XGROUP DESTROY: returns whether the group existed.
    public func groupDestroy(_ key: Bytes, _ name: Bytes) throws -> Bool {
        guard let stream = try stream(key), let group = try group(stream, name) else { return false }
        try removeGroupItems(group)
        try writer.delete(env.itemsDB, itemKey(stream.objectID, Self.groupTag, KeyName.encode(name)))
        touch(key)
        return true
    }

    /// Deletes a group's PEL and its consumers with their PELs (not the group record itself).
    func removeGroupItems(_ group: GroupRecord) throws {
        for consumer in try consumers(group) { try writer.deletePrefix(env.itemsDB, bigEndianKey(consumer.id)) }
        try writer.deletePrefix(env.itemsDB, bigEndianKey(group.id))
    }

    /// XGROUP CREATECONSUMER: returns whether it was created.
    public func consumerCreate(_ key: Bytes, _ groupName: Bytes, _ name: Bytes) throws -> Bool {
        let (_, group) = try streamAndGroup(key, groupName)
        if try consumer(group, name) != nil { return false }
        try saveConsumer(group, ConsumerRecord(name: name, id: try newObjectID(), seenTime: now))
        return true
    }

    /// XGROUP DELCONSUMER: deletes the consumer and its pending entries; returns how many were pending.
    public func consumerDelete(_ key: Bytes, _ groupName: Bytes, _ name: Bytes) throws -> Int {
        let (stream, initial) = try streamAndGroup(key, groupName)
        var group = initial
        guard let consumer = try consumer(group, name) else { return 0 }
        var ids: [StreamID] = []
        try forEachPending(group, consumer: consumer) { ids.append($0.id); return true }
        for id in ids { try writer.delete(env.itemsDB, itemKey(group.id, Self.pendingTag, id.key)) }
        try writer.deletePrefix(env.itemsDB, bigEndianKey(consumer.id))
        try writer.delete(env.itemsDB, itemKey(group.id, Self.consumerTag, KeyName.encode(name)))
        group.pending -= UInt64(ids.count)
        try saveGroup(stream, group)
        return ids.count
    }
}
