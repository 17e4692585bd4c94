/// ONNX element types (TensorProto.DataType codes) and declared value types, mapped to the engine's types.
enum ONNXDataType: Int32 {
    case float = 1
    case uint8 = 2
    case int8 = 3
    case uint16 = 4
    case int16 = 5
    case int32 = 6
    case int64 = 7
    case string = 8
    case bool = 9
    case float16 = 10
    case double = 11
    case uint32 = 12
    case uint64 = 13
    case complex64 = 14
    case complex128 = 15
    case bfloat16 = 16

    /// The type the engine holds values of this type in: wider floats and half floats become float32, small
    /// integers int32, unsigned 32/64-bit integers int64. nil for types the engine cannot compute with.
    var engineType: ElementType? {
        switch self {
        case .float, .float16, .bfloat16, .double: return .float32
        case .uint8, .int8, .uint16, .int16, .int32: return .int32
        case .int64, .uint32, .uint64: return .int64
        case .bool: return .bool
        case .string, .complex64, .complex128: return nil
        }
    }

    /// Bytes per element in raw_data and external data (nil where elements have no fixed width).
    var storedWidth: Int? {
        switch self {
        case .bool, .uint8, .int8: return 1
        case .uint16, .int16, .float16, .bfloat16: return 2
        case .float, .int32, .uint32: return 4
        case .int64, .uint64, .double, .complex64: return 8
        case .complex128: return 16
        case .string: return nil
        }
    }

    /// The name onnx.proto gives a type code, for messages ("FLOAT8E4M3FN (17)" for codes the engine does not
    /// know by case).
    static func describe(_ code: Int32) -> String {
        let names: [Int32: String] = [
            0: "UNDEFINED", 1: "FLOAT", 2: "UINT8", 3: "INT8", 4: "UINT16", 5: "INT16", 6: "INT32", 7: "INT64",
            8: "STRING", 9: "BOOL", 10: "FLOAT16", 11: "DOUBLE", 12: "UINT32", 13: "UINT64", 14: "COMPLEX64",
            15: "COMPLEX128", 16: "BFLOAT16", 17: "FLOAT8E4M3FN", 18: "FLOAT8E4M3FNUZ", 19: "FLOAT8E5M2",
            20: "FLOAT8E5M2FNUZ", 21: "UINT4", 22: "INT4", 23: "FLOAT4E2M1",
        ]
        return "\(names[code] ?? "unknown type") (\(code))"
    }
}

extension ONNXGraphReader {
    /// A graph input or output's declared type and shape. Only tensor types are accepted.
    func valueInfo(_ proto: Onnx_ValueInfoProto, role: String) throws -> ValueInfo {
        guard case .tensorType(let tensorType)? = proto.type.value else {
            let reason = proto.hasType
                ? "\(role) '\(proto.name)' is not a tensor (sequences, maps and optionals are not supported)"
                : "\(role) '\(proto.name)' declares no type"
            throw malformed(reason)
        }
        let code = tensorType.elemType
        guard let type = ONNXDataType(rawValue: code)?.engineType else {
            throw malformed("\(role) '\(proto.name)' has element type \(ONNXDataType.describe(code)), "
                            + "which the engine does not support")
        }
        guard tensorType.hasShape else {
            return ValueInfo(name: proto.name, elementType: type, shape: nil)
        }
        let shape = tensorType.shape.dim.map { dimension -> Dimension in
            switch dimension.value {
            case .dimValue(let value)? where value >= 0: return .fixed(Int(value))
            case .dimParam(let name)? where !name.isEmpty: return .dynamic(name)
            default: return .dynamic(nil)
            }
        }
        return ValueInfo(name: proto.name, elementType: type, shape: shape)
    }
}
