import Foundation
import Testing
@testable import Inference

/// Softmax of one row, in Double, for expected values.
private func softmax(_ row: [Float]) -> [Float] {
    let top = Double(row.max() ?? 0)
    let exps = row.map { exp(Double($0) - top) }
    let total = exps.reduce(0, +)
    return exps.map { Float($0 / total) }
}

/// Softmax along the middle axis of an [outer, axis, inner] array, in Double.
private func softmax(_ values: [Float], outer: Int, axis: Int, inner: Int) -> [Float] {
    var result = [Float](repeating: 0, count: values.count)
    for block in 0..<outer {
        for column in 0..<inner {
            let indices = (0..<axis).map { block * axis * inner + $0 * inner + column }
            for (index, value) in zip(indices, softmax(indices.map { values[$0] })) { result[index] = value }
        }
    }
    return result
}

@Suite struct NormalizationTests {
    // MARK: BatchNormalization

    /// X [1,2,1,2]; channel 0: scale 1, B 0, mean 1, var 4; channel 1: scale 2, B 1, mean 2, var 0.25.
    private let batchInput = Tensor(floats: [3, 5, 2, 3], shape: [1, 2, 1, 2])
    private let batchParameters: [(String, Tensor)] = [
        ("scale", Tensor(floats: [1, 2], shape: [2])), ("B", Tensor(floats: [0, 1], shape: [2])),
        ("mean", Tensor(floats: [1, 2], shape: [2])), ("var", Tensor(floats: [4, 0.25], shape: [2])),
    ]
    // (3-1)/2 = 1, (5-1)/2 = 2; (2-2)/0.5·2+1 = 1, (3-2)/0.5·2+1 = 5
    private let batchExpected: [Float] = [1, 2, 1, 5]

    @Test func batchNormWithConstantParameters() throws {
        let out = try runNode("BatchNormalization", inputs: [("x", batchInput)], constants: batchParameters,
                              attributes: ["epsilon": .float(0)])[0]
        #expect(out.shape == [1, 2, 1, 2])
        expectClose(out.floatArray, batchExpected)
    }

    @Test func batchNormWithParametersComputedAtRunTime() throws {
        let out = try runNode("BatchNormalization", inputs: [("x", batchInput)] + batchParameters,
                              attributes: ["epsilon": .float(0)])[0]
        expectClose(out.floatArray, batchExpected)
    }

    @Test func batchNormDefaultEpsilonAndOtherRanks() throws {
        // [N, C] and [N, C, L] inputs; epsilon 1e-5 by default.
        let parameters: [(String, Tensor)] = [
            ("s", Tensor(floats: [1, 1], shape: [2])), ("b", Tensor(floats: [0, 0], shape: [2])),
            ("m", Tensor(floats: [0, 0], shape: [2])), ("v", Tensor(floats: [1, 1], shape: [2])),
        ]
        let flat = try runNode("BatchNormalization", inputs: [("x", Tensor(floats: [1, 2, 3, 4], shape: [2, 2]))],
                               constants: parameters)[0]
        expectClose(flat.floatArray, [1, 2, 3, 4].map { Float(Double($0) / (1 + 1e-5).squareRoot()) }, rtol: 1e-6)
        let sequence = try runNode("BatchNormalization",
                                   inputs: [("x", Tensor(floats: [1, 2, 3, 4, 5, 6], shape: [1, 2, 3]))],
                                   constants: parameters)[0]
        #expect(sequence.shape == [1, 2, 3])
    }

