import Foundation
import Testing
@testable import Inference

/// The TensorFlow frozen-graph reader: what it declares, how it picks inputs and outputs, and what it refuses.
/// The op families are checked against TensorFlow's own outputs through Tests/Fixtures/inference/tensorflow
/// (FixtureCaseTests).
@Suite struct TensorFlowFormatTests {
    typealias G = TensorFlowTestGraphs

    private func load(_ file: String) throws -> Graph { try TensorFlowFormat().load(file: file) }

    private func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func declaresPlaceholdersAndUnreadResults() throws {
        let directory = try ScratchDirectory()
        let graph = try load(try G.write(G.dense(), in: directory))
        #expect(graph.format == "TensorFlow frozen graph")
        #expect(graph.inputs.map(\.name) == ["x:0"])
        #expect(graph.inputs[0].shape == [.dynamic(nil), .fixed(2)])
        #expect(graph.inputs[0].elementType == .float32)
        // NoOp "init" is read by nobody but is not a result.
        #expect(graph.outputs.map(\.name) == ["out:0"])
    }

    @Test func runsADenseLayerAsComputedByHand() throws {
        let directory = try ScratchDirectory()
        let model = try Model(path: try G.write(G.dense(), in: directory))
        let x = Tensor(floats: [1, 2, -1, 0.5], shape: [2, 2])
        let y = try #require(try model.run(named: ["x:0": x])["out:0"])
        // Row 1: [1+1, -1+6, 2-8] + b = [2.5, 5, -7] → Relu6 [2.5, 5, 0];
        // row 2: [-1+0.25, 1+1.5, -2-2] + b = [-0.25, 2.5, -5] → [0, 2.5, 0].
        #expect(y.shape == [2, 3])
        expectClose(y.floatArray, [2.5, 5, 0, 0, 2.5, 0], atol: 1e-6, rtol: 0, "dense")
    }

    @Test func imageInputsAreNHWCWithADynamicBatch() throws {
        let directory = try ScratchDirectory()
        let graph = G.graph([
            G.placeholder("image", [-1, 8, 8, 3]),
            G.constant("filter", floats: Array(repeating: 0.1, count: 3 * 3 * 3 * 4), [3, 3, 3, 4]),
            G.node("conv", "Conv2D", ["image", "filter"],
                   ["T": G.type(.dtFloat), "strides": G.ints([1, 2, 2, 1]), "padding": G.string("SAME")]),
        ])
        let model = try Model(path: try G.write(graph, in: directory))
        let input = try #require(model.metadata.inputs.first)
        #expect(input.shape == [.dynamic(nil), .fixed(8), .fixed(8), .fixed(3)])
        #expect(model.metadata.layout(of: input) == "NHWC")
        let image = Tensor(floats: Array(repeating: 1, count: 2 * 8 * 8 * 3), shape: [2, 8, 8, 3])
        let output = try #require(try model.run(named: ["image:0": image])["conv:0"])
        // SAME, stride 2 on 8: pads (0, 1), TensorFlow's odd pixel at the end: the top-left output sees 3x3
        // pixels x 3 channels, the bottom-right one 2x2 (its last row and column are padding).
        #expect(output.shape == [2, 4, 4, 4])
        expectClose([output.floatArray[0], output.floatArray[(3 * 4 + 3) * 4]], [2.7, 1.2], atol: 1e-5, rtol: 0, "conv")
    }

