import Foundation
import Testing
@testable import Inference

/// A Caffe net written by a test: the deploy .prototxt (text) and the .caffemodel (binary, with the blobs),
/// in a scratch folder, loaded through the public path as a user's model would be.
struct CaffeTestNet {
    var deploy = Caffe_NetParameter()
    var trained = Caffe_NetParameter()

    /// A net whose Input layer "data" has `shape` (the batch first).
    init(input shape: [Int64]) {
        var input = Caffe_LayerParameter()
        input.name = "data"
        input.type = "Input"
        input.top = ["data"]
        var blobShape = Caffe_BlobShape()
        blobShape.dim = shape
        input.inputParam.shape = [blobShape]
        deploy.layer.append(input)
    }

    static func blob(_ values: [Float], _ shape: [Int64]) -> Caffe_BlobProto {
        var blob = Caffe_BlobProto()
        blob.data = values
        blob.shape.dim = shape
        return blob
    }

    /// Adds a layer; its blobs go to the .caffemodel only, as Caffe writes them.
    mutating func add(_ type: String, _ name: String, bottoms: [String] = ["data"], tops: [String]? = nil,
                      blobs: [Caffe_BlobProto] = [], _ configure: (inout Caffe_LayerParameter) -> Void = { _ in }) {
        var layer = Caffe_LayerParameter()
        layer.name = name
        layer.type = type
        layer.bottom = bottoms
        layer.top = tops ?? [name]
        configure(&layer)
        deploy.layer.append(layer)
        var weights = layer
        weights.blobs = blobs
        trained.layer.append(weights)
    }

    /// Writes net.prototxt and net.caffemodel into `folder` and returns the folder's path.
    func write(to folder: ScratchDirectory, stem: String = "net") throws -> String {
        try folder.write(Data(deploy.textFormatString().utf8), to: "\(stem).prototxt")
        try folder.write(trained.serializedData(), to: "\(stem).caffemodel")
        return folder.url.path
    }

    func load() throws -> Graph {
        let folder = try ScratchDirectory()
        return try ModelFormats.load(write(to: folder))
    }

    /// Runs the net on `input` (fed to "data") and returns every output by name.
    func run(_ input: Tensor) throws -> [String: Tensor] {
        try Model(graph: load()).run(named: ["data": input])
    }

    /// The single output named `name`'s values.
    func output(_ name: String, for input: Tensor) throws -> [Float] {
        let outputs = try run(input)
        return try #require(outputs[name], "outputs: \(outputs.keys.sorted())").floatArray
    }
}

private func tensor(_ values: [Float], _ shape: [Int]) -> Tensor { Tensor(floats: values, shape: shape) }

@Suite struct CaffeLayerTests {
    // MARK: Windows and weights

    @Test func convolutionSumsItsWindowAndAddsTheBias() throws {
        var net = CaffeTestNet(input: [1, 1, 3, 3])
        net.add("Convolution", "conv", blobs: [CaffeTestNet.blob([1, 1, 1, 1], [1, 1, 2, 2]), CaffeTestNet.blob([0.5], [1])]) {
            $0.convolutionParam.numOutput = 1
            $0.convolutionParam.kernelSize = [2]
        }
        let y = try net.output("conv", for: tensor((1...9).map(Float.init), [1, 1, 3, 3]))
        expectClose(y, [12.5, 16.5, 24.5, 28.5])
    }

    @Test func convolutionReadsTheHeightAndWidthForms() throws {
        // A 1×2 kernel, stride 2 across, pad 1 across only: rows stay 2, columns (3 + 2 - 2) / 2 + 1 = 2.
        var net = CaffeTestNet(input: [1, 1, 2, 3])
        net.add("Convolution", "conv", blobs: [CaffeTestNet.blob([1, 10], [1, 1, 1, 2])]) {
            $0.convolutionParam.numOutput = 1
            $0.convolutionParam.kernelH = 1
            $0.convolutionParam.kernelW = 2
            $0.convolutionParam.strideH = 1
            $0.convolutionParam.strideW = 2
            $0.convolutionParam.padW = 1
            $0.convolutionParam.biasTerm = false
        }
        let y = try net.output("conv", for: tensor([1, 2, 3, 4, 5, 6], [1, 1, 2, 3]))
        expectClose(y, [10, 32, 40, 65])
    }

