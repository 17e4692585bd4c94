/// Gemm and MatMul, both on OpenBLAS. MatMul with a 2-D right-hand side (a weight matrix, the usual case in
/// MLPs and transformers) folds the left side's batch dimensions into one GEMM.
enum LinearOperators {
    static let factories: [String: OperatorFactory] = [
        "Gemm": { spec in try GemmOperator(spec) },
        "MatMul": { spec in try MatMulOperator(spec) },
    ]
}

struct GemmOperator: Operator {
    let alpha: Float, beta: Float
    let transposeA: Bool, transposeB: Bool
    let epilogue: Epilogue

    init(_ spec: OperatorSpec) throws {
        alpha = try spec.node.float("alpha", default: 1)
        beta = try spec.node.float("beta", default: 1)
        transposeA = try spec.node.int("transA", default: 0) != 0
        transposeB = try spec.node.int("transB", default: 0) != 0
        epilogue = try Epilogue(node: spec.node)
    }

    func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
        let a = try inputs.required(0, "A"), b = try inputs.required(1, "B")
        try a.expect(.float32, "A")
        try b.expect(.float32, "B")
        guard a.rank == 2, b.rank == 2 else { throw OpError("A \(a.shape) and B \(b.shape) should be matrices") }
        let (m, k) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let (kB, n) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
        guard k == kB else {
            throw OpError("A \(a.shape)\(transposeA ? "ᵀ" : "") and B \(b.shape)\(transposeB ? "ᵀ" : "") do not chain")
        }
        let y = context.allocate(.float32, [m, n])
        var accumulate: Float = 0
        if let c = inputs.optional(2), beta != 0 {
            try c.expect(.float32, "C")
            let target = [m, n]
            guard (try? Shapes.broadcast(c.shape, target)) == target else {
                throw OpError("C \(c.shape) does not broadcast to [\(m), \(n)]")
            }
            let strides = Shapes.broadcastStrides(of: c.shape, to: target)
            let source = c.floats, out = y.floats
            for row in 0..<m {
                for column in 0..<n { out[row * n + column] = beta * source[row * strides[0] + column * strides[1]] }
            }
            accumulate = 1
        }
        Sgemm.multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                       a: a.floats, lda: a.shape[1], b: b.floats, ldb: b.shape[1],
                       beta: accumulate, c: y.floats, ldc: n, context: context)
        if let activation = epilogue.activation { activation.apply(y.floats, count: m * n) }
        return [y]
    }
}

/// numpy.matmul semantics: 1-D operands are promoted and the promoted axis removed; batch axes broadcast.
/// Input 2, when present, is a bias over the last axis that the optimiser fused from a following Add.
struct MatMulOperator: Operator {
    let epilogue: Epilogue

    init(_ spec: OperatorSpec) throws {
        epilogue = try Epilogue(node: spec.node)
    }

    func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
        let a = try inputs.required(0, "A"), b = try inputs.required(1, "B")
        try a.expect(.float32, "A")
        try b.expect(.float32, "B")
        guard a.rank >= 1, b.rank >= 1 else { throw OpError("MatMul needs at least 1-D inputs") }
        let aShape = a.rank == 1 ? [1, a.shape[0]] : a.shape
        let bShape = b.rank == 1 ? [b.shape[0], 1] : b.shape
        let m = aShape[aShape.count - 2], k = aShape[aShape.count - 1]
        let n = bShape[bShape.count - 1]
        guard bShape[bShape.count - 2] == k else { throw OpError("A \(a.shape) and B \(b.shape) do not chain") }
        let batchShape = try Shapes.broadcast(Array(aShape.dropLast(2)), Array(bShape.dropLast(2)))
        var outputShape = batchShape + [m, n]
        if a.rank == 1 { outputShape.remove(at: outputShape.count - 2) }
        if b.rank == 1 { outputShape.removeLast() }
        let y = context.allocate(.float32, outputShape)

        if bShape.count == 2 {
            // Every row of every batch of A against one matrix: a single GEMM.
            Sgemm.multiply(m: batchShape.elementCount * m, n: n, k: k, a: a.floats, lda: k, b: b.floats, ldb: n,
                           c: y.floats, ldc: n, context: context)
        } else {
            let aStrides = Shapes.broadcastStrides(of: Array(aShape.dropLast(2)), to: batchShape)
            let bStrides = Shapes.broadcastStrides(of: Array(bShape.dropLast(2)), to: batchShape)
            let batchStrides = batchShape.strides
            for index in 0..<batchShape.elementCount {
                var aOffset = 0, bOffset = 0, rest = index
                for axis in batchShape.indices {
                    let coordinate = rest / batchStrides[axis]
                    rest %= batchStrides[axis]
                    aOffset += coordinate * aStrides[axis]
                    bOffset += coordinate * bStrides[axis]
                }
                Sgemm.multiply(m: m, n: n, k: k, a: a.floats + aOffset * m * k, lda: k,
                               b: b.floats + bOffset * k * n, ldb: n, c: y.floats + index * m * n, ldc: n, context: context)
            }
        }
        if let bias = inputs.optional(2) {
            guard bias.count == n else { throw OpError("fused bias has \(bias.count) values for \(n) columns") }
            let rows = y.count / n, values = bias.floats, out = y.floats
            for row in 0..<rows {
                for column in 0..<n { out[row * n + column] += values[column] }
            }
        }
        if let activation = epilogue.activation { activation.apply(y.floats, count: y.count) }
        return [y]
    }
}
