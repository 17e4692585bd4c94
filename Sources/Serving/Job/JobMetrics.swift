import Foundation

/// Counters and timers of one job: what `cluster-serving list` shows and the HTTP frontend reads.
public final class JobMetrics: @unchecked Sendable {
    /// A copy of the counters at one moment. Times are totals in seconds; divide by `batches` or `recordsOut`.
    public struct Snapshot: Sendable {
        public var recordsIn = 0
        public var recordsOut = 0
        public var errors = 0
        public var batches = 0
        public var largestBatch = 0
        public var queueWaitSeconds = 0.0
        public var decodeSeconds = 0.0
        public var inferenceSeconds = 0.0
        public var writeSeconds = 0.0
        /// Since the job started serving.
        public var uptimeSeconds = 0.0
        /// Records answered per second over the job's life, and over the last ten seconds.
        public var throughput = 0.0
        public var recentThroughput = 0.0

        public var meanBatchSize: Double { batches == 0 ? 0 : Double(recordsOut) / Double(batches) }

        /// The figures by name, times per batch (or per record for the queue wait) in milliseconds: what
        /// `SERVING LIST` and the frontend's Prometheus exposition show.
        public var figures: [(name: String, value: Double)] {
            func perBatch(_ seconds: Double) -> Double { batches == 0 ? 0 : 1000 * seconds / Double(batches) }
            return [
                ("records_in", Double(recordsIn)), ("records_out", Double(recordsOut)), ("errors", Double(errors)),
                ("batches", Double(batches)), ("mean_batch", meanBatchSize), ("largest_batch", Double(largestBatch)),
                ("queue_wait_ms", recordsIn == 0 ? 0 : 1000 * queueWaitSeconds / Double(recordsIn)),
                ("decode_ms", perBatch(decodeSeconds)), ("inference_ms", perBatch(inferenceSeconds)),
                ("write_ms", perBatch(writeSeconds)), ("throughput", throughput), ("recent_throughput", recentThroughput),
                ("uptime_s", uptimeSeconds),
            ]
        }
    }

    private let lock = NSLock()
    private var counters = Snapshot()
    private var started: Date?
    /// Completion times and sizes of recent batches, for the ten-second throughput.
    private var recent: [(Date, Int)] = []

    func servingStarted() { lock.withLock { started = Date() } }

    func fetched(_ count: Int, queueWait: Double) {
        lock.withLock {
            counters.recordsIn += count
            counters.queueWaitSeconds += queueWait
        }
    }

    func decoded(seconds: Double) { lock.withLock { counters.decodeSeconds += seconds } }

    func inferred(batchSize: Int, seconds: Double) {
        lock.withLock {
            counters.batches += 1
            counters.largestBatch = max(counters.largestBatch, batchSize)
            counters.inferenceSeconds += seconds
        }
    }

    func written(_ count: Int, errors: Int, seconds: Double) {
        lock.withLock {
            counters.recordsOut += count
            counters.errors += errors
            counters.writeSeconds += seconds
            let now = Date()
            recent.append((now, count))
            recent.removeAll { now.timeIntervalSince($0.0) > 10 }
        }
    }

    public var snapshot: Snapshot {
        lock.withLock {
            var copy = counters
            let now = Date()
            if let started {
                copy.uptimeSeconds = now.timeIntervalSince(started)
                copy.throughput = copy.uptimeSeconds > 0 ? Double(copy.recordsOut) / copy.uptimeSeconds : 0
                let window = min(10, copy.uptimeSeconds)
                let lately = recent.filter { now.timeIntervalSince($0.0) <= 10 }.reduce(0) { $0 + $1.1 }
                copy.recentThroughput = window > 0 ? Double(lately) / window : 0
            }
            return copy
        }
    }
}
