import Foundation
import SwiftProtobuf

/// TensorFlow SavedModels: `saved_model.pb` (a `SavedModel` proto) beside `variables/variables.index` and its
/// `variables.data-NNNNN-of-NNNNN` shards.
///
/// The meta graph tagged "serve" is read; its signature (`serving_default` unless another is named) gives the
/// input and output tensors. Function calls are inlined (`SavedModelFunctionInliner`), variables become
/// constants holding their checkpoint values (`SavedModelVariables`, `TensorBundle`), and the plain graph goes
/// through the frozen-graph translator. The engine graph's inputs and outputs are named by the signature's keys
/// ("input_1", "output_0"), as TensorFlow Serving names them.
enum SavedModelReader {
    static let format = "TensorFlow SavedModel"
    static let defaultSignature = "serving_default"
    /// Signature-map entries that are not servable signatures (the init op TF2 records there).
    static let internalSignatures: Set<String> = ["__saved_model_init_op"]

    static func load(file: String, signature name: String = defaultSignature) throws -> Graph {
        let model = try decode(file)
        let metaGraph = try servingMetaGraph(of: model, file: file)
        let signature = try self.signature(name, in: metaGraph, file: file)

        var opDefs: [String: Tensorflow_OpDef] = [:]
        for op in metaGraph.metaInfoDef.strippedOpList.op { opDefs[op.name] = op }
        var inliner = SavedModelFunctionInliner(file: file, library: metaGraph.graphDef.library, opDefs: opDefs)
        try inliner.inline(metaGraph.graphDef)
        let nodes = try SavedModelVariables.rewritingResourceReads(inliner.nodes.map { node in
            var node = node
            node.input = try node.input.map(inliner.resolve)
            return node
        }, file: file)
        // Signature maps have no order of their own: inputs and outputs go in key order.
        let inputs = try signature.inputs.sorted { $0.key < $1.key }.map {
            (key: $0.key, tensor: try inliner.resolve($0.value.name))
        }
        let outputs = try signature.outputs.sorted { $0.key < $1.key }.map {
            (key: $0.key, tensor: try inliner.resolve($0.value.name))
        }

        let constants = try variableValues(nodes: nodes, metaGraph: metaGraph, outputs: outputs.map(\.tensor),
                                           inputs: inputs.map(\.tensor), file: file)
        var graphDef = Tensorflow_GraphDef()
        graphDef.node = nodes
        graphDef.versions = metaGraph.graphDef.versions
        let translator = TensorFlowGraphTranslator(file: file, format: format)
        let graph = try translator.graph(of: graphDef, inputNames: inputs.map(\.tensor),
                                         outputNames: outputs.map(\.tensor), constants: constants)
        return try renamed(graph, inputs: inputs, outputs: outputs.map(\.key))
    }

    // MARK: The SavedModel file

    static func decode(_ file: String) throws -> Tensorflow_SavedModel {
        try ModelFiles.decode(Tensorflow_SavedModel.self, from: ModelFiles.read(file), file: file,
                              describing: "a TensorFlow SavedModel")
    }

    /// The meta graph TensorFlow Serving loads: the one tagged "serve", or the only one.
    static func servingMetaGraph(of model: Tensorflow_SavedModel, file: String) throws -> Tensorflow_MetaGraphDef {
        if let serving = model.metaGraphs.first(where: { $0.metaInfoDef.tags.contains("serve") }) { return serving }
        guard model.metaGraphs.count == 1, let only = model.metaGraphs.first else {
            let tags = model.metaGraphs.map { "[" + $0.metaInfoDef.tags.joined(separator: ", ") + "]" }
            throw InferenceError.malformedModel(
                file: file, reason: model.metaGraphs.isEmpty ? "the SavedModel holds no meta graph"
                    : "the SavedModel has no meta graph tagged 'serve' (its tag sets: \(tags.joined(separator: " ")))")
        }
        return only
    }

    static func signature(_ name: String, in metaGraph: Tensorflow_MetaGraphDef,
                          file: String) throws -> Tensorflow_SignatureDef {
        let available = metaGraph.signatureDef.keys.filter { !internalSignatures.contains($0) }.sorted()
        guard let signature = metaGraph.signatureDef[name], !internalSignatures.contains(name) else {
            throw InferenceError.malformedModel(
                file: file, reason: "the SavedModel has no signature '\(name)'; it has "
                    + (available.isEmpty ? "none" : available.map { "'\($0)'" }.joined(separator: ", ")))
        }
        guard !signature.inputs.isEmpty, !signature.outputs.isEmpty else {
            throw InferenceError.malformedModel(
                file: file, reason: "signature '\(name)' has \(signature.inputs.count) inputs and "
                    + "\(signature.outputs.count) outputs; a servable signature needs at least one of each")
        }
        return signature
    }

