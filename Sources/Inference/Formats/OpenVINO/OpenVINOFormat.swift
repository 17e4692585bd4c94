import Foundation

/// OpenVINO IR (versions 10 and 11): a `.xml` with the layers and edges and a `.bin` of the same stem beside it
/// with the constants. Layers are translated into the engine's ONNX-named operators (opset-18 conventions).
struct OpenVINOFormat: ModelFormat {
    static let supportedVersions = [10, 11]

    var name: String { "OpenVINO IR" }

    func isModelFile(_ fileName: String) -> Bool { fileName.hasSuffix(".xml") }

    func load(file: String) throws -> Graph {
        let document = try IRDocument.parse(ModelFiles.read(file), file: file)
        guard let version = document.version, Self.supportedVersions.contains(version) else {
            throw InferenceError.malformedModel(
                file: file,
                reason: "IR version \(document.versionText ?? "(none given)") is not supported; this engine reads "
                    + "IR versions 10 and 11 (re-save the model with a current OpenVINO)")
        }
        let weights = try IRWeights(file: Self.weightsFile(for: file), modelFile: file)
        return try IRGraphBuilder(document: document, file: file, weights: weights).build()
    }

    /// "dir/model.xml" → "dir/model.bin".
    static func weightsFile(for xmlFile: String) -> String {
        ((xmlFile as NSString).deletingPathExtension as NSString).appendingPathExtension("bin") ?? xmlFile + ".bin"
    }
}
