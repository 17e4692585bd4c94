extension ReductionOperators {
    /// TopK: the K largest (or smallest) values along an axis and their int64 indices, best first. Equal values
    /// keep their order (the lower index first), as onnxruntime returns them. K is an input from opset 10 (an
    /// int64 tensor of one value), an attribute before.
    struct TopK: Operator {
        enum Count: Sendable {
            case fixed(Int)
            case input(Int)
        }

        let count: Count
        let axis: Int
        let largest: Bool

        init(_ spec: OperatorSpec) throws {
            axis = try spec.node.int("axis", default: -1)
            largest = try spec.node.int("largest", default: 1) != 0
            // `sorted` = 0 allows any order; sorted output is one of them.
            if spec.node.attributes["k"] != nil {
                count = .fixed(try spec.node.int("k", default: 0))
            } else if spec.hasInput(1) {
                count = try spec.constant(1).map { .fixed(try TopK.single($0)) } ?? .input(1)
            } else {
                throw OpError("TopK needs K (input 1 from opset 10, attribute k before)")
            }
        }

        static func single(_ tensor: Tensor) throws(OpError) -> Int {
            guard tensor.count == 1, tensor.elementType != .float32 else {
                throw OpError("TopK K should be one integer, got \(tensor.elementType) \(tensor.shape)")
            }
            return tensor.integerValues[0]
        }

        func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
            let x = try inputs.required(0, "X")
            let k: Int
            switch count {
            case .fixed(let value): k = value
            case .input(let index): k = try TopK.single(inputs.required(index, "K"))
            }
            guard x.rank > 0 else { throw OpError("TopK needs an input of rank 1 or more, got a scalar") }
            let resolved = try Shapes.axis(axis, rank: x.rank)
            let length = x.shape[resolved]
            guard k >= 0 && k <= length else {
                throw OpError("TopK K=\(k) is out of range for axis \(resolved) of size \(length) (input \(x.shape))")
            }
            var outputShape = x.shape
            outputShape[resolved] = k
            let values = context.allocate(x.elementType, outputShape)
            let indices = context.allocate(.int64, outputShape)
            let layout = Layout(outer: x.shape[..<resolved].reduce(1, *), length: length,
                                inner: x.shape[(resolved + 1)...].reduce(1, *), k: k)
            switch x.elementType {
            case .float32: select(Float.self, x, values, indices, layout, context)
            case .int64: select(Int64.self, x, values, indices, layout, context)
            case .int32: select(Int32.self, x, values, indices, layout, context)
            case .bool: throw OpError("TopK does not take bool input")
            }
            return [values, indices]
        }

        struct Layout {
            let outer: Int
            let length: Int
            let inner: Int
            let k: Int
        }

        private func select<T: Comparable>(_ type: T.Type, _ x: Tensor, _ values: Tensor, _ indices: Tensor,
                                           _ layout: Layout, _ context: ExecutionContext) {
            guard layout.k > 0 && values.count > 0 else { return }
            let source = ElementwiseKernels.elements(x, as: T.self)
            let targetValues = ElementwiseKernels.elements(values, as: T.self), targetIndices = indices.int64s
            let largest = largest, (length, inner, k) = (layout.length, layout.inner, layout.k)
            let slices = layout.outer * inner
            let minimumSlices = Swift.max(1, (1 << 14) / length)
            context.parallelRanges(slices, minimumPerWorker: minimumSlices) { range in
                let gathered = UnsafeMutablePointer<T>.allocate(capacity: length)
                let order = UnsafeMutablePointer<Int>.allocate(capacity: length)
                defer {
                    gathered.deallocate()
                    order.deallocate()
                }
                for slice in range {
                    let block = slice / inner, column = slice % inner
                    let start = source + block * length * inner + column
                    // Rows along the last axis are read in place; other axes are gathered first.
                    let values: UnsafePointer<T>
                    if inner == 1 {
                        values = UnsafePointer(start)
                    } else {
                        for i in 0..<length { gathered[i] = start[i * inner] }
                        values = UnsafePointer(gathered)
                    }
                    TopK.best(values, length, k, largest: largest, into: order)
                    let outputStart = block * k * inner + column
                    for rank in 0..<k {
                        targetValues[outputStart + rank * inner] = values[order[rank]]
                        targetIndices[outputStart + rank * inner] = Int64(order[rank])
                    }
                }
            }
        }

        /// The indices of the k best of `values[0..<count]`, best first, ties in index order, in `order[0..<k]`
        /// (`order` has room for `count`). Small k keeps a sorted list of the best so far; large k sorts.
        static func best<T: Comparable>(_ values: UnsafePointer<T>, _ count: Int, _ k: Int, largest: Bool,
                                        into order: UnsafeMutablePointer<Int>) {
            @inline(__always) func beats(_ a: T, _ b: T) -> Bool { largest ? a > b : a < b }
            if k <= 32 {
                var filled = 0
                var worst = values[0]
                for i in 0..<count {
                    let value = values[i]
                    // A later index only displaces an entry it strictly beats.
                    if filled == k && !beats(value, worst) { continue }
                    var position = Swift.min(filled, k - 1)
                    while position > 0 && beats(value, values[order[position - 1]]) {
                        order[position] = order[position - 1]
                        position -= 1
                    }
                    order[position] = i
                    if filled < k { filled += 1 }
                    worst = values[order[filled - 1]]
                }
                return
            }
            for i in 0..<count { order[i] = i }
            var buffer = UnsafeMutableBufferPointer(start: order, count: count)
            buffer.sort { a, b in
                let va = values[a], vb = values[b]
                return beats(va, vb) || (va == vb && a < b)
            }
        }
    }
}
