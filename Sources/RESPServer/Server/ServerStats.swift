import Foundation
import NIOConcurrencyHelpers

/// Counters for INFO stats, commandstats and errorstats.
final class ServerStats: Sendable {
    struct CommandCounters: Sendable {
        var calls: Int64 = 0
        var microseconds: Int64 = 0
        var rejected: Int64 = 0
        var failed: Int64 = 0
    }

    struct State: Sendable {
        var commands: [String: CommandCounters] = [:]
        var errors: [String: Int64] = [:]
        var totalCommands: Int64 = 0
        var totalConnections: Int64 = 0
        var rejectedConnections: Int64 = 0
        var totalErrorReplies: Int64 = 0
        var inputBytes: Int64 = 0
        var outputBytes: Int64 = 0
        var expiredKeys: Int64 = 0
        var keyspaceHits: Int64 = 0
        var keyspaceMisses: Int64 = 0
    }

    let state = NIOLockedValueBox(State())
    let startTime = Date()

    /// Records one executed command. `error` is the reply's error text when it failed; `rejected` marks errors
    /// raised before the command ran (arity, auth, OOM, unknown).
    func record(command: String, microseconds: Int64, error: String?, rejected: Bool) {
        state.withLockedValue { s in
            s.totalCommands += 1
            var c = s.commands[command, default: CommandCounters()]
            if rejected {
                c.rejected += 1
            } else {
                c.calls += 1
                c.microseconds += microseconds
                if error != nil { c.failed += 1 }
            }
            s.commands[command] = c
            if let error {
                s.totalErrorReplies += 1
                let code = error.split(separator: " ", maxSplits: 1).first.map(String.init) ?? "ERR"
                s.errors[code, default: 0] += 1
            }
        }
    }

    /// Records an error reply outside command execution (unknown command, protocol error).
    func recordError(_ message: String) {
        state.withLockedValue { s in
            s.totalErrorReplies += 1
            let code = message.split(separator: " ", maxSplits: 1).first.map(String.init) ?? "ERR"
            s.errors[code, default: 0] += 1
        }
    }

    func reset() {
        state.withLockedValue { s in
            s.commands = [:]
            s.errors = [:]
            s.totalCommands = 0
            s.totalConnections = 0
            s.rejectedConnections = 0
            s.totalErrorReplies = 0
            s.inputBytes = 0
            s.outputBytes = 0
            s.expiredKeys = 0
            s.keyspaceHits = 0
            s.keyspaceMisses = 0
        }
    }
}
