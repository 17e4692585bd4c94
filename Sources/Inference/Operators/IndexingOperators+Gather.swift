/// Gather and GatherElements.

/// Reads int64 or int32 indices without converting them to an array first.
struct IndexReader {
    private let int64s: UnsafeMutablePointer<Int64>?
    private let int32s: UnsafeMutablePointer<Int32>?
    let count: Int

    init(_ indices: Tensor) throws(OpError) {
        switch indices.elementType {
        case .int64: int64s = indices.int64s; int32s = nil
        case .int32: int64s = nil; int32s = indices.int32s
        default: throw OpError("indices should be int64 or int32, got \(indices.elementType)")
        }
        count = indices.count
    }

    @inline(__always)
    subscript(_ i: Int) -> Int {
        if let int64s { return Int(int64s[i]) }
        return Int(int32s.unsafelyUnwrapped[i])
    }

    /// Checks every index against a dimension (negative ones count from the end).
    func validate(dimension: Int, axis: Int, dataShape: [Int]) throws(OpError) {
        for i in 0..<count {
            let index = self[i]
            guard index >= -dimension && index < dimension else {
                throw OpError("index \(index) is out of range for dimension \(dimension) "
                    + "(axis \(axis) of data shape \(dataShape))")
            }
        }
    }

    /// Index `i` made non-negative (after `validate`).
    @inline(__always)
    func resolved(_ i: Int, dimension: Int) -> Int {
        let index = self[i]
        return index < 0 ? index + dimension : index
    }
}

/// out[o, k, i] = data[o, indices[k], i], where o runs over the axes before `axis` and i over those after it.
/// Each (o, k) is one contiguous block copy; with axis 0 that is one row per index (embedding lookups).
struct GatherOperator: Operator {
    let axis: Int

    init(_ spec: OperatorSpec) throws(OpError) {
        axis = try spec.node.int("axis", default: 0)
    }

    func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
        let data = try inputs.required(0, "data")
        let indices = try inputs.required(1, "indices")
        let resolved = try Shapes.axis(axis, rank: data.rank)
        let dimension = data.shape[resolved]
        let reader = try IndexReader(indices)
        try reader.validate(dimension: dimension, axis: resolved, dataShape: data.shape)
        let shape = Array(data.shape[..<resolved]) + indices.shape + Array(data.shape[(resolved + 1)...])
        let output = context.allocate(data.elementType, shape)
        let width = data.elementType.byteWidth
        let blockBytes = data.shape[(resolved + 1)...].reduce(1, *) * width
        let outer = data.shape[..<resolved].reduce(1, *)
        let count = reader.count
        let source = UnsafeRawPointer(data.rawBytes), destination = output.rawBytes
        context.parallelRanges(outer * count,
                               minimumPerWorker: max(1, StridedCopy.bytesPerWorker / max(1, blockBytes))) { range in
            if blockBytes == width {
                // Element gathers (the last axis, shape arithmetic): one load and store each.
                for item in range {
                    let o = item / count, k = item % count
                    let from = (o * dimension + reader.resolved(k, dimension: dimension)) * width
                    StridedCopy.copyElements(from: source + from, stride: 1, to: destination + item * width,
                                             stride: 1, count: 1, width: width)
                }
                return
            }
            for item in range {
                let o = item / count, k = item % count
                let row = o * dimension + reader.resolved(k, dimension: dimension)
                (destination + item * blockBytes).copyMemory(from: source + row * blockBytes, byteCount: blockBytes)
            }
        }
        return [output]
    }
}

/// out[i0, ..., in] = data[i0, ..., indices[i0, ..., in], ..., in], the index replacing position `axis`.
struct GatherElementsOperator: Operator {
    let axis: Int

    init(_ spec: OperatorSpec) throws(OpError) {
        axis = try spec.node.int("axis", default: 0)
    }

    func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
        let data = try inputs.required(0, "data")
        let indices = try inputs.required(1, "indices")
        let resolved = try Shapes.axis(axis, rank: data.rank)
        let fits = indices.rank == data.rank
            && indices.shape.indices.allSatisfy { $0 == resolved || indices.shape[$0] <= data.shape[$0] }
        guard fits else {
            throw OpError("indices of shape \(indices.shape) do not fit data of shape \(data.shape) (axis \(axis))")
        }
        let dimension = data.shape[resolved]
        let reader = try IndexReader(indices)
        try reader.validate(dimension: dimension, axis: resolved, dataShape: data.shape)
        let output = context.allocate(data.elementType, indices.shape)
        let dataStrides = data.shape.strides, indexStrides = indices.shape.strides
        let axes = indices.shape.indices.map { k in
            StridedCopy.Axis(size: indices.shape[k], source: k == resolved ? 0 : dataStrides[k],
                             destination: indexStrides[k])
        }
        let width = data.elementType.byteWidth, axisStride = dataStrides[resolved]
        let source = UnsafeRawPointer(data.rawBytes), destination = output.rawBytes
        guard output.count > 0 else { return [output] }
        StridedCopy.forEachOffset(axes, in: 0..<output.count) { s, d in
            let from = s + reader.resolved(d, dimension: dimension) * axisStride
            StridedCopy.copyElements(from: source + from * width, stride: 1, to: destination + d * width, stride: 1,
                                     count: 1, width: width)
        }
        return [output]
    }
}
