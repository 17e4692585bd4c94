/// XREADGROUP, XACK, XPENDING, XCLAIM and XAUTOCLAIM: how entries move through a group's PEL.
/// The rules are stated on `ConsumerGroups.swift`.

/// An entry delivered from a PEL: `fields` is nil when the entry has since been deleted from the stream.
public struct DeliveredEntry: Sendable {
    public let id: StreamID
    public let fields: [Bytes]?
}

/// XCLAIM's options.
public struct ClaimOptions: Sendable {
    /// The delivery time to set (Unix ms); nil for now.
    public var deliveryTime: Int64?
    public var retryCount: UInt64?
    public var force = false
    public var justID = false
    public var lastID: StreamID?

    public init() {}
}

extension Keyspace {
    /// XREADGROUP with `>`: delivers up to `count` new entries to `consumerName`, adding them to the PEL
    /// unless `noAck`.
    public func readNew(_ key: Bytes, group groupName: Bytes, consumer consumerName: Bytes, count: Int?,
                        noAck: Bool) throws -> [StreamEntry] {
        let (initialStream, initialGroup) = try streamAndGroup(key, groupName)
        let stream = initialStream
        var group = initialGroup
        guard let start = group.lastID.successor else { return [] }
        let delivered = try entries(stream, from: start, to: .max, count: count)
        // Nothing to deliver leaves no trace, not even the consumer (as Redis 7.0).
        guard !delivered.isEmpty else { return [] }
        var consumer = try seenConsumer(group, consumerName)
        for entry in delivered {
            advance(&group, to: entry.id, in: stream.meta)
            if noAck { continue }
            if var existing = try pendingEntry(group, entry.id) {
                // The ID was delivered before (the group's last ID was moved back): hand it to this consumer.
                try movePending(&existing, in: group, to: &consumer)
                existing.deliveryTime = now
                existing.deliveryCount = 1
                try savePending(group, existing)
            } else {
                try savePending(group, PendingEntry(id: entry.id, consumer: consumerName, deliveryTime: now, deliveryCount: 1))
                try writer.put(env.itemsDB, itemKey(consumer.id, Self.consumerPendingTag, entry.id.key), [])
                consumer.pending += 1
                group.pending += 1
            }
        }
        consumer.activeTime = now
        try saveConsumer(group, consumer)
        try saveGroup(stream, group)
        touch(key)
        return delivered
    }

    /// Moves the group's last ID forward to `id`, keeping `entries_read` exact when it can be.
    private func advance(_ group: inout GroupRecord, to id: StreamID, in meta: StreamMeta) {
        guard id > group.lastID else { return }
        if group.entriesRead != -1 && !Self.rangeHasTombstones(meta, from: id, to: .max) {
            group.entriesRead &+= 1  // XGROUP SETID ENTRIESREAD may have set it to 2^63 - 1: wraps, as in Redis
        } else if meta.entriesAdded > 0 {
            group.entriesRead = Self.estimateEntriesRead(meta, upTo: id)
        }
        group.lastID = id
    }

    /// XREADGROUP with an ID: the consumer's pending entries after `after`, each counted as delivered again.
    public func readHistory(_ key: Bytes, group groupName: Bytes, consumer consumerName: Bytes, after: StreamID,
                            count: Int?) throws -> [DeliveredEntry] {
        let (stream, group) = try streamAndGroup(key, groupName)
        let consumer = try seenConsumer(group, consumerName)
        guard let start = after.successor else { return [] }
        var pending: [PendingEntry] = []
        try forEachPending(group, consumer: consumer, from: start) { entry in
            pending.append(entry)
            return count.map { pending.count < $0 } ?? true
        }
        var out: [DeliveredEntry] = []
        for var entry in pending {
            if let found = try self.entry(stream, entry.id) {
                entry.deliveryTime = now
                entry.deliveryCount &+= 1  // RETRYCOUNT may have set any count; wraps as Redis's uint64_t
                try savePending(group, entry)
                out.append(DeliveredEntry(id: entry.id, fields: found.fields))
            } else {
                out.append(DeliveredEntry(id: entry.id, fields: nil))
            }
        }
        return out
    }

