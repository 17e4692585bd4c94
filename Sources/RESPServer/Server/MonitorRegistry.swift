import Foundation
import NIOConcurrencyHelpers
import Atomics

/// MONITOR: connections that receive a line for every command the server runs.
final class MonitorRegistry: Sendable {
    private let monitors = NIOLockedValueBox([Int64: ClientConnection]())
    private let active = ManagedAtomic<Bool>(false)

    var isActive: Bool { active.load(ordering: .relaxed) }

    func add(_ client: ClientConnection) {
        monitors.withLockedValue { $0[client.id] = client }
        active.store(true, ordering: .relaxed)
    }

    func remove(_ id: Int64) {
        let empty = monitors.withLockedValue { m -> Bool in
            m[id] = nil
            return m.isEmpty
        }
        if empty { active.store(false, ordering: .relaxed) }
    }

    /// Sends `+<time> [<db> <addr>] "cmd" "arg" ...` to every monitor but the sender.
    func feed(args: [[UInt8]], db: Int, address: String, from sender: Int64) {
        let targets = monitors.withLockedValue { Array($0.values) }.filter { $0.id != sender }
        guard !targets.isEmpty else { return }
        let now = Date().timeIntervalSince1970
        var line = String(format: "%.6f", now) + " [\(db) \(address)]"
        for arg in args { line += " \"" + Self.quote(arg) + "\"" }
        for client in targets { client.deliver(.simple(line)) }
    }

    /// Escapes a byte string as Redis's `sdscatrepr` does.
    static func quote(_ bytes: [UInt8]) -> String {
        var s = ""
        for b in bytes {
            switch b {
            case UInt8(ascii: "\\"): s += "\\\\"
            case UInt8(ascii: "\""): s += "\\\""
            case 10: s += "\\n"
            case 13: s += "\\r"
            case 9: s += "\\t"
            case 7: s += "\\a"
            case 8: s += "\\b"
            case 32...126: s.append(Character(Unicode.Scalar(b)))
            default: s += String(format: "\\x%02x", b)
            }
        }
        return s
    }
}
