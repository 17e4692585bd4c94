/// Lag and entries-read estimates, and what XINFO reports.
///
/// A group's `entries_read` stays exact while no entry after its last ID was deleted (no "tombstone" ahead);
/// otherwise it is estimated from the stream's counters, or unknown.
extension Keyspace {
    /// Whether an XDEL may have left a gap within `[start, end]`.
    static func rangeHasTombstones(_ meta: StreamMeta, from start: StreamID, to end: StreamID) -> Bool {
        if meta.length == 0 || meta.maxDeletedID == .zero { return false }
        if meta.firstID > meta.maxDeletedID { return false }
        return start <= meta.maxDeletedID && meta.maxDeletedID <= end
    }

    /// The logical position of `id` counted from the first entry ever added, or -1 when it cannot be known.
    /// The counters are read as Redis's `long long` (XSETID ENTRIESADDED can set any value up to 2^63 - 1 and
    /// XADD counts on from there), so the arithmetic wraps as Redis's does.
    static func estimateEntriesRead(_ meta: StreamMeta, upTo id: StreamID) -> Int64 {
        let added = Int64(bitPattern: meta.entriesAdded)
        let length = Int64(bitPattern: meta.length)
        if meta.entriesAdded == 0 { return 0 }
        if meta.length == 0 && id <= meta.lastID { return added }
        if id == meta.lastID { return added }
        if id > meta.lastID { return -1 }
        if meta.maxDeletedID == .zero || meta.maxDeletedID < meta.firstID {
            if id < meta.firstID { return added &- length }
            if id == meta.firstID { return added &- length &+ 1 }
        }
        return -1
    }

    /// How many entries the group has not read yet, or nil when that cannot be known.
    static func lag(_ meta: StreamMeta, _ group: GroupRecord) -> Int64? {
        if meta.entriesAdded == 0 { return 0 }
        if group.entriesRead != -1 && !rangeHasTombstones(meta, from: group.lastID, to: .max) {
            return Int64(bitPattern: meta.entriesAdded) &- group.entriesRead
        }
        let read = estimateEntriesRead(meta, upTo: group.lastID)
        return read == -1 ? nil : Int64(bitPattern: meta.entriesAdded) &- read
    }

    /// A group as XINFO GROUPS shows it.
    public struct GroupSummary: Sendable {
        public let record: GroupRecord
        public let consumers: Int
        public let lag: Int64?
    }

    /// XINFO GROUPS. Returns nil when the key does not exist.
    public func groupSummaries(_ key: Bytes) throws -> [GroupSummary]? {
        guard let stream = try stream(key) else { return nil }
        return try groups(stream).map { group in
            GroupSummary(record: group, consumers: try consumers(group).count, lag: Self.lag(stream.meta, group))
        }
    }

    /// XINFO CONSUMERS.
    public func consumerRecords(_ key: Bytes, group name: Bytes) throws -> [ConsumerRecord] {
        let (_, group) = try streamAndGroup(key, name)
        return try consumers(group)
    }

    /// Everything XINFO STREAM FULL shows of one group: its summary, its PEL (up to `count`, 0 for all) and
    /// each consumer with its own pending entries.
    public struct GroupDetail: Sendable {
        public let summary: GroupSummary
        public let pending: [PendingEntry]
        public let consumers: [(ConsumerRecord, [PendingEntry])]
    }

    public func groupDetails(_ key: Bytes, count: Int) throws -> [GroupDetail] {
        guard let stream = try stream(key) else { return [] }
        return try groups(stream).map { group in
            var pending: [PendingEntry] = []
            try forEachPending(group) { pending.append($0); return count == 0 || pending.count < count }
            let consumers = try consumers(group).map { consumer in
                var own: [PendingEntry] = []
                try forEachPending(group, consumer: consumer) { own.append($0); return count == 0 || own.count < count }
                return (consumer, own)
            }
            let summary = GroupSummary(record: group, consumers: consumers.count, lag: Self.lag(stream.meta, group))
            return GroupDetail(summary: summary, pending: pending, consumers: consumers)
        }
    }

    /// The number of groups of a stream.
    public func groupCount(_ key: Bytes) throws -> Int {
        guard let stream = try stream(key) else { return 0 }
        return try groups(stream).count
    }
}
