import Atomics
import Foundation
import NIOConcurrencyHelpers

/// Counters of one command for INFO commandstats; atomics, as every event loop and the writer update them.
final class CommandCounters: Sendable {
    let calls = ManagedAtomic<Int64>(0)
    let microseconds = ManagedAtomic<Int64>(0)
    let rejected = ManagedAtomic<Int64>(0)
    let failed = ManagedAtomic<Int64>(0)

    func reset() {
        for counter in [calls, microseconds, rejected, failed] { counter.store(0, ordering: .relaxed) }
    }
}

/// Counters for INFO stats, commandstats and errorstats. The per-command counters live on each `CommandSpec`.
final class ServerStats: Sendable {
    let totalCommands = ManagedAtomic<Int64>(0)
    let totalConnections = ManagedAtomic<Int64>(0)
    let rejectedConnections = ManagedAtomic<Int64>(0)
    let totalErrorReplies = ManagedAtomic<Int64>(0)
    let inputBytes = ManagedAtomic<Int64>(0)
    let outputBytes = ManagedAtomic<Int64>(0)
    private let errors = NIOLockedValueBox([String: Int64]())
    let startTime = Date()

    /// Counts a call of `spec` and returns whether to time it: one call in `timingSample` is timed and stands
    /// for the others (two clock reads per command were 4% of a pipelined PING's CPU).
    func startCall(_ spec: CommandSpec) -> Bool {
        totalCommands.wrappingIncrement(ordering: .relaxed)
        return spec.counters.calls.loadThenWrappingIncrement(ordering: .relaxed) % Self.timingSample == 0
    }

    static let timingSample: Int64 = 16

    /// Records how a call ended: its sampled time (0 when not timed) and its error text when it failed.
    func finishCall(_ spec: CommandSpec, sampledMicroseconds: Int64, error: String?) {
        if sampledMicroseconds > 0 {
            spec.counters.microseconds.wrappingIncrement(by: sampledMicroseconds * Self.timingSample, ordering: .relaxed)
        }
        if let error {
            spec.counters.failed.wrappingIncrement(ordering: .relaxed)
            recordError(error)
        }
    }

    /// Records a command refused before it ran (arity, auth, OOM, ...).
    func recordRejected(_ spec: CommandSpec, error: String) {
        totalCommands.wrappingIncrement(ordering: .relaxed)
        spec.counters.rejected.wrappingIncrement(ordering: .relaxed)
        recordError(error)
    }

    /// Records an error reply (by its code word, for errorstats).
    func recordError(_ message: String) {
        totalErrorReplies.wrappingIncrement(ordering: .relaxed)
        let code = message.split(separator: " ", maxSplits: 1).first.map(String.init) ?? "ERR"
        errors.withLockedValue { $0[code, default: 0] += 1 }
    }

    var errorCounts: [String: Int64] { errors.withLockedValue { $0 } }

    func reset(_ commands: CommandTable) {
        for counter in [totalCommands, totalConnections, rejectedConnections, totalErrorReplies, inputBytes, outputBytes] {
            counter.store(0, ordering: .relaxed)
        }
        errors.withLockedValue { $0 = [:] }
        for spec in commands.all { spec.counters.reset() }
    }
}
