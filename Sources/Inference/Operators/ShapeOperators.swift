/// Operators that move data without computing on it: reshapes (zero copy), transposes, joins and splits,
/// constants, casts. The index-driven ones (Slice, Gather, Pad) are in `IndexingOperators`.
enum ShapeOperators {
    static let factories: [String: OperatorFactory] = [
        "Flatten": { try FlattenOperator($0) },
        "Reshape": { try ReshapeOperator($0) },
        "Squeeze": { try SqueezeOperator($0) },
        "Unsqueeze": { try UnsqueezeOperator($0) },
        "Identity": { _ in IdentityOperator() },
        "Shape": { try ShapeOperator($0) },
        "Size": { _ in SizeOperator() },
        "Transpose": { try TransposeOperator($0) },
        "Concat": { try ConcatOperator($0) },
        "Split": { try SplitOperator($0) },
        "Constant": { try ConstantOperator($0) },
        "ConstantOfShape": { try ConstantOfShapeOperator($0) },
        "Range": { _ in RangeOperator() },
        "Expand": { try ExpandOperator($0) },
        "Tile": { try TileOperator($0) },
        "Cast": { try CastOperator($0) },
        "CastLike": { _ in CastLikeOperator() },
        "Dropout": { try DropoutOperator($0) },
    ]
}

/// [d0, ..., dn] → [d0 * ... * d(axis-1), d(axis) * ... * dn].
struct FlattenOperator: Operator {
    let axis: Int

    init(_ spec: OperatorSpec) throws(OpError) {
        axis = try spec.node.int("axis", default: 1)
    }

    func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
        let input = try inputs.required(0, "input")
        let resolved = axis < 0 ? axis + input.rank : axis
        guard resolved >= 0 && resolved <= input.rank else {
            throw OpError("axis \(axis) is out of range for an input of shape \(input.shape)")
        }
        let outer = input.shape[..<resolved].reduce(1, *)
        let inner = input.shape[resolved...].reduce(1, *)
        return [input.reshaped([outer, inner])]
    }
}

struct ReshapeOperator: Operator {
    /// Input 1 since opset 5; the `shape` attribute before.
    let shape: IntegerList
    /// Opset 14: a 0 in the shape is a real zero-sized dimension instead of "copy the input's".
    let allowZero: Bool

    init(_ spec: OperatorSpec) throws(OpError) {
        shape = try IntegerList.from(spec, attribute: "shape", input: 1)
        allowZero = try spec.node.int("allowzero", default: 0) != 0
    }

    func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
        let input = try inputs.required(0, "data")
        let requested = try shape.require(inputs, "the target shape (input 1)")
        return [input.reshaped(try Self.outputShape(requested, input: input.shape, allowZero: allowZero))]
    }

    /// Resolves the 0 (copy) and -1 (infer) entries of a requested shape.
    static func outputShape(_ requested: [Int], input: [Int], allowZero: Bool) throws(OpError) -> [Int] {
        func failure(_ reason: String) -> OpError {
            OpError("cannot reshape a tensor of shape \(input) to \(requested): \(reason)")
        }
        var result = requested
        var inferred: Int?
        for (i, dimension) in requested.enumerated() {
            if dimension == -1 {
                guard inferred == nil else { throw failure("more than one dimension is -1") }
                inferred = i
            } else if dimension == 0 && !allowZero {
                guard i < input.count else {
                    throw failure("the 0 at position \(i) copies an input dimension that does not exist")
                }
                result[i] = input[i]
            } else if dimension < 0 {
                throw failure("dimension \(dimension) is negative")
            }
        }
        let count = input.elementCount
        if let inferred {
            let known = result.enumerated().reduce(1) { $1.offset == inferred ? $0 : $0 * $1.element }
            guard known > 0, count % known == 0 else {
                throw failure("\(count) elements cannot be divided into parts of \(known)")
            }
            result[inferred] = count / known
        }
        guard result.elementCount == count else {
            throw failure("\(count) elements do not fill \(result) (\(result.elementCount) elements)")
        }
        return result
    }
}

struct SqueezeOperator: Operator {
    /// Attribute before opset 13, input 1 from 13.
    let axes: IntegerList

    init(_ spec: OperatorSpec) throws(OpError) {
        axes = try IntegerList.from(spec, attribute: "axes", input: 1)
    }

    func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
        let input = try inputs.required(0, "data")
        // No axes, or an empty list (as onnxruntime reads it): every dimension of size 1 goes.
        guard let requested = try axes.resolve(inputs), !requested.isEmpty else {
            return [input.reshaped(input.shape.filter { $0 != 1 })]
        }
        let removed = try AxisList.resolve(requested, rank: input.rank, "Squeeze axes")
        for axis in removed where input.shape[axis] != 1 {
            throw OpError("cannot squeeze axis \(axis) of shape \(input.shape): its size is \(input.shape[axis]), not 1")
        }
        let shape = input.shape.indices.filter { !removed.contains($0) }.map { input.shape[$0] }
        return [input.reshaped(shape)]
    }
}

struct UnsqueezeOperator: Operator {
    /// Attribute before opset 13, input 1 from 13. Axes count in the output's rank.
    let axes: IntegerList

    init(_ spec: OperatorSpec) throws(OpError) {
        axes = try IntegerList.from(spec, attribute: "axes", input: 1)
    }

    func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
        let input = try inputs.required(0, "data")
        let requested = try axes.require(inputs, "Unsqueeze axes")
        let rank = input.rank + requested.count
        let inserted = try AxisList.resolve(requested, rank: rank, "Unsqueeze axes")
        var shape: [Int] = []
        shape.reserveCapacity(rank)
        var next = 0
        for axis in 0..<rank {
            if inserted.contains(axis) {
                shape.append(1)
            } else {
                shape.append(input.shape[next])
                next += 1
            }
        }
        return [input.reshaped(shape)]
    }
}

struct IdentityOperator: Operator {
    func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
        [try inputs.required(0, "input")]
    }
}

/// The input's shape as int64; opset 15 may take only the axes start..<end (negative counts from the end).
struct ShapeOperator: Operator {
    let start: Int
    let end: Int?

    init(_ spec: OperatorSpec) throws(OpError) {
        start = try spec.node.int("start", default: 0)
        end = spec.node.attributes["end"] == nil ? nil : try spec.node.int("end", default: 0)
    }

    func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
        let input = try inputs.required(0, "data")
        let rank = input.rank
        func clamp(_ value: Int) -> Int { Swift.min(Swift.max(value < 0 ? value + rank : value, 0), rank) }
        let first = clamp(start), last = Swift.max(first, clamp(end ?? rank))
        let output = context.allocate(.int64, [last - first])
        for (i, dimension) in input.shape[first..<last].enumerated() { output.int64s[i] = Int64(dimension) }
        return [output]
    }
}

/// The input's element count as an int64 scalar.
struct SizeOperator: Operator {
    func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
        let input = try inputs.required(0, "data")
        let output = context.allocate(.int64, [])
        output.int64s[0] = Int64(input.count)
        return [output]
    }
}
