import Foundation

/// Remembers where SCAN-family iterations stopped.
///
/// Redis cursors are integers, but LMDB iterates in key order, so a cursor number here names the LMDB key
/// to resume from. The table keeps the most recent `capacity` cursors; an unknown cursor starts over, which
/// SCAN's contract (elements may be returned more than once) allows.
final class ScanCursorTable: @unchecked Sendable {
    private let lock = NSLock()
    private var positions: [UInt64: Bytes] = [:]
    private var order: [UInt64] = []
    private var next: UInt64 = UInt64.random(in: 1...(1 << 40))
    private let capacity = 16_384

    /// Returns a cursor number that resumes at `position`.
    func register(_ position: Bytes) -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        next += 1
        positions[next] = position
        order.append(next)
        if order.count > capacity {
            let drop = order.count - capacity
            for id in order.prefix(drop) { positions[id] = nil }
            order.removeFirst(drop)
        }
        return next
    }

    /// The position a cursor stands for; nil for 0 and for unknown cursors (start over).
    func position(of cursor: UInt64) -> Bytes? {
        lock.lock()
        defer { lock.unlock() }
        return positions[cursor]
    }
}
