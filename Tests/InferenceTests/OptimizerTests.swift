import Testing
@testable import Inference

/// The load-time rewrites keep results the same and remove the nodes they fold.
@Suite struct OptimizerTests {
    let x = Tensor(floats: pseudoRandom(2 * 3 * 6 * 6, seed: 11), shape: [2, 3, 6, 6])
    let weights = Tensor(floats: pseudoRandom(4 * 3 * 3 * 3, seed: 12), shape: [4, 3, 3, 3])
    let bias = Tensor(floats: pseudoRandom(4, seed: 13), shape: [4])

    func batchNormConstants() -> [(String, Tensor)] {
        [("gamma", Tensor(floats: [1.5, 0.5, -1, 2], shape: [4])), ("beta", Tensor(floats: [0.1, -0.2, 0.3, 0], shape: [4])),
         ("mean", Tensor(floats: [0.2, -0.1, 0, 0.5], shape: [4])), ("var", Tensor(floats: [0.9, 1.2, 0.3, 2], shape: [4]))]
    }

    /// Runs the graph with and without optimisation; returns both results and the optimised op counts.
    func compare(_ nodes: [Node], constants: [(String, Tensor)], inputs: [(String, Tensor)]? = nil,
                 outputs: [String] = ["y"]) throws -> (plain: [Tensor], optimized: [Tensor], ops: [String: Int]) {
        let inputs = inputs ?? [("x", x)]
        let graph = Graph(sourceFile: "test", format: "test", opset: 17, nodes: nodes,
                          inputs: inputs.map { ValueInfo(name: $0.0, elementType: .float32, shape: nil) },
                          outputs: outputs.map { ValueInfo(name: $0, elementType: .float32, shape: nil) },
                          initializers: Dictionary(uniqueKeysWithValues: constants))
        let plain = try Model(graph: graph, options: ModelOptions(optimize: false))
        let optimized = try Model(graph: graph)
        return (try plain.run(inputs.map(\.1)), try optimized.run(inputs.map(\.1)),
                optimized.metadata.optimizedOperatorCounts)
    }

    @Test func batchNormalizationAndReluFoldIntoTheConvolution() throws {
        let nodes = [
            Node(name: "conv", opType: "Conv", inputs: ["x", "w", "b"], outputs: ["c"], attributes: ["pads": .ints([1, 1, 1, 1])]),
            Node(name: "bn", opType: "BatchNormalization", inputs: ["c", "gamma", "beta", "mean", "var"], outputs: ["n"]),
            Node(name: "relu", opType: "Relu", inputs: ["n"], outputs: ["y"]),
        ]
        let result = try compare(nodes, constants: [("w", weights), ("b", bias)] + batchNormConstants())
        #expect(result.ops == ["Conv": 1])
        expectClose(result.optimized[0].floatArray, result.plain[0].floatArray)
        #expect(result.plain[0].floatArray.contains(0))  // the ReLU did clip something
    }

    @Test func residualAddAndClipFuseIntoTheConvolution() throws {
        let nodes = [
            Node(name: "conv", opType: "Conv", inputs: ["x", "w"], outputs: ["c"],
                 attributes: ["pads": .ints([1, 1, 1, 1]), "kernel_shape": .ints([3, 3])]),
            Node(name: "add", opType: "Add", inputs: ["c", "skip"], outputs: ["s"]),
            Node(name: "clip", opType: "Clip", inputs: ["s", "lo", "hi"], outputs: ["y"]),
        ]
        let skip = Tensor(floats: pseudoRandom(2 * 4 * 6 * 6, seed: 14), shape: [2, 4, 6, 6])
        let result = try compare(nodes, constants: [("w", weights), ("lo", .scalar(0)), ("hi", .scalar(0.5))],
                                 inputs: [("x", x), ("skip", skip)])
        #expect(result.ops == ["Conv": 1])
        expectClose(result.optimized[0].floatArray, result.plain[0].floatArray)
    }

    @Test func aZeroPadBeforeAndAPerChannelMulAndSubAfterFoldIntoTheConvolution() throws {
        let nodes = [
            Node(name: "pad", opType: "Pad", inputs: ["x", "pads"], outputs: ["p"]),
            Node(name: "conv", opType: "Conv", inputs: ["p", "w"], outputs: ["c"],
                 attributes: ["pads": .ints([0, 1, 0, 0]), "strides": .ints([2, 2])]),
            Node(name: "mul", opType: "Mul", inputs: ["c", "scale"], outputs: ["m"]),
            Node(name: "sub", opType: "Sub", inputs: ["m", "scale"], outputs: ["y"]),
        ]
        let pads = Tensor(int64s: [0, 0, 1, 0, 0, 0, 1, 2], shape: [8])
        let result = try compare(nodes, constants: [("w", weights), ("pads", pads),
                                                    ("scale", bias.reshaped([1, 4, 1, 1]))])
        #expect(result.ops == ["Conv": 1])
        expectClose(result.optimized[0].floatArray, result.plain[0].floatArray)
    }

