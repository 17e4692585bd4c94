import Foundation
import Testing
@testable import Inference

private typealias Build = ONNXTestModels

private func fixtureModel(_ name: String) -> String {
    Fixtures.root.appendingPathComponent("models/\(name)/model/model.onnx").path
}

/// Expects `InferenceError.malformedModel` for `file` whose reason contains every one of `parts`.
private func expectMalformed(file: String = "test.onnx", _ parts: String...,
                             sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected a malformed-model error mentioning \(parts)", sourceLocation: sourceLocation)
    } catch InferenceError.malformedModel(let named, let reason) {
        #expect(named == file, sourceLocation: sourceLocation)
        for part in parts where !reason.contains(part) {
            Issue.record("reason '\(reason)' does not mention '\(part)'", sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("expected a malformed-model error, got \(error)", sourceLocation: sourceLocation)
    }
}

@Suite struct ONNXFormatTests {
    // MARK: Fixture models

    @Test func readsTheDeclaredInputsAndOutputsOfAFixtureModel() throws {
        let file = fixtureModel("tiny_cnn_bn")
        let graph = try ONNXFormat().load(file: file)
        #expect(graph.sourceFile == file)
        #expect(graph.format == "ONNX")
        #expect(graph.opset == 17)
        #expect(graph.inputs.map(\.name) == ["input"])
        #expect(graph.inputs[0].elementType == .float32)
        #expect(graph.inputs[0].shape == [.dynamic("N"), .fixed(3), .fixed(16), .fixed(16)])
        #expect(graph.outputs.map(\.name) == ["output"])
        #expect(graph.outputs[0].shape == [.dynamic("N"), .fixed(10)])
        #expect(graph.nodes.map(\.opType) == ["Conv", "BatchNormalization", "Relu", "MaxPool", "Conv",
                                              "BatchNormalization", "Relu", "GlobalAveragePool", "Flatten",
                                              "Gemm", "Softmax"])
        #expect(graph.nodes[0].name == "conv1")
        #expect(graph.initializers.count == 14)
        let weight = try #require(graph.initializers["conv1.weight"])
        #expect(weight.shape == [8, 3, 3, 3])
        expectClose(Array(weight.floatArray.prefix(3)), [-0.14717012643814087, -0.07248711585998535, -0.273088663816452])
    }

    @Test func readsIntegerInputsInitializersAndAttributes() throws {
        let graph = try ONNXFormat().load(file: fixtureModel("mlp_embeddings"))
        #expect(graph.inputs.map(\.name) == ["user", "item"])
        #expect(graph.inputs.allSatisfy { $0.elementType == .int64 && $0.shape == [.dynamic("N"), .fixed(1)] })
        #expect(graph.outputs.map(\.name) == ["prediction"])
        #expect(graph.outputs[0].elementType == .float32)
        let shape = try #require(graph.initializers["flat_shape"])
        #expect(shape.elementType == .int64)
        #expect(shape.int64Array == [0, -1])
        let gemm = try #require(graph.nodes.first { $0.name == "fc1" })
        #expect(try gemm.int("transB", default: 0) == 1)
    }

    @Test func readsTheDefaultDomainOpset() throws {
        #expect(try ONNXFormat().load(file: fixtureModel("tiny_transformer_gelu20")).opset == 20)
        #expect(try Build.load(Build.model(opset: 13, opsetDomain: "ai.onnx")).opset == 13)
    }

    @Test func declaredShapesKeepFixedAndNamedDimensions() throws {
        let model = Build.model(inputs: [Build.valueInfo("x", .float, [.named("batch"), .fixed(3)])],
                                outputs: [Build.valueInfo("y", .float)])
        let graph = try Build.load(model)
        #expect(graph.inputs[0].shape == [.dynamic("batch"), .fixed(3)])
        #expect(graph.outputs[0].shape == nil)
    }

    @Test func initializersListedAsInputsAreNotInputs() throws {
        // Files from before IR version 4 list every initializer among the graph inputs too.
        let model = Build.model(
            nodes: [Build.node("Add", ["x", "b"], ["y"])],
            inputs: [Build.valueInfo("x", .float, [.fixed(3)]), Build.valueInfo("b", .float, [.fixed(3)])],
            initializers: [Build.floatTensor("b", dims: [3], [1, 2, 3])], irVersion: 3)
        let graph = try Build.load(model)
        #expect(graph.inputs.map(\.name) == ["x"])
        #expect(graph.initializers["b"]?.floatArray == [1, 2, 3])
    }

    @Test func unnamedNodesAreCalledAfterTheirFirstOutput() throws {
        let graph = try Build.load(Build.model(nodes: [Build.node("Relu", ["x"], ["y"])]))
        #expect(graph.nodes[0].name == "y")
    }

    // MARK: Attributes

    @Test func convertsEveryAttributeKind() throws {
        let attributes = [
            Build.attribute("f") { $0.type = .float; $0.f = 0.5 },
            Build.attribute("i") { $0.type = .int; $0.i = -3 },
            Build.attribute("s") { $0.type = .string; $0.s = Data("SAME_UPPER".utf8) },
            Build.attribute("fs") { $0.type = .floats; $0.floats = [1, 2.5] },
            Build.attribute("is") { $0.type = .ints; $0.ints = [1, -1, 4] },
            Build.attribute("ss") { $0.type = .strings; $0.strings = [Data("a".utf8), Data("bc".utf8)] },
            Build.attribute("t") { $0.type = .tensor; $0.t = Build.floatTensor("", dims: [2], [7, 8]) },
            // Files from before IR version 2 have no type field: the value field that is set decides.
            Build.attribute("untyped") { $0.i = 9 },
        ]
        let graph = try Build.load(Build.model(nodes: [Build.node("Relu", ["x"], ["y"], attributes: attributes)]))
        let node = graph.nodes[0]
        #expect(try node.float("f", default: 0) == 0.5)
        #expect(try node.int("i", default: 0) == -3)
        #expect(try node.string("s", default: "") == "SAME_UPPER")
        #expect(try node.floats("fs") == [1, 2.5])
        #expect(try node.ints("is") == [1, -1, 4])
        guard case .strings(let strings)? = node.attributes["ss"] else {
            Issue.record("ss is not a list of strings")
            return
        }
        #expect(strings == ["a", "bc"])
        #expect(try node.tensor("t")?.floatArray == [7, 8])
        #expect(try node.int("untyped", default: 0) == 9)
    }

    @Test func refusesAttributesTheEngineCannotHold() {
        let tensors = Build.attribute("ts") { $0.type = .tensors; $0.tensors = [Build.floatTensor("", dims: [1], [1])] }
        let model = Build.model(nodes: [Build.node("Relu", ["x"], ["y"], name: "r", attributes: [tensors])])
        #expect(throws: InferenceError.invalidNode(
            file: "test.onnx", op: "Relu", node: "r",
            reason: "attribute 'ts' is a list of tensors, which the engine does not read")) {
            _ = try Build.load(model)
        }
    }

    // MARK: Tensor encodings

    @Test func readsEveryElementTypeFromRawData() throws {
        let cases: [(ONNXDataType, [UInt8], ElementType, [Double])] = [
            (.float, .littleEndian([Float(1.5).bitPattern, Float(-2).bitPattern]), .float32, [1.5, -2]),
            (.double, .littleEndian([Double(0.25).bitPattern, Double(-1e10).bitPattern]), .float32, [0.25, Double(Float(-1e10))]),
            (.float16, .littleEndian([UInt16(0x3C00), 0xC100]), .float32, [1, -2.5]),
            (.bfloat16, .littleEndian([UInt16(0x3FC0), 0xC040]), .float32, [1.5, -3]),
            (.uint8, [200, 7], .int32, [200, 7]),
            (.int8, [0xFF, 0x80], .int32, [-1, -128]),
            (.uint16, .littleEndian([UInt16(65535), 2]), .int32, [65535, 2]),
            (.int16, .littleEndian([Int16(-300), 300]), .int32, [-300, 300]),
            (.int32, .littleEndian([Int32(-5), 1 << 20]), .int32, [-5, 1_048_576]),
            (.int64, .littleEndian([Int64(-9), 1 << 40]), .int64, [-9, 1_099_511_627_776]),
            (.uint32, .littleEndian([UInt32.max, 3]), .int64, [4_294_967_295, 3]),
            (.uint64, .littleEndian([UInt64(12), 5]), .int64, [12, 5]),
            (.bool, [0, 2], .bool, [0, 1]),
        ]
        for (type, raw, engineType, expected) in cases {
            let tensor = try Build.read(Build.rawTensor("w", type, dims: [2, 1], raw: raw))
            #expect(tensor.elementType == engineType, "\(type)")
            #expect(tensor.shape == [2, 1], "\(type)")
            let values = tensor.elementType == .float32 ? tensor.floatArray.map(Double.init)
                : tensor.integerValues.map(Double.init)
            #expect(values == expected, "\(type)")
        }
    }

    @Test func readsEveryElementTypeFromTypedFields() throws {
        func typed(_ type: ONNXDataType, _ fill: (inout Onnx_TensorProto) -> Void) throws -> Tensor {
            var proto = Onnx_TensorProto()
            proto.name = "w"
            proto.dataType = type.rawValue
            proto.dims = [2]
            fill(&proto)
            return try Build.read(proto)
        }
        #expect(try typed(.float) { $0.floatData = [1, 2] }.floatArray == [1, 2])
        #expect(try typed(.double) { $0.doubleData = [0.5, 3] }.floatArray == [0.5, 3])
        #expect(try typed(.int64) { $0.int64Data = [-1, 5] }.int64Array == [-1, 5])
        #expect(try typed(.uint64) { $0.uint64Data = [1, UInt64.max] }.int64Array == [1, Int64.max])
        #expect(try typed(.uint32) { $0.uint64Data = [4_000_000_000, 0] }.int64Array == [4_000_000_000, 0])
        #expect(try typed(.int32) { $0.int32Data = [-7, 7] }.integerValues == [-7, 7])
        #expect(try typed(.int8) { $0.int32Data = [-128, 127] }.integerValues == [-128, 127])
        #expect(try typed(.uint8) { $0.int32Data = [255, 0] }.integerValues == [255, 0])
        #expect(try typed(.int16) { $0.int32Data = [-2, 2] }.integerValues == [-2, 2])
        #expect(try typed(.uint16) { $0.int32Data = [65535, 1] }.integerValues == [65535, 1])
        #expect(try typed(.bool) { $0.int32Data = [1, 0] }.integerValues == [1, 0])
        // Half floats sit in int32_data as their bit patterns.
        #expect(try typed(.float16) { $0.int32Data = [0x3800, 0x7C00] }.floatArray == [0.5, .infinity])
        #expect(try typed(.bfloat16) { $0.int32Data = [0x4000, 0x8000] }.floatArray == [2, -0.0])
        let half = try typed(.float16) { $0.int32Data = [0x0001, 0x7E00] }.floatArray
        #expect(half[0] == 0x1p-24)
        #expect(half[1].isNaN)
        #expect(try typed(.float) { $0.dims = []; $0.floatData = [4] }.shape == [])
    }

    @Test func refusesTensorsShorterOrLongerThanTheirShape() {
        expectMalformed("initializer 'w'", "holds 7 bytes", "needs 8") {
            _ = try Build.read(Build.rawTensor("w", .float, dims: [2], raw: [0, 0, 0, 0, 0, 0, 0]))
        }
        expectMalformed("initializer 'w'", "holds 3 values", "needs 4") {
            _ = try Build.read(Build.floatTensor("w", dims: [2, 2], [1, 2, 3]))
        }
        expectMalformed("initializer 'w'", "holds 0 values", "needs 6") {
            _ = try Build.read(Build.floatTensor("w", dims: [2, 3], []))
        }
        expectMalformed("initializer 'w'", "holds 5 values", "needs 4") {
            _ = try Build.read(Build.floatTensor("w", dims: [4], [1, 2, 3, 4, 5]))
        }
        expectMalformed("initializer 'w'", "negative dimension") {
            _ = try Build.read(Build.floatTensor("w", dims: [-1], []))
        }
        expectMalformed("initializer 'w'", "impossibly large") {
            _ = try Build.read(Build.floatTensor("w", dims: [1 << 40, 1 << 40], []))
        }
    }

    @Test func refusesStringComplexAndNewerElementTypes() {
        var strings = Build.floatTensor("names", dims: [1], [])
        strings.dataType = ONNXDataType.string.rawValue
        expectMalformed("initializer 'names'", "STRING (8)") { _ = try Build.read(strings) }
        let complex = Build.rawTensor("z", .complex64, dims: [1], raw: [UInt8](repeating: 0, count: 8))
        expectMalformed("initializer 'z'", "COMPLEX64 (14)") { _ = try Build.read(complex) }
        var float8 = Build.rawTensor("q", .uint8, dims: [1], raw: [0])
        float8.dataType = 17
        expectMalformed("initializer 'q'", "FLOAT8E4M3FN (17)") { _ = try Build.read(float8) }
    }

    // MARK: External data

    private func externalTensor(_ location: String, offset: Int? = nil, length: Int? = nil) -> Onnx_TensorProto {
        var tensor = Onnx_TensorProto()
        tensor.name = "w"
        tensor.dataType = ONNXDataType.float.rawValue
        tensor.dims = [2]
        tensor.dataLocation = .external
        var entries = [("location", location)]
        if let offset { entries.append(("offset", String(offset))) }
        if let length { entries.append(("length", String(length))) }
        tensor.externalData = entries.map { key, value in
            var entry = Onnx_StringStringEntryProto()
            entry.key = key
            entry.value = value
            return entry
        }
        return tensor
    }

    @Test func readsExternalDataBesideTheModel() throws {
        let directory = try ScratchDirectory()
        let values: [Float] = [9, 1.5, -2, 7]
        try directory.write(Data([UInt8].littleEndian(values.map(\.bitPattern))), to: "weights/data.bin")
        let model = Build.model(nodes: [Build.node("Add", ["x", "w"], ["y"])],
                                inputs: [Build.valueInfo("x", .float, [.fixed(2)])],
                                initializers: [externalTensor("weights/data.bin", offset: 4, length: 8)])
        let file = try directory.write(Build.bytes(model), to: "model.onnx")
        let graph = try ONNXFormat().load(file: file)
        #expect(graph.initializers["w"]?.floatArray == [1.5, -2])
    }

    @Test func refusesMissingShortOrEscapingExternalData() throws {
        let directory = try ScratchDirectory()
        try directory.write(Data([UInt8](repeating: 0, count: 6)), to: "short.bin")
        let file = directory.path("model.onnx")
        let reader = ONNXTensorReader(file: file)
        expectMalformed(file: file, "initializer 'w'", "'missing.bin'", "missing") {
            _ = try reader.tensor(externalTensor("missing.bin"), role: "initializer 'w'")
        }
        expectMalformed(file: file, "initializer 'w'", "needs 8 bytes", "holds only 6") {
            _ = try reader.tensor(externalTensor("short.bin"), role: "initializer 'w'")
        }
        expectMalformed(file: file, "needs 8 bytes at offset 4", "holds only 6") {
            _ = try reader.tensor(externalTensor("short.bin", offset: 4), role: "initializer 'w'")
        }
        expectMalformed(file: file, "has 6 bytes", "needs 8") {
            _ = try reader.tensor(externalTensor("short.bin", length: 6), role: "initializer 'w'")
        }
        expectMalformed(file: file, "not a path inside the model's directory") {
            _ = try reader.tensor(externalTensor("../short.bin"), role: "initializer 'w'")
        }
        expectMalformed(file: file, "names none") {
            _ = try reader.tensor(externalTensor(""), role: "initializer 'w'")
        }
    }

    // MARK: Refused files

    @Test func refusesEmptyAndNonProtobufFiles() {
        expectMalformed("the file is empty") { _ = try ONNXFormat().load(data: Data(), file: "test.onnx") }
        // An XML file given the wrong suffix: '<' is an end-group tag, which no valid message starts with.
        expectMalformed("not valid protobuf") {
            _ = try ONNXFormat().load(data: Data("<?xml version=\"1.0\"?><net/>".utf8), file: "test.onnx")
        }
        // Bytes that happen to parse as protobuf still lack a graph.
        expectMalformed("holds no graph") { _ = try ONNXFormat().load(data: Data([0x08, 0x01]), file: "test.onnx") }
    }

    @Test func refusesATruncatedModel() throws {
        let file = fixtureModel("tiny_cnn_bn")
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        expectMalformed(file: file, "truncated") {
            _ = try ONNXFormat().load(data: data.prefix(data.count / 2), file: file)
        }
    }

    @Test func refusesModelsWithoutGraphOrIRVersion() {
        var noGraph = Build.model()
        noGraph.clearGraph()
        expectMalformed("holds no graph") { _ = try Build.load(noGraph) }
        expectMalformed("no IR version") { _ = try Build.load(Build.model(irVersion: 0)) }
    }

    @Test func refusesMissingOrTooNewOpsets() throws {
        expectMalformed("imports no version of the default ONNX operator set") {
            _ = try Build.load(Build.model(opset: nil))
        }
        expectMalformed("imports no version of the default ONNX operator set") {
            _ = try Build.load(Build.model(opset: 1, opsetDomain: "com.microsoft"))
        }
        expectMalformed("opset 23", "supports opsets up to 22") { _ = try Build.load(Build.model(opset: 23)) }
        #expect(try Build.load(Build.model(opset: 22)).opset == 22)
    }

    @Test func refusesInputsThatAreNotTensorsOfKnownTypes() {
        expectMalformed("graph input 'x'", "STRING (8)") {
            _ = try Build.load(Build.model(inputs: [Build.valueInfo("x", .string, [.fixed(1)])]))
        }
        var untyped = Onnx_ValueInfoProto()
        untyped.name = "x"
        expectMalformed("graph input 'x' declares no type") { _ = try Build.load(Build.model(inputs: [untyped])) }
    }

    @Test func refusesNodesOfOtherDomainsNamingTheDomain() {
        let model = Build.model(nodes: [Build.node("FusedConv", ["x"], ["y"], name: "fused", domain: "com.microsoft")])
        #expect(throws: InferenceError.unsupportedOperator(file: "test.onnx", op: "com.microsoft.FusedConv", node: "fused")) {
            _ = try Build.load(model)
        }
    }

    @Test func refusesControlFlowWithSubgraphs() {
        var branch = Onnx_GraphProto()
        branch.name = "branch"
        let attributes = [
            Build.attribute("then_branch") { $0.type = .graph; $0.g = branch },
            Build.attribute("else_branch") { $0.g = branch },  // typeless: found by its value field
        ]
        let model = Build.model(nodes: [Build.node("If", ["x"], ["y"], name: "choose", attributes: attributes)])
        #expect(throws: InferenceError.unsupportedOperator(file: "test.onnx", op: "If", node: "choose")) {
            _ = try Build.load(model)
        }
    }

    @Test func anUnknownOperatorFailsTheModelNamingOpNodeAndFile() throws {
        let directory = try ScratchDirectory()
        let model = Build.model(nodes: [Build.node("NoSuchOp", ["x"], ["y"], name: "mystery")])
        let file = try directory.write(Build.bytes(model), to: "model.onnx")
        #expect(throws: InferenceError.unsupportedOperator(file: file, op: "NoSuchOp", node: "mystery")) {
            _ = try Model(path: directory.url.path)
        }
    }

    // MARK: Damaged bytes never crash

    @Test func everyTruncatedPrefixOfAModelIsRefused() throws {
        let file = fixtureModel("mlp_embeddings")
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        for length in stride(from: 0, to: data.count, by: 7) {
            #expect(throws: InferenceError.self, "prefix of \(length) bytes") {
                _ = try ONNXFormat().load(data: data.prefix(length), file: file)
            }
        }
    }

    @Test func randomBytesAreRefused() {
        var random = FuzzRandom(seed: 42)
        for round in 0..<500 {
            let count = Int.random(in: 1...600, using: &random)
            let bytes = Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &random) })
            #expect(throws: InferenceError.self, "round \(round)") {
                _ = try ONNXFormat().load(data: bytes, file: "random.onnx")
            }
        }
    }

    @Test func damagedModelsLoadOrFailWithoutCrashing() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixtureModel("mlp_embeddings")))
        var random = FuzzRandom(seed: 3)
        for _ in 0..<600 {
            var damaged = data
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                damaged[Int.random(in: 0..<damaged.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            do {
                _ = try ONNXFormat().load(data: damaged, file: "damaged.onnx")
            } catch is InferenceError {
                // A refusal is a fine outcome; only a crash or a foreign error type is not.
            }
        }
    }
}
