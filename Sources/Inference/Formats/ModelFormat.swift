import Foundation

/// A model file format: which files in a directory are its models, and how to read one into a `Graph`.
/// Every format is listed in `ModelFormats.all`; a later one (PyTorch) joins it there.
public protocol ModelFormat: Sendable {
    var name: String { get }
    /// Whether `fileName` is the main file of a model in this format (the one a model path may name).
    func isModelFile(_ fileName: String) -> Bool
    func load(file: String) throws -> Graph
    /// Reads the model with what its configuration says beyond the file. Only TensorFlow reads options (a
    /// SavedModel's signature); `ModelFormats.locate` has refused them for the other formats.
    func load(file: String, options: ModelLoadOptions) throws -> Graph
}

extension ModelFormat {
    public func load(file: String, options: ModelLoadOptions) throws -> Graph { try load(file: file) }
}

/// What a model's configuration tells its reader beyond the file and the format.
public struct ModelLoadOptions: Sendable, Equatable {
    /// The signature a TensorFlow SavedModel is served by (config `modelSignature`); nil for `serving_default`.
    public var signature: String?

    public init(signature: String? = nil) {
        self.signature = signature?.isEmpty == true ? nil : signature
    }

    /// Refuses a signature for the model in `file`, which is not a SavedModel but a `kind`.
    func refuseSignature(for file: String, _ kind: String) throws {
        guard let signature else { return }
        throw InferenceError.invalidInput(
            reason: "modelSignature \(signature) names a signature, which only a TensorFlow SavedModel has; "
                + "\(file) is not one (\(kind))")
    }
}

public enum ModelFormats {
    public static let all: [any ModelFormat] = [
        ONNXFormat(), OpenVINOFormat(), TensorFlowFormat(), CaffeFormat(), BigDLFormat(),
    ]

    /// Finds the model at `path`: a model file, or a directory holding exactly one model. A `type` (config
    /// `modelType`) keeps only the files of that format, so it also picks one model out of several.
    /// `options` that do not apply to the model found are refused (a signature for anything but a SavedModel).
    public static func locate(_ path: String, type: ModelType? = nil, options: ModelLoadOptions = ModelLoadOptions())
        throws -> (format: any ModelFormat, file: String)
    {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InferenceError.modelNotFound(path: path)
        }
        let formats = type.map { type in all.filter { $0.name == type.formatName } } ?? all
        let located: (format: any ModelFormat, file: String)
        if !isDirectory.boolValue {
            let name = (path as NSString).lastPathComponent
            guard let format = formats.first(where: { $0.isModelFile(name) }) else {
                if let type { throw InferenceError.typeMismatch(path: path, type: type.name, found: [name]) }
                throw InferenceError.unknownFormat(path: path)
            }
            located = (format, path)
        } else {
            let entries = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
            var found: [(any ModelFormat, String)] = []
            for entry in entries {
                if let format = formats.first(where: { $0.isModelFile(entry) }) {
                    found.append((format, (path as NSString).appendingPathComponent(entry)))
                }
            }
            guard !found.isEmpty else {
                if let type { throw InferenceError.typeMismatch(path: path, type: type.name, found: entries) }
                throw InferenceError.noModelInDirectory(path: path, found: entries)
            }
            guard found.count == 1 else {
                throw InferenceError.severalModels(path: path, found: found.map { ($0.1 as NSString).lastPathComponent })
            }
            located = found[0]
        }
        let isSavedModel = located.format is TensorFlowFormat && TensorFlowFormat.isSavedModel(located.file)
        if let type, let savedModel = type.isTensorFlowSavedModel, isSavedModel != savedModel {
            let found = isSavedModel
                ? "a SavedModel (variables/ beside \((located.file as NSString).lastPathComponent))"
                : "a frozen graph (no variables/ folder)"
            throw InferenceError.typeMismatch(path: path, type: type.name, found: [found])
        }
        if !isSavedModel {
            let kind = located.format is TensorFlowFormat ? TensorFlowFormat.frozenGraphFormat : located.format.name
            try options.refuseSignature(for: located.file, kind)
        }
        return located
    }

    public static func load(_ path: String, type: ModelType? = nil,
                            options: ModelLoadOptions = ModelLoadOptions()) throws -> Graph {
        let (format, file) = try locate(path, type: type, options: options)
        return try format.load(file: file, options: options)
    }
}

/// The original's `modelType` (config, and the 0.11 servable manager's `InferenceModelMetaData`), which overrides
/// detection by file name. Names are matched ignoring case.
public struct ModelType: Sendable, Equatable {
    /// As the user wrote it, for messages.
    public let name: String
    /// The `ModelFormat.name` it selects.
    let formatName: String
    /// For TensorFlow: whether a SavedModel (true) or a frozen graph (false) is required; nil for other formats.
    let isTensorFlowSavedModel: Bool?

    /// Accepted names → (format, TensorFlow variant).
    private static let names: [String: (format: String, savedModel: Bool?)] = [
        "onnx": ("ONNX", nil),
        "openvino": ("OpenVINO IR", nil),
        "tensorflow": ("TensorFlow", nil),
        "tf.frozenmodel": ("TensorFlow", false), "tensorflowfrozenmodel": ("TensorFlow", false),
        "frozenmodel": ("TensorFlow", false),
        "tf.savedmodel": ("TensorFlow", true), "tensorflowsavedmodel": ("TensorFlow", true),
        "savedmodel": ("TensorFlow", true),
        "caffe": ("Caffe", nil),
        "bigdl": ("BigDL", nil),
    ]

    /// nil for a name that is not a model type; `acceptedNames` lists the ones that are.
    public init?(_ name: String) {
        guard let entry = Self.names[name.lowercased()] else { return nil }
        self.name = name
        formatName = entry.format
        isTensorFlowSavedModel = entry.savedModel
    }

    public static let acceptedNames = ["ONNX", "OpenVINO", "tf.frozenModel", "tf.savedModel", "Caffe", "BigDL"]

    /// The configured type, if any; a name that is not a model type is an error listing the accepted ones.
    public static func configured(_ name: String?) throws -> ModelType? {
        guard let name, !name.isEmpty else { return nil }
        guard let type = ModelType(name) else {
            throw InferenceError.invalidInput(reason: "modelType \(name) is not one of "
                + acceptedNames.joined(separator: ", ") + (name.lowercased() == "pytorch" ? " (PyTorch models are not read yet)" : ""))
        }
        return type
    }
}
