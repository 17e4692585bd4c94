import Foundation
@testable import Inference

/// Small ONNX models built in the tests with the loader's own message types, for cases the fixtures do not
/// cover (odd encodings, broken files, refused features).
enum ONNXTestModels {
    enum Dim {
        case fixed(Int64)
        case named(String)
    }

    static func valueInfo(_ name: String, _ type: ONNXDataType = .float, _ dims: [Dim]? = nil) -> Onnx_ValueInfoProto {
        var tensorType = Onnx_TypeProto.Tensor()
        tensorType.elemType = type.rawValue
        if let dims {
            var shape = Onnx_TensorShapeProto()
            shape.dim = dims.map { dim in
                var d = Onnx_TensorShapeProto.Dimension()
                switch dim {
                case .fixed(let value): d.dimValue = value
                case .named(let name): d.dimParam = name
                }
                return d
            }
            tensorType.shape = shape
        }
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.type.tensorType = tensorType
        return info
    }

    static func node(_ opType: String, _ inputs: [String], _ outputs: [String], name: String = "",
                     domain: String = "", attributes: [Onnx_AttributeProto] = []) -> Onnx_NodeProto {
        var node = Onnx_NodeProto()
        node.opType = opType
        node.input = inputs
        node.output = outputs
        node.name = name
        node.domain = domain
        node.attribute = attributes
        return node
    }

    static func attribute(_ name: String, configure: (inout Onnx_AttributeProto) -> Void) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        configure(&attribute)
        return attribute
    }

    /// A tensor whose values are given as little-endian raw bytes.
    static func rawTensor(_ name: String, _ type: ONNXDataType, dims: [Int64], raw: [UInt8]) -> Onnx_TensorProto {
        var tensor = Onnx_TensorProto()
        tensor.name = name
        tensor.dataType = type.rawValue
        tensor.dims = dims
        tensor.rawData = Data(raw)
        return tensor
    }

    static func floatTensor(_ name: String, dims: [Int64], _ values: [Float]) -> Onnx_TensorProto {
        var tensor = Onnx_TensorProto()
        tensor.name = name
        tensor.dataType = ONNXDataType.float.rawValue
        tensor.dims = dims
        tensor.floatData = values
        return tensor
    }

    /// y = Relu(x) over [N, 3], with whatever extra nodes and initializers a test adds.
    static func model(nodes: [Onnx_NodeProto]? = nil, inputs: [Onnx_ValueInfoProto]? = nil,
                      outputs: [Onnx_ValueInfoProto]? = nil, initializers: [Onnx_TensorProto] = [],
                      opset: Int64? = 17, opsetDomain: String = "", irVersion: Int64 = 8) -> Onnx_ModelProto {
        var graph = Onnx_GraphProto()
        graph.name = "test"
        graph.node = nodes ?? [node("Relu", ["x"], ["y"], name: "relu")]
        graph.input = inputs ?? [valueInfo("x", .float, [.named("N"), .fixed(3)])]
        graph.output = outputs ?? [valueInfo("y", .float, [.named("N"), .fixed(3)])]
        graph.initializer = initializers
        var model = Onnx_ModelProto()
        model.irVersion = irVersion
        model.producerName = "tests"
        model.graph = graph
        if let opset {
            var entry = Onnx_OperatorSetIdProto()
            entry.domain = opsetDomain
            entry.version = opset
            model.opsetImport = [entry]
        }
        return model
    }

    static func bytes(_ model: Onnx_ModelProto) throws -> Data {
        try model.serializedBytes()
    }

    /// Reads a model built in a test, as if from `file`.
    static func load(_ model: Onnx_ModelProto, file: String = "test.onnx") throws -> Graph {
        try ONNXFormat().load(data: bytes(model), file: file)
    }

    /// A tensor proto read on its own, as an initializer of a model at `file`.
    static func read(_ tensor: Onnx_TensorProto, file: String = "test.onnx") throws -> Tensor {
        try ONNXTensorReader(file: file).tensor(tensor, role: "initializer '\(tensor.name)'")
    }
}

extension Array where Element == UInt8 {
    /// The little-endian bytes of each value, concatenated.
    static func littleEndian<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        values.flatMap { value in Swift.withUnsafeBytes(of: value.littleEndian) { Array($0) } }
    }
}
