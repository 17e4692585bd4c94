import Atomics
import Foundation
import NIOConcurrencyHelpers
import Store

/// The parameters CONFIG GET/SET know, with Redis's names, defaults and value formats.
///
/// Honoured: maxmemory, requirepass, appendfsync, proto-max-bulk-len, client-query-buffer-limit, maxclients,
/// timeout (idle clients are closed), stream-node-max-entries. Kept for clients that read them but with no effect here: appendonly
/// (the store is always persistent), save, stream-node-max-bytes, hz and the rest of `passive`.
/// Fixed at start: port, bind, dir, databases.
public final class ServerConfig: Sendable {
    enum Kind: Sendable {
        case memory(min: Int64)
        /// A memory amount held as Redis's `unsigned long long` (maxmemory): any `memtoull` result.
        case unsignedMemory
        case integer(min: Int64, max: Int64)
        case text
        case choice([String])
        case yesNo
        case immutable
    }

    struct Parameter: Sendable {
        let name: String
        let kind: Kind
        let defaultValue: String
    }

    static let parameters: [Parameter] = [
        .init(name: "maxmemory", kind: .unsignedMemory, defaultValue: "0"),
        .init(name: "maxmemory-policy", kind: .choice(["noeviction"]), defaultValue: "noeviction"),
        .init(name: "requirepass", kind: .text, defaultValue: ""),
        // Durability's cases, in the order Redis lists them when it refuses a value.
        .init(name: "appendfsync", kind: .choice(["everysec", "always", "no"]), defaultValue: "everysec"),
        .init(name: "appendonly", kind: .yesNo, defaultValue: "yes"),
        .init(name: "save", kind: .text, defaultValue: ""),
        .init(name: "port", kind: .immutable, defaultValue: "6379"),
        .init(name: "bind", kind: .immutable, defaultValue: "127.0.0.1"),
        .init(name: "dir", kind: .immutable, defaultValue: ""),
        .init(name: "databases", kind: .immutable, defaultValue: "16"),
        .init(name: "timeout", kind: .integer(min: 0, max: Int64(Int32.max)), defaultValue: "0"),
        .init(name: "maxclients", kind: .integer(min: 1, max: Int64(UInt32.max)), defaultValue: "10000"),
        .init(name: "proto-max-bulk-len", kind: .memory(min: 1024 * 1024), defaultValue: "536870912"),
        .init(name: "client-query-buffer-limit", kind: .memory(min: 1024 * 1024), defaultValue: "1073741824"),
        .init(name: "stream-node-max-entries", kind: .integer(min: 0, max: Int64.max), defaultValue: "100"),
        .init(name: "stream-node-max-bytes", kind: .memory(min: 0), defaultValue: "4096"),
        .init(name: "hz", kind: .integer(min: 0, max: Int64(Int32.max)), defaultValue: "10"),
        .init(name: "loglevel", kind: .choice(["debug", "verbose", "notice", "warning", "nothing"]), defaultValue: "notice"),
        .init(name: "logfile", kind: .immutable, defaultValue: ""),
        .init(name: "daemonize", kind: .immutable, defaultValue: "no"),
        .init(name: "protected-mode", kind: .yesNo, defaultValue: "yes"),
        .init(name: "tcp-keepalive", kind: .integer(min: 0, max: Int64(Int32.max)), defaultValue: "300"),
        .init(name: "notify-keyspace-events", kind: .text, defaultValue: ""),
        .init(name: "slowlog-log-slower-than", kind: .integer(min: -1, max: Int64.max), defaultValue: "10000"),
        .init(name: "stop-writes-on-bgsave-error", kind: .yesNo, defaultValue: "yes"),
        .init(name: "lazyfree-lazy-user-del", kind: .yesNo, defaultValue: "no"),
        .init(name: "io-threads", kind: .immutable, defaultValue: "1"),
    ]

