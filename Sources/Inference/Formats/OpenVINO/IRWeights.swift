import Foundation

/// An element type as the IR spells it: `element_type="f16"`, `destination_type="i64"`, `precision="FP32"`.
enum IRElementType: String, Sendable, CaseIterable {
    case f32, f16, bf16, f64, i64, i32, i16, i8, u64, u32, u16, u8, boolean

    /// Accepts both spellings ("f32"/"FP32", "boolean"/"BOOL"); nil for types this engine does not read
    /// (u1, i4, nf4, string, ...).
    init?(irName: String) {
        var name = irName.lowercased()
        if name.hasPrefix("fp") { name = "f" + name.dropFirst(2) }
        if name == "bool" { name = "boolean" }
        self.init(rawValue: name)
    }

    /// Bytes per element in the .bin.
    var byteWidth: Int {
        switch self {
        case .f64, .i64, .u64: return 8
        case .f32, .i32, .u32: return 4
        case .f16, .bf16, .i16, .u16: return 2
        case .i8, .u8, .boolean: return 1
        }
    }

    /// The type the engine holds such values in: floats widen or narrow to float32, small integers widen to
    /// int32, u32 and u64 go to int64.
    var engineType: ElementType {
        switch self {
        case .f32, .f16, .bf16, .f64: return .float32
        case .i64, .u64, .u32: return .int64
        case .i32, .i16, .i8, .u16, .u8: return .int32
        case .boolean: return .bool
        }
    }
}

extension ElementType {
    /// ONNX TensorProto.DataType code (Cast's `to`).
    var onnxCode: Int {
        switch self {
        case .float32: return 1
        case .int32: return 6
        case .int64: return 7
        case .bool: return 9
        }
    }
}

/// The model's `.bin`, read once (memory-mapped), and the decoding of `Const` layers from it.
struct IRWeights: Sendable {
    let file: String
    private let data: Data

    /// Maps the file; a missing file is an error naming the path the .xml expects.
    init(file: String, modelFile: String) throws {
        guard FileManager.default.fileExists(atPath: file) else {
            throw InferenceError.malformedModel(
                file: modelFile, reason: "the weights file \(file) is missing (an IR .xml needs the .bin beside it)")
        }
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file), options: .alwaysMapped)
        } catch {
            throw InferenceError.malformedModel(file: file, reason: "cannot read the weights file: \(error)")
        }
        self.file = file
    }

    var byteCount: Int { data.count }

    /// The value of a `Const` layer: `element_type`, `shape`, `offset` and `size` from its `<data>`, checked
    /// against each other and against the file's length.
    func constant(_ layer: IRLayer, modelFile: String) throws -> Tensor {
        let what = "Const layer '\(layer.name)' (id \(layer.id))"
        let typeName = layer.data["element_type"] ?? ""
        guard let type = IRElementType(irName: typeName) else {
            throw InferenceError.malformedModel(
                file: modelFile,
                reason: "\(what) has element type '\(typeName)', which this engine does not read "
                    + "(it reads \(IRElementType.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let shape: [Int]
        do throws(OpError) {
            // Old IR 10 files leave the shape to the output port.
            let declared = try layer.data["shape"].map(IRDocument.parseShape) ?? layer.outputs.first?.dims ?? []
            guard let parsed = declared else {
                throw OpError("a constant needs a fixed shape")
            }
            shape = parsed.compactMap { $0 }
            guard shape.count == parsed.count else { throw OpError("a constant needs a fixed shape") }
        } catch {
            throw InferenceError.malformedModel(
                file: modelFile, reason: "\(what): shape '\(layer.data["shape"] ?? "")': \(error.message)")
        }
        guard let offset = layer.data["offset"].flatMap({ Int($0) }), offset >= 0,
              let size = layer.data["size"].flatMap({ Int($0) }), size >= 0 else {
            throw InferenceError.malformedModel(
                file: modelFile, reason: "\(what) lacks a valid offset and size into \(file)")
        }
        let count = IRWeights.elementCount(shape)
        let expectedSize = count.flatMap { count in
            let (bytes, overflow) = count.multipliedReportingOverflow(by: type.byteWidth)
            return overflow ? nil : bytes
        }
        // An empty constant still takes a byte or so in the file.
        guard let count, expectedSize == size || count == 0 else {
            throw InferenceError.malformedModel(
                file: file,
                reason: "\(what) in \(modelFile): size \(size) bytes does not match its shape \(shape) of "
                    + "\(type.rawValue) (\(expectedSize.map { "\($0) bytes" } ?? "too many elements"))")
        }
        guard offset <= data.count, size <= data.count - offset else {
            throw InferenceError.malformedModel(
                file: file,
                reason: "\(what) in \(modelFile) reads bytes \(offset)..<\(offset + size), "
                    + "but the file has only \(data.count) bytes")
        }
        let tensor = Tensor(zeros: type.engineType, shape: shape)
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            guard let base = raw.baseAddress else { return }
            IRWeights.decode(type, from: base + offset, count: count, into: tensor)
        }
        return tensor
    }

    /// The product of the dimensions, nil when it overflows.
    static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            count = product
        }
        return count
    }

    /// Copies or converts `count` little-endian elements (the .bin may place them at any alignment).
    static func decode(_ type: IRElementType, from source: UnsafeRawPointer, count: Int, into tensor: Tensor) {
        let destination = tensor.storage.bytes
        func convert<Source, Target>(_: Source.Type, _: Target.Type, _ transform: (Source) -> Target) {
            let target = destination.assumingMemoryBound(to: Target.self)
            let stride = MemoryLayout<Source>.stride
            for i in 0..<count {
                target[i] = transform(source.loadUnaligned(fromByteOffset: i * stride, as: Source.self))
            }
        }
        switch type {
        case .f32, .i64, .i32, .u64:
            destination.copyMemory(from: source, byteCount: count * type.byteWidth)
        case .f16: convert(UInt16.self, Float.self, HalfFloat.float(fromBits:))
        case .bf16: convert(UInt16.self, Float.self) { Float(bitPattern: UInt32($0) << 16) }
        case .f64: convert(Double.self, Float.self) { Float($0) }
        case .u32: convert(UInt32.self, Int64.self) { Int64($0) }
        case .i16: convert(Int16.self, Int32.self) { Int32($0) }
        case .u16: convert(UInt16.self, Int32.self) { Int32($0) }
        case .i8: convert(Int8.self, Int32.self) { Int32($0) }
        case .u8: convert(UInt8.self, Int32.self) { Int32($0) }
        case .boolean: convert(UInt8.self, Bool.self) { $0 != 0 }
        }
    }
}
