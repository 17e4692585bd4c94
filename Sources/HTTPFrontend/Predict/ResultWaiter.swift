import Foundation

/// Waits for result hashes. One loop serves every waiting request: it reads all awaited keys at once (one read
/// transaction in-process, one pipeline over RESP), hands each request its results when all have come, and
/// deletes what it handed out. A request that times out leaves its keys behind as abandoned: the loop deletes
/// them when they arrive, for a bounded time, so that late results do not pile up.
final class ResultWaiter: @unchecked Sendable {
    private struct Waiter {
        let keys: [String]
        var found: [String: [String: [UInt8]]] = [:]
        let deadline: Date
        let continuation: CheckedContinuation<[String: [String: [UInt8]]]?, Never>
    }

    private let queue: any ServingQueue
    private let lock = NSLock()
    private var waiters: [Int: Waiter] = [:]
    private var nextID = 0
    private var abandoned: [String: Date] = [:]
    private let wakeUp = NSCondition()
    private var woken = false
    /// Result keys the queue announced since the last check (a queue that announces keys is read for those
    /// only, plus a full check now and then); nil after a wake-up that named none.
    private var announced: Set<String>? = []
    private var lastFullCheck = Date()
    private var announces = false
    private var running = true
    /// How often the queue is read while requests wait and nothing announces results (RESP).
    private let pollInterval: TimeInterval
    private static let abandonedLifetime: TimeInterval = 600

    init(queue: any ServingQueue, pollInterval: TimeInterval = 0.001) {
        self.queue = queue
        self.pollInterval = pollInterval
        queue.onResults { [weak self] keys in self?.announce(keys) }
        Thread.detachNewThread { [weak self] in self?.loop() }
    }

    func stop() {
        lock.withLock { running = false }
        wake()
    }

    /// The hashes of every key, or nil when `timeout` passes first.
    func wait(for keys: [String], timeout: TimeInterval) async -> [String: [String: [UInt8]]]? {
        await withCheckedContinuation { continuation in
            lock.withLock {
                waiters[nextID] = Waiter(keys: keys, deadline: Date(timeIntervalSinceNow: timeout), continuation: continuation)
                nextID += 1
            }
            wake()
        }
    }

    private func wake() {
        wakeUp.lock()
        woken = true
        announced = nil
        wakeUp.signal()
        wakeUp.unlock()
    }

    private func announce(_ keys: [String]) {
        wakeUp.lock()
        woken = true
        announces = true
        announced?.formUnion(keys)
        wakeUp.signal()
        wakeUp.unlock()
    }

    /// The keys to read now: the announced ones among `pending`, or all of them.
    private func keysToCheck(_ pending: [String]) -> [String] {
        wakeUp.lock()
        defer {
            announced = []
            wakeUp.unlock()
        }
        guard announces, let announced, Date().timeIntervalSince(lastFullCheck) < 0.2 else {
            lastFullCheck = Date()
            return pending
        }
        return pending.filter { announced.contains($0) }
    }

    private func loop() {
        while lock.withLock({ running }) {
            let (pending, expired) = lock.withLock { () -> ([String], [Waiter]) in
                let now = Date()
                let expiredIDs = waiters.filter { $0.value.deadline <= now }.map(\.key)
                var expired: [Waiter] = []
                for id in expiredIDs {
                    let waiter = waiters.removeValue(forKey: id)!
                    for key in waiter.keys where waiter.found[key] == nil { abandoned[key] = now }
                    expired.append(waiter)
                }
                abandoned = abandoned.filter { now.timeIntervalSince($0.value) <= Self.abandonedLifetime }
                let pending = waiters.values.flatMap { w in w.keys.filter { w.found[$0] == nil } } + Array(abandoned.keys)
                return (pending, expired)
            }
            for waiter in expired { waiter.continuation.resume(returning: nil) }
            if !pending.isEmpty {
                let keys = keysToCheck(pending)
                if !keys.isEmpty { check(keys) }
            }
            wakeUp.lock()
            if !woken {
                let idle = lock.withLock { waiters.isEmpty }
                _ = wakeUp.wait(until: Date(timeIntervalSinceNow: idle ? 0.2 : pollInterval))
            }
            woken = false
            wakeUp.unlock()
        }
        let left = lock.withLock { () -> [Waiter] in
            defer { waiters.removeAll() }
            return Array(waiters.values)
        }
        for waiter in left { waiter.continuation.resume(returning: nil) }
    }

    /// Reads the awaited keys once and resolves the requests that are complete.
    private func check(_ keys: [String]) {
        let queue = self.queue
        nonisolated(unsafe) var found: [String: [String: [UInt8]]] = [:]
        if let now = queue.resultsNow(keys) {
            found = now  // in-process: no hop to another thread
        } else {
            let done = DispatchSemaphore(value: 0)
            Task {
                found = (try? await queue.results(keys)) ?? [:]
                done.signal()
            }
            done.wait()
        }
        guard !found.isEmpty else { return }
        var complete: [(Waiter, [String: [String: [UInt8]]])] = []
        var lateKeys: [String] = []
        lock.withLock {
            for (id, var waiter) in waiters {
                for key in waiter.keys { if let hash = found[key] { waiter.found[key] = hash } }
                if waiter.found.count == waiter.keys.count {
                    waiters.removeValue(forKey: id)
                    complete.append((waiter, waiter.found))
                } else {
                    waiters[id] = waiter
                }
            }
            for key in found.keys where abandoned.removeValue(forKey: key) != nil { lateKeys.append(key) }
        }
        let taken = complete.flatMap(\.0.keys) + lateKeys
        Task { await queue.delete(taken) }
        for (waiter, results) in complete { waiter.continuation.resume(returning: results) }
    }
}
