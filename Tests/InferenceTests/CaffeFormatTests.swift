import Foundation
import Testing
@testable import Inference

/// The Caffe reader's file handling: finding the .prototxt, and every refusal a user can meet.
@Suite struct CaffeFormatTests {
    /// A small valid net: Input → Convolution (2 outputs, 1×1) → ReLU in place.
    static func convNet() -> CaffeTestNet {
        var net = CaffeTestNet(input: [1, 1, 2, 2])
        net.add("Convolution", "conv", blobs: [CaffeTestNet.blob([1, 2], [2, 1, 1, 1]), CaffeTestNet.blob([0, 1], [2])]) {
            $0.convolutionParam.numOutput = 2
            $0.convolutionParam.kernelSize = [1]
        }
        net.add("ReLU", "relu", bottoms: ["conv"], tops: ["conv"])
        return net
    }

    /// The message of the error loading `path` throws (and that it is an InferenceError).
    func refusal(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        do {
            _ = try ModelFormats.load(path)
            Issue.record("expected \(path) to be refused", sourceLocation: sourceLocation)
            return ""
        } catch let error as InferenceError {
            return error.description
        } catch {
            Issue.record("not an InferenceError: \(error)", sourceLocation: sourceLocation)
            return ""
        }
    }

    @Test func aFolderWithPrototxtAndCaffemodelIsCaffe() throws {
        let folder = try ScratchDirectory()
        let path = try Self.convNet().write(to: folder, stem: "deploy")
        let located = try ModelFormats.locate(path)
        #expect(located.format.name == "Caffe")
        #expect(located.file.hasSuffix("deploy.caffemodel"))
        let graph = try ModelFormats.load(path)
        #expect(graph.inputs.map(\.name) == ["data"])
        #expect(graph.outputs.map(\.name) == ["conv"])
    }

    @Test func theOnlyPrototxtIsUsedWhateverItsName() throws {
        let folder = try ScratchDirectory()
        let net = Self.convNet()
        try folder.write(Data(net.deploy.textFormatString().utf8), to: "deploy.prototxt")
        try folder.write(Data("net: \"deploy.prototxt\"\n".utf8), to: "solver.prototxt")
        try folder.write(net.trained.serializedData(), to: "weights_iter_1000.caffemodel")
        #expect(try ModelFormats.load(folder.url.path).outputs.map(\.name) == ["conv"])
    }

    @Test func aMissingPrototxtIsNamedWithWhatTheFolderHolds() throws {
        let folder = try ScratchDirectory()
        try folder.write(Self.convNet().trained.serializedData(), to: "net.caffemodel")
        try folder.write(Data("labels".utf8), to: "labels.txt")
        let message = refusal(folder.path("net.caffemodel"))
        #expect(message.contains("no .prototxt"), "\(message)")
        #expect(message.contains("labels.txt") && message.contains("net.prototxt"), "\(message)")
    }

    @Test func oldV1LayersAreRefusedWithTheUpgradeTool() throws {
        let folder = try ScratchDirectory()
        var net = Self.convNet()
        var legacy = Caffe_V1LayerParameter()
        legacy.name = "conv1"
        net.deploy.layer = []
        net.deploy.layers = [legacy]
        try net.write(to: folder)
        let message = refusal(folder.url.path)
        #expect(message.contains("V1") && message.contains("upgrade_net_proto_text"), "\(message)")
        #expect(message.contains("net.prototxt"), "\(message)")

        var trained = Self.convNet()
        trained.trained.layer = []
        trained.trained.layers = [legacy]
        let other = try ScratchDirectory()
        try trained.write(to: other)
        let binary = refusal(other.url.path)
        #expect(binary.contains("upgrade_net_proto_binary") && binary.contains("net.caffemodel"), "\(binary)")
    }

    @Test(arguments: [
        // An unclosed string: the error is where the string starts.
        ("layer {\n  name: \"conv\n  type: \"ReLU\"\n}\n", "line 2, column 9"),
        // A missing closing brace.
        ("layer {\n  name: \"a\"\n", "line 3, column 1"),
        // A stray symbol where a field name belongs.
        ("name: \"n\"\nlayer {\n  name: \"a\" }\n}\n", "line 4, column 1"),
        // Grammatical, but a value the schema refuses: the decoder's complaint at its field.
        ("layer {\n  name: \"p\"\n  type: \"Pooling\"\n  pooling_param { pool: MAXIMUM }\n}\n", "line 4, column 3"),
        ("layer {\n  name: \"c\"\n  convolution_param {\n    num_output: many\n  }\n}\n", "line 3, column 3"),
    ])
    func prototxtErrorsGiveTheLineAndColumn(_ text: String, _ position: String) throws {
        let folder = try ScratchDirectory()
        try folder.write(Data(text.utf8), to: "net.prototxt")
        try folder.write(Self.convNet().trained.serializedData(), to: "net.caffemodel")
        let message = refusal(folder.url.path)
        #expect(message.contains(position), "\(message)")
        #expect(message.contains("net.prototxt"), "\(message)")
    }

    @Test func deeplyNestedTextIsRefusedWithoutCrashing() throws {
        let folder = try ScratchDirectory()
        try folder.write(Data(String(repeating: "layer {\n", count: 5000).utf8), to: "net.prototxt")
        try folder.write(Self.convNet().trained.serializedData(), to: "net.caffemodel")
        let message = refusal(folder.url.path)
        #expect(message.contains("net.prototxt") && message.contains("line 100, column 7"), "\(message)")
    }

