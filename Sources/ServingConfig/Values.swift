import Foundation
import Yams

/// Why a value was refused; the loader adds the file, key and value to make a `ConfigError`.
struct ValueProblem: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Parsing of single values. Scalars are read from their source text (`Yams.compose`), so `4`, `"4"`, `y` and
/// `yes` arrive as written whatever YAML 1.1 would have made of them.
enum Values {
    // MARK: Scalars

    /// True for an empty value (`key:` with nothing after it), `~` and `null`: all mean "use the default".
    static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// The scalar's text, trimmed; nil for null and for sequences and mappings.
    static func text(_ node: Node) -> String? {
        guard case .scalar(let scalar) = node, !isNull(node) else { return nil }
        return scalar.string.trimmingWhitespace
    }

    /// The value as written, for messages: scalars verbatim, sequences as `[a, b]`.
    static func render(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): scalar.string
        case .sequence(let sequence): "[" + sequence.map(render).joined(separator: ", ") + "]"
        case .mapping(let mapping):
            "{" + mapping.map { render($0.key) + ": " + render($0.value) }.joined(separator: ", ") + "}"
        case .alias: "*alias"
        }
    }

    static func bool(_ text: String) throws(ValueProblem) -> Bool {
        switch text.lowercased() {
        case "true", "yes", "y", "on": return true
        case "false", "no", "n", "off": return false
        default: throw ValueProblem("must be true or false (yes/no and y/n are accepted too)")
        }
    }

    static func int(_ text: String, in range: ClosedRange<Int>) throws(ValueProblem) -> Int {
        guard let value = Int(text), range.contains(value) else {
            throw ValueProblem(range.upperBound == .max
                ? "must be an integer of at least \(range.lowerBound)"
                : "must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    // MARK: Sizes

    /// A byte count as Redis reads `maxmemory`: digits and an optional unit, where k/m/g are powers of 1000
    /// and kb/mb/gb powers of 1024 (so `4g` is 4 000 000 000 and `4gb` is 4 GiB).
    static func memorySize(_ text: String) throws(ValueProblem) -> Int64 {
        let problem = ValueProblem(
            "must be a byte count with an optional unit k, kb, m, mb, g or gb (e.g. 4gb); 0 means no limit")
        let lower = text.lowercased()
        let digits = lower.prefix { $0.isASCII && $0.isNumber }
        let units: [String: Int64] = [
            "": 1, "b": 1, "k": 1000, "kb": 1024, "m": 1_000_000, "mb": 1 << 20, "g": 1_000_000_000, "gb": 1 << 30,
        ]
        guard !digits.isEmpty, let count = Int64(digits), let unit = units[String(lower.dropFirst(digits.count))]
        else { throw problem }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: unit)
        guard !overflow else { throw problem }
        return bytes
    }

    // MARK: Addresses

    /// `host:port`, optionally as `redis://host:port`; IPv6 hosts in brackets. Without a port, 6379.
    static func hostPort(_ text: String) throws(ValueProblem) -> (host: String, port: Int) {
        let shape = ValueProblem("must be host:port (or redis://host:port)")
        var rest = Substring(text)
        if let scheme = rest.range(of: "://") {
            guard rest[..<scheme.lowerBound].lowercased() == "redis" else { throw shape }
            rest = rest[scheme.upperBound...]
        }
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        let host: Substring
        var port: Substring?
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw shape }
                port = after.dropFirst()
            }
        } else {
            let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw shape }
            host = parts[0]
            port = parts.count == 2 ? parts[1] : nil
        }
        guard !host.isEmpty, !host.contains(where: \.isWhitespace) else { throw shape }
        guard let port else { return (String(host), 6379) }
        guard let number = Int(port), (1...65535).contains(number) else {
            throw ValueProblem("the port must be an integer from 1 to 65535")
        }
        return (String(host), number)
    }

    // MARK: Filters and shapes

    /// `topN(n)` or `pickTopN(n)`: one `(`, a closing `)` at the end, an integer n ≥ 1 (spec §7.5).
    /// Names match regardless of case. An empty text means no filter.
    static func postProcessing(_ text: String) throws(ValueProblem) -> PostProcessing? {
        if text.isEmpty { return nil }
        let known = "known filters: topN(n), pickTopN(n)"
        let parts = text.split(separator: "(", omittingEmptySubsequences: false)
        guard parts.count == 2, text.hasSuffix(")") else {
            throw ValueProblem("must be a filter written name(n); \(known)")
        }
        let name = parts[0].trimmingWhitespace
        guard let count = Int(parts[1].dropLast().trimmingWhitespace), count >= 1 else {
            throw ValueProblem("the filter's n must be an integer of at least 1")
        }
        switch name.lowercased() {
        case "topn": return .topN(count)
        case "picktopn": return .pickTopN(count)
        default: throw ValueProblem("unknown filter '\(name)'; \(known)")
        }
    }

    /// Integers written `3,224,224`, `[3,224,224]` or as a YAML sequence. nil if any part is not an integer.
    static func intList(_ node: Node) -> [Int]? {
        switch node {
        case .sequence(let sequence):
            let items = sequence.map { text($0).flatMap { Int($0) } }
            return items.contains(nil) ? nil : items.compactMap { $0 }
        case .scalar(let scalar):
            var body = Substring(scalar.string.trimmingWhitespace)
            if body.hasPrefix("["), body.hasSuffix("]") { body = body.dropFirst().dropLast() }
            let items = body.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingWhitespace) }
            return items.contains(nil) ? nil : items.compactMap { $0 }
        default:
            return nil
        }
    }

    /// `width,height`, both positive.
    static func imageSize(_ node: Node) throws(ValueProblem) -> ImageSize {
        guard let sizes = intList(node), sizes.count == 2, sizes.allSatisfy({ $0 >= 1 }) else {
            throw ValueProblem("must be two positive integers \"width,height\" (e.g. 224,224)")
        }
        return ImageSize(width: sizes[0], height: sizes[1])
    }

    /// `C,H,W`, all positive, with 1 (grey) or 3 (colour) channels.
    static func imageShape(_ node: Node) throws(ValueProblem) -> [Int] {
        guard let shape = intList(node), shape.count == 3, shape.allSatisfy({ $0 >= 1 }) else {
            throw ValueProblem("must be three positive integers C,H,W (e.g. 3,224,224)")
        }
        guard shape[0] == 1 || shape[0] == 3 else {
            throw ValueProblem("the channel count C must be 1 or 3")
        }
        return shape
    }

    /// Cores of a Spark master URL: `local` = 1, `local[N]` or `local[N,F]` = N, `local[*]` = all.
    /// nil for cluster masters (`yarn`, `spark://...`), which say nothing about this machine.
    static func sparkCores(_ text: String) throws(ValueProblem) -> SparkCores? {
        let lower = text.lowercased()
        if lower == "local" { return .count(1) }
        guard lower.hasPrefix("local["), lower.hasSuffix("]") else { return nil }
        let inside = lower.dropFirst("local[".count).dropLast().split(separator: ",").first ?? ""
        if inside == "*" { return .all }
        guard let cores = Int(inside), cores >= 1 else {
            throw ValueProblem("must be local[N] with N of at least 1, or local[*]")
        }
        return .count(cores)
    }
}

extension StringProtocol {
    var trimmingWhitespace: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
