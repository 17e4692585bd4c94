import Foundation
import SwiftProtobuf

/// TensorFlow models: a frozen graph (`*.pb`, a GraphDef whose weights are Const nodes), or a SavedModel
/// (`saved_model.pb` with a `variables/` folder beside it, read by `SavedModelReader`).
///
/// A frozen graph's inputs and outputs are named by an optional `graph_meta.json` beside it
/// (`{"input_names": ["input:0"], "output_names": ["output:0"]}`, the original's convention); without one the
/// inputs are the Placeholders and the outputs the results nothing reads.
struct TensorFlowFormat: ModelFormat {
    static let frozenGraphFormat = "TensorFlow frozen graph"
    /// `.pb` files a SavedModel directory holds besides its graph.
    static let companionFiles: Set<String> = ["fingerprint.pb", "keras_metadata.pb"]
    static let metadataFile = "graph_meta.json"

    var name: String { "TensorFlow" }

    func isModelFile(_ fileName: String) -> Bool {
        fileName.hasSuffix(".pb") && !Self.companionFiles.contains(fileName)
    }

    func load(file: String) throws -> Graph { try load(file: file, options: ModelLoadOptions()) }

    /// A SavedModel (`variables/` beside the file) is read with the signature the options name; a frozen graph
    /// has none to name.
    func load(file: String, options: ModelLoadOptions) throws -> Graph {
        try ModelFiles.requireExists(file)
        if Self.isSavedModel(file) {
            let signature = options.signature ?? SavedModelReader.defaultSignature
            return try SavedModelReader.load(file: file, signature: signature)
        }
        try options.refuseSignature(for: file, Self.frozenGraphFormat)
        let graphDef = try Self.decodeGraphDef(ModelFiles.read(file), file: file)
        let names = try Self.graphMetadata(besides: file)
        return try TensorFlowGraphTranslator(file: file, format: Self.frozenGraphFormat)
            .graph(of: graphDef, inputNames: names?.inputs, outputNames: names?.outputs)
    }

    /// Whether the `.pb` at `file` is a SavedModel's graph: a `variables/` folder is beside it.
    static func isSavedModel(_ file: String) -> Bool {
        let variables = ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent("variables")
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: variables, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    static func decodeGraphDef(_ data: Data, file: String) throws -> Tensorflow_GraphDef {
        let graphDef = try ModelFiles.decode(Tensorflow_GraphDef.self, from: data, file: file,
                                             describing: "a TensorFlow GraphDef")
        // Any bytes can decode to an empty message with unknown fields; a graph has nodes with ops.
        guard !graphDef.node.isEmpty, graphDef.node.allSatisfy({ !$0.op.isEmpty }) else {
            throw InferenceError.malformedModel(
                file: file, reason: "the file is not a TensorFlow GraphDef: it holds no nodes with ops")
        }
        return graphDef
    }

    /// The input and output names of `graph_meta.json` beside `file`, if there is one.
    static func graphMetadata(besides file: String) throws -> (inputs: [String]?, outputs: [String]?)? {
        let path = ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(metadataFile)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        func malformed(_ reason: String) -> InferenceError { .malformedModel(file: path, reason: reason) }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw malformed("is not valid JSON (\(error.localizedDescription))")
        }
        guard let dictionary = object as? [String: Any] else {
            throw malformed("should be an object with input_names and output_names")
        }
        func names(_ key: String) throws -> [String]? {
            guard let value = dictionary[key] else { return nil }
            guard let list = value as? [String], !list.isEmpty else {
                throw malformed("\(key) should be a non-empty list of tensor names")
            }
            return list
        }
        return (try names("input_names"), try names("output_names"))
    }
}
