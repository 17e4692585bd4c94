import Foundation
import Testing
@testable import Inference

/// Each BigDL layer family alone, on small inputs with values worked out by hand (BigDL's formulas).
@Suite struct BigDLLayerTests {
    typealias M = BigDLTestModel

    private func convolution(_ model: inout BigDLTestModel, input: Int, output: Int, kernel: Int, stride: Int = 1,
                             pad: Int = 0, groups: Int = 1, weight: [Float], weightShape: [Int], bias: [Float],
                             nhwc: Bool = false) -> Bigdl_BigDLModule {
        M.module("SpatialConvolution", name: "conv", [
            "nInputPlane": M.int(input), "nOutputPlane": M.int(output), "kernelW": M.int(kernel),
            "kernelH": M.int(kernel), "strideW": M.int(stride), "strideH": M.int(stride), "padW": M.int(pad),
            "padH": M.int(pad), "nGroup": M.int(groups), "withBias": M.bool(true),
            "format": M.format(nhwc ? .nhwc : .nchw),
        ], parameters: [model.tensor(weight, weightShape), model.tensor(bias, [output])])
    }

    @Test func groupedConvolutionUsesTheGroupWeightLayout() throws {
        var model = BigDLTestModel()
        // Weights [nGroup, out/nGroup, in/nGroup, kH, kW]: out0 = x0 + x1, out1 = x2 - x3.
        let top = M.sequential([convolution(&model, input: 4, output: 2, kernel: 1, groups: 2,
                                            weight: [1, 1, 1, -1], weightShape: [2, 1, 2, 1, 1], bias: [0.5, 0])])
        let output = try model.run(top, Tensor(floats: [1, 2, 3, 4], shape: [1, 4, 1, 1]))
        #expect(output.shape == [1, 2, 1, 1])
        expectClose(output.floatArray, [3.5, -1])
    }

    @Test func nhwcConvolutionKeepsChannelsLast() throws {
        var model = BigDLTestModel()
        // NHWC weights [nGroup, kH, kW, in/nGroup, out/nGroup].
        let top = M.sequential([convolution(&model, input: 4, output: 2, kernel: 1, groups: 2,
                                            weight: [1, 1, 1, -1], weightShape: [2, 1, 1, 2, 1], bias: [0.5, 0],
                                            nhwc: true)])
        let output = try model.run(top, Tensor(floats: [1, 2, 3, 4, 10, 20, 30, 40], shape: [1, 1, 2, 4]))
        #expect(output.shape == [1, 1, 2, 2])
        expectClose(output.floatArray, [3.5, -1, 30.5, -10])
    }

    @Test func convolutionPaddingMinusOneIsSame() throws {
        let cases: [(Int, [Float])] = [(1, [12, 21, 16, 27, 45, 33, 24, 39, 28]), (2, [12, 16, 24, 28])]
        for (stride, expected) in cases {
            var model = BigDLTestModel()
            let top = M.sequential([convolution(&model, input: 1, output: 1, kernel: 3, stride: stride, pad: -1,
                                                weight: [Float](repeating: 1, count: 9), weightShape: [1, 1, 1, 3, 3],
                                                bias: [0])])
            let output = try model.run(top, bigDLRamp([1, 1, 3, 3]))
            let side = stride == 1 ? 3 : 2
            #expect(output.shape == [1, 1, side, side])
            expectClose(output.floatArray, expected, "stride \(stride)")
        }
    }

    @Test func dilatedConvolution() throws {
        var model = BigDLTestModel()
        let top = M.sequential([M.module("SpatialDilatedConvolution", name: "dilated", [
            "nInputPlane": M.int(1), "nOutputPlane": M.int(1), "kW": M.int(2), "kH": M.int(2), "dW": M.int(1),
            "dH": M.int(1), "padW": M.int(0), "padH": M.int(0), "dilationW": M.int(2), "dilationH": M.int(2),
        ], parameters: [model.tensor([1, 1, 1, 1], [1, 1, 2, 2]), model.tensor([0.5], [1])])])
        let output = try model.run(top, bigDLRamp([1, 1, 3, 3]))
        #expect(output.shape == [1, 1, 1, 1])
        expectClose(output.floatArray, [20.5])  // 1 + 3 + 7 + 9 + bias
    }

