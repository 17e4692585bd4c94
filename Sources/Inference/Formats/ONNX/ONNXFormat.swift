/// Placeholder: the ONNX reader.
struct ONNXFormat: ModelFormat {
    var name: String { "ONNX" }
    func isModelFile(_ fileName: String) -> Bool { fileName.hasSuffix(".onnx") }
    func load(file: String) throws -> Graph { throw InferenceError.unknownFormat(path: file) }
}
