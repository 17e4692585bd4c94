import Foundation
import SwiftProtobuf

/// Reading a model's files and decoding its protobuf messages, with the errors worded once for every format.
/// What is particular to a format (Java-serialised BigDL files, V1 Caffe layers, a GraphDef without nodes) stays
/// in the format.
enum ModelFiles {
    /// A missing model file is "not found", not "malformed".
    static func requireExists(_ file: String) throws {
        guard FileManager.default.fileExists(atPath: file) else { throw InferenceError.modelNotFound(path: file) }
    }

    /// The bytes of `file`, which must exist; `what` names it in the error when it cannot be read. Mapped: a large
    /// model is not copied once more before protobuf decoding copies its tensors out.
    static func read(_ file: String, describing what: String = "file") throws -> Data {
        try requireExists(file)
        do {
            return try Data(contentsOf: URL(fileURLWithPath: file), options: .mappedIfSafe)
        } catch {
            throw InferenceError.malformedModel(file: file,
                                                reason: "the \(what) cannot be read: \(error.localizedDescription)")
        }
    }

    /// Decodes `data` (the bytes of `file`) as an `M`; `what` names the expected content in errors ("an ONNX
    /// model"). Any bytes that parse decode, possibly to an empty message: the format checks what it needs.
    static func decode<M: SwiftProtobuf.Message>(_ type: M.Type, from data: Data, file: String,
                                                 describing what: String,
                                                 options: BinaryDecodingOptions = BinaryDecodingOptions()) throws -> M {
        guard !data.isEmpty else { throw InferenceError.malformedModel(file: file, reason: "the file is empty") }
        do {
            return try M(serializedBytes: data, options: options)
        } catch let error as BinaryDecodingError {
            let reason: String
            switch error {
            case .truncated: reason = "the file is truncated (its protobuf data ends in the middle of a field)"
            case .invalidUTF8: reason = "the file is damaged: a text field is not valid UTF-8"
            case .messageDepthLimit: reason = "the file nests messages deeper than the decoder allows"
            default: reason = "the file is not \(what): its bytes are not valid protobuf (\(error))"
            }
            throw InferenceError.malformedModel(file: file, reason: reason)
        } catch {
            throw InferenceError.malformedModel(file: file, reason: "the file cannot be decoded as \(what): \(error)")
        }
    }
}