    @Test func fullConvolutionReadsItsIntegerParameterList() throws {
        var model = BigDLTestModel()
        // [nInputPlane, nOutputPlane, kW, kH, dW, dH, padW, padH, adjW, adjH, nGroup]
        let top = M.sequential([M.module("SpatialFullConvolution", name: "up", [
            "intParams": M.ints([1, 1, 2, 2, 2, 2, 0, 0, 1, 1, 1]), "noBias": M.bool(false),
        ], parameters: [model.tensor([1, 1, 1, 1], [1, 1, 1, 2, 2]), model.tensor([0.5], [1])])])
        let output = try model.run(top, Tensor(floats: [1, 2, 3, 4], shape: [1, 1, 2, 2]))
        #expect(output.shape == [1, 1, 5, 5])
        let expected: [Float] = [1, 1, 2, 2, 0,
                                 1, 1, 2, 2, 0,
                                 3, 3, 4, 4, 0,
                                 3, 3, 4, 4, 0,
                                 0, 0, 0, 0, 0].map { $0 + 0.5 }
        expectClose(output.floatArray, expected)
    }

    @Test func batchNormalizationUsesRunningStatistics() throws {
        for spatial in [true, false] {
            var model = BigDLTestModel()
            let top = M.sequential([M.module(spatial ? "SpatialBatchNormalization" : "BatchNormalization", name: "bn", [
                "nOutput": M.int(2), "eps": M.double(0), "affine": M.bool(true),
                "runningMean": tensorAttribute(model.tensor([1, 2], [2])),
                "runningVar": tensorAttribute(model.tensor([4, 1], [2])),
            ], parameters: [model.tensor([2, 1], [2]), model.tensor([0, 1], [2])])])
            let input = spatial ? Tensor(floats: [1, 2, 3, 4], shape: [1, 2, 1, 2])
                : Tensor(floats: [1, 3, 2, 4], shape: [2, 2])
            let output = try model.run(top, input)
            expectClose(output.floatArray, spatial ? [0, 1, 2, 3] : [0, 2, 1, 3], "spatial \(spatial)")
        }
    }

    @Test func nhwcBatchNormalization() throws {
        var model = BigDLTestModel()
        let top = M.sequential([M.module("SpatialBatchNormalization", name: "bn", [
            "nOutput": M.int(2), "eps": M.double(0), "affine": M.bool(true), "dataFormat": M.format(.nhwc),
            "runningMean": tensorAttribute(model.tensor([1, 2], [2])),
            "runningVar": tensorAttribute(model.tensor([4, 1], [2])),
        ], parameters: [model.tensor([2, 1], [2]), model.tensor([0, 1], [2])])])
        let output = try model.run(top, Tensor(floats: [1, 3, 2, 4], shape: [1, 1, 2, 2]))
        #expect(output.shape == [1, 1, 2, 2])
        expectClose(output.floatArray, [0, 2, 1, 3])
    }

    private func tensorAttribute(_ tensor: Bigdl_BigDLTensor) -> Bigdl_AttrValue {
        var attribute = Bigdl_AttrValue()
        attribute.dataType = .tensor
        attribute.tensorValue = tensor
        return attribute
    }

    @Test func activations() throws {
        let x: [Float] = [-2, -0.5, 0, 3, 7]
        let exps = x.map { Foundation.exp($0) }
        let total = exps.reduce(0, +)
        let cases: [(String, [String: Bigdl_AttrValue], [Float])] = [
            ("ReLU", [:], [0, 0, 0, 3, 7]),
            ("ReLU6", [:], [0, 0, 0, 3, 6]),
            ("LeakyReLU", ["negval": M.double(0.1)], [-0.2, -0.05, 0, 3, 7]),
            ("ELU", ["alpha": M.double(1.5)], x.map { $0 > 0 ? $0 : 1.5 * (Foundation.exp($0) - 1) }),
            ("Tanh", [:], x.map { Foundation.tanh($0) }),
            ("Sigmoid", [:], x.map { 1 / (1 + Foundation.exp(-$0)) }),
            ("SoftMax", [:], exps.map { $0 / total }),
            ("LogSoftMax", [:], exps.map { Foundation.log($0 / total) }),
        ]
        for (type, attributes, expected) in cases {
            let model = BigDLTestModel()
            let output = try model.run(M.sequential([M.module(type, attributes)]), Tensor(floats: x, shape: [1, 5]))
            expectClose(output.floatArray, expected, type)
        }
    }

