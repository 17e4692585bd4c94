/// Errors from loading and running models. Every message names what is wrong and where (file, node, input).
public enum InferenceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The model path does not exist.
    case modelNotFound(path: String)
    /// A model directory holds no model file; `found` lists what is there.
    case noModelInDirectory(path: String, found: [String])
    /// A model directory holds more than one model.
    case severalModels(path: String, found: [String])
    /// The file's suffix or contents match no known format.
    case unknownFormat(path: String)
    /// The configured `modelType` does not match the model at the path; `found` says what is there.
    case typeMismatch(path: String, type: String, found: [String])
    /// The file is damaged or does not follow its format.
    case malformedModel(file: String, reason: String)
    /// The graph uses an operator this engine does not implement.
    case unsupportedOperator(file: String, op: String, node: String)
    /// A node's attributes or constant inputs are not acceptable.
    case invalidNode(file: String, op: String, node: String, reason: String)
    /// A node failed while running (the inputs it was given do not fit it).
    case operatorFailed(op: String, node: String, reason: String)
    /// The caller's inputs do not match the model.
    case invalidInput(reason: String)

    public var description: String {
        switch self {
        case .modelNotFound(let path):
            return "model path \(path) does not exist"
        case .noModelInDirectory(let path, let found):
            return "no model in \(path): expected one model file (\(Self.readableFiles)); found "
                + (found.isEmpty ? "nothing" : found.joined(separator: ", ")) + Self.exportHint(found)
        case .severalModels(let path, let found):
            return "more than one model in \(path): " + found.joined(separator: ", ")
                + "; keep one model per directory or give the model file itself"
        case .unknownFormat(let path):
            return "\(path) is not a model this engine reads (\(Self.readableFiles))" + Self.exportHint([path])
        case .typeMismatch(let path, let type, let found):
            return "modelType \(type) names no model at \(path): found "
                + (found.isEmpty ? "nothing" : found.joined(separator: ", "))
        case .malformedModel(let file, let reason):
            return "\(file): \(reason)"
        case .unsupportedOperator(let file, let op, let node):
            return "\(file): operator \(op) (node '\(node)') is not supported"
        case .invalidNode(let file, let op, let node, let reason):
            return "\(file): \(op) node '\(node)': \(reason)"
        case .operatorFailed(let op, let node, let reason):
            return "\(op) node '\(node)' failed: \(reason)"
        case .invalidInput(let reason):
            return reason
        }
    }

    static let readableFiles = "ONNX *.onnx, OpenVINO IR *.xml + *.bin, TensorFlow *.pb (frozen graph, or "
        + "saved_model.pb with variables/), Caffe *.caffemodel + *.prototxt, BigDL *.model"

    /// For files of the formats the original served that this engine does not read, or half a model: what to do.
    static func exportHint(_ files: [String]) -> String {
        let hints: [(suffixes: [String], text: String)] = [
            ([".pt", ".pth"], "a PyTorch model: export it with torch.onnx.export"),
            ([".keras", ".h5"], "a Keras model: save it as a TensorFlow SavedModel (model.export), as the original "
                + "asked"),
            ([".prototxt"], "a Caffe net needs its weights too: put the .caffemodel beside the .prototxt"),
        ]
        let named = hints.filter { hint in files.contains { file in hint.suffixes.contains { file.hasSuffix($0) } } }
        return named.isEmpty ? "" : " (" + named.map(\.text).joined(separator: "; ") + ")"
    }
}

/// A problem an operator finds in its attributes or inputs. The compiler and the executor wrap it in an
/// `InferenceError` that adds the file, the node and the operator.
public struct OpError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
