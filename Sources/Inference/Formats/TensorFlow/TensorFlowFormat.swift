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

    func load(file: String) throws -> Graph {
        guard FileManager.default.fileExists(atPath: file) else { throw InferenceError.modelNotFound(path: file) }
        let directory = (file as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent("variables"),
                                          isDirectory: &isDirectory), isDirectory.boolValue {
            return try loadSavedModel(file: file)
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file), options: .mappedIfSafe)
        } catch {
            throw InferenceError.malformedModel(file: file, reason: "cannot be read: \(error.localizedDescription)")
        }
        let graphDef = try Self.decodeGraphDef(data, file: file)
        let names = try Self.graphMetadata(besides: file)
        return try TensorFlowGraphTranslator(file: file, format: Self.frozenGraphFormat)
            .graph(of: graphDef, inputNames: names?.inputs, outputNames: names?.outputs)
    }

    private func loadSavedModel(file: String) throws -> Graph {
        try SavedModelReader.load(file: file)
    }

    static func decodeGraphDef(_ data: Data, file: String) throws -> Tensorflow_GraphDef {
        guard !data.isEmpty else { throw InferenceError.malformedModel(file: file, reason: "the file is empty") }
        let graphDef: Tensorflow_GraphDef
        do {
            graphDef = try Tensorflow_GraphDef(serializedBytes: data)
        } catch let error as BinaryDecodingError {
            let reason: String
            switch error {
            case .truncated: reason = "the file is truncated (its protobuf data ends in the middle of a field)"
            case .invalidUTF8: reason = "the file is damaged: a text field is not valid UTF-8"
            case .messageDepthLimit: reason = "the file nests messages deeper than the decoder allows"
            default: reason = "the file is not a TensorFlow GraphDef: its bytes are not valid protobuf (\(error))"
            }
            throw InferenceError.malformedModel(file: file, reason: reason)
        } catch {
            throw InferenceError.malformedModel(file: file, reason: "the file cannot be decoded as a GraphDef: \(error)")
        }
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
