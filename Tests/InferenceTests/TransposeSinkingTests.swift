import Testing
@testable import Inference

/// Channels-last graphs (TensorFlow's NHWC) wrap each convolution in layout Transposes; the optimiser makes the
/// pairs between layers cancel, and the results stay those of the graph as written.
@Suite struct TransposeSinkingTests {
    static let toNCHW = Attribute.ints([0, 3, 1, 2])
    static let toNHWC = Attribute.ints([0, 2, 3, 1])
    let x = Tensor(floats: pseudoRandom(2 * 6 * 6 * 3, seed: 21), shape: [2, 6, 6, 3])

    func transpose(_ name: String, _ input: String, _ output: String, _ perm: Attribute) -> Node {
        Node(name: name, opType: "Transpose", inputs: [input], outputs: [output], attributes: ["perm": perm])
    }

    func conv(_ name: String, _ input: String, _ weights: String, _ output: String) -> Node {
        Node(name: name, opType: "Conv", inputs: [input, weights], outputs: [output],
             attributes: ["pads": .ints([1, 1, 1, 1])])
    }

    func run(_ nodes: [Node], constants: [String: Tensor], inputs: [(String, Tensor)],
             outputs: [String] = ["y"]) throws -> (plain: [Tensor], optimized: [Tensor], ops: [String: Int]) {
        let graph = Graph(sourceFile: "test", format: "test", opset: 17, nodes: nodes,
                          inputs: inputs.map { ValueInfo(name: $0.0, elementType: .float32, shape: nil) },
                          outputs: outputs.map { ValueInfo(name: $0, elementType: .float32, shape: nil) },
                          initializers: constants)
        let plain = try Model(graph: graph, options: ModelOptions(optimize: false))
        let optimized = try Model(graph: graph)
        return (try plain.run(inputs.map(\.1)), try optimized.run(inputs.map(\.1)),
                optimized.metadata.optimizedOperatorCounts)
    }

    @Test func theTransposesBetweenTwoConvolutionsCancel() throws {
        // NHWC in: conv, bias [C], ReLU, then two branches: a zero Pad (NHWC pads), conv and a Slice (which keeps
        // its layout), and a conv; their Add, and the mean over H, W.
        let nodes = [
            transpose("in", "x", "xc", Self.toNCHW),
            conv("conv1", "xc", "w1", "c1"), transpose("out1", "c1", "h1", Self.toNHWC),
            Node(name: "bias", opType: "Add", inputs: ["h1", "b1"], outputs: ["a1"]),
            Node(name: "relu", opType: "Relu", inputs: ["a1"], outputs: ["r1"]),
            Node(name: "pad", opType: "Pad", inputs: ["r1", "pads"], outputs: ["p1"]),
            transpose("in2", "p1", "pc", Self.toNCHW),
            conv("conv2", "pc", "w2", "c2"), transpose("out2", "c2", "h2", Self.toNHWC),
            transpose("in3", "r1", "rc", Self.toNCHW),
            conv("conv3", "rc", "w3", "c3"), transpose("out3", "c3", "h3", Self.toNHWC),
            Node(name: "slice", opType: "Slice", inputs: ["h2", "starts", "ends", "axes"], outputs: ["s2"]),
            Node(name: "sum", opType: "Add", inputs: ["s2", "h3"], outputs: ["t"]),
            Node(name: "mean", opType: "ReduceMean", inputs: ["t"], outputs: ["y"],
                 attributes: ["axes": .ints([1, 2]), "keepdims": .int(0)]),
        ]
        let constants: [String: Tensor] = [
            "w1": Tensor(floats: pseudoRandom(4 * 3 * 9, seed: 22), shape: [4, 3, 3, 3]),
            "b1": Tensor(floats: pseudoRandom(4, seed: 23), shape: [4]),
            "pads": Tensor(int64s: [0, 1, 1, 0, 0, 1, 1, 0], shape: [8]),
            "w2": Tensor(floats: pseudoRandom(5 * 4 * 9, seed: 24), shape: [5, 4, 3, 3]),
            "w3": Tensor(floats: pseudoRandom(5 * 4 * 9, seed: 25), shape: [5, 4, 3, 3]),
            "starts": Tensor(int64s: [1, 1], shape: [2]), "ends": Tensor(int64s: [7, 7], shape: [2]),
            "axes": Tensor(int64s: [1, 2], shape: [2]),
        ]
        let result = try run(nodes, constants: constants, inputs: [("x", x)])
        // The input's Transpose stays (the model takes NHWC); the Slice keeps one pair before the Add.
        #expect(result.ops["Transpose", default: 0] <= 3)
        #expect(result.plain[0].shape == [2, 5])
        expectClose(result.optimized[0].floatArray, result.plain[0].floatArray)
    }

    @Test func aChainOfLayoutFreeOperatorsEndsInOneInputTranspose() throws {
        let nodes = [
            transpose("in", "x", "xc", Self.toNCHW),
            conv("conv1", "xc", "w1", "c1"), transpose("out1", "c1", "h1", Self.toNHWC),
            Node(name: "scale", opType: "Mul", inputs: ["h1", "s"], outputs: ["m"]),
            Node(name: "clip", opType: "Clip", inputs: ["m", "lo", "hi"], outputs: ["r"]),
            transpose("in2", "r", "rc", Self.toNCHW),
            conv("conv2", "rc", "w2", "c2"), transpose("out2", "c2", "y", Self.toNHWC),
        ]
        let constants: [String: Tensor] = [
            "w1": Tensor(floats: pseudoRandom(4 * 3 * 9, seed: 22), shape: [4, 3, 3, 3]),
            "s": Tensor(floats: pseudoRandom(4, seed: 26), shape: [4]),
            "lo": .scalar(0), "hi": .scalar(6),
            "w2": Tensor(floats: pseudoRandom(5 * 4 * 9, seed: 24), shape: [5, 4, 3, 3]),
        ]
        let result = try run(nodes, constants: constants, inputs: [("x", x)])
        #expect(result.ops["Transpose"] == 2)  // the input's and the output's: the model's own layout
        #expect(result.ops["Mul"] == nil && result.ops["Clip"] == nil)  // folded into conv1 once the layout is one
        expectClose(result.optimized[0].floatArray, result.plain[0].floatArray)
    }

    @Test func aPadOfTheInputMovesBelowItsTransposeAndIntoTheConvolution() throws {
        let nodes = [
            Node(name: "pad", opType: "Pad", inputs: ["x", "pads"], outputs: ["p"]),  // NHWC: H and W
            transpose("in", "p", "pc", Self.toNCHW),
            conv("conv", "pc", "w", "y"),
        ]
        let constants: [String: Tensor] = [
            "pads": Tensor(int64s: [0, 1, 0, 0, 0, 0, 2, 0], shape: [8]),
            "w": Tensor(floats: pseudoRandom(4 * 3 * 9, seed: 27), shape: [4, 3, 3, 3]),
        ]
        let result = try run(nodes, constants: constants, inputs: [("x", x)])
        #expect(result.ops == ["Transpose": 1, "Conv": 1])
        expectClose(result.optimized[0].floatArray, result.plain[0].floatArray)
    }
}