    @Test func softMaxOverChannelsOfAnImage() throws {
        let model = BigDLTestModel()
        let output = try model.run(M.sequential([M.module("SoftMax")]),
                                   Tensor(floats: [0, 0, 0, Float(Foundation.log(3.0))], shape: [1, 2, 1, 2]))
        expectClose(output.floatArray, [0.5, 0.25, 0.5, 0.75])
    }

    @Test func maxPoolingInCeilMode() throws {
        for (ceil, expected) in [(true, [Float](arrayLiteral: 5, 6, 8, 9)), (false, [5])] {
            let model = BigDLTestModel()
            let top = M.sequential([M.module("SpatialMaxPooling", [
                "kW": M.int(2), "kH": M.int(2), "dW": M.int(2), "dH": M.int(2), "padW": M.int(0), "padH": M.int(0),
                "ceil_mode": M.bool(ceil), "format": M.format(.nchw),
            ])])
            let output = try model.run(top, bigDLRamp([1, 1, 3, 3]))
            #expect(output.shape == (ceil ? [1, 1, 2, 2] : [1, 1, 1, 1]))
            expectClose(output.floatArray, expected, "ceil \(ceil)")
        }
    }

    @Test func averagePoolingCountsPaddingOrNot() throws {
        let excluding: [Float] = [1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4]
        let including: [Float] = [0.25, 0.75, 0.5, 1, 2.5, 1.5, 0.75, 1.75, 1]
        for (countPad, expected) in [(false, excluding), (true, including)] {
            let model = BigDLTestModel()
            let top = M.sequential([M.module("SpatialAveragePooling", [
                "kW": M.int(2), "kH": M.int(2), "dW": M.int(1), "dH": M.int(1), "padW": M.int(1), "padH": M.int(1),
                "globalPooling": M.bool(false), "ceilMode": M.bool(false), "countIncludePad": M.bool(countPad),
                "divide": M.bool(true),
            ])])
            let output = try model.run(top, Tensor(floats: [1, 2, 3, 4], shape: [1, 1, 2, 2]))
            #expect(output.shape == [1, 1, 3, 3])
            expectClose(output.floatArray, expected, "countIncludePad \(countPad)")
        }
    }

    @Test func globalAveragePooling() throws {
        let model = BigDLTestModel()
        let top = M.sequential([M.module("SpatialAveragePooling", [
            "kW": M.int(3), "kH": M.int(3), "globalPooling": M.bool(true),
        ])])
        let output = try model.run(top, bigDLRamp([1, 2, 3, 3]))
        #expect(output.shape == [1, 2, 1, 1])
        expectClose(output.floatArray, [5, 14])
    }

    @Test func zeroPadding() throws {
        let model = BigDLTestModel()
        let top = M.sequential([M.module("SpatialZeroPadding", [
            "padLeft": M.int(1), "padRight": M.int(0), "padTop": M.int(0), "padBottom": M.int(1),
        ])])
        let output = try model.run(top, Tensor(floats: [5], shape: [1, 1, 1, 1]))
        #expect(output.shape == [1, 1, 2, 2])
        expectClose(output.floatArray, [0, 5, 0, 0])
    }

    @Test func linearWithoutBias() throws {
        var model = BigDLTestModel()
        let top = M.sequential([M.module("Linear", ["inputSize": M.int(2), "outputSize": M.int(1),
                                                     "withBias": M.bool(false)],
                                         parameters: [model.tensor([2, -1], [1, 2])])])
        let output = try model.run(top, Tensor(floats: [3, 4, 1, 1], shape: [2, 2]))
        expectClose(output.floatArray, [2, 1])
    }

    @Test func sumPoolingIsRefused() {
        let model = BigDLTestModel()
        let top = M.sequential([M.module("SpatialAveragePooling", name: "pool", ["kW": M.int(2), "kH": M.int(2),
                                                                                  "divide": M.bool(false)])])
        #expect(throws: InferenceError.self) { _ = try model.load(top) }
    }
}
