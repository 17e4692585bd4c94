import Foundation
import SwiftProtobuf

/// Caffe models: the net's structure in a `.prototxt` (protobuf text format) and its trained weights in the
/// `.caffemodel` beside it (a binary `NetParameter` whose layers carry blobs), read with the subset schema in
/// caffe-subset.proto. The `.caffemodel` is the model file; its `.prototxt` is found next to it.
struct CaffeFormat: ModelFormat {
    var name: String { "Caffe" }

    func isModelFile(_ fileName: String) -> Bool { fileName.hasSuffix(".caffemodel") }

    func load(file: String) throws -> Graph {
        try ModelFiles.requireExists(file)
        let prototxt = try Self.findPrototxt(beside: file)
        let net = try Self.decodeText(at: prototxt)
        let weights = try Self.decodeWeights(at: file)
        return try CaffeNetBuilder(prototxt: prototxt, net: net, weights: weights, modelFile: file).build()
    }

    /// The `.prototxt` of a `.caffemodel`: the one with the same stem, else the only one in the folder (solver
    /// files excluded); errors list the candidates.
    static func findPrototxt(beside model: String) throws -> String {
        let folder = (model as NSString).deletingLastPathComponent
        let stem = ((model as NSString).lastPathComponent as NSString).deletingPathExtension
        let sameStem = (folder as NSString).appendingPathComponent(stem + ".prototxt")
        if FileManager.default.fileExists(atPath: sameStem) { return sameStem }
        let entries = ((try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder)) ?? []).sorted()
        let candidates = entries.filter { $0.hasSuffix(".prototxt") && !$0.hasSuffix(".solver.prototxt") && $0 != "solver.prototxt" }
        guard candidates.count == 1 else {
            let found = entries.isEmpty ? "nothing" : entries.joined(separator: ", ")
            let problem = candidates.isEmpty ? "no .prototxt beside it" : "several .prototxt files beside it, none named \(stem).prototxt"
            throw InferenceError.malformedModel(
                file: model,
                reason: "a Caffe model needs its network definition: there is \(problem) (the folder holds \(found)); "
                    + "put the deploy .prototxt next to it as \(stem).prototxt")
        }
        return (folder as NSString).appendingPathComponent(candidates[0])
    }

    // MARK: The .prototxt

    static func decodeText(at path: String) throws -> Caffe_NetParameter {
        let data = try ModelFiles.read(path)
        guard let text = String(data: data, encoding: .utf8) else {
            throw InferenceError.malformedModel(file: path, reason: "the file is not UTF-8 text")
        }
        return try decodeText(text, file: path)
    }

    static func decodeText(_ text: String, file: String) throws -> Caffe_NetParameter {
        let net: Caffe_NetParameter
        do {
            net = try Caffe_NetParameter(textFormatString: text, options: textOptions)
        } catch {
            throw InferenceError.malformedModel(file: file, reason: CaffeTextLocator.describe(error, in: text))
        }
        try refuseLegacyLayers(net, file: file, tool: "upgrade_net_proto_text")
        return net
    }

    /// Real prototxts carry many fields the subset schema leaves out (fillers, learning rates, engines).
    static let textOptions: TextFormatDecodingOptions = {
        var options = TextFormatDecodingOptions()
        options.ignoreUnknownFields = true
        options.ignoreUnknownExtensionFields = true
        return options
    }()

    // MARK: The .caffemodel

    static func decodeWeights(at path: String) throws -> Caffe_NetParameter {
        try decodeWeights(ModelFiles.read(path), file: path)
    }

    static func decodeWeights(_ data: Data, file: String) throws -> Caffe_NetParameter {
        var options = BinaryDecodingOptions()
        options.discardUnknownFields = true  // optimiser state, fillers: not kept in memory
        let net = try ModelFiles.decode(Caffe_NetParameter.self, from: data, file: file, describing: "a Caffe model",
                                        options: options)
        try refuseLegacyLayers(net, file: file, tool: "upgrade_net_proto_binary")
        guard !net.layer.isEmpty else {
            throw InferenceError.malformedModel(file: file, reason: "the file holds no layers: it is not a Caffe model, or it is damaged")
        }
        return net
    }

    /// Nets written before 2015 list V1 `layers`; Caffe's own tools convert them.
    static func refuseLegacyLayers(_ net: Caffe_NetParameter, file: String, tool: String) throws {
        guard net.layer.isEmpty, !net.layers.isEmpty else { return }
        throw InferenceError.malformedModel(
            file: file,
            reason: "the net uses the old V1 'layers' format, which this engine does not read; upgrade it with "
                + "Caffe's \(tool) tool (e.g. `\(tool) old new`) and use the upgraded file")
    }
}

/// Turns a text-format decoding failure into a message with the line and column (see `CaffeTextScanner`).
enum CaffeTextLocator {
    static func describe(_ error: Error, in text: String) -> String {
        var scanner = CaffeTextScanner(text)
        let fields: [CaffeTextScanner.FieldSpan]
        do {
            fields = try scanner.scan()
        } catch {
            let (line, column) = CaffeTextScanner.lineAndColumn(of: error.offset, in: text)
            return "syntax error at line \(line), column \(column): \(error.message)"
        }
        // The grammar holds: decode the top-level fields one by one, then the fields of the failing layer, to
        // find the one the decoder refuses.
        let utf8 = Array(text.utf8)
        func slice(_ span: CaffeTextScanner.FieldSpan) -> String {
            String(decoding: utf8[max(0, span.start)..<min(utf8.count, span.end)], as: UTF8.self)
        }
        func failing<M: SwiftProtobuf.Message>(_ type: M.Type, _ spans: [CaffeTextScanner.FieldSpan]) -> (CaffeTextScanner.FieldSpan, Error)? {
            for span in spans {
                do { _ = try M(textFormatString: slice(span), options: CaffeFormat.textOptions) } catch { return (span, error) }
            }
            return nil
        }
        guard var (span, fieldError) = failing(Caffe_NetParameter.self, fields) else {
            return "the text cannot be decoded as a Caffe NetParameter (\(explain(error)))"
        }
        if span.name == "layer", let children = span.children, let inner = failing(Caffe_LayerParameter.self, children) {
            (span, fieldError) = inner
        }
        let (line, column) = CaffeTextScanner.lineAndColumn(of: span.start, in: text)
        return "error at line \(line), column \(column) (field '\(span.name)'): \(explain(fieldError))"
    }

    private static func explain(_ error: Error) -> String {
        guard let error = error as? TextFormatDecodingError else { return "\(error)" }
        switch error {
        case .malformedNumber: return "a number is malformed or out of range for its field"
        case .unrecognizedEnumValue: return "a value is not one of the names the field accepts"
        case .malformedText: return "a value does not fit its field's type"
        case .messageDepthLimit: return "messages nest deeper than the decoder allows"
        default: return "\(error)"
        }
    }
}
