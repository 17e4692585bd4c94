/// Expand and Tile: repetitions expressed as strided copies with source stride 0 on the repeated axes.

/// Broadcasts the input to the shape input, numpy style both ways (a 1 in either shape stretches).
struct ExpandOperator: Operator {
    let shape: IntegerList

    init(_ spec: OperatorSpec) throws(OpError) {
        shape = try IntegerList.fromInput(spec, 1, name: "shape")
    }

    func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
        let input = try inputs.required(0, "input")
        let requested = try shape.require(inputs, "the shape (input 1)")
        let target: [Int]
        do {
            target = try Shapes.broadcast(input.shape, requested)
        } catch {
            throw OpError("cannot expand shape \(input.shape) to \(requested)")
        }
        if target == input.shape { return [input] }
        let output = context.allocate(input.elementType, target)
        StridedCopy.copy(from: input.rawBytes, strides: Shapes.broadcastStrides(of: input.shape, to: target),
                         to: output.rawBytes, strides: target.strides, shape: target,
                         width: input.elementType.byteWidth, context: context)
        return [output]
    }
}

/// Repeats the input `repeats[i]` times along each axis i.
struct TileOperator: Operator {
    let repeats: IntegerList

    init(_ spec: OperatorSpec) throws(OpError) {
        repeats = try IntegerList.fromInput(spec, 1, name: "repeats")
    }

    func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
        let input = try inputs.required(0, "input")
        let counts = try repeats.require(inputs, "repeats (input 1)")
        guard counts.count == input.rank, counts.allSatisfy({ $0 >= 0 }) else {
            throw OpError("repeats \(counts) should be \(input.rank) non-negative counts for an input of shape "
                + "\(input.shape)")
        }
        let shape = zip(input.shape, counts).map { $0 * $1 }
        if shape == input.shape { return [input] }
        let output = context.allocate(input.elementType, shape)
        // Axis i becomes the pair (repeat r_i, element d_i): the repeat reads the same source again.
        let sourceStrides = input.shape.strides, destinationStrides = shape.strides
        var viewShape: [Int] = [], viewSource: [Int] = [], viewDestination: [Int] = []
        for axis in 0..<input.rank {
            viewShape += [counts[axis], input.shape[axis]]
            viewSource += [0, sourceStrides[axis]]
            viewDestination += [input.shape[axis] * destinationStrides[axis], destinationStrides[axis]]
        }
        StridedCopy.copy(from: input.rawBytes, strides: viewSource, to: output.rawBytes, strides: viewDestination,
                         shape: viewShape, width: input.elementType.byteWidth, context: context)
        return [output]
    }
}
