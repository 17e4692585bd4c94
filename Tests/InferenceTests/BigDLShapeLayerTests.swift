import Foundation
import Testing
@testable import Inference

/// BigDL's shape, table, reduction and lookup modules alone, with hand-worked values.
@Suite struct BigDLShapeLayerTests {
    typealias M = BigDLTestModel

    private func run(_ modules: [Bigdl_BigDLModule], _ input: Tensor) throws -> Tensor {
        try BigDLTestModel().run(M.sequential(modules), input)
    }

    @Test func viewKeepsTheBatch() throws {
        let output = try run([M.module("View", ["sizes": M.ints([6])])], bigDLRamp([2, 2, 3]))
        #expect(output.shape == [2, 6])
        expectClose(output.floatArray, bigDLRamp([12]).floatArray)
    }

    @Test func reshapeInBatchModeAndNot() throws {
        let batched = try run([M.module("Reshape", ["size": M.ints([3, 2]), "batchMode": M.int(0)])], bigDLRamp([2, 6]))
        #expect(batched.shape == [2, 3, 2])
        let whole = try run([M.module("Reshape", ["size": M.ints([4, 3]), "batchMode": M.int(1)])], bigDLRamp([2, 6]))
        #expect(whole.shape == [4, 3])
    }

    @Test func squeezeAndUnsqueezeCountFromOne() throws {
        let squeezed = try run([M.module("Squeeze", ["dims": M.ints([2]), "batchMode": M.bool(false)])],
                               bigDLRamp([2, 1, 3]))
        #expect(squeezed.shape == [2, 3])
        // In batch mode the dims skip the batch dimension.
        let batchMode = try run([M.module("Squeeze", ["dims": M.ints([1]), "batchMode": M.bool(true)])],
                                bigDLRamp([2, 1, 3]))
        #expect(batchMode.shape == [2, 3])
        let unsqueezed = try run([M.module("Unsqueeze", ["pos": M.ints([2]), "numInputDims": M.int(Int(Int32.min))])],
                                 bigDLRamp([2, 3]))
        #expect(unsqueezed.shape == [2, 1, 3])
    }

    @Test func transposeSwapsPairsInOrder() throws {
        var model = BigDLTestModel()
        // Linear (identity weights) first, so the rank is known.
        let identity = M.module("Linear", ["inputSize": M.int(3), "outputSize": M.int(3), "withBias": M.bool(false)],
                                parameters: [model.tensor([1, 0, 0, 0, 1, 0, 0, 0, 1], [3, 3])])
        let transpose = M.module("Transpose", ["size": M.int(1), "permutation_0": M.ints([1, 2])])
        let output = try model.run(M.sequential([identity, transpose]), bigDLRamp([2, 3]))
        #expect(output.shape == [3, 2])
        expectClose(output.floatArray, [1, 4, 2, 5, 3, 6])
    }

    @Test func transposeOfAnUnknownRankIsRefused() {
        let top = M.sequential([M.module("Transpose", name: "t", ["size": M.int(1), "permutation_0": M.ints([1, 2])])])
        #expect(throws: InferenceError.self) { _ = try BigDLTestModel().load(top) }
    }

    @Test func tablesFromAGraph() throws {
        let model = BigDLTestModel()
        let top = M.graph([
            M.module("Input", name: "a"), M.module("Input", name: "b"),
            M.module("JoinTable", name: "joined", ["dimension": M.int(2), "nInputDims": M.int(0)], pre: ["a", "b"]),
            M.module("CAddTable", name: "sum", pre: ["a", "b"]),
            M.module("CMulTable", name: "product", pre: ["a", "b"]),
        ], inputs: ["a", "b"], outputs: ["joined", "sum", "product"])
        let graph = try model.load(top)
        #expect(graph.inputs.map(\.name) == ["a", "b"])
        #expect(graph.outputs.map(\.name) == ["joined", "sum", "product"])
        let outputs = try model.run(top, [Tensor(floats: [1, 2], shape: [1, 2]), Tensor(floats: [3, 5], shape: [1, 2])])
        #expect(outputs[0].shape == [1, 4])
        expectClose(outputs[0].floatArray, [1, 2, 3, 5])
        expectClose(outputs[1].floatArray, [4, 7])
        expectClose(outputs[2].floatArray, [3, 10])
    }

