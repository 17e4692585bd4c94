/// Operators whose output is (mostly) fixed at load time: Constant, ConstantOfShape, Range.

struct ConstantOperator: Operator {
    let value: Tensor

    init(_ spec: OperatorSpec) throws(OpError) {
        let node = spec.node
        if let tensor = try node.tensor("value") {
            value = tensor
        } else if node.attributes["value_float"] != nil {
            value = Tensor.scalar(try node.float("value_float", default: 0))
        } else if let floats = try node.floats("value_floats") {
            value = Tensor(floats: floats, shape: [floats.count])
        } else if node.attributes["value_int"] != nil {
            value = Tensor(int64s: [Int64(try node.int("value_int", default: 0))], shape: [])
        } else if let ints = try node.ints("value_ints") {
            value = Tensor(int64s: ints.map { Int64($0) }, shape: [ints.count])
        } else {
            let given = node.attributes.keys.sorted().joined(separator: ", ")
            throw OpError("Constant needs one of the attributes value, value_float, value_floats, value_int, "
                + "value_ints (found: \(given.isEmpty ? "none" : given))")
        }
    }

    /// The same tensor every run: outputs are never written after they are produced.
    func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] { [value] }
}

/// A tensor of the shape given by input 0, filled with the one element of the `value` attribute (float 0).
struct ConstantOfShapeOperator: Operator {
    let value: Tensor
    /// Built at load when the shape is a constant.
    let precomputed: Tensor?

    init(_ spec: OperatorSpec) throws(OpError) {
        let fill = try spec.node.tensor("value") ?? Tensor.scalar(0)
        guard fill.count == 1 else {
            throw OpError("attribute 'value' should hold one element, it has shape \(fill.shape)")
        }
        value = fill
        if let shape = spec.constant(0) {
            let dimensions = try Self.dimensions(shape)
            let output = Tensor(zeros: fill.elementType, shape: dimensions)
            Self.fill(output, with: fill)
            precomputed = output
        } else {
            precomputed = nil
        }
    }

    func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
        if let precomputed { return [precomputed] }
        let dimensions = try Self.dimensions(inputs.required(0, "input"))
        let output = context.allocate(value.elementType, dimensions)
        Self.fill(output, with: value)
        return [output]
    }

    static func dimensions(_ shape: Tensor) throws(OpError) -> [Int] {
        let dimensions = try shape.integers("the shape (input 0)")
        guard dimensions.allSatisfy({ $0 >= 0 }) else { throw OpError("shape \(dimensions) has a negative dimension") }
        return dimensions
    }

    static func fill(_ output: Tensor, with value: Tensor) {
        StridedCopy.fill(output.rawBytes, count: output.count, with: value.rawBytes,
                         width: value.elementType.byteWidth)
    }
}

/// start, start + delta, ... up to (excluding) limit; float32, int64 or int32 scalars.
struct RangeOperator: Operator {
    func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
        let start = try inputs.required(0, "start"), limit = try inputs.required(1, "limit")
        let delta = try inputs.required(2, "delta")
        guard start.count == 1, limit.count == 1, delta.count == 1 else {
            throw OpError("start, limit and delta should be scalars, got shapes \(start.shape), \(limit.shape), "
                + "\(delta.shape)")
        }
        guard start.elementType == limit.elementType, start.elementType == delta.elementType else {
            throw OpError("start, limit and delta mix \(start.elementType), \(limit.elementType), "
                + "\(delta.elementType)")
        }
        switch start.elementType {
        case .float32:
            let first = start.floats[0], step = delta.floats[0]
            guard step != 0 else { throw OpError("delta is 0") }
            let steps = ((Double(limit.floats[0]) - Double(first)) / Double(step)).rounded(.up)
            guard steps.isFinite, steps < Double(1 << 40) else {
                throw OpError("Range from \(first) to \(limit.floats[0]) by \(step) has no finite length")
            }
            let count = Swift.max(0, Int(steps))
            let output = context.allocate(.float32, [count])
            for i in 0..<count { output.floats[i] = first + Float(i) * step }
            return [output]
        case .int64, .int32:
            let first = start.integerValues[0], end = limit.integerValues[0], step = delta.integerValues[0]
            guard step != 0 else { throw OpError("delta is 0") }
            let span = end - first
            // Ceiling division that also holds for negative steps.
            let count = Swift.max(0, step > 0 ? (span + step - 1) / step : (span + step + 1) / step)
            let output = context.allocate(start.elementType, [count])
            for i in 0..<count {
                let value = first + i * step
                if start.elementType == .int64 { output.int64s[i] = Int64(value) } else { output.int32s[i] = Int32(value) }
            }
            return [output]
        case .bool:
            throw OpError("Range does not take bool inputs")
        }
    }
}
