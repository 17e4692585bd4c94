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

    /// Records one command. `error` is the reply's error text when it failed; `rejected` marks errors raised
    /// before the command ran (arity, auth, OOM).
    func record(_ spec: CommandSpec, microseconds: Int64, error: String?, rejected: Bool) {
        totalCommands.wrappingIncrement(ordering: .relaxed)
        let c = spec.counters
        if rejected {
            c.rejected.wrappingIncrement(ordering: .relaxed)
        } else {
            c.calls.wrappingIncrement(ordering: .relaxed)
            c.microseconds.wrappingIncrement(by: microseconds, ordering: .relaxed)
            if error != nil { c.failed.wrappingIncrement(ordering: .relaxed) }
        }
        if let error { recordError(error) }
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
