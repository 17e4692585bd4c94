extension ReductionOperators {
    /// ArgMax / ArgMin: the int64 index of the largest (smallest) value along `axis` (default 0); the first
    /// such index, or the last with select_last_index = 1.
    struct ArgExtreme: Operator {
        let largest: Bool
        let axis: Int
        let keepDims: Bool
        let selectLast: Bool

        init(_ spec: OperatorSpec, largest: Bool) throws {
            self.largest = largest
            axis = try spec.node.int("axis", default: 0)
            keepDims = try spec.node.int("keepdims", default: 1) != 0
            selectLast = try spec.node.int("select_last_index", default: 0) != 0
        }

        private var name: String { largest ? "ArgMax" : "ArgMin" }

        func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
            let x = try inputs.required(0, "data")
            guard x.rank > 0 else { throw OpError("\(name) needs an input of rank 1 or more, got a scalar") }
            let resolved = try Shapes.axis(axis, rank: x.rank)
            let length = x.shape[resolved]
            var outputShape = x.shape
            if keepDims { outputShape[resolved] = 1 } else { outputShape.remove(at: resolved) }
            let output = context.allocate(.int64, outputShape)
            guard output.count > 0 else { return [output] }
            guard length > 0 else { throw OpError("\(name) over axis \(resolved) of size 0 (input \(x.shape))") }
            let outer = x.shape[..<resolved].reduce(1, *), inner = x.shape[(resolved + 1)...].reduce(1, *)
            switch x.elementType {
            case .float32: scan(Float.self, x, output, outer, length, inner)
            case .int64: scan(Int64.self, x, output, outer, length, inner)
            case .int32: scan(Int32.self, x, output, outer, length, inner)
            case .bool: throw OpError("\(name) does not take bool input")
            }
            return [output]
        }

        private func scan<T: Comparable>(_ type: T.Type, _ x: Tensor, _ output: Tensor, _ outer: Int,
                                         _ length: Int, _ inner: Int) {
            let source = ElementwiseKernels.elements(x, as: T.self), target = output.int64s
            let largest = largest, selectLast = selectLast
            @inline(__always) func better(_ candidate: T, _ best: T) -> Bool {
                if selectLast { return largest ? candidate >= best : candidate <= best }
                return largest ? candidate > best : candidate < best
            }
            for block in 0..<outer {
                let base = source + block * length * inner
                for column in 0..<inner {
                    var best = base[column], bestIndex = 0
                    for r in 1..<length where better(base[r * inner + column], best) {
                        best = base[r * inner + column]
                        bestIndex = r
                    }
                    target[block * inner + column] = Int64(bestIndex)
                }
            }
        }
    }
}
