import Foundation
import SwiftProtobuf
import Testing
@testable import Inference

/// TensorFlow SavedModels (tools/make_tensorflow_savedmodel_fixtures.py): the fixtures against TensorFlow's own
/// outputs, and the refusals of damaged or incomplete SavedModels.
@Suite struct TensorFlowSavedModelTests {
    static let folder = Fixtures.root.appendingPathComponent("tensorflow")

    /// The cases of savedmodel-cases.json (the lead merges them into the tensorflow manifest as well).
    static let cases: [FixtureCase] = {
        let url = folder.appendingPathComponent("savedmodel-cases.json")
        guard let data = try? Data(contentsOf: url),
              let cases = try? JSONDecoder().decode([FixtureCase].self, from: data) else { return [] }
        return cases.map { var fixture = $0; fixture.folder = "tensorflow"; return fixture }
    }()

    @Test func casesAreListed() {
        #expect(Self.cases.count >= 3)
    }

    @Test(arguments: cases)
    func matchesTensorFlow(_ fixture: FixtureCase) throws {
        let graph = try SavedModelReader.load(file: fixture.path(fixture.model + "/saved_model.pb"))
        #expect(graph.format == "TensorFlow SavedModel")
        #expect(graph.inputs.map(\.name) == fixture.inputOrder)
        #expect(graph.outputs.map(\.name) == fixture.outputOrder)
        let model = try Model(graph: graph)
        var inputs: [String: Tensor] = [:]
        for name in fixture.inputOrder { inputs[name] = try NumPy.read(fixture.path(fixture.inputs[name] ?? "")) }
        for rows in [16, 3, 1] {
            let outputs = try model.run(named: inputs.mapValues { $0.firstRows(rows) })
            for name in fixture.outputOrder {
                let expected = try NumPy.read(fixture.path(fixture.outputs[name] ?? "")).firstRows(rows)
                let actual = try #require(outputs[name], "no output '\(name)'")
                #expect(actual.shape == expected.shape, "\(fixture.name) '\(name)' at batch \(rows)")
                expectClose(actual.floatArray, expected.floatArray, atol: fixture.atol, rtol: fixture.rtol,
                            "\(fixture.name) '\(name)' at batch \(rows)")
            }
        }
    }

    @Test func modelPathLoadsTheSavedModelDirectory() throws {
        let model = try Model(path: Self.folder.appendingPathComponent("savedmodel_module_mlp/model").path)
        #expect(model.metadata.inputs.map(\.name) == ["features"])
        #expect(model.metadata.outputs.map(\.name) == ["logits", "scores"])
    }

    // MARK: The tensor bundle alone

