import Foundation
import Testing
@testable import Inference

private func activate(_ op: String, _ values: [Float], attributes: [String: Attribute] = [:], opset: Int = 17,
                      threads: Int = 1) throws -> [Float] {
    let x = Tensor(floats: values, shape: [values.count])
    return try runNode(op, inputs: [("x", x)], attributes: attributes, opset: opset, threads: threads)[0].floatArray
}

@Suite struct ActivationTests {
    @Test func reluZeroesNegatives() throws {
        #expect(try activate("Relu", [-1, 0, 2, -0.5, 3, -7, 8, 9, -10]) == [0, 0, 2, 0, 3, 0, 8, 9, 0])
        let ints = try runNode("Relu", inputs: [("x", Tensor(int64s: [-3, 4], shape: [2]))])[0]
        #expect(ints.int64Array == [0, 4])
    }

    // MARK: Clip

    @Test func clipWithMinAndMaxInputs() throws {
        let x = Tensor(floats: [-1, 3, 7, 6], shape: [4])
        let out = try runNode("Clip", inputs: [("x", x)], constants: [("lo", .scalar(0)), ("hi", .scalar(6))])[0]
        #expect(out.floatArray == [0, 3, 6, 6])
    }

    @Test func clipWithOneBoundLeftOut() throws {
        let x = Tensor(floats: [-1, 0.5, 2], shape: [3])
        let maxOnly = try runNode("Clip", inputOrder: ["x", "", "hi"], inputs: [("x", x)],
                                  constants: [("hi", .scalar(1.5))])[0]
        #expect(maxOnly.floatArray == [-1, 0.5, 1.5])
        let minOnly = try runNode("Clip", inputOrder: ["x", "lo"], inputs: [("x", x)],
                                  constants: [("lo", .scalar(-0.5))])[0]
        #expect(minOnly.floatArray == [-0.5, 0.5, 2])
        let neither = try runNode("Clip", inputs: [("x", x)])[0]
        #expect(neither.floatArray == [-1, 0.5, 2])
    }

    @Test func clipWithBoundsComputedAtRunTime() throws {
        let x = Tensor(floats: [-5, 0, 5], shape: [3])
        let out = try runNode("Clip", inputs: [("x", x), ("lo", .scalar(-1)), ("hi", .scalar(2))])[0]
        #expect(out.floatArray == [-1, 0, 2])
    }

    @Test func clipBeforeOpset11ReadsAttributes() throws {
        let out = try activate("Clip", [-2, 0.5, 9], attributes: ["min": .float(0), "max": .float(6)], opset: 6)
        #expect(out == [0, 0.5, 6])
        let maxOnly = try activate("Clip", [-2, 0.5, 9], attributes: ["max": .float(1)], opset: 6)
        #expect(maxOnly == [-2, 0.5, 1])
    }

    @Test func clipWithMinAboveMaxGivesMax() throws {
        let x = Tensor(floats: [-1, 4, 10], shape: [3])
        let out = try runNode("Clip", inputs: [("x", x)], constants: [("lo", .scalar(5)), ("hi", .scalar(3))])[0]
        #expect(out.floatArray == [3, 3, 3])
    }

    @Test func clipOfInt64() throws {
        let x = Tensor(int64s: [-9, 2, 100], shape: [3])
        let out = try runNode("Clip", inputs: [("x", x)],
                              constants: [("lo", Tensor(int64s: [0], shape: [])),
                                          ("hi", Tensor(int64s: [10], shape: []))])[0]
        #expect(out.int64Array == [0, 2, 10])
    }

