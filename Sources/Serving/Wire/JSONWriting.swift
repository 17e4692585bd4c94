import Foundation

extension JSONValue {
    /// Compact JSON text. Non-finite numbers (which JSON cannot hold) are written as null.
    public var text: String {
        var out = ""
        write(to: &out)
        return out
    }

    public static func numbers(_ values: [Float]) -> JSONValue { .array(values.map { .number(Double($0)) }) }

    /// Row-major `values` nested by `shape` (`[2, 3]` gives two arrays of three); a shape that does not hold exactly
    /// the values (a result written by another worker) gives them flat.
    public static func nested(_ values: [Float], shape: [Int]) -> JSONValue {
        guard let first = shape.first else { return values.first.map { .number(Double($0)) } ?? .null }
        guard (try? TensorShape.elementCount(shape)) == values.count else { return numbers(values) }
        guard first > 0 else { return .array([]) }
        let rest = Array(shape.dropFirst())
        let stride = rest.reduce(1, *)  // at most values.count: the whole product was checked above
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
    public var numericTensor: (values: [Float], shape: [Int])? {
        return rectangular { number -> Float? in Float(number) }
    }

    /// A number, or a nested array of numbers, all of them integers (exactly, in Int's range; no booleans): its
    /// row-major values and shape. nil for anything else (`1.5`, `1e300`, a string).
    public var integerTensor: (values: [Int], shape: [Int])? {
        rectangular { number -> Int? in Int(exactly: number) }
    }

    /// The leaves of a rectangular nested array (every level as long as its first sibling), converted by `leaf`
    /// (booleans are 0 and 1 for floats); nil when a leaf does not convert or the array is ragged.
    private func rectangular<Leaf>(_ leaf: (Double) -> Leaf?) -> (values: [Leaf], shape: [Int])? {
        var shape: [Int] = []
        var probe = self
        while case .array(let items) = probe {
            shape.append(items.count)
            guard let first = items.first else { break }
            probe = first
        }
        var values: [Leaf] = []
        // The first siblings alone claim the shape; the rest may be ragged: reserve for what is likely true only.
        if let count = try? TensorShape.elementCount(shape) { values.reserveCapacity(min(count, 1 << 20)) }
        guard Self.flatten(self, depth: 0, shape: shape, leaf: leaf, into: &values) else { return nil }
        return (values, shape)
    }

    private static func flatten<Leaf>(_ value: JSONValue, depth: Int, shape: [Int], leaf: (Double) -> Leaf?,
                                      into values: inout [Leaf]) -> Bool {
        switch value {
        case .number(let n) where depth == shape.count:
            guard let converted = leaf(n) else { return false }
            values.append(converted)
        case .bool(let b) where depth == shape.count && Leaf.self == Float.self:
            guard let converted = leaf(b ? 1 : 0) else { return false }
            values.append(converted)
        case .array(let items) where depth < shape.count && items.count == shape[depth]:
            for item in items where !flatten(item, depth: depth + 1, shape: shape, leaf: leaf, into: &values) { return false }
        default: return false
        }
        return true
    }
}
