/// Concat and Split: both copy whole contiguous blocks (everything from the axis inwards) with memcpy.

struct ConcatOperator: Operator {
    let axis: Int

    init(_ spec: OperatorSpec) throws(OpError) {
        // Required since opset 4; Concat-1 defaulted to 1.
        guard spec.node.attributes["axis"] != nil || spec.opset < 4 else {
            throw OpError("attribute 'axis' is required")
        }
        axis = try spec.node.int("axis", default: 1)
    }

    func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
        var tensors: [Tensor] = []
        for i in inputs.indices { tensors.append(try inputs.required(i, "input \(i)")) }
        guard let first = tensors.first else { throw OpError("Concat needs at least one input") }
        // PyTorch exports may concatenate a legacy empty tensor of shape [0] with tensors of any rank; like
        // onnxruntime, such inputs are skipped.
        let reference = tensors.first { $0.count > 0 } ?? first
        tensors = tensors.filter { $0.rank == reference.rank || $0.count > 0 }
        let resolved = try Shapes.axis(axis, rank: reference.rank)
        var shape = reference.shape
        shape[resolved] = 0
        for tensor in tensors {
            guard tensor.elementType == reference.elementType else {
                throw OpError("inputs mix \(reference.elementType) and \(tensor.elementType)")
            }
            let fits = tensor.rank == reference.rank
                && tensor.shape.indices.allSatisfy { $0 == resolved || tensor.shape[$0] == reference.shape[$0] }
            guard fits else {
                throw OpError("input shapes \(tensors.map(\.shape)) differ outside axis \(axis)")
            }
            shape[resolved] += tensor.shape[resolved]
        }
        if tensors.count == 1 { return [tensors[0]] }
        let output = context.allocate(reference.elementType, shape)
        let width = reference.elementType.byteWidth
        let outer = shape[..<resolved].reduce(1, *)
        let inner = shape[(resolved + 1)...].reduce(1, *) * width
        let blocks = tensors.map { (source: UnsafeRawPointer($0.rawBytes), bytes: $0.shape[resolved] * inner) }
        var offsets: [Int] = []
        var rowBytes = 0
        for block in blocks {
            offsets.append(rowBytes)
            rowBytes += block.bytes
        }
        let destination = output.rawBytes
        let items = outer * blocks.count
        let perWorker = max(1, items * StridedCopy.bytesPerWorker / max(1, outer * rowBytes))
        context.parallelRanges(items, minimumPerWorker: perWorker) { range in
            for item in range {
                let row = item / blocks.count, j = item % blocks.count
                let bytes = blocks[j].bytes
                (destination + row * rowBytes + offsets[j])
                    .copyMemory(from: blocks[j].source + row * bytes, byteCount: bytes)
            }
        }
        return [output]
    }
}

struct SplitOperator: Operator {
    let axis: Int
    /// The sizes: attribute before opset 13, optional input 1 from 13.
    let split: IntegerList
    /// Opset 18: that many outputs of ceil(dimension / n), the last one smaller.
    let numOutputs: Int?
    let outputCount: Int

    init(_ spec: OperatorSpec) throws(OpError) {
        axis = try spec.node.int("axis", default: 0)
        split = try IntegerList.from(spec, attribute: "split", input: 1)
        numOutputs = spec.node.attributes["num_outputs"] == nil ? nil : try spec.node.int("num_outputs", default: 1)
        outputCount = spec.node.outputs.count
        if let numOutputs, numOutputs != outputCount || numOutputs < 1 {
            throw OpError("num_outputs is \(numOutputs) but the node has \(outputCount) outputs")
        }
    }

    func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
        let input = try inputs.required(0, "input")
        let resolved = try Shapes.axis(axis, rank: input.rank)
        let sizes = try chunkSizes(input.shape, axis: resolved, requested: split.resolve(inputs))
        let width = input.elementType.byteWidth
        let outer = input.shape[..<resolved].reduce(1, *)
        let inner = input.shape[(resolved + 1)...].reduce(1, *) * width
        let rowBytes = input.shape[resolved] * inner
        let source = UnsafeRawPointer(input.rawBytes)
        var outputs: [Tensor] = []
        var offset = 0
        for size in sizes {
            var shape = input.shape
            shape[resolved] = size
            let output = context.allocate(input.elementType, shape)
            let bytes = size * inner, start = offset, destination = output.rawBytes
            context.parallelRanges(outer, minimumPerWorker: max(1, StridedCopy.bytesPerWorker / max(1, bytes))) {
                for row in $0 {
                    (destination + row * bytes).copyMemory(from: source + row * rowBytes + start, byteCount: bytes)
                }
            }
            outputs.append(output)
            offset += bytes
        }
        return outputs
    }

    private func chunkSizes(_ shape: [Int], axis: Int, requested: [Int]?) throws(OpError) -> [Int] {
        let dimension = shape[axis]
        if let requested, !requested.isEmpty {
            guard requested.count == outputCount else {
                throw OpError("split \(requested) has \(requested.count) sizes for \(outputCount) outputs")
            }
            guard requested.allSatisfy({ $0 >= 0 }), requested.reduce(0, +) == dimension else {
                throw OpError("split sizes \(requested) do not add up to \(dimension), "
                    + "the size of axis \(axis) of the input shape \(shape)")
            }
            return requested
        }
        if let numOutputs {
            let chunk = (dimension + numOutputs - 1) / numOutputs
            return (0..<numOutputs).map { Swift.max(0, Swift.min(chunk, dimension - $0 * chunk)) }
        }
        guard outputCount > 0, dimension % outputCount == 0 else {
            throw OpError("axis \(axis) of the input shape \(shape) (size \(dimension)) "
                + "cannot be split evenly into \(outputCount) outputs")
        }
        return [Int](repeating: dimension / outputCount, count: outputCount)
    }
}