    @Test func splitTableThenAdd() throws {
        var model = BigDLTestModel()
        let identity = M.module("Linear", ["inputSize": M.int(3), "outputSize": M.int(3), "withBias": M.bool(false)],
                                parameters: [model.tensor([1, 0, 0, 0, 1, 0, 0, 0, 1], [3, 3])])
        let split = M.module("SplitTable", ["dimension": M.int(2), "nInputDims": M.int(-1), "keepDim": M.bool(false)])
        let output = try model.run(M.sequential([identity, split, M.module("CAddTable")]), bigDLRamp([2, 3]))
        #expect(output.shape == [2])
        expectClose(output.floatArray, [6, 15])
    }

    @Test func splitTableOfAnUnknownSizeIsRefused() {
        let top = M.sequential([M.module("SplitTable", name: "split", ["dimension": M.int(2)])])
        #expect(throws: InferenceError.self) { _ = try BigDLTestModel().load(top) }
    }

    @Test func meanAndSum() throws {
        let mean = try run([M.module("Mean", ["dimension": M.int(2), "nInputDims": M.int(-1),
                                              "squeeze": M.bool(true)])], bigDLRamp([2, 3]))
        #expect(mean.shape == [2])
        expectClose(mean.floatArray, [2, 5])
        // nInputDims 1 on a 2-D input: dimension 1 of each sample, so dimension 2 of the batch.
        let sum = try run([M.module("Sum", ["dimension": M.int(1), "nInputDims": M.int(1), "sizeAverage": M.bool(false),
                                            "squeeze": M.bool(false)])], bigDLRamp([2, 3]))
        #expect(sum.shape == [2, 1])
        expectClose(sum.floatArray, [6, 15])
    }

    @Test func normalizeByTheLpNorm() throws {
        let two = try run([M.module("Normalize", ["p": M.double(2), "eps": M.double(0)])],
                          Tensor(floats: [3, 4], shape: [1, 2]))
        expectClose(two.floatArray, [0.6, 0.8])
        let one = try run([M.module("Normalize", ["p": M.double(1), "eps": M.double(0)])],
                          Tensor(floats: [3, -4], shape: [1, 2]))
        expectClose(one.floatArray, [3.0 / 7, -4.0 / 7])
        let three = try run([M.module("Normalize", ["p": M.double(3), "eps": M.double(0)])],
                            Tensor(floats: [1, -2], shape: [1, 2]))
        let norm = Float(Foundation.pow(9.0, 1.0 / 3))
        expectClose(three.floatArray, [1 / norm, -2 / norm])
        // p = Double.MaxValue is the max norm.
        let maximum = try run([M.module("Normalize", ["p": M.double(.greatestFiniteMagnitude), "eps": M.double(0)])],
                              Tensor(floats: [3, -4], shape: [1, 2]))
        expectClose(maximum.floatArray, [0.75, -1])
    }

    @Test func lookupTableIndicesAreOneBased() throws {
        var model = BigDLTestModel()
        let top = M.sequential([M.module("LookupTable", ["nIndex": M.int(3), "nOutput": M.int(2),
                                                          "maxNorm": M.double(.greatestFiniteMagnitude)],
                                         parameters: [model.tensor([1, 2, 3, 4, 5, 6], [3, 2])])])
        let output = try model.run(top, Tensor(floats: [1, 3, 2, 2], shape: [2, 2]))
        #expect(output.shape == [2, 2, 2])
        expectClose(output.floatArray, [1, 2, 5, 6, 3, 4, 3, 4])
    }

    @Test func identityAndDropoutPassThrough() throws {
        let output = try run([M.module("Dropout", ["initP": M.double(0.5)]), M.module("Identity")], bigDLRamp([2, 2]))
        expectClose(output.floatArray, [1, 2, 3, 4])
    }
}
