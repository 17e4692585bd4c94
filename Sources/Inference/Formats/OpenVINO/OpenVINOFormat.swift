/// Placeholder: the OpenVINO IR reader.
struct OpenVINOFormat: ModelFormat {
    var name: String { "OpenVINO IR" }
    func isModelFile(_ fileName: String) -> Bool { fileName.hasSuffix(".xml") }
    func load(file: String) throws -> Graph { throw InferenceError.unknownFormat(path: file) }
}