    /// XACK: removes the IDs from the PEL; returns how many were pending. Repeated IDs count once.
    public func acknowledge(_ key: Bytes, group groupName: Bytes, ids: [StreamID]) throws -> Int {
        guard let stream = try stream(key), var group = try group(stream, groupName) else { return 0 }
        var acked = 0
        var consumers: [Bytes: ConsumerRecord] = [:]
        for id in ids {
            guard let entry = try pendingEntry(group, id) else { continue }
            try writer.delete(env.itemsDB, itemKey(group.id, Self.pendingTag, id.key))
            if var owner = try consumers[entry.consumer] ?? consumer(group, entry.consumer) {
                try writer.delete(env.itemsDB, itemKey(owner.id, Self.consumerPendingTag, id.key))
                owner.pending -= 1
                consumers[entry.consumer] = owner
            }
            group.pending -= 1
            acked += 1
        }
        guard acked > 0 else { return 0 }
        for owner in consumers.values { try saveConsumer(group, owner) }
        try saveGroup(stream, group)
        return acked
    }

    /// Moves a pending entry from its owner to `consumer` (both PELs and counters).
    private func movePending(_ entry: inout PendingEntry, in group: GroupRecord, to consumer: inout ConsumerRecord) throws {
        guard entry.consumer != consumer.name else { return }
        if var old = try self.consumer(group, entry.consumer) {
            try writer.delete(env.itemsDB, itemKey(old.id, Self.consumerPendingTag, entry.id.key))
            old.pending -= 1
            try saveConsumer(group, old)
        }
        try writer.put(env.itemsDB, itemKey(consumer.id, Self.consumerPendingTag, entry.id.key), [])
        consumer.pending += 1
        entry.consumer = consumer.name
    }

    /// Deletes a pending entry whose stream entry is gone. `current` is the consumer the command holds in
    /// memory, updated in place when it is the owner.
    private func dropPending(_ entry: PendingEntry, from group: inout GroupRecord, current: inout ConsumerRecord?) throws {
        try writer.delete(env.itemsDB, itemKey(group.id, Self.pendingTag, entry.id.key))
        if var held = current, entry.consumer == held.name {
            try writer.delete(env.itemsDB, itemKey(held.id, Self.consumerPendingTag, entry.id.key))
            held.pending -= 1
            current = held
        } else if var owner = try consumer(group, entry.consumer) {
            try writer.delete(env.itemsDB, itemKey(owner.id, Self.consumerPendingTag, entry.id.key))
            owner.pending -= 1
            try saveConsumer(group, owner)
        }
        group.pending -= 1
    }

    // MARK: XPENDING

    /// XPENDING's summary: count, smallest and largest pending ID, and the count per consumer.
    public func pendingSummary(_ key: Bytes, group groupName: Bytes) throws
        -> (count: UInt64, first: StreamID?, last: StreamID?, consumers: [(Bytes, UInt64)]) {
        let (_, group) = try streamAndGroup(key, groupName)
        guard group.pending > 0 else { return (0, nil, nil, []) }
        var first: StreamID?
        try forEachPending(group) { first = $0.id; return false }
        var last: StreamID?
        try txn.scanReverse(env.itemsDB, prefix: itemKey(group.id, Self.pendingTag, [])) { k, _ in
            last = StreamID(key: k.suffix(16))
            return false
        }
        let owners = try consumers(group).filter { $0.pending > 0 }.map { ($0.name, $0.pending) }
        return (group.pending, first, last, owners)
    }

    /// XPENDING's extended form: pending entries in `[start, end]`, idle at least `minIdle`, of one consumer
    /// when given (an unknown consumer has none).
    public func pendingRange(_ key: Bytes, group groupName: Bytes, from start: StreamID, to end: StreamID,
                             count: Int, consumer consumerName: Bytes?, minIdle: Int64?) throws -> [PendingEntry] {
        let (_, group) = try streamAndGroup(key, groupName)
        var owner: ConsumerRecord?
        if let consumerName {
            guard let c = try consumer(group, consumerName) else { return [] }
            owner = c
        }
        var out: [PendingEntry] = []
        guard count > 0 else { return out }
        try forEachPending(group, consumer: owner, from: start, to: end) { entry in
            if let minIdle, idleTime(since: entry.deliveryTime) < minIdle { return true }
            out.append(entry)
            return out.count < count
        }
        return out
    }

    // MARK: XCLAIM, XAUTOCLAIM

