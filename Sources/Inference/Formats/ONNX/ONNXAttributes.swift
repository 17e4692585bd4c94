/// Converts one node's AttributeProto into an `Attribute`.
struct ONNXAttributeReader {
    let file: String
    let opType: String
    let node: String
    let tensors: ONNXTensorReader

    func attribute(_ proto: Onnx_AttributeProto) throws -> Attribute {
        switch kind(of: proto) {
        case .float:
            return .float(proto.f)
        case .int:
            return .int(Int(clamping: proto.i))
        case .string:
            return .string(String(decoding: proto.s, as: UTF8.self))
        case .tensor:
            return .tensor(try tensors.tensor(proto.t, role: "attribute '\(proto.name)' of node '\(node)'"))
        case .floats:
            return .floats(proto.floats)
        case .ints:
            return .ints(proto.ints.map { Int(clamping: $0) })
        case .strings:
            return .strings(proto.strings.map { String(decoding: $0, as: UTF8.self) })
        case .graph, .graphs:
            // Control flow (If, Loop, Scan) carries subgraphs; the engine runs flat graphs only.
            throw InferenceError.unsupportedOperator(file: file, op: opType, node: node)
        case .tensors:
            throw unreadable(proto, "is a list of tensors")
        case .sparseTensor, .sparseTensors:
            throw unreadable(proto, "is a sparse tensor")
        case .typeProto, .typeProtos:
            throw unreadable(proto, "is a type")
        case .undefined:
            throw unreadable(proto, "has no value")
        }
    }

    private func unreadable(_ proto: Onnx_AttributeProto, _ what: String) -> InferenceError {
        InferenceError.invalidNode(file: file, op: opType, node: node,
                                   reason: "attribute '\(proto.name)' \(what), which the engine does not read")
    }

    /// The attribute's declared type, or, in files older than IR version 2 (which have no type field), the kind
    /// of the value field that is set.
    private func kind(of proto: Onnx_AttributeProto) -> Onnx_AttributeProto.AttributeType {
        if proto.hasType && proto.type != .undefined { return proto.type }
        if proto.hasF { return .float }
        if proto.hasI { return .int }
        if proto.hasS { return .string }
        if proto.hasT { return .tensor }
        if proto.hasG { return .graph }
        if !proto.floats.isEmpty { return .floats }
        if !proto.ints.isEmpty { return .ints }
        if !proto.strings.isEmpty { return .strings }
        if !proto.tensors.isEmpty { return .tensors }
        if !proto.graphs.isEmpty { return .graphs }
        return .undefined
    }
}