    @Test func batchNormTrainingModeIsRefused() {
        let error = #expect(throws: InferenceError.self) {
            try runNode("BatchNormalization", inputs: [("x", batchInput)], constants: batchParameters,
                        attributes: ["training_mode": .int(1)], opset: 15)
        }
        #expect(error?.description.contains("training_mode") == true)
    }

    @Test func batchNormParametersMustMatchTheChannels() {
        let x = Tensor(floats: [Float](repeating: 1, count: 6), shape: [1, 3, 2])
        #expect(throws: InferenceError.self) {
            try runNode("BatchNormalization", inputs: [("x", x)], constants: batchParameters)
        }
    }

    // MARK: InstanceNormalization

    @Test func instanceNormNormalisesEachPlane() throws {
        // Plane 0: [1, 3] → mean 2, var 1; plane 1: [5, 7] → mean 6, var 1.
        let x = Tensor(floats: [1, 3, 5, 7], shape: [1, 2, 2])
        let out = try runNode("InstanceNormalization", inputs: [("x", x)],
                              constants: [("s", Tensor(floats: [2, 1], shape: [2])),
                                          ("b", Tensor(floats: [0.5, -1], shape: [2]))],
                              attributes: ["epsilon": .float(0)])[0]
        expectClose(out.floatArray, [-1.5, 2.5, -2, 0])
    }

    // MARK: LayerNormalization

    @Test func layerNormOverTheLastAxis() throws {
        // Row [1,2,3,4]: mean 2.5, variance 1.25.
        let x = Tensor(floats: [1, 2, 3, 4, 2, 2, 2, 2], shape: [2, 4])
        let scale = Tensor(floats: [1, 2, 1, 1], shape: [4]), bias = Tensor(floats: [0, 0, 0, 10], shape: [4])
        let out = try runNode("LayerNormalization", inputs: [("x", x)], constants: [("s", scale), ("b", bias)])[0]
        let inverse = Float(1 / (1.25 + 1e-5).squareRoot())
        let expected: [Float] = [-1.5 * inverse, -0.5 * inverse * 2, 0.5 * inverse, 1.5 * inverse + 10, 0, 0, 0, 10]
        expectClose(out.floatArray, expected)
        let noBias = try runNode("LayerNormalization", inputs: [("x", x)], constants: [("s", scale)])[0]
        expectClose(noBias.floatArray, [-1.5 * inverse, -1 * inverse, 0.5 * inverse, 1.5 * inverse, 0, 0, 0, 0])
    }

    @Test func layerNormOverTheLastTwoAxesWithStatistics() throws {
        let x = Tensor(floats: [0, 2, 4, 6, 1, 1, 1, 1], shape: [2, 2, 2])
        let scale = Tensor(floats: [1], shape: [1])
        let outputs = try runNode("LayerNormalization", inputs: [("x", x)], constants: [("s", scale)],
                                  attributes: ["axis": .int(-2), "epsilon": .float(1e-3)], outputs: 3)
        // First block: mean 3, variance 5.
        let inverse = Float(1 / (5 + 1e-3).squareRoot())
        expectClose(outputs[0].floatArray, [-3 * inverse, -inverse, inverse, 3 * inverse, 0, 0, 0, 0])
        #expect(outputs[1].shape == [2, 1, 1])
        expectClose(outputs[1].floatArray, [3, 1])
        expectClose(outputs[2].floatArray, [inverse, Float(1 / 1e-3.squareRoot())], rtol: 1e-4)
    }

    // MARK: LRN

    @Test func lrnSumsSquaresOverNeighbouringChannels() throws {
        // [1,3,1,1], size 3, alpha 0.3, beta 0.75, bias 1: window of channel c is c-1...c+1, alpha divided by 3.
        let x: [Float] = [1, 2, 3]
        let out = try runNode("LRN", inputs: [("x", Tensor(floats: x, shape: [1, 3, 1, 1]))],
                              attributes: ["size": .int(3), "alpha": .float(0.3)])[0]
        let sums: [Double] = [1 + 4, 1 + 4 + 9, 4 + 9]
        let expected = (0..<3).map { Float(Double(x[$0]) / pow(1 + 0.1 * sums[$0], 0.75)) }
        expectClose(out.floatArray, expected)
        let otherBeta = try runNode("LRN", inputs: [("x", Tensor(floats: x, shape: [1, 3, 1, 1]))],
                                    attributes: ["size": .int(2), "alpha": .float(0.2), "beta": .float(0.5),
                                                 "bias": .float(2)])[0]
        // size 2: channels c ... c+1 (⌊1/2⌋ = 0 before, ⌈1/2⌉ = 1 after)
        let pairs: [Double] = [1 + 4, 4 + 9, 9]
        expectClose(otherBeta.floatArray, (0..<3).map { Float(Double(x[$0]) / pow(2 + 0.1 * pairs[$0], 0.5)) })
    }

    // MARK: Softmax

    @Test func softmaxAlongTheLastAxis() throws {
        let x = Tensor(floats: [1, 2, 3, 0, 0, 0], shape: [2, 3])
        let out = try runNode("Softmax", inputs: [("x", x)])[0]
        expectClose(out.floatArray, softmax([1, 2, 3]) + [1.0 / 3, 1.0 / 3, 1.0 / 3], rtol: 1e-6)
    }

    @Test func softmaxAlongAMiddleAxis() throws {
        // [2,3,2] along axis 1: each (n, w) column of three values.
        let values: [Float] = (0..<12).map { Float($0 % 5) * 0.7 }
        let x = Tensor(floats: values, shape: [2, 3, 2])
        let out = try runNode("Softmax", inputs: [("x", x)], attributes: ["axis": .int(1)])[0]
        let expected = softmax(values, outer: 2, axis: 3, inner: 2)
        expectClose(out.floatArray, expected, rtol: 1e-6)
        let log = try runNode("LogSoftmax", inputs: [("x", x)], attributes: ["axis": .int(1)])[0]
        expectClose(log.floatArray, expected.map { Float(Foundation.log(Double($0))) }, rtol: 1e-5)
    }

    @Test func softmaxAlongAMiddleAxisWithWideColumns() throws {
        // [2,5,20] along axis 1: twenty columns per block take the column-vector path.
        let values: [Float] = (0..<200).map { Float(($0 * 7) % 11) * 0.3 - 1 }
        let x = Tensor(floats: values, shape: [2, 5, 20])
        let expected = softmax(values, outer: 2, axis: 5, inner: 20)
        expectClose(try runNode("Softmax", inputs: [("x", x)], attributes: ["axis": .int(-2)])[0].floatArray,
                    expected, rtol: 1e-5)
        let log = try runNode("LogSoftmax", inputs: [("x", x)], attributes: ["axis": .int(1)])[0]
        expectClose(log.floatArray, expected.map { Foundation.log($0) }, rtol: 1e-5)
    }

    @Test func softmaxBeforeOpset13FlattensTheTrailingAxes() throws {
        // [2,2,2] at the default axis 1: each batch's four values form one softmax.
        let values: [Float] = [1, 2, 3, 4, 0, 0, 1, 1]
        let out = try runNode("Softmax", inputs: [("x", Tensor(floats: values, shape: [2, 2, 2]))], opset: 11)[0]
        expectClose(out.floatArray, softmax([1, 2, 3, 4]) + softmax([0, 0, 1, 1]), rtol: 1e-6)
        let log = try runNode("LogSoftmax", inputs: [("x", Tensor(floats: values, shape: [2, 2, 2]))], opset: 11)[0]
        expectClose(log.floatArray, (softmax([1, 2, 3, 4]) + softmax([0, 0, 1, 1])).map { Foundation.log($0) },
                    rtol: 1e-5)
    }

    @Test func softmaxIsStableForLargeValues() throws {
        let out = try runNode("Softmax", inputs: [("x", Tensor(floats: [1000, 1001, -1000], shape: [3]))])[0]
        expectClose(out.floatArray, [0.268_941_42, 0.731_058_6, 0], atol: 1e-7)
        let log = try runNode("LogSoftmax", inputs: [("x", Tensor(floats: [1000, 1001], shape: [2]))])[0]
        expectClose(log.floatArray, [-1.313_261_7, -0.313_261_7])
    }

    @Test func largeSoftmaxSplitOverThreadsSumsToOne() throws {
        let values = (0..<(64 * 257)).map { Float($0 % 13) - 6 }
        let out = try runNode("Softmax", inputs: [("x", Tensor(floats: values, shape: [64, 257]))], threads: 2)[0]
        let result = out.floatArray
        for row in 0..<64 {
            let slice = Array(result[(row * 257)..<((row + 1) * 257)])
            expectClose(slice, softmax(Array(values[(row * 257)..<((row + 1) * 257)])), atol: 1e-7, rtol: 1e-5)
        }
    }

    @Test func softmaxAxisOutOfRangeIsAnError() {
        #expect(throws: InferenceError.self) {
            try runNode("Softmax", inputs: [("x", Tensor(floats: [1, 2], shape: [2]))], attributes: ["axis": .int(2)])
        }
    }
}
