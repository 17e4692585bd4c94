import Foundation
import SwiftProtobuf
import Testing
@testable import Inference

/// Config `modelSignature` reaching the SavedModel reader through `Model(path:loadOptions:)`, its refusal for
/// models without signatures, and the file and protobuf errors every format shares (`ModelFiles`).
@Suite struct ModelLoadOptionsTests {
    static let tensorflow = Fixtures.root.appendingPathComponent("tensorflow")

    private func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// The module MLP SavedModel (outputs logits and scores) with a second signature, "scores_only", that keeps
    /// only the scores.
    private func mlpWithSecondSignature() throws -> (scratch: ScratchDirectory, model: String) {
        let scratch = try ScratchDirectory()
        let model = scratch.path("model")
        let fixture = Self.tensorflow.appendingPathComponent("savedmodel_module_mlp/model").path
        try FileManager.default.copyItem(atPath: fixture, toPath: model)
        let file = URL(fileURLWithPath: model + "/saved_model.pb")
        var savedModel = try Tensorflow_SavedModel(serializedBytes: Data(contentsOf: file))
        var signature = try #require(savedModel.metaGraphs[0].signatureDef["serving_default"])
        #expect(Set(signature.outputs.keys) == ["logits", "scores"])
        signature.outputs = signature.outputs.filter { $0.key == "scores" }
        savedModel.metaGraphs[0].signatureDef["scores_only"] = signature
        try savedModel.serializedData().write(to: file)
        return (scratch, model)
    }

    @Test func aNamedSignatureIsTheOneServed() throws {
        let (scratch, model) = try mlpWithSecondSignature()
        let byDefault = try Model(path: model)
        #expect(byDefault.metadata.outputs.map(\.name) == ["logits", "scores"])
        let named = try Model(path: model, loadOptions: ModelLoadOptions(signature: "scores_only"))
        #expect(named.metadata.outputs.map(\.name) == ["scores"])
        // The same numbers as the default signature's scores.
        let input = Tensor(floats: (0..<20).map { Float($0) / 10 }, shape: [2, 10])
        let scores = try #require(byDefault.run(named: ["features": input])["scores"])
        let alone = try #require(named.run(named: ["features": input])["scores"])
        #expect(alone.floatArray == scores.floatArray)
        // An empty name is no name: serving_default.
        let empty = try Model(path: model, loadOptions: ModelLoadOptions(signature: ""))
        #expect(empty.metadata.outputs.map(\.name) == ["logits", "scores"])
        _ = scratch
    }

    @Test func anUnknownSignatureIsRefusedWithTheAvailableOnes() throws {
        let model = Self.tensorflow.appendingPathComponent("savedmodel_keras_export/model").path
        #expect(try Model(path: model, loadOptions: ModelLoadOptions(signature: "serve")).metadata.outputs.count >= 1)
        let refusal = try #require(message {
            _ = try Model(path: model, loadOptions: ModelLoadOptions(signature: "predict"))
        })
        #expect(refusal.contains("no signature 'predict'") && refusal.contains("'serve', 'serving_default'"),
                "\(refusal)")
    }

    @Test func aSignatureForAModelWithoutSignaturesIsRefusedWhenLocated() throws {
        let frozen = Self.tensorflow.appendingPathComponent("models/mlp_embeddings/model").path
        let onnx = Fixtures.root.appendingPathComponent("models/mlp_embeddings/model").path
        for (path, kind) in [(frozen, "(TensorFlow frozen graph)"), (onnx, "(ONNX)")] {
            let refusal = try #require(message {
                _ = try ModelFormats.locate(path, options: ModelLoadOptions(signature: "serving_default"))
            }, "\(path)")
            #expect(refusal.contains("modelSignature serving_default") && refusal.contains(kind), "\(refusal)")
            #expect(try ModelFormats.locate(path).file.hasPrefix(path))
        }
    }

    // MARK: ModelFiles

    @Test(arguments: [("model.onnx", "an ONNX model"), ("frozen_graph.pb", "a TensorFlow GraphDef"),
                      ("net.model", "a BigDL model")])
    func fileProblemsAreWordedAlikeInEveryFormat(_ name: String, _ what: String) throws {
        let directory = try ScratchDirectory()
        let empty = try directory.write(Data(), to: "empty/\(name)")
        #expect(message { _ = try ModelFormats.load(empty) } == "\(empty): the file is empty")
        // A field with an invalid wire type (7) is not protobuf in any schema.
        let garbage = try directory.write(Data([0x0F, 0x0F, 0x0F]), to: "garbage/\(name)")
        let notProtobuf = try #require(message { _ = try ModelFormats.load(garbage) })
        #expect(notProtobuf.hasPrefix("\(garbage): the file is not \(what): its bytes are not valid protobuf"),
                "\(notProtobuf)")
        // A folder with a model file's name exists but cannot be read as a file.
        let folder = directory.path("folder/\(name)")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let format = try #require(ModelFormats.all.first { $0.isModelFile(name) })
        let unreadable = try #require(message { _ = try format.load(file: folder) })
        #expect(unreadable.hasPrefix("\(folder): the file cannot be read: "), "\(unreadable)")
        let missing = directory.path("missing/\(name)")
        #expect(message { _ = try format.load(file: missing) } == "model path \(missing) does not exist")
    }
}
