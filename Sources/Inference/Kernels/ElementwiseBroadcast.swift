/// Operands broadcast against each other (numpy rules), with the output's dimensions merged wherever every
/// operand allows it, so that the innermost loop is as long as possible: same shapes become one row, a scalar
/// becomes a stride-0 operand, [C,1,1] against [N,C,H,W] becomes N·C rows of H·W with one value per row, and a
/// last-axis vector becomes rows that read the whole vector.
struct ElementwiseBroadcast: Sendable {
    let outputShape: [Int]
    let count: Int
    /// Merged dimensions of the output, outermost first; the last one is the row the kernels loop over.
    let dims: [Int]
    /// Per operand, its element stride along each merged dimension (0 where it is broadcast).
    let strides: [[Int]]

    /// Below this many output elements a single thread does the whole job.
    static let minimumPerWorker = 1 << 15

    init(_ shapes: [[Int]]) throws(OpError) {
        var output = shapes[0]
        for shape in shapes.dropFirst() { output = try Shapes.broadcast(output, shape) }
        let full = shapes.map { Shapes.broadcastStrides(of: $0, to: output) }
        var dims: [Int] = []
        var strides = [[Int]](repeating: [], count: shapes.count)
        for axis in output.indices where output[axis] != 1 {
            // The inner axis joins the group before it when, for every operand, stepping over the whole inner
            // axis lands exactly on the group's next element.
            let joins = !dims.isEmpty && strides.indices.allSatisfy { k in
                strides[k][dims.count - 1] == full[k][axis] * output[axis]
            }
            if joins {
                dims[dims.count - 1] *= output[axis]
                for k in strides.indices { strides[k][dims.count - 1] = full[k][axis] }
            } else {
                dims.append(output[axis])
                for k in strides.indices { strides[k].append(full[k][axis]) }
            }
        }
        if dims.isEmpty {
            dims = [1]
            strides = strides.map { _ in [0] }
        }
        self.outputShape = output
        self.count = output.elementCount
        self.dims = dims
        self.strides = strides
    }

    var rowLength: Int { dims[dims.count - 1] }

    /// Operand `k`'s stride within a row: 1 when it varies along the row, 0 when one value serves the row.
    func innerStride(_ operand: Int) -> Int { strides[operand][dims.count - 1] }

    /// Calls `body(offsets, start, length)` for each run of output elements in `range` that lies in one row:
    /// `start` is the run's first output element and `offsets[k]` operand k's element under it.
    func forEachRun(in range: Range<Int>, _ body: (UnsafePointer<Int>, Int, Int) -> Void) {
        guard !range.isEmpty else { return }
        let rank = dims.count, outer = rank - 1, operands = strides.count, row = rowLength
        // Index, offsets and strides in one stack buffer: the per-row bookkeeping then touches no arrays.
        withUnsafeTemporaryAllocation(of: Int.self, capacity: rank + 2 * operands + operands * rank + 1) { scratch in
            guard let base = scratch.baseAddress else { return }
            let index = base, offsets = base + rank, runOffsets = offsets + operands
            let sizes = runOffsets + operands, flatStrides = sizes + rank
            for axis in 0..<rank { sizes[axis] = dims[axis] }
            for k in 0..<operands {
                offsets[k] = 0
                for axis in 0..<rank { flatStrides[k * rank + axis] = strides[k][axis] }
            }
            var remaining = range.lowerBound / row
            for axis in stride(from: outer - 1, through: 0, by: -1) {
                index[axis] = remaining % sizes[axis]
                remaining /= sizes[axis]
                for k in 0..<operands { offsets[k] += index[axis] * flatStrides[k * rank + axis] }
            }
            var column = range.lowerBound % row
            var position = range.lowerBound
            while position < range.upperBound {
                let length = Swift.min(row - column, range.upperBound - position)
                for k in 0..<operands { runOffsets[k] = offsets[k] + column * flatStrides[k * rank + outer] }
                body(runOffsets, position, length)
                position += length
                column = 0
                // Next row: an odometer over the outer dimensions.
                var axis = outer - 1
                while axis >= 0 {
                    index[axis] += 1
                    for k in 0..<operands { offsets[k] += flatStrides[k * rank + axis] }
                    if index[axis] < sizes[axis] { break }
                    for k in 0..<operands { offsets[k] -= flatStrides[k * rank + axis] * sizes[axis] }
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
    }

    /// `forEachRun` over the whole output, split over the context's threads when the output is large.
    func forEachRun(context: ExecutionContext, _ body: (UnsafePointer<Int>, Int, Int) -> Void) {
        context.parallelRanges(count, minimumPerWorker: Self.minimumPerWorker) { range in
            forEachRun(in: range, body)
        }
    }
}

/// One element-wise function of two operands; the type parameters let the compiler specialise the row loops.
protocol ElementwiseBinaryKernel {
    associatedtype Left
    associatedtype Right
    associatedtype Result
    static func apply(_ a: Left, _ b: Right) -> Result
}

extension ElementwiseBroadcast {
    /// out = K(a, b) over the broadcast output (operands 0 and 1 of this plan).
    func binary<K: ElementwiseBinaryKernel>(_ kernel: K.Type, _ a: UnsafePointer<K.Left>,
                                            _ b: UnsafePointer<K.Right>, _ out: UnsafeMutablePointer<K.Result>,
                                            context: ExecutionContext) {
        let strideA = innerStride(0), strideB = innerStride(1)
        forEachRun(context: context) { offsets, start, length in
            Self.row(K.self, a + offsets[0], strideA, b + offsets[1], strideB, out + start, length)
        }
    }

    /// One row, with the stride-0 operands read once (the compiler vectorises each of these loops).
    @inline(__always)
    static func row<K: ElementwiseBinaryKernel>(_ kernel: K.Type, _ a: UnsafePointer<K.Left>, _ strideA: Int,
                                                _ b: UnsafePointer<K.Right>, _ strideB: Int,
                                                _ out: UnsafeMutablePointer<K.Result>, _ count: Int) {
        switch (strideA, strideB) {
        case (1, 1):
            for i in 0..<count { out[i] = K.apply(a[i], b[i]) }
        case (1, _):
            let right = b[0]
            for i in 0..<count { out[i] = K.apply(a[i], right) }
        case (_, 1):
            let left = a[0]
            for i in 0..<count { out[i] = K.apply(left, b[i]) }
        default:
            let value = K.apply(a[0], b[0])
            for i in 0..<count { out[i] = value }
        }
    }

    /// out = condition ? x : y over the broadcast output (operands 0, 1, 2 of this plan).
    func select<T>(_ condition: UnsafePointer<Bool>, _ x: UnsafePointer<T>, _ y: UnsafePointer<T>,
                   _ out: UnsafeMutablePointer<T>, context: ExecutionContext) {
        let strideC = innerStride(0), strideX = innerStride(1), strideY = innerStride(2)
        forEachRun(context: context) { offsets, start, length in
            let c = condition + offsets[0], xs = x + offsets[1], ys = y + offsets[2], o = out + start
            if strideC == 1 && strideX == 1 && strideY == 1 {
                for i in 0..<length { o[i] = c[i] ? xs[i] : ys[i] }
            } else {
                for i in 0..<length { o[i] = c[i * strideC] ? xs[i * strideX] : ys[i * strideY] }
            }
        }
    }
}
