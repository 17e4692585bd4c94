import Foundation
import SwiftProtobuf

/// BigDL models (.model): the protobuf `BigDLModule` that `saveModule` writes (BigDL 0.5 and later, dllib 2.x),
/// read with the subset schema in bigdl-subset.proto. Weights must be in the same file (saveModule's default);
/// the older Java-serialised files of `Module.save` are refused.
struct BigDLFormat: ModelFormat {
    var name: String { "BigDL" }

    func isModelFile(_ fileName: String) -> Bool { fileName.hasSuffix(".model") }

    func load(file: String) throws -> Graph {
        guard FileManager.default.fileExists(atPath: file) else { throw InferenceError.modelNotFound(path: file) }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file), options: .mappedIfSafe)
        } catch {
            throw InferenceError.malformedModel(file: file, reason: "cannot be read: \(error.localizedDescription)")
        }
        return try load(data: data, file: file)
    }

    /// Reads a model from its bytes; `file` names it in errors.
    func load(data: Data, file: String) throws -> Graph {
        let top = try Self.decode(data, file: file)
        let tensors = try BigDLTensors(file: file, top: top)
        return try BigDLGraphBuilder(file: file, tensors: tensors).build(top: top)
    }

    static func decode(_ data: Data, file: String) throws -> Bigdl_BigDLModule {
        guard !data.isEmpty else { throw InferenceError.malformedModel(file: file, reason: "the file is empty") }
        // Java serialisation's stream magic: a model written by Module.save (BigDL before 0.5's saveModule).
        if data.count >= 2, data[data.startIndex] == 0xAC, data[data.startIndex + 1] == 0xED {
            throw InferenceError.malformedModel(
                file: file, reason: "the file is a Java-serialised BigDL model (Module.save), which this engine does "
                    + "not read: load it in BigDL and save it again with saveModule(path)")
        }
        let module: Bigdl_BigDLModule
        do {
            module = try Bigdl_BigDLModule(serializedBytes: data)
        } catch let error as BinaryDecodingError {
            let reason: String
            switch error {
            case .truncated:
                reason = "the file is truncated (its protobuf data ends in the middle of a field)"
            case .invalidUTF8:
                reason = "the file is damaged: a text field is not valid UTF-8"
            case .messageDepthLimit:
                reason = "the file nests modules deeper than the decoder allows"
            default:
                reason = "the file is not a BigDL model: its bytes are not valid protobuf (\(error))"
            }
            throw InferenceError.malformedModel(file: file, reason: reason)
        } catch {
            throw InferenceError.malformedModel(
                file: file, reason: "the file cannot be decoded as a BigDL model: \(error)")
        }
        guard !module.moduleType.isEmpty else {
            throw InferenceError.malformedModel(
                file: file, reason: "the file holds no module type: it is not a BigDL model saved with saveModule")
        }
        return module
    }
}
