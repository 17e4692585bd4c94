import Foundation

/// TensorFlow element types and TensorProtos to engine types and tensors. Types the engine does not hold are
/// widened or narrowed on the way in, as for ONNX: half, bfloat16 and double become float32; 8- and 16-bit
/// integers int32; uint32 and uint64 int64.
enum TensorFlowTensors {
    /// The engine type a TensorFlow type is held as; nil for strings, complex, resource and quantised types.
    static func elementType(_ type: Tensorflow_DataType) -> ElementType? {
        switch type {
        case .dtFloat, .dtDouble, .dtHalf, .dtBfloat16, .dtFloatRef: return .float32
        case .dtInt32, .dtInt16, .dtInt8, .dtUint8, .dtUint16, .dtInt32Ref: return .int32
        case .dtInt64, .dtUint32, .dtUint64, .dtInt64Ref: return .int64
        case .dtBool: return .bool
        default: return nil
        }
    }

    static func describe(_ type: Tensorflow_DataType) -> String {
        switch type {
        case .UNRECOGNIZED(let code): return "DataType \(code)"
        default: return String(describing: type).replacingOccurrences(of: "dt", with: "DT_").uppercased()
        }
    }

    /// Bytes one element of `type` takes in `tensor_content`.
    private static func storedWidth(_ type: Tensorflow_DataType) -> Int? {
        switch type {
        case .dtFloat, .dtInt32, .dtUint32: return 4
        case .dtDouble, .dtInt64, .dtUint64: return 8
        case .dtHalf, .dtBfloat16, .dtInt16, .dtUint16: return 2
        case .dtInt8, .dtUint8, .dtBool: return 1
        default: return nil
        }
    }

    /// The shape a TensorShapeProto declares; nil dimensions are unknown (-1), nil result an unknown rank.
    static func dims(_ shape: Tensorflow_TensorShapeProto) -> [Int?]? {
        guard !shape.unknownRank else { return nil }
        return shape.dim.map { $0.size >= 0 ? Int(clamping: $0.size) : nil }
    }