    @Test func clipBoundMustBeOneValue() {
        let x = Tensor(floats: [1], shape: [1])
        #expect(throws: InferenceError.self) {
            try runNode("Clip", inputs: [("x", x)], constants: [("lo", Tensor(floats: [0, 1], shape: [2]))])
        }
    }

    // MARK: Smooth activations

    @Test func leakyReluUsesAlpha() throws {
        #expect(try activate("LeakyRelu", [-100, 0, 3]) == [-1, 0, 3])
        #expect(try activate("LeakyRelu", [-2, 5], attributes: ["alpha": .float(0.1)]) == [-0.2, 5])
    }

    @Test func sigmoidMatchesTheFormula() throws {
        let values: [Float] = [0, 2, -2, 0.3, -5, 10, -100, 100, 1e-4]
        let expected = values.map { Float(1 / (1 + exp(-Double($0)))) }
        expectClose(try activate("Sigmoid", values), expected, atol: 1e-7, rtol: 1e-6)
    }

    @Test func tanhMatchesTheFormula() throws {
        let values: [Float] = [0, 0.1, -0.29, 0.31, 1, -3, 20, -1e-3, 0.6]
        expectClose(try activate("Tanh", values), values.map { Float(tanh(Double($0))) }, atol: 1e-7, rtol: 1e-6)
    }

    @Test func erfIsAccurateToOneMillionth() throws {
        let values = (0...1200).map { Float($0 - 600) / 100 }
        let out = try activate("Erf", values)
        for (x, y) in zip(values, out) {
            #expect(abs(Double(y) - erf(Double(x))) < 1e-6, "erf(\(x)) = \(y)")
        }
    }

    @Test func geluExactAndTanhForms() throws {
        let values: [Float] = [-3, -1, -0.2, 0, 0.5, 1, 2, 4]
        let exact = values.map { x in Float(0.5 * Double(x) * (1 + erf(Double(x) / 2.0.squareRoot()))) }
        expectClose(try activate("Gelu", values, opset: 20), exact, atol: 1e-6)
        let approximate = values.map { x -> Float in
            let d = Double(x)
            return Float(0.5 * d * (1 + tanh((2 / Double.pi).squareRoot() * (d + 0.044715 * d * d * d))))
        }
        expectClose(try activate("Gelu", values, attributes: ["approximate": .string("tanh")], opset: 20),
                    approximate, atol: 1e-6)
        #expect(throws: InferenceError.self) {
            try activate("Gelu", values, attributes: ["approximate": .string("fast")], opset: 20)
        }
    }

    @Test func hardSwishAndHardSigmoid() throws {
        expectClose(try activate("HardSwish", [-4, -1, 0, 1, 4]), [0, -1.0 / 3, 0, 2.0 / 3, 4])
        expectClose(try activate("HardSigmoid", [-3, 0, 1, 3]), [0, 0.5, 0.7, 1])
        expectClose(try activate("HardSigmoid", [-2, 0, 1], attributes: ["alpha": .float(0.3), "beta": .float(0.4)]),
                    [0, 0.4, 0.7])
    }

    @Test func exponentialFamily() throws {
        let values: [Float] = [-2, -0.5, 0, 1.5]
        expectClose(try activate("Elu", values), values.map { $0 < 0 ? Float(exp(Double($0)) - 1) : $0 })
        expectClose(try activate("Elu", values, attributes: ["alpha": .float(2)]),
                    values.map { $0 < 0 ? Float(2 * (exp(Double($0)) - 1)) : $0 })
        let alpha = 1.67326319217681884765625, gamma = 1.05070102214813232421875
        expectClose(try activate("Selu", values),
                    values.map { Float($0 > 0 ? gamma * Double($0) : gamma * alpha * (exp(Double($0)) - 1)) })
        expectClose(try activate("Celu", values, attributes: ["alpha": .float(2)]),
                    values.map { Float(max(0, Double($0)) + min(0, 2 * (exp(Double($0) / 2) - 1))) })
    }

    @Test func softplusSoftsignThresholdedReluMish() throws {
        let values: [Float] = [-100, -1, 0, 2, 100]
        expectClose(try activate("Softplus", values), values.map { Float(log1p(exp(Double($0)))) })
        expectClose(try activate("Softsign", values), values.map { $0 / (1 + abs($0)) })
        #expect(try activate("ThresholdedRelu", [0.5, 1, 1.5]) == [0, 0, 1.5])
        expectClose(try activate("Mish", [-1, 0, 2]),
                    [-1.0, 0, 2].map { (x: Double) -> Float in Float(x * tanh(log1p(exp(x)))) })
    }

    @Test func preluBroadcastsAPerChannelSlope() throws {
        let x = Tensor(floats: [-1, 2, -3, 4, -5, 6, -7, 8], shape: [1, 2, 2, 2])
        let slope = Tensor(floats: [0.5, 2], shape: [2, 1, 1])
        let out = try runNode("PRelu", inputs: [("x", x)], constants: [("slope", slope)])[0]
        #expect(out.floatArray == [-0.5, 2, -1.5, 4, -10, 6, -14, 8])
        let bad = Tensor(floats: [1, 1, 1], shape: [3])
        #expect(throws: InferenceError.self) { try runNode("PRelu", inputs: [("x", x)], constants: [("s", bad)]) }
    }

    @Test func largeActivationsSplitOverThreadsMatchTheFormula() throws {
        let values = (0..<50_003).map { Float($0 % 200 - 100) / 10 }
        let out = try activate("Sigmoid", values, threads: 2)
        expectClose(out, values.map { Float(1 / (1 + exp(-Double($0)))) }, atol: 1e-7, rtol: 1e-6)
    }

    @Test func vectorExpIsAccurateOverTheFloatRange() {
        let values = (0..<4001).map { Float($0) * 0.04375 - 87 }
        var out = [Float](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { y in ActivationMath.exp(x.baseAddress!, y.baseAddress!, x.count) }
        }
        expectClose(out, values.map { Float(exp(Double($0))) }, atol: 0, rtol: 1e-6)
        let special: [Float] = [.nan, .infinity, -.infinity, 89]
        var specialOut = [Float](repeating: 0, count: 4)
        special.withUnsafeBufferPointer { x in
            specialOut.withUnsafeMutableBufferPointer { y in ActivationMath.exp(x.baseAddress!, y.baseAddress!, 4) }
        }
        #expect(specialOut[0].isNaN && specialOut[1] == .infinity)
        #expect(specialOut[2] < 1e-30 && specialOut[3] == .infinity)
    }
}