    private let values: NIOLockedValueBox<[String: String]>
    /// Called after a parameter changes (the server applies appendfsync and limits).
    let onChange: NIOLockedValueBox<[@Sendable (String, String) -> Void]> = .init([])

    /// Copies of the numbers read on hot paths (every write, every read from a socket).
    private let cachedMaxMemory = ManagedAtomic<Int64>(0)
    private let cachedMaxBulkLength = ManagedAtomic<Int>(512 << 20)
    private let cachedQueryBufferLimit = ManagedAtomic<Int>(1 << 30)
    private let cachedMaxClients = ManagedAtomic<Int>(10000)

    public init(overrides: [String: String] = [:]) {
        var v: [String: String] = [:]
        for p in Self.parameters { v[p.name] = p.defaultValue }
        for (k, value) in overrides { v[k] = value }
        values = NIOLockedValueBox(v)
        for (k, value) in v { refreshCache(k, value) }
    }

    private func refreshCache(_ name: String, _ value: String) {
        switch name {
        case "maxmemory": cachedMaxMemory.store(UInt64(value).map { Int64(clamping: $0) } ?? 0, ordering: .relaxed)
        case "proto-max-bulk-len": cachedMaxBulkLength.store(Int(value) ?? 512 << 20, ordering: .relaxed)
        case "client-query-buffer-limit": cachedQueryBufferLimit.store(Int(value) ?? 1 << 30, ordering: .relaxed)
        case "maxclients": cachedMaxClients.store(Int(value) ?? 10000, ordering: .relaxed)
        default: break
        }
    }

    public func get(_ name: String) -> String? { values.withLockedValue { $0[name] } }

    /// Parameters whose names match the glob, as (name, value), in name order.
    func matching(_ pattern: [UInt8]) -> [(String, String)] {
        let glob = GlobPattern(pattern, caseInsensitive: true)
        return values.withLockedValue { v in
            v.keys.sorted().filter { glob.matches(Array($0.utf8)) }.map { ($0, v[$0]!) }
        }
    }

    /// Why a CONFIG SET was refused.
    enum SetError: Error {
        case unknown(String)
        case invalid(String, String)
    }

    /// CONFIG SET name value [name value ...], all or nothing, in Redis 7.0's order. First the names, left to
    /// right, the first problem winning: unknown, immutable, repeated (each named as typed). Then the values:
    /// the first bad one (named by its parameter) refuses the whole command and nothing changes. Values are
    /// stored in Redis's canonical form.
    func set(_ pairs: [(name: String, value: String)]) throws(SetError) {
        var chosen: [Parameter] = []
        for (typed, _) in pairs {
            // Redis compares names with strcasecmp: ASCII letters only.
            let name = Self.asciiLowercased(typed.utf8)
            guard let p = Self.parameters.first(where: { $0.name == name }) else { throw .unknown(typed) }
            if case .immutable = p.kind { throw .invalid(typed, "can't set immutable config") }
            if chosen.contains(where: { $0.name == p.name }) { throw .invalid(typed, "duplicate parameter") }
            chosen.append(p)
        }
        var accepted: [(name: String, value: String)] = []
        for (p, pair) in zip(chosen, pairs) { accepted.append((p.name, try Self.canonicalValue(p, pair.value))) }
        values.withLockedValue { v in for (name, value) in accepted { v[name] = value } }
        for (name, value) in accepted { refreshCache(name, value) }
        let observers = onChange.withLockedValue { $0 }
        for (name, value) in accepted { for observer in observers { observer(name, value) } }
    }