    /// Converts a TensorProto; `role` names it in errors ("Const node 'w'").
    static func tensor(_ proto: Tensorflow_TensorProto, file: String, role: String) throws -> Tensor {
        func malformed(_ reason: String) -> InferenceError {
            .malformedModel(file: file, reason: "\(role): \(reason)")
        }
        let type = proto.dtype
        guard let engineType = elementType(type), let width = storedWidth(type) else {
            throw malformed("element type \(describe(type)) is not supported")
        }
        guard let dims = dims(proto.tensorShape), dims.allSatisfy({ $0 != nil }) else {
            throw malformed("the tensor's shape is not fully known")
        }
        let shape = dims.map { $0 ?? 0 }
        var count = 1
        for size in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            // 2^31 elements is far beyond any constant a served model holds; the bound keeps allocation sane.
            guard !overflow, product <= 1 << 31 else { throw malformed("impossibly large shape \(shape)") }
            count = product
        }
        if !proto.tensorContent.isEmpty {
            guard proto.tensorContent.count == count * width else {
                throw malformed("tensor_content holds \(proto.tensorContent.count) bytes, but shape \(shape) of "
                                + "\(describe(type)) needs \(count * width)")
            }
            return proto.tensorContent.withUnsafeBytes { raw in
                fromRaw(raw, type: type, engineType: engineType, shape: shape, count: count)
            }
        }
        return try fromTyped(proto, type: type, shape: shape, count: count, malformed: malformed)
    }

    private static func fromRaw(_ raw: UnsafeRawBufferPointer, type: Tensorflow_DataType, engineType: ElementType,
                                shape: [Int], count: Int) -> Tensor {
        func read<T: FixedWidthInteger>(_: T.Type, _ i: Int) -> T {
            T(littleEndian: raw.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self))
        }
        switch type {
        case .dtFloat: return Tensor(floats: (0..<count).map { Float(bitPattern: read(UInt32.self, $0)) }, shape: shape)
        case .dtDouble:
            return Tensor(floats: (0..<count).map { Float(Double(bitPattern: read(UInt64.self, $0))) }, shape: shape)
        case .dtHalf: return Tensor(floats: (0..<count).map { HalfFloat.float(fromBits: read(UInt16.self, $0)) }, shape: shape)
        case .dtBfloat16:
            return Tensor(floats: (0..<count).map { HalfFloat.float(bfloat16: read(UInt16.self, $0)) }, shape: shape)
        case .dtInt32: return Tensor(int32s: (0..<count).map { read(Int32.self, $0) }, shape: shape)
        case .dtInt16: return Tensor(int32s: (0..<count).map { Int32(read(Int16.self, $0)) }, shape: shape)
        case .dtUint16: return Tensor(int32s: (0..<count).map { Int32(read(UInt16.self, $0)) }, shape: shape)
        case .dtInt8: return Tensor(int32s: (0..<count).map { Int32(read(Int8.self, $0)) }, shape: shape)
        case .dtUint8: return Tensor(int32s: (0..<count).map { Int32(read(UInt8.self, $0)) }, shape: shape)
        case .dtInt64: return Tensor(int64s: (0..<count).map { read(Int64.self, $0) }, shape: shape)
        case .dtUint32: return Tensor(int64s: (0..<count).map { Int64(read(UInt32.self, $0)) }, shape: shape)
        case .dtUint64: return Tensor(int64s: (0..<count).map { Int64(clamping: read(UInt64.self, $0)) }, shape: shape)
        case .dtBool: return Tensor(bools: (0..<count).map { read(UInt8.self, $0) != 0 }, shape: shape)
        default: return Tensor(zeros: engineType, shape: shape)  // refused before
        }
    }

    /// The typed fields: `count` values, or fewer with the last one repeated (TensorFlow writes a constant
    /// filled with one value as that value alone); none means zeros.
    private static func fromTyped(_ proto: Tensorflow_TensorProto, type: Tensorflow_DataType, shape: [Int],
                                  count: Int, malformed: (String) -> InferenceError) throws -> Tensor {
        func expand<T, U>(_ values: [T], _ zero: U, _ convert: (T) -> U) throws -> [U] {
            guard values.count <= count else {
                throw malformed("holds \(values.count) values, but its shape \(shape) has room for \(count)")
            }
            // A few bytes can declare a huge constant filled with one value: bounded, so a damaged file cannot
            // make the reader allocate gigabytes (64 Mi elements is far beyond a real model's filled constants).
            guard values.count == count || count <= 1 << 26 else {
                throw malformed("a constant of \(count) elements filled from \(values.count) values is too large")
            }
            guard let last = values.last else { return Array(repeating: zero, count: count) }
            return values.map(convert) + Array(repeating: convert(last), count: count - values.count)
        }
        switch type {
        case .dtFloat: return Tensor(floats: try expand(proto.floatVal, 0) { $0 }, shape: shape)
        case .dtDouble: return Tensor(floats: try expand(proto.doubleVal, 0) { Float($0) }, shape: shape)
        case .dtHalf:
            return Tensor(floats: try expand(proto.halfVal, 0) { HalfFloat.float(fromBits: UInt16(truncatingIfNeeded: $0)) },
                          shape: shape)
        case .dtBfloat16:
            return Tensor(floats: try expand(proto.halfVal, 0) { HalfFloat.float(bfloat16: UInt16(truncatingIfNeeded: $0)) },
                          shape: shape)
        case .dtInt32, .dtInt16, .dtInt8, .dtUint16, .dtUint8:
            return Tensor(int32s: try expand(proto.intVal, 0) { $0 }, shape: shape)
        case .dtInt64: return Tensor(int64s: try expand(proto.int64Val, 0) { $0 }, shape: shape)
        case .dtUint32: return Tensor(int64s: try expand(proto.uint32Val, 0) { Int64($0) }, shape: shape)
        case .dtUint64: return Tensor(int64s: try expand(proto.uint64Val, 0) { Int64(clamping: $0) }, shape: shape)
        case .dtBool: return Tensor(bools: try expand(proto.boolVal, false) { $0 }, shape: shape)
        default: throw malformed("element type \(describe(type)) is not supported")
        }
    }
}
