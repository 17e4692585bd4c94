/// Reading the small integer inputs (shapes, axes, pads, starts, ...) of the data-movement operators.

extension Tensor {
    /// The contents of a shape, axes or index input. ONNX gives these as int64; int32 is accepted too because
    /// converted models (OpenVINO, older exporters) use it.
    func integers(_ what: String) throws(OpError) -> [Int] {
        switch elementType {
        case .int64, .int32: return integerValues
        default: throw OpError("\(what) should be int64 or int32, got \(elementType)")
        }
    }

    /// The memory behind the tensor, for the type-agnostic copies of the data-movement kernels.
    var rawBytes: UnsafeMutableRawPointer { storage.bytes }
}

/// An integer list that older opsets carry as an attribute and newer ones as an input (Squeeze's axes before
/// and from opset 13, Pad's pads before and from opset 11, ...). Valid models only ever have one of the two,
/// so the attribute wins when present and the input is read otherwise; a load-time constant input is read once.
enum IntegerList: Sendable {
    case absent
    case known([Int])
    case input(index: Int, name: String)

    static func from(_ spec: OperatorSpec, attribute: String, input index: Int,
                     name: String? = nil) throws(OpError) -> IntegerList {
        if let values = try spec.node.ints(attribute) { return .known(values) }
        return try fromInput(spec, index, name: name ?? attribute)
    }

    static func fromInput(_ spec: OperatorSpec, _ index: Int, name: String) throws(OpError) -> IntegerList {
        guard spec.hasInput(index) else { return .absent }
        if let constant = spec.constant(index) { return .known(try constant.integers("input '\(name)'")) }
        return .input(index: index, name: name)
    }

    /// The values, or nil when the node leaves them out.
    func resolve(_ inputs: [Tensor?]) throws(OpError) -> [Int]? {
        switch self {
        case .absent: return nil
        case .known(let values): return values
        case .input(let index, let name):
            guard let tensor = inputs.optional(index) else { return nil }
            return try tensor.integers("input '\(name)'")
        }
    }
}

/// An integer list that must be present, with the error saying which.
extension IntegerList {
    func require(_ inputs: [Tensor?], _ what: String) throws(OpError) -> [Int] {
        guard let values = try resolve(inputs) else { throw OpError("\(what) is missing") }
        return values
    }
}

enum AxisList {
    /// Resolves possibly negative axes against a rank; repeated axes are an error.
    static func resolve(_ axes: [Int], rank: Int, _ what: String) throws(OpError) -> [Int] {
        var resolved: [Int] = []
        for axis in axes {
            let value = try Shapes.axis(axis, rank: rank)
            guard !resolved.contains(value) else { throw OpError("\(what) \(axes) repeat axis \(axis)") }
            resolved.append(value)
        }
        return resolved
    }
}

/// Element types of the ONNX TensorProto codes, for Cast and for error messages.
enum TensorTypeCode {
    static func name(_ code: Int) -> String {
        let names = [1: "float", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32", 7: "int64",
                     8: "string", 9: "bool", 10: "float16", 11: "double", 12: "uint32", 13: "uint64",
                     14: "complex64", 15: "complex128", 16: "bfloat16"]
        return names[code] ?? "unknown"
    }
}