    @Test func unknownFieldsOfRealPrototxtsAreIgnored() throws {
        let folder = try ScratchDirectory()
        var text = Self.convNet().deploy.textFormatString()
        text = text.replacingOccurrences(of: "num_output: 2",
                                         with: "num_output: 2\n    weight_filler { type: \"xavier\" }\n    engine: CUDNN")
        text = "# a comment\nforce_backward: true\n" + text
        try folder.write(Data(text.utf8), to: "net.prototxt")
        try folder.write(Self.convNet().trained.serializedData(), to: "net.caffemodel")
        #expect(try ModelFormats.load(folder.url.path).nodes.contains { $0.opType == "Conv" })
    }

    @Test func blobsOfTheWrongSizeAreRefused() throws {
        var net = Self.convNet()
        net.trained.layer[0].blobs[0] = CaffeTestNet.blob([1, 2, 3], [3, 1, 1, 1])
        let folder = try ScratchDirectory()
        let message = refusal(try net.write(to: folder))
        #expect(message.contains("'conv'") && message.contains("holds 3 values") && message.contains("[2, 1, 1, 1]"),
                "\(message)")
    }

    @Test func missingWeightsAreRefused() throws {
        var net = Self.convNet()
        net.trained.layer[0].blobs = []
        let folder = try ScratchDirectory()
        let message = refusal(try net.write(to: folder))
        #expect(message.contains("'conv'") && message.contains("missing"), "\(message)")
    }

    @Test func aTruncatedCaffemodelIsRefused() throws {
        let folder = try ScratchDirectory()
        let path = try Self.convNet().write(to: folder)
        let model = folder.path("net.caffemodel")
        let data = try Data(contentsOf: URL(fileURLWithPath: model))
        try data.prefix(data.count - 3).write(to: URL(fileURLWithPath: model))
        let message = refusal(path)
        #expect(message.contains("truncated") && message.contains("net.caffemodel"), "\(message)")
    }

    @Test func anUnknownLayerTypeIsNamedWithItsLayerAndFile() throws {
        var net = Self.convNet()
        net.add("Mystery", "strange", bottoms: ["conv"])
        let folder = try ScratchDirectory()
        let message = refusal(try net.write(to: folder))
        #expect(message.contains("Mystery") && message.contains("'strange'") && message.contains("net.prototxt"),
                "\(message)")
    }

    @Test func aTrainValNetIsReferredToTheDeployPrototxt() throws {
        var net = Self.convNet()
        net.add("SoftmaxWithLoss", "loss", bottoms: ["conv", "label"])
        let folder = try ScratchDirectory()
        let message = refusal(try net.write(to: folder))
        #expect(message.contains("SoftmaxWithLoss") && message.contains("'loss'") && message.contains("deploy"),
                "\(message)")
    }

    @Test func aBottomNoLayerProducesIsRefused() throws {
        var net = Self.convNet()
        net.add("ReLU", "orphan", bottoms: ["nowhere"])
        let folder = try ScratchDirectory()
        let message = refusal(try net.write(to: folder))
        #expect(message.contains("'orphan'") && message.contains("'nowhere'"), "\(message)")
    }

    @Test func damagedCaffemodelsNeverCrash() throws {
        let folder = try ScratchDirectory()
        let path = try Self.convNet().write(to: folder)
        let model = folder.path("net.caffemodel")
        let data = try Data(contentsOf: URL(fileURLWithPath: model))
        var random = FuzzRandom(seed: 11)
        var variants = stride(from: 0, to: data.count, by: 7).map { data.prefix($0) }
        for _ in 0..<20 {
            var damaged = data
            let index = Int.random(in: 0..<damaged.count, using: &random)
            damaged[index] = UInt8.random(in: 0...255, using: &random)
            variants.append(damaged)
        }
        for variant in variants {
            try variant.write(to: URL(fileURLWithPath: model))
            _ = try? ModelFormats.load(path)  // refused or loaded; never a trap
        }
    }

    /// Every number of the fixture nets' prototxts replaced, one at a time, by hostile values (0, negative, huge):
    /// each load is refused or succeeds, never traps.
    @Test(arguments: ["shapes", "pooling", "deconvolution", "argmax", "scale_bias"])
    func hostileNumbersInAPrototxtNeverCrash(_ name: String) throws {
        let source = Fixtures.root.appendingPathComponent("caffe/\(name)/model")
        let text = try String(contentsOf: source.appendingPathComponent("\(name).prototxt"), encoding: .utf8)
        let weights = try Data(contentsOf: source.appendingPathComponent("\(name).caffemodel"))
        let folder = try ScratchDirectory()
        try folder.write(weights, to: "net.caffemodel")
        let numbers = try Regex("-?[0-9]+(\\.[0-9]+)?")
        for match in text.matches(of: numbers) {
            for hostile in ["0", "-1", "-2147483648", "4294967295", "1099511627776", "9223372036854775807"] {
                var damaged = text
                damaged.replaceSubrange(match.range, with: hostile)
                try folder.write(Data(damaged.utf8), to: "net.prototxt")
                _ = try? ModelFormats.load(folder.url.path)
            }
        }
    }
}