    /// `raw` as parameter `p` stores it, or why it is refused.
    private static func canonicalValue(_ p: Parameter, _ raw: String) throws(SetError) -> String {
        let name = p.name
        let value: String
        switch p.kind {
        case .immutable:
            throw .invalid(name, "can't set immutable config")
        case .memory(let min):
            guard let n = Self.memtoull(raw) else { throw .invalid(name, "argument must be a memory value") }
            guard n <= UInt64(Int64.max), Int64(n) >= min else {
                throw .invalid(name, "argument must be between \(min) and \(Int64.max) inclusive")
            }
            value = String(n)
        case .unsignedMemory:
            guard let n = Self.memtoull(raw) else { throw .invalid(name, "argument must be a memory value") }
            value = String(n)
        case .integer(let min, let max):
            guard let n = Keyspace.parseInteger(raw.utf8) else {
                throw .invalid(name, "argument couldn't be parsed into an integer")
            }
            guard n >= min && n <= max else { throw .invalid(name, "argument must be between \(min) and \(max) inclusive") }
            // Redis keeps hz within 1...500 whatever was set.
            value = String(name == "hz" ? Swift.min(Swift.max(n, 1), 500) : n)
        case .choice(let options):
            guard options.contains(raw.lowercased()) else { throw .invalid(name, "argument(s) must be one of the following: \(options.joined(separator: ", "))") }
            value = raw.lowercased()
        case .yesNo:
            guard ["yes", "no"].contains(raw.lowercased()) else { throw .invalid(name, "argument must be 'yes' or 'no'") }
            value = raw.lowercased()
        case .text:
            value = raw
        }
        return value
    }

    /// A memory amount (the command line's --maxmemory): `memtoull`'s spelling, within Int64, without wrapping.
    public static func parseMemory(_ text: String) -> Int64? {
        guard let (digits, factor) = memoryParts(text), digits <= UInt64(Int64.max) else { return nil }
        let (v, o) = Int64(digits).multipliedReportingOverflow(by: Int64(factor))
        return o ? nil : v
    }

    /// A memory amount exactly as Redis 7.0's `memtoull` reads it for CONFIG SET: digits (none means 0) and an
    /// optional unit (b, k, kb, m, mb, g, gb, any case). Digits past 2^64 - 1 read as 2^64 - 1 and the
    /// product with the unit wraps, as in Redis ("17179869184gb" is 0).
    static func memtoull(_ text: String) -> UInt64? {
        memoryParts(text).map { $0.digits &* $0.factor }
    }

    /// ASCII letters lowercased and every other byte kept, as Redis's strcasecmp compares.
    private static func asciiLowercased(_ bytes: some Sequence<UInt8>) -> String {
        String(decoding: bytes.map { (65...90).contains($0) ? $0 + 32 : $0 }, as: UTF8.self)
    }

    private static func memoryParts(_ text: String) -> (digits: UInt64, factor: UInt64)? {
        let bytes = Array(text.utf8)
        let end = bytes.firstIndex { !(48...57).contains($0) } ?? bytes.count
        let unit = asciiLowercased(bytes[end...])
        let factors: [String: UInt64] = ["": 1, "b": 1, "k": 1000, "kb": 1 << 10, "m": 1_000_000, "mb": 1 << 20,
                                         "g": 1_000_000_000, "gb": 1 << 30]
        guard let factor = factors[unit], end < 128 else { return nil }
        var digits: UInt64 = 0
        for c in bytes[..<end] {
            let (m, o1) = digits.multipliedReportingOverflow(by: 10)
            let (sum, o2) = m.addingReportingOverflow(UInt64(c - 48))
            if o1 || o2 { return (.max, factor) }  // strtoull's ERANGE result, unchecked by Redis
            digits = sum
        }
        return (digits, factor)
    }

    // Typed views of the parameters the server reads on its hot paths.
    public var maxMemory: Int64 { cachedMaxMemory.load(ordering: .relaxed) }
    public var requirePass: String? { self.get("requirepass").flatMap { $0.isEmpty ? nil : $0 } }
    var maxBulkLength: Int { cachedMaxBulkLength.load(ordering: .relaxed) }
    var queryBufferLimit: Int { cachedQueryBufferLimit.load(ordering: .relaxed) }
    var maxClients: Int { cachedMaxClients.load(ordering: .relaxed) }
    var idleTimeout: Int { Int(self.get("timeout") ?? "") ?? 0 }
}
