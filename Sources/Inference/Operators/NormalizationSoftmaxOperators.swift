extension NormalizationOperators {
    /// Softmax and LogSoftmax. From opset 13 along one axis (default -1); before, the input is seen as 2-D at
    /// `axis` (default 1) and each row's whole trailing part is normalised together.
    struct Softmax: Operator {
        let log: Bool
        let axis: Int
        let flattensTrailing: Bool

        init(_ spec: OperatorSpec, log: Bool) throws {
            self.log = log
            flattensTrailing = spec.opset < 13
            axis = try spec.node.int("axis", default: flattensTrailing ? 1 : -1)
        }

        private var name: String { log ? "LogSoftmax" : "Softmax" }

        func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
            let x = try inputs.required(0, "input")
            try x.expect(.float32, "\(name) input")
            let (outer, length, inner) = try layout(x.shape)
            let y = context.allocate(.float32, x.shape)
            guard x.count > 0 else { return [y] }
            let source = x.floats, target = y.floats, log = log
            if inner == 1 {
                let minimumRows = Swift.max(1, (1 << 13) / length)
                context.parallelRanges(outer, minimumPerWorker: minimumRows) { rows in
                    for row in rows {
                        NormalizationKernels.softmaxRow(source + row * length, target + row * length, length,
                                                        log: log)
                    }
                }
            } else if inner < 16 {
                // Narrow columns: each softmax gathered into a contiguous row, where the vector kernel runs.
                let minimumColumns = Swift.max(1, (1 << 13) / length)
                context.parallelRanges(outer * inner, minimumPerWorker: minimumColumns) { columns in
                    let row = UnsafeMutablePointer<Float>.allocate(capacity: length)
                    defer { row.deallocate() }
                    for column in columns {
                        let start = (column / inner) * length * inner + column % inner
                        for i in 0..<length { row[i] = source[start + i * inner] }
                        NormalizationKernels.softmaxRow(row, row, length, log: log)
                        for i in 0..<length { target[start + i * inner] = row[i] }
                    }
                }
            } else {
                let block = length * inner
                let minimumBlocks = Swift.max(1, (1 << 13) / block)
                context.parallelRanges(outer, minimumPerWorker: minimumBlocks) { blocks in
                    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 3 * inner)
                    defer { scratch.deallocate() }
                    for b in blocks {
                        NormalizationKernels.softmaxColumns(source + b * block, target + b * block, axis: length,
                                                            inner: inner, log: log, scratch: scratch)
                    }
                }
            }
            return [y]
        }

        /// (blocks, normalised length, stride between consecutive elements of one softmax).
        private func layout(_ shape: [Int]) throws(OpError) -> (Int, Int, Int) {
            if flattensTrailing {
                let resolved = axis < 0 ? axis + shape.count : axis
                guard resolved >= 0 && resolved <= shape.count else {
                    throw OpError("\(name) axis \(axis) is out of range for input \(shape)")
                }
                return (shape[..<resolved].reduce(1, *), shape[resolved...].reduce(1, *), 1)
            }
            guard !shape.isEmpty else { throw OpError("\(name) needs an input of rank 1 or more, got a scalar") }
            let resolved = try Shapes.axis(axis, rank: shape.count)
            return (shape[..<resolved].reduce(1, *), shape[resolved], shape[(resolved + 1)...].reduce(1, *))
        }
    }
}
