import Foundation

/// Converts TensorProtos (initializers, Constant values) into engine tensors.
///
/// Values come from raw_data (little-endian), from the typed repeated field that onnx.proto assigns to the
/// type, or from an external file. Types the engine does not hold are widened or narrowed on the way in:
/// float16, bfloat16 and double become float32; 8- and 16-bit integers int32; uint32 and uint64 int64.
struct ONNXTensorReader {
    let file: String

    private func malformed(_ reason: String) -> InferenceError {
        InferenceError.malformedModel(file: file, reason: reason)
    }

    /// `role` says which tensor this is in messages ("initializer 'conv1.weight'").
    func tensor(_ proto: Onnx_TensorProto, role: String) throws -> Tensor {
        guard let type = ONNXDataType(rawValue: proto.dataType), let engineType = type.engineType,
              let width = type.storedWidth else {
            throw malformed("\(role) has element type \(ONNXDataType.describe(proto.dataType)), "
                            + "which the engine does not support")
        }
        let shape = try self.shape(of: proto, width: max(width, engineType.byteWidth), role: role)
        let count = shape.elementCount
        let storage = { TensorStorage(byteCapacity: count * engineType.byteWidth) }

        if proto.dataLocation == .external {
            let data = try ONNXExternalData(modelFile: file).read(proto, byteCount: count * width, role: role)
            let result = storage()
            data.withUnsafeBytes { Self.convert(raw: $0, type: type, count: count, into: result.bytes) }
            return Tensor(elementType: engineType, shape: shape, storage: result)
        }
        if proto.hasRawData {
            guard proto.rawData.count == count * width else {
                throw malformed("\(role) holds \(proto.rawData.count) bytes of data, but its shape \(shape) of "
                                + "\(ONNXDataType.describe(proto.dataType)) needs \(count * width)")
            }
            let result = storage()
            proto.rawData.withUnsafeBytes { Self.convert(raw: $0, type: type, count: count, into: result.bytes) }
            return Tensor(elementType: engineType, shape: shape, storage: result)
        }
        let provided = Self.typedValueCount(proto, type: type)
        guard provided == count else {
            throw malformed("\(role) holds \(provided) values, but its shape \(shape) needs \(count)")
        }
        let result = storage()
        Self.convertTyped(proto, type: type, count: count, into: result.bytes)
        return Tensor(elementType: engineType, shape: shape, storage: result)
    }

    /// The dims, checked so that element and byte counts (at `width` bytes per element) cannot overflow.
    private func shape(of proto: Onnx_TensorProto, width: Int, role: String) throws -> [Int] {
        var byteCount = width
        for dim in proto.dims {
            guard dim >= 0 else { throw malformed("\(role) has a negative dimension in its shape \(proto.dims)") }
            let (product, overflow) = byteCount.multipliedReportingOverflow(by: Int(clamping: dim))
            guard !overflow else { throw malformed("\(role) has an impossibly large shape \(proto.dims)") }
            byteCount = product
        }
        return proto.dims.map { Int(clamping: $0) }
    }

    // MARK: Raw bytes

    /// Little-endian stored elements to engine elements. Same-layout types are copied whole (the hosts the
    /// engine runs on are little-endian).
    static func convert(raw: UnsafeRawBufferPointer, type: ONNXDataType, count: Int,
                        into out: UnsafeMutableRawPointer) {
        guard count > 0, let base = raw.baseAddress else { return }
        switch type {
        case .float, .int32, .int64:
            out.copyMemory(from: base, byteCount: count * (type.storedWidth ?? 0))
        case .bool:
            widen(raw, count, out.assumingMemoryBound(to: Bool.self)) { (v: UInt8) in v != 0 }
        case .uint8:
            widen(raw, count, out.assumingMemoryBound(to: Int32.self)) { (v: UInt8) in Int32(v) }
        case .int8:
            widen(raw, count, out.assumingMemoryBound(to: Int32.self)) { (v: UInt8) in Int32(Int8(bitPattern: v)) }
        case .uint16:
            widen(raw, count, out.assumingMemoryBound(to: Int32.self)) { (v: UInt16) in Int32(v) }
        case .int16:
            widen(raw, count, out.assumingMemoryBound(to: Int32.self)) { (v: UInt16) in Int32(Int16(bitPattern: v)) }
        case .uint32:
            widen(raw, count, out.assumingMemoryBound(to: Int64.self)) { (v: UInt32) in Int64(v) }
        case .uint64:
            widen(raw, count, out.assumingMemoryBound(to: Int64.self)) { (v: UInt64) in Int64(clamping: v) }
        case .float16:
            widen(raw, count, out.assumingMemoryBound(to: Float.self)) { (v: UInt16) in HalfFloat.float(fromBits: v) }
        case .bfloat16:
            widen(raw, count, out.assumingMemoryBound(to: Float.self)) { (v: UInt16) in HalfFloat.float(bfloat16: v) }
        case .double:
            widen(raw, count, out.assumingMemoryBound(to: Float.self)) { (v: UInt64) in Float(Double(bitPattern: v)) }
        case .string, .complex64, .complex128:
            break  // refused before reading
        }
    }