    // MARK: Variables

    /// Checkpoint values of the variables the outputs depend on, for the variable nodes and for the
    /// ReadVariableOps that read them (so those need no translation of their own).
    static func variableValues(nodes: [Tensorflow_NodeDef], metaGraph: Tensorflow_MetaGraphDef, outputs: [String],
                               inputs: [String], file: String) throws -> [String: Tensor] {
        let variables = SavedModelVariables(file: file, nodes: nodes)
        let needed = reachableVariables(from: outputs, stoppingAt: Set(inputs.map(SavedModelVariables.nodeName)),
                                        in: variables.nodes)
        guard !needed.isEmpty else { return [:] }

        let prefix = ((file as NSString).deletingLastPathComponent as NSString)
            .appendingPathComponent("variables/variables")
        let bundle = try TensorBundle(prefix: prefix)
        var mappings = [try variables.checkpointKeys()]
        if !needed.isSubset(of: mappings[0].keys) {
            mappings.append(try variables.objectGraphKeys(topLevel: metaGraph.graphDef.node,
                                                          objectGraph: metaGraph.objectGraphDef, bundle: bundle))
        }
        var values: [String: Tensor] = [:]
        for name in needed.sorted() {
            values[name] = try bundle.tensor(try variables.key(of: name, mappings: mappings, bundle: bundle))
        }
        for node in nodes where node.op == "ReadVariableOp" {
            if let input = node.input.first, let variable = variables.variableNode(input), let value = values[variable] {
                values[node.name] = value
            }
        }
        return values
    }

    /// The variable nodes the outputs read, walking data inputs back from the outputs to the graph inputs.
    private static func reachableVariables(from outputs: [String], stoppingAt inputs: Set<String>,
                                           in nodes: [String: Tensorflow_NodeDef]) -> Set<String> {
        var pending = outputs.map(SavedModelVariables.nodeName)
        var seen = Set(pending)
        var variables: Set<String> = []
        while let name = pending.popLast() {
            guard let node = nodes[name], !inputs.contains(name) else { continue }
            if SavedModelVariables.variableOps.contains(node.op) { variables.insert(name) }
            for input in node.input {
                let source = SavedModelVariables.nodeName(input)
                if seen.insert(source).inserted { pending.append(source) }
            }
        }
        return variables
    }

    // MARK: Names

    /// The graph with its inputs and outputs named by the signature's keys instead of tensor names, both in key
    /// order. Inputs are matched by tensor name (the translator lists them in graph order), outputs by position
    /// (it keeps the order asked for, each output a value of its own).
    static func renamed(_ graph: Graph, inputs: [(key: String, tensor: String)], outputs: [String]) throws -> Graph {
        var renames: [String: String] = [:]
        for input in inputs { renames[input.tensor] = input.key }
        for (value, key) in zip(graph.outputs.map(\.name), outputs) { renames[value] = key }
        var others = Set(graph.initializers.keys)
        for node in graph.nodes { others.formUnion(node.outputs) }
        others.formUnion(graph.inputs.map(\.name))
        others.subtract(renames.keys)
        var used: Set<String> = []
        for key in renames.values.sorted() {
            guard used.insert(key).inserted, !others.contains(key) else {
                throw InferenceError.malformedModel(
                    file: graph.sourceFile, reason: "signature key '\(key)' names two tensors (an input and an "
                        + "output, or a tensor inside the graph); the engine needs distinct names")
            }
        }
        func rename(_ value: String) -> String { renames[value] ?? value }
        var graph = graph
        // In the signature's key order (sorted), as the outputs are, rather than the order the graph reads them.
        let position = Dictionary(inputs.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { first, _ in first })
        graph.inputs = graph.inputs.map { var info = $0; info.name = rename(info.name); return info }
            .sorted { (position[$0.name] ?? Int.max) < (position[$1.name] ?? Int.max) }
        graph.outputs = graph.outputs.map { var info = $0; info.name = rename(info.name); return info }
        graph.nodes = graph.nodes.map { node in
            var node = node
            node.inputs = node.inputs.map(rename)
            node.outputs = node.outputs.map(rename)
            return node
        }
        return graph
    }
}
