import Foundation

/// A model file format: which files in a directory are its models, and how to read one into a `Graph`.
/// Later formats (TensorFlow, Caffe, PyTorch, BigDL) join `ModelFormats.all`.
public protocol ModelFormat: Sendable {
    var name: String { get }
    /// Whether `fileName` is the main file of a model in this format (the one a model path may name).
    func isModelFile(_ fileName: String) -> Bool
    func load(file: String) throws -> Graph
}

public enum ModelFormats {
    public static let all: [any ModelFormat] = [ONNXFormat(), OpenVINOFormat()]

    /// Finds the model at `path`: a model file, or a directory holding exactly one model.
    public static func locate(_ path: String) throws -> (format: any ModelFormat, file: String) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InferenceError.modelNotFound(path: path)
        }
        if !isDirectory.boolValue {
            let name = (path as NSString).lastPathComponent
            guard let format = all.first(where: { $0.isModelFile(name) }) else {
                throw InferenceError.unknownFormat(path: path)
            }
            return (format, path)
        }
        let entries = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
        var found: [(any ModelFormat, String)] = []
        for entry in entries {
            if let format = all.first(where: { $0.isModelFile(entry) }) {
                found.append((format, (path as NSString).appendingPathComponent(entry)))
            }
        }
        guard !found.isEmpty else { throw InferenceError.noModelInDirectory(path: path, found: entries) }
        guard found.count == 1 else {
            throw InferenceError.severalModels(path: path, found: found.map { ($0.1 as NSString).lastPathComponent })
        }
        return found[0]
    }

    public static func load(_ path: String) throws -> Graph {
        let (format, file) = try locate(path)
        return try format.load(file: file)
    }
}
