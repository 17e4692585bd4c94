import Foundation
import SwiftProtobuf

/// ONNX models (.onnx): a protobuf ModelProto, read with the subset schema in onnx-subset.proto.
struct ONNXFormat: ModelFormat {
    /// The newest default-domain opset whose operator definitions the engine follows.
    static let newestSupportedOpset = 22

    var name: String { "ONNX" }

    func isModelFile(_ fileName: String) -> Bool { fileName.hasSuffix(".onnx") }

    func load(file: String) throws -> Graph {
        try load(data: ModelFiles.read(file), file: file)
    }

    /// Reads a model from its bytes. `file` names the model in errors, and external tensor data is looked up
    /// relative to its directory.
    func load(data: Data, file: String) throws -> Graph {
        let model = try ModelFiles.decode(Onnx_ModelProto.self, from: data, file: file, describing: "an ONNX model")
        return try ONNXGraphReader(file: file).graph(of: model)
    }
}

/// Turns a decoded ModelProto into the engine's `Graph`, checking what the engine relies on.
struct ONNXGraphReader {
    let file: String

    func malformed(_ reason: String) -> InferenceError {
        InferenceError.malformedModel(file: file, reason: reason)
    }

    func graph(of model: Onnx_ModelProto) throws -> Graph {
        guard model.hasGraph else {
            throw malformed("the file holds no graph: it is not an ONNX model, or it is damaged")
        }
        guard model.irVersion > 0 else {
            throw malformed("the model has no IR version (ir_version is missing or 0): "
                            + "it is not an ONNX model, or it is damaged")
        }
        let opset = try defaultOpset(of: model)
        let proto = model.graph

        let tensors = ONNXTensorReader(file: file)
        // Nodes first: an operator the engine refuses is reported before the weights are converted.
        let nodes = try proto.node.enumerated().map { index, node in
            try self.node(node, index: index, tensors: tensors)
        }
        var initializers: [String: Tensor] = [:]
        for initializer in proto.initializer {
            guard initializers[initializer.name] == nil else {
                throw malformed("two initializers are named '\(initializer.name)'")
            }
            initializers[initializer.name] = try tensors.tensor(initializer, role: "initializer '\(initializer.name)'")
        }

        // Before IR version 4 every initializer was also listed as an input; either way they are constants.
        let inputs = try proto.input
            .filter { initializers[$0.name] == nil }
            .map { try valueInfo($0, role: "graph input") }
        let outputs = try proto.output.map { try valueInfo($0, role: "graph output") }
        return Graph(sourceFile: file, format: "ONNX", opset: opset, nodes: nodes, inputs: inputs,
                     outputs: outputs, initializers: initializers)
    }

    /// The version of the default operator set ("" or "ai.onnx") the model imports.
    private func defaultOpset(of model: Onnx_ModelProto) throws -> Int {
        guard let entry = model.opsetImport.last(where: { $0.domain.isEmpty || $0.domain == "ai.onnx" }) else {
            throw malformed("the model imports no version of the default ONNX operator set (opset_import)")
        }
        guard entry.version >= 1 else {
            throw malformed("the model imports ONNX opset \(entry.version), which is not a valid version")
        }
        guard entry.version <= ONNXFormat.newestSupportedOpset else {
            let producer = model.producerName.isEmpty ? "" : " (written by \(model.producerName))"
            throw malformed("the model uses ONNX opset \(entry.version)\(producer); this engine supports opsets "
                            + "up to \(ONNXFormat.newestSupportedOpset)")
        }
        return Int(entry.version)
    }

    private func node(_ proto: Onnx_NodeProto, index: Int, tensors: ONNXTensorReader) throws -> Node {
        // Names are optional in ONNX; errors still need to point at the node, so an unnamed node is called after
        // its first output (unique in a graph) or else its position.
        let name = !proto.name.isEmpty ? proto.name
            : proto.output.first(where: { !$0.isEmpty }) ?? "\(proto.opType)#\(index)"
        guard !proto.opType.isEmpty else {
            throw malformed("node '\(name)' has no operator type (op_type is empty)")
        }
        guard proto.domain.isEmpty || proto.domain == "ai.onnx" else {
            throw InferenceError.unsupportedOperator(file: file, op: "\(proto.domain).\(proto.opType)", node: name)
        }
        var attributes: [String: Attribute] = [:]
        for attribute in proto.attribute {
            let reader = ONNXAttributeReader(file: file, opType: proto.opType, node: name, tensors: tensors)
            attributes[attribute.name] = try reader.attribute(attribute)
        }
        return Node(name: name, opType: proto.opType, inputs: proto.input, outputs: proto.output,
                    attributes: attributes)
    }
}
