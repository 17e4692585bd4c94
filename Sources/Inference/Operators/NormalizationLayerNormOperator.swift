extension NormalizationOperators {
    /// LayerNormalization (opset 17): each row of the dimensions from `axis` on is normalised by its own mean
    /// and variance, then ·Scale + B (both broadcast over the normalised dimensions). Outputs Mean and
    /// InvStdDev (shape: X's with the normalised dimensions set to 1) when the node asks for them.
    struct LayerNormalization: Operator {
        let axis: Int
        let epsilon: Float
        let wantsStatistics: Bool

        init(_ spec: OperatorSpec) throws {
            axis = try spec.node.int("axis", default: -1)
            epsilon = try spec.node.float("epsilon", default: 1e-5)
            wantsStatistics = spec.node.outputs.dropFirst().contains { !$0.isEmpty }
        }

        func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
            let x = try inputs.required(0, "X")
            let scale = try inputs.required(1, "Scale")
            let bias = inputs.optional(2)
            try x.expect(.float32, "LayerNormalization X")
            guard x.rank > 0 else { throw OpError("LayerNormalization needs an input of rank 1 or more") }
            let first = try Shapes.axis(axis, rank: x.rank)
            let normalizedShape = Array(x.shape[first...])
            let rowLength = normalizedShape.elementCount
            let rows = x.shape[..<first].reduce(1, *)
            let scaleValues = try Self.expand(scale, to: normalizedShape, "Scale")
            let biasValues = try bias.map { try Self.expand($0, to: normalizedShape, "B") }

            let y = context.allocate(.float32, x.shape)
            let statisticsShape = Array(x.shape[..<first]) + [Int](repeating: 1, count: x.rank - first)
            let means = wantsStatistics ? context.allocate(.float32, statisticsShape) : nil
            let deviations = wantsStatistics ? context.allocate(.float32, statisticsShape) : nil
            guard rowLength > 0 else { return [y] + [means, deviations].compactMap { $0 } }

            let source = x.floats, target = y.floats, epsilon = epsilon
            let meanValues = means?.floats, deviationValues = deviations?.floats
            scaleValues.withUnsafeBufferPointer { scaleBuffer in
                (biasValues ?? []).withUnsafeBufferPointer { biasBuffer in
                    // Both hold rowLength > 0 values (or the bias none), so the base addresses exist.
                    guard let scalePointer = scaleBuffer.baseAddress else { return }
                    let biasPointer = biasValues == nil ? nil : biasBuffer.baseAddress
                    let minimumRows = Swift.max(1, (1 << 13) / rowLength)
                    context.parallelRanges(rows, minimumPerWorker: minimumRows) { range in
                        for row in range {
                            let statistics = NormalizationKernels.layerNormRow(
                                source + row * rowLength, target + row * rowLength, rowLength, epsilon: epsilon,
                                scale: scalePointer, bias: biasPointer)
                            meanValues?[row] = statistics.mean
                            deviationValues?[row] = statistics.inverseDeviation
                        }
                    }
                }
            }
            return [y] + [means, deviations].compactMap { $0 }
        }

        /// A parameter as one value per element of the normalised shape, broadcasting as numpy does.
        static func expand(_ tensor: Tensor, to shape: [Int], _ name: String) throws(OpError) -> [Float] {
            try tensor.expect(.float32, "LayerNormalization \(name)")
            let target = try Shapes.broadcast(tensor.shape, shape)
            guard target.elementCount == shape.elementCount else {
                throw OpError("LayerNormalization \(name) \(tensor.shape) does not broadcast to the normalised "
                    + "shape \(shape)")
            }
            if tensor.count == target.elementCount { return tensor.floatArray }
            let strides = Shapes.broadcastStrides(of: tensor.shape, to: target)
            let source = tensor.floats
            return (0..<target.elementCount).map { flat in
                var remaining = flat, offset = 0
                for axis in stride(from: target.count - 1, through: 0, by: -1) {
                    offset += (remaining % target[axis]) * strides[axis]
                    remaining /= target[axis]
                }
                return source[offset]
            }
        }
    }
}