    @inline(__always)
    private static func widen<Stored: FixedWidthInteger, Output>(
        _ raw: UnsafeRawBufferPointer, _ count: Int, _ out: UnsafeMutablePointer<Output>,
        _ transform: (Stored) -> Output
    ) {
        let stride = MemoryLayout<Stored>.size
        for i in 0..<count {
            out[i] = transform(Stored(littleEndian: raw.loadUnaligned(fromByteOffset: i * stride, as: Stored.self)))
        }
    }

    // MARK: Typed fields

    /// How many values the field that onnx.proto assigns to `type` holds.
    static func typedValueCount(_ proto: Onnx_TensorProto, type: ONNXDataType) -> Int {
        switch type {
        case .float: return proto.floatData.count
        case .double: return proto.doubleData.count
        case .int64: return proto.int64Data.count
        case .uint32, .uint64: return proto.uint64Data.count
        case .bool, .uint8, .int8, .uint16, .int16, .int32, .float16, .bfloat16: return proto.int32Data.count
        case .string, .complex64, .complex128: return 0
        }
    }

    /// Copies `count` values out of the typed field (its count is checked by the caller). 8- and 16-bit types
    /// are stored one per int32, half floats as their bit patterns.
    static func convertTyped(_ proto: Onnx_TensorProto, type: ONNXDataType, count: Int,
                             into out: UnsafeMutableRawPointer) {
        switch type {
        case .float:
            fill(proto.floatData, out.assumingMemoryBound(to: Float.self)) { $0 }
        case .double:
            fill(proto.doubleData, out.assumingMemoryBound(to: Float.self)) { Float($0) }
        case .int64:
            fill(proto.int64Data, out.assumingMemoryBound(to: Int64.self)) { $0 }
        case .uint32:
            fill(proto.uint64Data, out.assumingMemoryBound(to: Int64.self)) { Int64(UInt32(truncatingIfNeeded: $0)) }
        case .uint64:
            fill(proto.uint64Data, out.assumingMemoryBound(to: Int64.self)) { Int64(clamping: $0) }
        case .bool:
            fill(proto.int32Data, out.assumingMemoryBound(to: Bool.self)) { $0 != 0 }
        case .int32:
            fill(proto.int32Data, out.assumingMemoryBound(to: Int32.self)) { $0 }
        case .uint8:
            fill(proto.int32Data, out.assumingMemoryBound(to: Int32.self)) { Int32(UInt8(truncatingIfNeeded: $0)) }
        case .int8:
            fill(proto.int32Data, out.assumingMemoryBound(to: Int32.self)) { Int32(Int8(truncatingIfNeeded: $0)) }
        case .uint16:
            fill(proto.int32Data, out.assumingMemoryBound(to: Int32.self)) { Int32(UInt16(truncatingIfNeeded: $0)) }
        case .int16:
            fill(proto.int32Data, out.assumingMemoryBound(to: Int32.self)) { Int32(Int16(truncatingIfNeeded: $0)) }
        case .float16:
            fill(proto.int32Data, out.assumingMemoryBound(to: Float.self)) {
                HalfFloat.float(fromBits: UInt16(truncatingIfNeeded: $0))
            }
        case .bfloat16:
            fill(proto.int32Data, out.assumingMemoryBound(to: Float.self)) {
                HalfFloat.float(bfloat16: UInt16(truncatingIfNeeded: $0))
            }
        case .string, .complex64, .complex128:
            break  // refused before reading
        }
    }

    @inline(__always)
    private static func fill<Stored, Output>(_ values: [Stored], _ out: UnsafeMutablePointer<Output>,
                                             _ transform: (Stored) -> Output) {
        for (i, value) in values.enumerated() { out[i] = transform(value) }
    }
}
