/// Load-time arithmetic on constant tensors: what the format readers produce themselves (a Convert of weights, a
/// transposed or reshaped weight) and what the optimiser rewrites (permuted constants, new axes and pads), so
/// those reach the graph as plain initializers.
enum ConstantTensors {
    /// The tensor converted element by element (float → integer truncates toward zero, as ONNX Cast does).
    static func cast(_ tensor: Tensor, to type: ElementType) -> Tensor {
        if tensor.elementType == type { return tensor }
        let count = tensor.count
        switch type {
        case .float32:
            return Tensor(floats: tensor.floatValues, shape: tensor.shape)
        case .int64:
            return Tensor(int64s: integers(tensor).map { Int64(clamping: $0) }, shape: tensor.shape)
        case .int32:
            return Tensor(int32s: integers(tensor).map { Int32(clamping: $0) }, shape: tensor.shape)
        case .bool:
            let values = tensor.floatValues
            return Tensor(bools: (0..<count).map { values[$0] != 0 }, shape: tensor.shape)
        }
    }

    /// Integer values; non-finite or huge floats saturate instead of trapping.
    private static func integers(_ tensor: Tensor) -> [Int] {
        guard tensor.elementType == .float32 else { return tensor.integerValues }
        return tensor.floatBuffer.map { value in
            if value.isNaN { return 0 }
            if value >= 9.2e18 { return Int.max }
            if value <= -9.2e18 { return Int.min }
            return Int(value)
        }
    }

    /// The tensor with its axes permuted (`perm[i]` is the source axis of result axis i).
    static func transposed(_ tensor: Tensor, perm: [Int]) -> Tensor {
        let shape = perm.map { tensor.shape[$0] }
        let result = Tensor(zeros: tensor.elementType, shape: shape)
        let width = tensor.elementType.byteWidth
        let sourceStrides = tensor.shape.strides
        let strides = perm.map { sourceStrides[$0] }
        let count = tensor.count
        guard count > 0 else { return result }
        let source = tensor.storage.bytes
        let target = result.storage.bytes
        var index = [Int](repeating: 0, count: shape.count)
        var sourceOffset = 0
        for element in 0..<count {
            target.advanced(by: element * width).copyMemory(from: source.advanced(by: sourceOffset * width),
                                                            byteCount: width)
            // Advance the result's multi-index, keeping the matching source offset.
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                sourceOffset += strides[axis]
                if index[axis] < shape[axis] { break }
                sourceOffset -= strides[axis] * index[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return result
    }

    static func int64s(_ values: [Int], shape: [Int]? = nil) -> Tensor {
        Tensor(int64s: values.map { Int64($0) }, shape: shape ?? [values.count])
    }
}