    /// XCLAIM: gives the listed pending entries idle at least `minIdle` to `consumerName`. Entries deleted from
    /// the stream leave the PEL and are not returned.
    public func claim(_ key: Bytes, group groupName: Bytes, consumer consumerName: Bytes, minIdle: Int64,
                      ids: [StreamID], options: ClaimOptions) throws -> [StreamEntry] {
        let (stream, initialGroup) = try streamAndGroup(key, groupName)
        var group = initialGroup
        // The consumer is created only when something is claimed.
        var consumer = try self.consumer(group, consumerName)
        if let lastID = options.lastID, lastID > group.lastID { group.lastID = lastID }
        // A delivery time before 1970 or in the future is taken as now, as Redis does (IDLE and TIME are
        // client numbers: IDLE 2^63 - 1 lands before 1970).
        var deliveryTime = options.deliveryTime ?? now
        if deliveryTime < 0 || deliveryTime > now { deliveryTime = now }
        var out: [StreamEntry] = []
        for id in ids {
            let existing = try pendingEntry(group, id)
            guard let found = try entry(stream, id) else {
                if let existing { try dropPending(existing, from: &group, current: &consumer) }
                continue
            }
            var claimed: PendingEntry
            if let existing {
                if minIdle > 0 && idleTime(since: existing.deliveryTime) < minIdle { continue }
                claimed = existing
            } else {
                guard options.force else { continue }
                claimed = PendingEntry(id: id, consumer: [], deliveryTime: now, deliveryCount: 1)
                group.pending += 1
            }
            var owner = try consumer ?? seenConsumer(group, consumerName)
            if existing == nil {
                try writer.put(env.itemsDB, itemKey(owner.id, Self.consumerPendingTag, id.key), [])
                owner.pending += 1
                claimed.consumer = owner.name
            } else {
                try movePending(&claimed, in: group, to: &owner)
            }
            consumer = owner
            claimed.deliveryTime = deliveryTime
            if let retry = options.retryCount {
                claimed.deliveryCount = retry
            } else if !options.justID {
                claimed.deliveryCount &+= 1
            }
            try savePending(group, claimed)
            out.append(found)
        }
        try finishClaim(stream, group, consumer, claimedAny: !out.isEmpty)
        return out
    }

    /// Saves what a claim changed: the group, and the consumer (seen now; active now if it got entries).
    private func finishClaim(_ stream: StreamHandle, _ group: GroupRecord, _ consumer: ConsumerRecord?,
                             claimedAny: Bool) throws {
        if var consumer {
            consumer.seenTime = now
            if claimedAny { consumer.activeTime = now }
            try saveConsumer(group, consumer)
        }
        try saveGroup(stream, group)
    }

    /// XAUTOCLAIM: scans the PEL from `start`, claiming up to `count` entries idle at least `minIdle`, looking
    /// at no more than `count * 10`. Returns the cursor to continue from (0-0 at the end), the claimed entries
    /// and the IDs of entries that were deleted from the stream (and so left the PEL).
    public func autoClaim(_ key: Bytes, group groupName: Bytes, consumer consumerName: Bytes, minIdle: Int64,
                          start: StreamID, count: Int, justID: Bool) throws
        -> (next: StreamID, claimed: [StreamEntry], deleted: [StreamID]) {
        let (stream, initialGroup) = try streamAndGroup(key, groupName)
        var group = initialGroup
        var consumer = try self.consumer(group, consumerName)
        var attempts = count * 10
        var remaining = count
        var candidates: [(PendingEntry, StreamEntry)] = []
        var gone: [PendingEntry] = []
        var next = StreamID.zero
        try forEachPending(group, from: start) { entry in
            if attempts == 0 || remaining == 0 {
                next = entry.id
                return false
            }
            attempts -= 1
            // Deleted entries leave the PEL before the idle check, and count towards COUNT.
            guard let found = try self.entry(stream, entry.id) else {
                gone.append(entry)
                remaining -= 1
                return true
            }
            if minIdle > 0 && idleTime(since: entry.deliveryTime) < minIdle { return true }
            candidates.append((entry, found))
            remaining -= 1
            return true
        }
        for entry in gone { try dropPending(entry, from: &group, current: &consumer) }
        var claimed: [StreamEntry] = []
        for (initial, found) in candidates {
            var pending = initial
            var owner = try consumer ?? seenConsumer(group, consumerName)
            try movePending(&pending, in: group, to: &owner)
            consumer = owner
            pending.deliveryTime = now
            if !justID { pending.deliveryCount &+= 1 }
            try savePending(group, pending)
            claimed.append(found)
        }
        try finishClaim(stream, group, consumer, claimedAny: !claimed.isEmpty)
        return (next, claimed, gone.map(\.id))
    }
}
