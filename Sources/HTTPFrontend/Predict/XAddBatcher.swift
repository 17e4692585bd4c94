import Foundation

/// `timeWindow` / `countWindow`: the XADDs of concurrent requests are written together, when `countWindow` entries
/// wait or `timeWindow` ms have passed since the first of them. (A time window of 0, the original's behaviour from
/// 0.10 on, writes each request's entries at once and needs no batcher.)
actor XAddBatcher {
    private let queue: any ServingQueue
    private let timeWindow: Duration
    private let countWindow: Int
    private var waiting: [(entries: [QueueEntry], done: CheckedContinuation<Result<Void, QueueError>, Never>)] = []
    private var waitingCount = 0
    private var flushScheduled = false

    init(queue: any ServingQueue, timeWindowMilliseconds: Int, countWindow: Int) {
        self.queue = queue
        self.timeWindow = .milliseconds(timeWindowMilliseconds)
        self.countWindow = countWindow
    }

    func add(_ entries: [QueueEntry]) async throws(QueueError) {
        let outcome = await withCheckedContinuation { continuation in
            waiting.append((entries, continuation))
            waitingCount += entries.count
            if countWindow > 0 && waitingCount >= countWindow {
                Task { await flush() }
            } else if !flushScheduled {
                flushScheduled = true
                Task {
                    try? await Task.sleep(for: timeWindow)
                    await flush()
                }
            }
        }
        try outcome.get()
    }

    private func flush() async {
        flushScheduled = false
        let batch = waiting
        waiting = []
        waitingCount = 0
        guard !batch.isEmpty else { return }
        let outcome: Result<Void, QueueError>
        do { try await queue.add(batch.flatMap(\.entries)); outcome = .success(()) } catch { outcome = .failure(error) }
        for request in batch { request.done.resume(returning: outcome) }
    }
}

/// Admission: `parallelism` requests in flight at most (beyond it, 503 at once, never a queue of waiting requests)
/// and, with `tokenBucketEnabled`, `tokensPerSecond` requests a second, each waiting at most `tokenAcquireTimeout`
/// ms for a token.
final class Admission: @unchecked Sendable {
    private let lock = NSLock()
    private let parallelism: Int
    private var inFlight = 0
    private let rate: Double?
    private let burst: Double
    private var tokens: Double
    private var refilled = Date()
    private let acquireTimeout: TimeInterval

    init(options: FrontendOptions) {
        parallelism = options.parallelism
        rate = options.tokenBucketEnabled ? Double(options.tokensPerSecond) : nil
        burst = Double(max(1, options.tokensPerSecond))
        tokens = burst
        acquireTimeout = Double(options.tokenAcquireTimeout) / 1000
    }

    enum Refusal: Error { case busy, limited }

    var requestsInFlight: Int { lock.withLock { inFlight } }

    /// Takes a slot (and a token); `release` gives the slot back.
    func admit() async throws(Refusal) {
        let admitted = lock.withLock { () -> Bool in
            guard inFlight < parallelism else { return false }
            inFlight += 1
            return true
        }
        guard admitted else { throw .busy }
        guard let rate else { return }
        let deadline = Date(timeIntervalSinceNow: acquireTimeout)
        while true {
            let wait = lock.withLock { () -> TimeInterval? in
                let now = Date()
                tokens = min(burst, tokens + now.timeIntervalSince(refilled) * rate)
                refilled = now
                if tokens >= 1 {
                    tokens -= 1
                    return nil
                }
                return (1 - tokens) / rate
            }
            guard let wait else { return }
            if Date(timeIntervalSinceNow: wait) > deadline {
                release()
                throw .limited
            }
            try? await Task.sleep(for: .milliseconds(max(1, Int(wait * 1000))))
        }
    }

    func release() { lock.withLock { inFlight -= 1 } }
}