    @Test func groupedConvolutionKeepsChannelsApart() throws {
        var net = CaffeTestNet(input: [1, 2, 1, 1])
        net.add("Convolution", "conv", blobs: [CaffeTestNet.blob([2, 3], [2, 1, 1, 1])]) {
            $0.convolutionParam.numOutput = 2
            $0.convolutionParam.kernelSize = [1]
            $0.convolutionParam.group = 2
            $0.convolutionParam.biasTerm = false
        }
        expectClose(try net.output("conv", for: tensor([5, 7], [1, 2, 1, 1])), [10, 21])
    }

    @Test func deconvolutionSpreadsEachPixelOverItsStride() throws {
        var net = CaffeTestNet(input: [1, 1, 2, 2])
        net.add("Deconvolution", "up", blobs: [CaffeTestNet.blob([1, 1, 1, 1], [1, 1, 2, 2]), CaffeTestNet.blob([0], [1])]) {
            $0.convolutionParam.numOutput = 1
            $0.convolutionParam.kernelSize = [2]
            $0.convolutionParam.stride = [2]
        }
        let y = try net.output("up", for: tensor([1, 2, 3, 4], [1, 1, 2, 2]))
        expectClose(y, [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
    }

    @Test func innerProductFlattensAndHonoursTranspose() throws {
        for transpose in [false, true] {
            var net = CaffeTestNet(input: [1, 3, 1, 1])
            // y0 = x0 + x2, y1 = x1; stored [2, 3], or [3, 2] transposed.
            let weights: [Float] = transpose ? [1, 0, 0, 1, 1, 0] : [1, 0, 1, 0, 1, 0]
            net.add("InnerProduct", "fc", blobs: [CaffeTestNet.blob(weights, transpose ? [3, 2] : [2, 3]),
                                                  CaffeTestNet.blob([10, 20], [2])]) {
                $0.innerProductParam.numOutput = 2
                $0.innerProductParam.transpose = transpose
            }
            expectClose(try net.output("fc", for: tensor([1, 2, 3], [1, 3, 1, 1])), [14, 22], "transpose \(transpose)")
        }
    }

    @Test func maxPoolingRoundsUp() throws {
        // 4 wide, window 3, stride 2: (4 - 3) / 2 rounded up + 1 = 2 windows; the second is clipped.
        var net = CaffeTestNet(input: [1, 1, 4, 4])
        net.add("Pooling", "pool") {
            $0.poolingParam.kernelSize = 3
            $0.poolingParam.stride = 2
        }
        expectClose(try net.output("pool", for: tensor((0..<16).map(Float.init), [1, 1, 4, 4])), [10, 11, 14, 15])
    }

    @Test func averagePoolingDividesByTheWindowInsideThePadding() throws {
        // 4 wide, window 3, stride 2, pad 1: windows start at -1, 1, 3 and end at 2, 4, 5 (not 6: the overhang
        // past the padding is not counted). On ones, each output is (real rows·real cols) / (rows·cols).
        var net = CaffeTestNet(input: [1, 1, 4, 4])
        net.add("Pooling", "pool") {
            $0.poolingParam.pool = .ave
            $0.poolingParam.kernelSize = 3
            $0.poolingParam.stride = 2
            $0.poolingParam.pad = 1
        }
        let real: [Float] = [2, 3, 1], size: [Float] = [3, 3, 2]
        let expected = (0..<3).flatMap { i in (0..<3).map { j in real[i] * real[j] / (size[i] * size[j]) } }
        expectClose(try net.output("pool", for: tensor([Float](repeating: 1, count: 16), [1, 1, 4, 4])), expected)
    }

    @Test func poolingDropsAWindowThatStartsInThePadding() throws {
        // 5 wide, window 3, stride 3, pad 1: rounding up gives 3 windows, but the third would start at 5, in the
        // padding, so Caffe keeps 2.
        var net = CaffeTestNet(input: [1, 1, 5, 5])
        net.add("Pooling", "pool") {
            $0.poolingParam.kernelSize = 3
            $0.poolingParam.stride = 3
            $0.poolingParam.pad = 1
        }
        let y = try net.run(tensor((0..<25).map(Float.init), [1, 1, 5, 5]))["pool"]
        #expect(y?.shape == [1, 1, 2, 2])
        expectClose(y?.floatArray ?? [], [6, 9, 21, 24])
    }

    @Test func globalPoolingCoversThePlane() throws {
        var net = CaffeTestNet(input: [1, 1, 2, 2])
        net.add("Pooling", "average") { $0.poolingParam.pool = .ave; $0.poolingParam.globalPooling = true }
        net.add("Pooling", "maximum") { $0.poolingParam.globalPooling = true }
        let outputs = try net.run(tensor([1, 2, 3, 6], [1, 1, 2, 2]))
        expectClose(outputs["average"]?.floatArray ?? [], [3])
        expectClose(outputs["maximum"]?.floatArray ?? [], [6])
    }

    // MARK: Element-wise

    static let activationCases: [(type: String, configure: @Sendable (inout Caffe_LayerParameter) -> Void, expected: [Float])] = [
        ("ReLU", { _ in }, [0, 0, 1, 3]),
        ("ReLU", { $0.reluParam.negativeSlope = 0.1 }, [-0.2, -0.05, 1, 3]),
        ("ELU", { $0.eluParam.alpha = 2 }, [2 * (exp(-2) - 1), 2 * (exp(-0.5) - 1), 1, 3]),
        ("Sigmoid", { _ in }, [1 / (1 + exp(2)), 1 / (1 + exp(0.5)), 1 / (1 + exp(-1)), 1 / (1 + exp(-3))]),
        ("TanH", { _ in }, [tanh(-2), tanh(-0.5), tanh(1), tanh(3)]),
        ("AbsVal", { _ in }, [2, 0.5, 1, 3]),
        ("BNLL", { _ in }, [log(1 + exp(-2)), log(1 + exp(-0.5)), log(1 + exp(1)), log(1 + exp(3))]),
        ("Clip", { $0.clipParam.min = -1; $0.clipParam.max = 2 }, [-1, -0.5, 1, 2]),
        // (1 + 0.5x)^2
        ("Power", { $0.powerParam.power = 2; $0.powerParam.scale = 0.5; $0.powerParam.shift = 1 }, [0, 0.5625, 2.25, 6.25]),
        // 2^(1 + x)
        ("Exp", { $0.expParam.base = 2; $0.expParam.shift = 1 }, [0.5, pow(2, 0.5), 4, 16]),
        ("Exp", { _ in }, [exp(-2), exp(-0.5), exp(1), exp(3)]),
        // log10(3 + x)
        ("Log", { $0.logParam.base = 10; $0.logParam.shift = 3 }, [0, log10(2.5), log10(4), log10(6)]),
        ("Dropout", { _ in }, [-2, -0.5, 1, 3]),
        ("Dropout", { $0.dropoutParam.dropoutRatio = 0.25; $0.dropoutParam.scaleTrain = false }, [-1.5, -0.375, 0.75, 2.25]),
    ]

    @Test(arguments: activationCases.indices)
    func elementWiseLayer(_ index: Int) throws {
        let testCase = Self.activationCases[index]
        var net = CaffeTestNet(input: [1, 1, 1, 4])
        net.add(testCase.type, "layer", testCase.configure)
        expectClose(try net.output("layer", for: tensor([-2, -0.5, 1, 3], [1, 1, 1, 4])), testCase.expected, testCase.type)
    }

    @Test func preluHasASlopePerChannelOrOneShared() throws {
        var net = CaffeTestNet(input: [1, 2, 1, 2])
        net.add("PReLU", "perChannel", blobs: [CaffeTestNet.blob([0.5, 2], [2])])
        net.add("PReLU", "shared", blobs: [CaffeTestNet.blob([0.25], [1])]) { $0.preluParam.channelShared = true }
        let outputs = try net.run(tensor([-2, 1, -3, 4], [1, 2, 1, 2]))
        expectClose(outputs["perChannel"]?.floatArray ?? [], [-1, 1, -6, 4])
        expectClose(outputs["shared"]?.floatArray ?? [], [-0.5, 1, -0.75, 4])
    }

    // MARK: Normalisation

    @Test func batchNormDividesTheStatisticsByTheirFactor() throws {
        var net = CaffeTestNet(input: [1, 2, 1, 1])
        // Stored sums with factor 2: mean [2, 4], variance [1, 4].
        net.add("BatchNorm", "bn", blobs: [CaffeTestNet.blob([4, 8], [2]), CaffeTestNet.blob([2, 8], [2]),
                                            CaffeTestNet.blob([2], [1])]) { $0.batchNormParam.eps = 0 }
        expectClose(try net.output("bn", for: tensor([3, 8], [1, 2, 1, 1])), [1, 2])
    }

    @Test func batchNormWithAZeroFactorHasNoStatistics() throws {
        var net = CaffeTestNet(input: [1, 2, 1, 1])
        net.add("BatchNorm", "bn", blobs: [CaffeTestNet.blob([4, 8], [2]), CaffeTestNet.blob([2, 8], [2]),
                                            CaffeTestNet.blob([0], [1])]) { $0.batchNormParam.eps = 1 }
        expectClose(try net.output("bn", for: tensor([3, 8], [1, 2, 1, 1])), [3, 8])
    }

    @Test func scaleMultipliesPerChannelAndAddsItsBias() throws {
        var net = CaffeTestNet(input: [1, 2, 1, 2])
        net.add("Scale", "scale", blobs: [CaffeTestNet.blob([3, 4], [2]), CaffeTestNet.blob([1, -1], [2])]) {
            $0.scaleParam.biasTerm = true
        }
        expectClose(try net.output("scale", for: tensor([1, 2, 3, 4], [1, 2, 1, 2])), [4, 7, 11, 15])
    }

    @Test func scaleAndBiasTakeASecondBottom() throws {
        var net = CaffeTestNet(input: [1, 2, 1, 2])
        net.add("Pooling", "gate") { $0.poolingParam.globalPooling = true }  // N×2×1×1: the max per channel
        net.add("Flatten", "gate_flat", bottoms: ["gate"])  // N×2
        net.add("Scale", "scaled", bottoms: ["data", "gate_flat"]) { $0.scaleParam.axis = 0 }
        net.add("Bias", "biased", bottoms: ["scaled", "gate_flat"]) { $0.biasParam.axis = 0 }
        // Channel maxima 2 and 4.
        expectClose(try net.output("biased", for: tensor([1, 2, 3, 4], [1, 2, 1, 2])), [4, 6, 16, 20])
    }

    @Test func biasCoversTheAxesItIsGiven() throws {
        var net = CaffeTestNet(input: [1, 1, 2, 2])
        net.add("Bias", "bias", blobs: [CaffeTestNet.blob([10, 20, 30, 40], [2, 2])]) {
            $0.biasParam.axis = 2
            $0.biasParam.numAxes = 2
        }
        expectClose(try net.output("bias", for: tensor([1, 2, 3, 4], [1, 1, 2, 2])), [11, 22, 33, 44])
    }

    @Test func lrnAcrossChannelsAndWithinAChannel() throws {
        var net = CaffeTestNet(input: [1, 3, 1, 1])
        net.add("LRN", "across") { $0.lrnParam.localSize = 3; $0.lrnParam.alpha = 3; $0.lrnParam.beta = 1 }
        net.add("LRN", "within") {
            $0.lrnParam.localSize = 3
            $0.lrnParam.alpha = 0.9
            $0.lrnParam.beta = 1
            $0.lrnParam.normRegion = .withinChannel
        }
        let outputs = try net.run(tensor([1, 2, 3], [1, 3, 1, 1]))
        // Across: x / (1 + 3/3 · sum of squares of the neighbours).
        expectClose(outputs["across"]?.floatArray ?? [], [1.0 / 6, 2.0 / 15, 3.0 / 14])
        // Within: x / (1 + 0.9 · x²/9), the 3×3 window being one pixel and eight of padding.
        expectClose(outputs["within"]?.floatArray ?? [], [1 / 1.1, 2 / 1.4, 3 / 1.9])
    }

    @Test func softmaxAlongItsAxis() throws {
        var net = CaffeTestNet(input: [1, 2, 1, 1])
        net.add("Softmax", "prob")
        expectClose(try net.output("prob", for: tensor([0, log(3)], [1, 2, 1, 1])), [0.25, 0.75])
    }
}
