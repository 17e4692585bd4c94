import Foundation
import SwiftProtobuf

/// BigDL models (.model): the protobuf `BigDLModule` that `saveModule` writes (BigDL 0.5 and later, dllib 2.x),
/// read with the subset schema in bigdl-subset.proto. Weights must be in the same file (saveModule's default);
/// the older Java-serialised files of `Module.save` are refused.
struct BigDLFormat: ModelFormat {
    var name: String { "BigDL" }

    func isModelFile(_ fileName: String) -> Bool { fileName.hasSuffix(".model") }

    func load(file: String) throws -> Graph {
        try load(data: ModelFiles.read(file), file: file)
    }

    /// Reads a model from its bytes; `file` names it in errors.
    func load(data: Data, file: String) throws -> Graph {
        let top = try Self.decode(data, file: file)
        let tensors = try BigDLTensors(file: file, top: top)
        return try BigDLGraphBuilder(file: file, tensors: tensors).build(top: top)
    }

    static func decode(_ data: Data, file: String) throws -> Bigdl_BigDLModule {
        // Java serialisation's stream magic: a model written by Module.save (BigDL before 0.5's saveModule).
        if data.count >= 2, data[data.startIndex] == 0xAC, data[data.startIndex + 1] == 0xED {
            throw InferenceError.malformedModel(
                file: file, reason: "the file is a Java-serialised BigDL model (Module.save), which this engine does "
                    + "not read: load it in BigDL and save it again with saveModule(path)")
        }
        let module = try ModelFiles.decode(Bigdl_BigDLModule.self, from: data, file: file,
                                           describing: "a BigDL model")
        guard !module.moduleType.isEmpty else {
            throw InferenceError.malformedModel(
                file: file, reason: "the file holds no module type: it is not a BigDL model saved with saveModule")
        }
        return module
    }
}