    @Test func bundleReadsNamesShapesAndValues() throws {
        let bundle = try TensorBundle(prefix: Self.folder.appendingPathComponent("savedmodel_tiny_bundle/bundle").path)
        #expect(bundle.shardCount == 1)
        #expect(Set(bundle.entries.keys) == ["bytes", "counts", "dense/kernel", "doubles", "halves", "label", "mask",
                                            "step"])
        let kernel = try bundle.tensor("dense/kernel")
        #expect(kernel.elementType == .float32 && kernel.shape == [2, 3])
        #expect(kernel.floatArray == [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5])
        let counts = try bundle.tensor("counts")
        #expect(counts.elementType == .int32 && counts.shape == [4] && counts.integerValues == [1, -2, 3, 40000])
        let step = try bundle.tensor("step")
        #expect(step.elementType == .int64 && step.shape == [] && step.integerValues == [7])
        #expect(try bundle.tensor("doubles").floatArray == [0.5, -1.25])
        #expect(try bundle.tensor("halves").floatArray == [1.5, -2])
        #expect(try bundle.tensor("mask").integerValues == [1, 0, 1])
        let bytes = try bundle.tensor("bytes")
        #expect(bytes.elementType == .int32 && bytes.integerValues == [0, 255])
        #expect(throws: InferenceError.self) { try bundle.tensor("label") }  // strings: not a computable type
        #expect(try bundle.strings("label") == [Array("hello".utf8)])
        #expect(throws: InferenceError.self) { try bundle.strings("counts") }
        #expect(throws: InferenceError.self) { try bundle.tensor("no/such/key") }
    }

    @Test func bundleReadsEveryShard() throws {
        let prefix = Self.folder.appendingPathComponent("savedmodel_module_sharded_gather/model/variables/variables")
        let bundle = try TensorBundle(prefix: prefix.path)
        #expect(bundle.shardCount == 3)
        #expect(!bundle.sliceEntries.isEmpty)
        let table = try bundle.tensor("table/.ATTRIBUTES/VARIABLE_VALUE")
        #expect(table.shape == [20, 4])
        #expect(try bundle.tensor("bias/.ATTRIBUTES/VARIABLE_VALUE").shape == [3])
    }

    @Test func bundlePutsVariablesSavedInSlicesTogether() throws {
        let prefix = Self.folder.appendingPathComponent("savedmodel_tiny_bundle/sliced")
        let bundle = try TensorBundle(prefix: prefix.path)
        #expect(bundle.shardCount == 5)
        let grid = try #require(bundle.entries["grid/.ATTRIBUTES/VARIABLE_VALUE"])
        #expect(grid.slices.count > 1)
        let values = try bundle.tensor("grid/.ATTRIBUTES/VARIABLE_VALUE")
        #expect(values.shape == [6, 4] && values.floatArray == (0..<24).map(Float.init))
        let steps = try bundle.tensor("steps/.ATTRIBUTES/VARIABLE_VALUE")
        #expect(steps.shape == [10] && steps.integerValues == Array(0..<10))
    }

    @Test func sliceKeysFollowTensorFlowsOrderedCode() {
        // The examples of TensorFlow's ordered-code documentation: 0x424242 and -0x800.
        #expect(TensorBundle.orderedSigned(0x424242) == [0xF0, 0x42, 0x42, 0x42])
        #expect(TensorBundle.orderedSigned(-0x800) == [0x38, 0x00])
        #expect(TensorBundle.orderedSigned(-1) == [0x7F])
        #expect(TensorBundle.orderedSigned(5) == [0x85])
        #expect(TensorBundle.orderedUnsigned(0) == [0x00])
        #expect(TensorBundle.orderedUnsigned(0x1234) == [0x02, 0x12, 0x34])
        #expect(TensorBundle.sliceKey(name: "a\u{0}", extents: [(0, -1)]) == [0x00, 0x61, 0x00, 0xFF, 0x00, 0x01,
                                                                               0x01, 0x01, 0x80, 0x7F])
    }

    @Test func crc32cMatchesTheKnownCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.unmask(CRC32C.mask(0x1234_5678)) == 0x1234_5678)
    }

    // MARK: Refusals

    /// A copy of the module MLP fixture in a scratch directory, to damage.
    private func scratchCopy() throws -> (scratch: ScratchDirectory, model: String) {
        let scratch = try ScratchDirectory()
        let model = scratch.path("model")
        try FileManager.default.copyItem(atPath: Self.folder.appendingPathComponent("savedmodel_module_mlp/model").path,
                                         toPath: model)
        return (scratch, model)
    }

    private func loadError(_ model: String, signature: String = "serving_default") -> String? {
        do {
            _ = try SavedModelReader.load(file: model + "/saved_model.pb", signature: signature)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func missingIndexIsRefused() throws {
        let (scratch, model) = try scratchCopy()
        try FileManager.default.removeItem(atPath: model + "/variables/variables.index")
        let message = try #require(loadError(model))
        #expect(message.contains("variables.index") && message.contains("missing"), "\(message)")
        _ = scratch
    }

    @Test func missingOrShortDataShardIsRefused() throws {
        let (scratch, model) = try scratchCopy()
        let shard = model + "/variables/variables.data-00000-of-00001"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: shard))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: shard))
        let short = try #require(loadError(model))
        #expect(short.contains("variables.data-00000-of-00001") && short.contains("truncated"), "\(short)")

        try FileManager.default.removeItem(atPath: shard)
        let missing = try #require(loadError(model))
        #expect(missing.contains("variables.data-00000-of-00001") && missing.contains("missing"), "\(missing)")
        _ = scratch
    }

    @Test func damagedDataShardFailsItsChecksum() throws {
        let (scratch, model) = try scratchCopy()
        let shard = model + "/variables/variables.data-00000-of-00001"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: shard))
        bytes[bytes.count / 3] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: shard))
        let message = try #require(loadError(model))
        #expect(message.contains("checksum"), "\(message)")
        _ = scratch
    }

    @Test func corruptIndexIsRefused() throws {
        let (scratch, model) = try scratchCopy()
        let index = URL(fileURLWithPath: model + "/variables/variables.index")
        let original = try Data(contentsOf: index)

        try original.prefix(original.count - 10).write(to: index)
        let truncated = try #require(loadError(model))
        #expect(truncated.contains("variables.index") && truncated.contains("magic"), "\(truncated)")

        var flipped = original
        flipped[20] ^= 0x01  // inside the first data block
        try flipped.write(to: index)
        let damaged = try #require(loadError(model))
        #expect(damaged.contains("variables.index") && damaged.contains("checksum"), "\(damaged)")

        try Data(count: 4).write(to: index)
        let tiny = try #require(loadError(model))
        #expect(tiny.contains("variables.index"), "\(tiny)")
        _ = scratch
    }

    @Test func everyTruncationOfTheIndexIsRefusedWithoutACrash() throws {
        let (scratch, model) = try scratchCopy()
        let index = URL(fileURLWithPath: model + "/variables/variables.index")
        let original = try Data(contentsOf: index)
        var random = FuzzRandom(seed: 11)
        for length in stride(from: 0, to: original.count, by: 7) {
            try original.prefix(length).write(to: index)
            #expect(loadError(model) != nil, "truncated to \(length) bytes")
        }
        for _ in 0..<40 {
            var damaged = original
            damaged[Int.random(in: 0..<damaged.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            try damaged.write(to: index)
            _ = loadError(model)  // any outcome but a crash; a byte may land where it changes nothing
        }
        _ = scratch
    }

    @Test func unknownSignatureListsTheAvailableOnes() throws {
        let model = Self.folder.appendingPathComponent("savedmodel_keras_export/model").path
        let message = try #require(loadError(model, signature: "predict"))
        #expect(message.contains("'predict'") && message.contains("'serve'") && message.contains("'serving_default'"),
                "\(message)")
        #expect(!message.contains("__saved_model_init_op"), "\(message)")
    }

    @Test func callOfAMissingFunctionIsRefused() throws {
        let (scratch, model) = try scratchCopy()
        let file = URL(fileURLWithPath: model + "/saved_model.pb")
        var savedModel = try Tensorflow_SavedModel(serializedBytes: Data(contentsOf: file))
        let library = savedModel.metaGraphs[0].graphDef.library.function
        let removed = try #require(library.first { $0.signature.name.hasPrefix("__inference_serve_") }).signature.name
        savedModel.metaGraphs[0].graphDef.library.function = library.filter { $0.signature.name != removed }
        try savedModel.serializedData().write(to: file)
        let message = try #require(loadError(model))
        #expect(message.contains("'\(removed)'") && message.contains("does not define"), "\(message)")
        _ = scratch
    }

    @Test func functionThatCallsItselfIsRefused() throws {
        let (scratch, model) = try scratchCopy()
        let file = URL(fileURLWithPath: model + "/saved_model.pb")
        var savedModel = try Tensorflow_SavedModel(serializedBytes: Data(contentsOf: file))
        var library = savedModel.metaGraphs[0].graphDef.library.function
        let wrapper = try #require(library.firstIndex { $0.signature.name.hasPrefix("__inference_signature_wrapper") })
        let name = library[wrapper].signature.name
        for index in library[wrapper].nodeDef.indices where library[wrapper].nodeDef[index].attr["f"] != nil {
            library[wrapper].nodeDef[index].attr["f"]?.func.name = name
        }
        savedModel.metaGraphs[0].graphDef.library.function = library
        try savedModel.serializedData().write(to: file)
        let message = try #require(loadError(model))
        #expect(message.contains("nest more than"), "\(message)")
        _ = scratch
    }

    @Test func partitionedVariableIsRefused() throws {
        let model = Self.folder.appendingPathComponent("savedmodel_tf1_partitioned/model").path
        let message = try #require(loadError(model))
        #expect(message.contains("partitioned variable") && message.contains("'w'"), "\(message)")
    }

    @Test func truncatedSavedModelIsRefused() throws {
        let (scratch, model) = try scratchCopy()
        let file = URL(fileURLWithPath: model + "/saved_model.pb")
        let bytes = try Data(contentsOf: file)
        try bytes.prefix(bytes.count / 2).write(to: file)
        let message = try #require(loadError(model))
        #expect(message.contains("saved_model.pb"), "\(message)")
        _ = scratch
    }
}
