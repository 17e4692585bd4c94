import Foundation

extension JSONValue {
    /// Compact JSON text. Non-finite numbers (which JSON cannot hold) are written as null.
    public var text: String {
        var out = ""
        write(to: &out)
        return out
    }

    public static func numbers(_ values: [Float]) -> JSONValue { .array(values.map { .number(Double($0)) }) }

    /// Row-major `values` nested by `shape` (`[2, 3]` gives two arrays of three).
    public static func nested(_ values: [Float], shape: [Int]) -> JSONValue {
        guard let first = shape.first else { return values.first.map { .number(Double($0)) } ?? .null }
        let rest = Array(shape.dropFirst())
        let stride = rest.reduce(1, *)
        guard first > 0 else { return .array([]) }
        return .array((0..<first).map { i in
            nested(Array(values[(i * stride)..<min(values.count, (i + 1) * stride)]), shape: rest)
        })
    }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += Self.format(n)
        case .string(let s): Self.quote(s, into: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, (key, value)) in members.enumerated() {
                if i > 0 { out += "," }
                Self.quote(key, into: &out)
                out += ":"
                value.write(to: &out)
            }
            out += "}"
        }
    }

    private static func format(_ n: Double) -> String {
        guard n.isFinite else { return "null" }
        if n == n.rounded(), abs(n) < 1e15 { return String(Int64(n)) }
        // Float results print with float precision (0.1 rather than 0.10000000149011612).
        let asFloat = Float(n)
        if Double(asFloat) == n { return "\(asFloat)" }
        return "\(n)"
    }

    private static func quote(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20: out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

extension JSONValue {
    /// A number, or a nested array of numbers (booleans count as 0/1) whose every level is as long as its first
    /// sibling: its row-major values and shape. nil for anything else.
    public var numericTensor: (values: [Float], shape: [Int])? { tensor { Float($0) } }

    /// A `numericTensor` whose values are all whole numbers that fit an `Int` (shapes, indices); nil otherwise.
    public var integerTensor: (values: [Int], shape: [Int])? { tensor { Int(exactly: $0) } }

    private func tensor<Element>(_ convert: (Double) -> Element?) -> (values: [Element], shape: [Int])? {
        var shape: [Int] = []
        var probe = self
        while case .array(let items) = probe {
            shape.append(items.count)
            guard let first = items.first else { break }
            probe = first
        }
        // The shape comes from the first element at each level only: a ragged array may announce far more values
        // than it holds, so the reservation is capped (a rectangular one is as big as the text it came from).
        let announced = shape.reduce((1, false)) { product, count in
            let (next, overflow) = product.0.multipliedReportingOverflow(by: count)
            return (next, product.1 || overflow)
        }
        var values: [Element] = []
        values.reserveCapacity(announced.1 ? 0 : min(announced.0, 1 << 16))
        guard Self.flatten(self, depth: 0, shape: shape, into: &values, convert) else { return nil }
        return (values, shape)
    }

    private static func flatten<Element>(_ value: JSONValue, depth: Int, shape: [Int], into values: inout [Element],
                                         _ convert: (Double) -> Element?) -> Bool {
        switch value {
        case .number(let n) where depth == shape.count:
            guard let element = convert(n) else { return false }
            values.append(element)
        case .bool(let b) where depth == shape.count:
            guard let element = convert(b ? 1 : 0) else { return false }
            values.append(element)
        case .array(let items) where depth < shape.count && items.count == shape[depth]:
            for item in items where !flatten(item, depth: depth + 1, shape: shape, into: &values, convert) { return false }
        default: return false
        }
        return true
    }
}