    @Test func aPadOfAnotherValueOrOverChannelsStays() throws {
        for (pads, value) in [([0, 0, 1, 1, 0, 0, 1, 1], Float(1)), ([0, 1, 0, 0, 0, 1, 0, 0], Float(0))] {
            let nodes = [
                Node(name: "pad", opType: "Pad", inputs: ["x", "pads", "value"], outputs: ["p"]),
                Node(name: "conv", opType: "Conv", inputs: ["p", "w"], outputs: ["y"]),
            ]
            let padded = pads[1] == 1 ? Tensor(floats: pseudoRandom(4 * 5 * 9, seed: 15), shape: [4, 5, 3, 3]) : weights
            let result = try compare(nodes, constants: [("w", padded), ("value", .scalar(value)),
                                                        ("pads", Tensor(int64s: pads.map(Int64.init), shape: [8]))])
            #expect(result.ops["Pad"] == 1)
            expectClose(result.optimized[0].floatArray, result.plain[0].floatArray)
        }
    }

    @Test func aZeroPadOfAReLUOutputFoldsIntoTheMaxPoolAndNoOtherDoes() throws {
        for activation in ["Relu", "Tanh"] {
            let nodes = [
                Node(name: "conv", opType: "Conv", inputs: ["x", "w"], outputs: ["c"]),
                Node(name: "act", opType: activation, inputs: ["c"], outputs: ["r"]),
                Node(name: "pad", opType: "Pad", inputs: ["r", "pads"], outputs: ["p"]),
                Node(name: "pool", opType: "MaxPool", inputs: ["p"], outputs: ["y"],
                     attributes: ["kernel_shape": .ints([3, 3]), "strides": .ints([2, 2])]),
            ]
            let result = try compare(nodes, constants: [("w", weights),
                                                        ("pads", Tensor(int64s: [0, 0, 1, 1, 0, 0, 1, 1], shape: [8]))])
            #expect(result.ops["Pad"] == (activation == "Relu" ? nil : 1), "\(activation)")
            expectClose(result.optimized[0].floatArray, result.plain[0].floatArray)
        }
    }

    @Test func constantBiasAddFoldsIntoTheConvolution() throws {
        let nodes = [
            Node(name: "conv", opType: "Conv", inputs: ["x", "w"], outputs: ["c"]),
            Node(name: "add", opType: "Add", inputs: ["c", "perChannel"], outputs: ["y"]),
        ]
        let result = try compare(nodes, constants: [("w", weights), ("perChannel", bias.reshaped([1, 4, 1, 1]))])
        #expect(result.ops == ["Conv": 1])
        expectClose(result.optimized[0].floatArray, result.plain[0].floatArray)
    }

    @Test func matmulTakesItsBiasAndActivation() throws {
        let input = Tensor(floats: pseudoRandom(2 * 5 * 3, seed: 15), shape: [2, 5, 3])
        let nodes = [
            Node(name: "mm", opType: "MatMul", inputs: ["x", "w"], outputs: ["m"]),
            Node(name: "add", opType: "Add", inputs: ["m", "b"], outputs: ["a"]),
            Node(name: "sig", opType: "Sigmoid", inputs: ["a"], outputs: ["y"]),
        ]
        let result = try compare(nodes, constants: [("w", Tensor(floats: pseudoRandom(12, seed: 16), shape: [3, 4])), ("b", bias)],
                                 inputs: [("x", input)])
        #expect(result.ops == ["MatMul": 1])
        expectClose(result.optimized[0].floatArray, result.plain[0].floatArray)
    }

    @Test func constantSubgraphsAreFoldedAtLoad() throws {
        let nodes = [
            Node(name: "shape", opType: "Constant", inputs: [], outputs: ["s"],
                 attributes: ["value": .tensor(Tensor(int64s: [4, 3, 3, 3], shape: [4]))]),
            Node(name: "reshape", opType: "Reshape", inputs: ["flat", "s"], outputs: ["w"]),
            Node(name: "conv", opType: "Conv", inputs: ["x", "w"], outputs: ["y"]),
        ]
        let result = try compare(nodes, constants: [("flat", weights.reshaped([108]))])
        #expect(result.ops == ["Conv": 1])
        expectClose(result.optimized[0].floatArray, result.plain[0].floatArray)
    }

    @Test func aValueWithTwoReadersIsNotFused() throws {
        let nodes = [
            Node(name: "conv", opType: "Conv", inputs: ["x", "w"], outputs: ["c"]),
            Node(name: "relu", opType: "Relu", inputs: ["c"], outputs: ["y"]),
            Node(name: "neg", opType: "Sigmoid", inputs: ["c"], outputs: ["z"]),
        ]
        let result = try compare(nodes, constants: [("w", weights)], outputs: ["y", "z"])
        #expect(result.ops == ["Conv": 1, "Relu": 1, "Sigmoid": 1])
        expectClose(result.optimized[1].floatArray, result.plain[1].floatArray)
    }

    @Test func aGraphOutputIsNotFusedAway() throws {
        let nodes = [
            Node(name: "conv", opType: "Conv", inputs: ["x", "w"], outputs: ["c"]),
            Node(name: "relu", opType: "Relu", inputs: ["c"], outputs: ["y"]),
        ]
        let result = try compare(nodes, constants: [("w", weights)], outputs: ["c", "y"])
        #expect(result.ops == ["Conv": 1, "Relu": 1])
        expectClose(result.optimized[0].floatArray, result.plain[0].floatArray)
    }
}