    @Test func graphMetaJSONNamesInputsAndOutputs() throws {
        let directory = try ScratchDirectory()
        let file = try G.write(G.dense(), in: directory,
                               meta: #"{"input_names": ["matmul:0"], "output_names": ["biased:0", "out"]}"#)
        let graph = try load(file)
        // Feeding an inner tensor cuts the graph there: x and the MatMul are not needed.
        #expect(graph.inputs.map(\.name) == ["matmul:0"])
        #expect(graph.outputs.map(\.name) == ["biased:0", "out:0"])
        #expect(!graph.nodes.contains { $0.opType == "MatMul" })
    }

    @Test func refusesAGraphMetaNameTheGraphLacks() throws {
        let directory = try ScratchDirectory()
        let file = try G.write(G.dense(), in: directory, meta: #"{"input_names": ["input:0"]}"#)
        let text = message { _ = try load(file) }
        #expect(text.contains("'input:0'") && text.contains("frozen_graph.pb"), "\(text)")
        try directory.write(Data("{\"output_names\": [\"missing_node:0\"]}".utf8), to: "graph_meta.json")
        let output = message { _ = try load(file) }
        #expect(output.contains("missing_node"), "\(output)")
        try directory.write(Data("{not json".utf8), to: "graph_meta.json")
        let broken = message { _ = try load(file) }
        #expect(broken.contains("graph_meta.json") && broken.contains("not valid JSON"), "\(broken)")
    }

    @Test func outputIndicesSelectAnOpsOtherResults() throws {
        let directory = try ScratchDirectory()
        let graph = G.graph([
            G.placeholder("x", [-1, 4]),
            G.constant("axis", ints: [1], []),
            G.node("split", "Split", ["axis", "x"], ["T": G.type(.dtFloat), "num_split": {
                var value = Tensorflow_AttrValue(); value.i = 2; return value }()]),
            G.node("second", "Neg", ["split:1"], ["T": G.type(.dtFloat)]),
        ])
        let model = try Model(path: try G.write(graph, in: directory))
        let y = try #require(try model.run(named: ["x:0": Tensor(floats: [1, 2, 3, 4], shape: [1, 4])])["second:0"])
        #expect(y.floatArray == [-3, -4])
    }

    @Test func refusesAnUnknownOpNamingItsNodeAndFile() throws {
        let directory = try ScratchDirectory()
        let file = try G.write(G.graph([
            G.placeholder("x", [-1, 2]),
            G.node("mystery", "FancyCustomOp", ["x"]),
        ]), in: directory)
        #expect(throws: InferenceError.unsupportedOperator(file: file, op: "FancyCustomOp", node: "mystery")) {
            _ = try load(file)
        }
    }

    @Test func refusesACycle() throws {
        let directory = try ScratchDirectory()
        let file = try G.write(G.graph([
            G.placeholder("x", [-1, 2]),
            G.node("a", "AddV2", ["x", "b"]),
            G.node("b", "Relu", ["a"]),
            G.node("out", "Neg", ["b"]),
        ]), in: directory)
        let text = message { _ = try load(file) }
        #expect(text.contains("cycle") && text.contains(file), "\(text)")
    }

    @Test func refusesDanglingInputsAndDuplicateNames() throws {
        let directory = try ScratchDirectory()
        let dangling = try G.write(G.graph([G.node("out", "Relu", ["nowhere:0"])]), in: directory)
        #expect(message { _ = try load(dangling) }.contains("no node 'nowhere'"))
        let twice = try G.write(G.graph([G.placeholder("x", [1]), G.placeholder("x", [1])]), in: directory)
        #expect(message { _ = try load(twice) }.contains("two nodes are named 'x'"))
    }

    @Test func refusesTruncatedAndNonProtobufFiles() throws {
        let directory = try ScratchDirectory()
        let bytes = try G.dense().serializedData()
        let truncated = try directory.write(bytes.prefix(bytes.count - 5), to: "truncated.pb")
        let truncatedText = message { _ = try load(truncated) }
        #expect(truncatedText.contains("truncated") && truncatedText.contains("truncated.pb"), "\(truncatedText)")
        let text = try directory.write(Data("this is a text file, not a graph\n".utf8), to: "text.pb")
        let textMessage = message { _ = try load(text) }
        #expect(textMessage.contains("text.pb") && textMessage.contains("not a TensorFlow GraphDef"), "\(textMessage)")
        let empty = try directory.write(Data(), to: "empty.pb")
        #expect(message { _ = try load(empty) }.contains("empty"))
    }

    @Test func refusesAnOpsBadAttributesAsAnInvalidNode() throws {
        let directory = try ScratchDirectory()
        let file = try G.write(G.graph([
            G.placeholder("x", [-1, 4, 4, 3]),
            G.constant("filter", floats: Array(repeating: 0, count: 9 * 3), [3, 3, 3, 1]),
            G.node("conv", "Conv2D", ["x", "filter"], ["padding": G.string("CIRCULAR")]),
        ]), in: directory)
        let text = message { _ = try load(file) }
        #expect(text.contains("Conv2D node 'conv'") && text.contains("CIRCULAR"), "\(text)")
    }

    @Test func refusesAPlaceholderTheMetadataLeavesOut() throws {
        let directory = try ScratchDirectory()
        let file = try G.write(G.graph([
            G.placeholder("x", [-1, 2]), G.placeholder("y", [-1, 2]),
            G.node("sum", "AddV2", ["x", "y"], ["T": G.type(.dtFloat)]),
        ]), in: directory, meta: #"{"input_names": ["x:0"]}"#)
        let text = message { _ = try load(file) }
        #expect(text.contains("Placeholder node 'y'") && text.contains("not among the inputs"), "\(text)")
    }

    @Test func refusesAHugeConstantDeclaredByAFewBytes() throws {
        let directory = try ScratchDirectory()
        let file = try G.write(G.graph([
            G.placeholder("x", [-1]),
            G.constant("filled", floats: [1], [1 << 20, 1 << 10]),
            G.node("sum", "AddV2", ["x", "filled"]),
        ]), in: directory)
        let text = message { _ = try load(file) }
        #expect(text.contains("Const node 'filled'") && text.contains("too large"), "\(text)")
    }

    @Test func anEllipsisNeedsAKnownRank() throws {
        let directory = try ScratchDirectory()
        var unknownRank = Tensorflow_AttrValue()
        unknownRank.shape = { var shape = Tensorflow_TensorShapeProto(); shape.unknownRank = true; return shape }()
        let file = try G.write(G.graph([
            G.node("x", "Placeholder", [], ["dtype": G.type(.dtFloat), "shape": unknownRank]),
            G.constant("begin", ints: [0, 1], [2]), G.constant("end", ints: [0, 2], [2]),
            G.constant("strides", ints: [1, 1], [2]),
            G.node("slice", "StridedSlice", ["x", "begin", "end", "strides"],
                   ["ellipsis_mask": { var v = Tensorflow_AttrValue(); v.i = 1; return v }()]),
        ]), in: directory)
        let text = message { _ = try load(file) }
        #expect(text.contains("StridedSlice node 'slice'") && text.contains("ellipsis"), "\(text)")
    }

    @Test func aDirectoryWithTwoGraphsIsRefusedAndCompanionsAreNotModels() throws {
        let format = TensorFlowFormat()
        #expect(format.isModelFile("frozen_graph.pb"))
        #expect(!format.isModelFile("fingerprint.pb") && !format.isModelFile("keras_metadata.pb"))
        #expect(!format.isModelFile("graph_meta.json"))
        let directory = try ScratchDirectory()
        try G.write(G.dense(), in: directory, name: "a.pb")
        try G.write(G.dense(), in: directory, name: "b.pb")
        #expect(throws: InferenceError.severalModels(path: directory.url.path, found: ["a.pb", "b.pb"])) {
            _ = try ModelFormats.locate(directory.url.path)
        }
    }

    @Test func damagedCopiesOfARealModelNeverCrash() throws {
        let source = Fixtures.root.appendingPathComponent("tensorflow/models/cnn_bn/model/frozen_graph.pb")
        let bytes = try Data(contentsOf: source)
        let directory = try ScratchDirectory()
        var random = FuzzRandom(seed: 11)
        for length in stride(from: 0, to: bytes.count, by: 7) {
            let file = try directory.write(bytes.prefix(length), to: "prefix.pb")
            _ = try? load(file)
        }
        for _ in 0..<200 {
            var damaged = bytes
            for _ in 0..<4 {
                let index = Int.random(in: 0..<damaged.count, using: &random)
                damaged[index] = UInt8.random(in: 0...255, using: &random)
            }
            let file = try directory.write(damaged, to: "damaged.pb")
            if let graph = try? load(file) { _ = try? Model(graph: graph) }
        }
    }
}
