/// A dense, row-major (C order) tensor.
///
/// A tensor's contents are written once, by the operator that produces it, and only read afterwards; operators
/// that only change the shape (Reshape, Flatten, Squeeze, ...) share the storage of their input.
public struct Tensor: @unchecked Sendable {
    public let elementType: ElementType
    public let shape: [Int]
    public let storage: TensorStorage

    /// Number of elements (the product of the shape; 1 for a scalar).
    public var count: Int { shape.elementCount }
    public var rank: Int { shape.count }
    public var byteCount: Int { count * elementType.byteWidth }

    /// A tensor over existing storage (used by the buffer pool and by shape-only operators).
    public init(elementType: ElementType, shape: [Int], storage: TensorStorage) {
        precondition(shape.elementCount * elementType.byteWidth <= storage.byteCapacity, "storage too small")
        self.elementType = elementType
        self.shape = shape
        self.storage = storage
    }

    /// A fresh tensor with zeroed contents.
    public init(zeros elementType: ElementType, shape: [Int]) {
        let storage = TensorStorage(byteCapacity: shape.elementCount * elementType.byteWidth)
        storage.bytes.initializeMemory(as: UInt8.self, repeating: 0, count: max(storage.byteCapacity, 1))
        self.init(elementType: elementType, shape: shape, storage: storage)
    }

    /// The same contents seen with another shape of the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.elementCount == count, "reshape changes the element count")
        return Tensor(elementType: elementType, shape: newShape, storage: storage)
    }

    // MARK: Typed access

    public var floats: UnsafeMutablePointer<Float> {
        precondition(elementType == .float32, "expected float32, found \(elementType)")
        return storage.bytes.assumingMemoryBound(to: Float.self)
    }

    public var int64s: UnsafeMutablePointer<Int64> {
        precondition(elementType == .int64, "expected int64, found \(elementType)")
        return storage.bytes.assumingMemoryBound(to: Int64.self)
    }

    public var int32s: UnsafeMutablePointer<Int32> {
        precondition(elementType == .int32, "expected int32, found \(elementType)")
        return storage.bytes.assumingMemoryBound(to: Int32.self)
    }

    public var bools: UnsafeMutablePointer<Bool> {
        precondition(elementType == .bool, "expected bool, found \(elementType)")
        return storage.bytes.assumingMemoryBound(to: Bool.self)
    }

    public var floatBuffer: UnsafeMutableBufferPointer<Float> { .init(start: floats, count: count) }
    public var int64Buffer: UnsafeMutableBufferPointer<Int64> { .init(start: int64s, count: count) }

    // MARK: Building tensors from Swift values

    public init(floats values: [Float], shape: [Int]) {
        precondition(values.count == shape.elementCount, "\(values.count) values for shape \(shape)")
        self.init(zeros: .float32, shape: shape)
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { floats.update(from: base, count: values.count) }
        }
    }

    public init(int64s values: [Int64], shape: [Int]) {
        precondition(values.count == shape.elementCount, "\(values.count) values for shape \(shape)")
        self.init(zeros: .int64, shape: shape)
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { int64s.update(from: base, count: values.count) }
        }
    }

    public init(int32s values: [Int32], shape: [Int]) {
        precondition(values.count == shape.elementCount, "\(values.count) values for shape \(shape)")
        self.init(zeros: .int32, shape: shape)
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { int32s.update(from: base, count: values.count) }
        }
    }

    public init(bools values: [Bool], shape: [Int]) {
        precondition(values.count == shape.elementCount, "\(values.count) values for shape \(shape)")
        self.init(zeros: .bool, shape: shape)
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { bools.update(from: base, count: values.count) }
        }
    }

    public static func scalar(_ value: Float) -> Tensor { Tensor(floats: [value], shape: []) }

    // MARK: Reading tensors back

    public var floatArray: [Float] { Array(floatBuffer) }
    public var int64Array: [Int64] { Array(int64Buffer) }

    /// The contents as integers, whatever the integer or bool type (shape, axes and index inputs).
    public var integerValues: [Int] {
        switch elementType {
        case .int64: return int64Buffer.map { Int($0) }
        case .int32: return UnsafeBufferPointer(start: int32s, count: count).map { Int($0) }
        case .bool: return UnsafeBufferPointer(start: bools, count: count).map { $0 ? 1 : 0 }
        // NaN and infinities have no integer value; they read as 0 rather than trapping.
        case .float32: return floatBuffer.map { $0.isFinite ? Int(max(-9.0e18, min(9.0e18, $0))) : 0 }
        }
    }

    /// The contents as floats, whatever the element type.
    public var floatValues: [Float] {
        switch elementType {
        case .float32: return floatArray
        case .int64: return int64Buffer.map { Float($0) }
        case .int32: return UnsafeBufferPointer(start: int32s, count: count).map { Float($0) }
        case .bool: return UnsafeBufferPointer(start: bools, count: count).map { $0 ? 1 : 0 }
        }
    }

    /// A copy in fresh storage (for results that must outlive the run that produced them).
    public func copy() -> Tensor {
        let result = Tensor(zeros: elementType, shape: shape)
        result.storage.bytes.copyMemory(from: storage.bytes, byteCount: byteCount)
        return result
    }
}
