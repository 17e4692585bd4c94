import Foundation
import Testing
@testable import Inference

private func axes(_ values: [Int64]) -> Tensor { Tensor(int64s: values, shape: [values.count]) }

/// [2,3,2] with x[i,j,k] = 6i + 2j + k + 1.
private let cube = Tensor(floats: (1...12).map { Float($0) }, shape: [2, 3, 2])

@Suite struct ReductionTests {
    // MARK: Axes forms

    @Test func reduceSumWithAxesAttributeBeforeOpset13() throws {
        let x = Tensor(floats: [1, 2, 3, 4, 5, 6], shape: [2, 3])
        let out = try runNode("ReduceSum", inputs: [("x", x)], attributes: ["axes": .ints([1])], opset: 11)[0]
        #expect(out.shape == [2, 1])
        #expect(out.floatArray == [6, 15])
    }

    @Test func reduceSumWithAxesInputFromOpset13() throws {
        let x = Tensor(floats: [1, 2, 3, 4, 5, 6], shape: [2, 3])
        let out = try runNode("ReduceSum", inputs: [("x", x)], constants: [("axes", axes([0]))],
                              attributes: ["keepdims": .int(0)], opset: 13)[0]
        #expect(out.shape == [3])
        #expect(out.floatArray == [5, 7, 9])
        let runtime = try runNode("ReduceSum", inputs: [("x", x), ("axes", axes([-1]))],
                                  attributes: ["keepdims": .int(0)], opset: 13)[0]
        #expect(runtime.shape == [2] && runtime.floatArray == [6, 15])
    }

    @Test func reduceMeanWithAxesInputFromOpset18() throws {
        let out = try runNode("ReduceMean", inputs: [("x", cube)], constants: [("axes", axes([2]))], opset: 18)[0]
        #expect(out.shape == [2, 3, 1])
        #expect(out.floatArray == [1.5, 3.5, 5.5, 7.5, 9.5, 11.5])
        let attribute = try runNode("ReduceMean", inputs: [("x", cube)], attributes: ["axes": .ints([-1])],
                                    opset: 13)[0]
        #expect(attribute.floatArray == out.floatArray)
    }

    @Test func reduceOverNonAdjacentAxes() throws {
        // axes [0, 2] of [2,3,2]: out[j] = mean over i, k of 6i + 2j + k + 1 = 2j + 4.5
        let out = try runNode("ReduceMean", inputs: [("x", cube)], attributes: ["axes": .ints([0, 2]),
                                                                             "keepdims": .int(0)])[0]
        #expect(out.shape == [3])
        expectClose(out.floatArray, [4.5, 6.5, 8.5])
        let sum = try runNode("ReduceSum", inputs: [("x", cube)], constants: [("axes", axes([2, 0]))])[0]
        #expect(sum.shape == [1, 3, 1])
        #expect(sum.floatArray == [18, 26, 34])
    }

    @Test func emptyAxesReduceEverythingUnlessNoop() throws {
        let all = try runNode("ReduceMax", inputs: [("x", cube)], attributes: ["keepdims": .int(0)])[0]
        #expect(all.shape == [] && all.floatArray == [12])
        let kept = try runNode("ReduceSum", inputs: [("x", cube)], opset: 13)[0]
        #expect(kept.shape == [1, 1, 1] && kept.floatArray == [78])
        let emptyInput = try runNode("ReduceSum", inputs: [("x", cube)], constants: [("axes", axes([]))],
                                     opset: 13)[0]
        #expect(emptyInput.floatArray == [78])
        let noop = try runNode("ReduceSum", inputs: [("x", cube)], attributes: ["noop_with_empty_axes": .int(1)],
                               opset: 13)[0]
        #expect(noop.shape == [2, 3, 2] && noop.floatArray == cube.floatArray)
    }

    @Test func axisOutOfRangeIsAnError() {
        #expect(throws: InferenceError.self) {
            try runNode("ReduceSum", inputs: [("x", cube)], attributes: ["axes": .ints([3])], opset: 11)
        }
    }

    // MARK: Kinds

    @Test func everyReductionKind() throws {
        let x = Tensor(floats: [1, -2, 3, 4, 0.5, -1], shape: [2, 3])
        func reduce(_ op: String) throws -> [Float] {
            try runNode(op, inputs: [("x", x)], attributes: ["axes": .ints([1]), "keepdims": .int(0)], opset: 11)[0]
                .floatArray
        }
        #expect(try reduce("ReduceMax") == [3, 4])
        #expect(try reduce("ReduceMin") == [-2, -1])
        #expect(try reduce("ReduceProd") == [-6, -2])
        #expect(try reduce("ReduceL1") == [6, 5.5])
        #expect(try reduce("ReduceSumSquare") == [14, 17.25])
        expectClose(try reduce("ReduceL2"), [Float(14.0.squareRoot()), Float(17.25.squareRoot())])
        expectClose(try reduce("ReduceLogSum"), [Float(log(2.0)), Float(log(3.5))])
        expectClose(try reduce("ReduceMean"), [2.0 / 3, 3.5 / 3])
    }

    @Test func integerReductions() throws {
        let x = Tensor(int64s: [3, 1, 4, 1, 5, 9], shape: [2, 3])
        let sum = try runNode("ReduceSum", inputs: [("x", x)], constants: [("axes", axes([1]))], opset: 13)[0]
        #expect(sum.elementType == .int64 && sum.int64Array == [8, 15])
        let max = try runNode("ReduceMax", inputs: [("x", x)], attributes: ["axes": .ints([0])])[0]
        #expect(max.int64Array == [3, 5, 9])
        let product = try runNode("ReduceProd", inputs: [("x", x)], attributes: ["keepdims": .int(0)])[0]
        #expect(product.int64Array == [540])
        #expect(throws: InferenceError.self) { try runNode("ReduceL2", inputs: [("x", x)]) }
    }

    @Test func longRowsAndColumnsMatchTheFormula() throws {
        // 300 rows of 257: row sums (vector path) and column sums (columns path), over two threads.
        let values = (0..<(300 * 257)).map { Float($0 % 7) }
        let x = Tensor(floats: values, shape: [300, 257])
        let rows = try runNode("ReduceSum", inputs: [("x", x)], constants: [("axes", axes([1]))], threads: 2)[0]
        let expectedRows = (0..<300).map { r in (0..<257).reduce(Float(0)) { $0 + Float((r * 257 + $1) % 7) } }
        #expect(rows.floatArray == expectedRows)
        let columns = try runNode("ReduceMax", inputs: [("x", x)], attributes: ["axes": .ints([0])], threads: 2)[0]
        #expect(columns.floatArray == [Float](repeating: 6, count: 257))
        let spatial = try runNode("ReduceMean", inputs: [("x", x.reshaped([3, 100, 257]))],
                                  attributes: ["axes": .ints([1])], threads: 2)[0]
        let expectedSpatial = (0..<(3 * 257)).map { index -> Float in
            let (block, column) = (index / 257, index % 257)
            let total = (0..<100).reduce(0) { $0 + ((block * 100 + $1) * 257 + column) % 7 }
            return Float(total) / 100
        }
        expectClose(spatial.floatArray, expectedSpatial)
    }

    // MARK: TopK

    @Test func topKLargestKeepsTheLowerIndexOfTies() throws {
        let x = Tensor(floats: [1, 5, 3, 5, 2], shape: [1, 5])
        let out = try runNode("TopK", inputs: [("x", x)], constants: [("k", axes([3]))], outputs: 2)
        #expect(out[0].shape == [1, 3] && out[0].floatArray == [5, 5, 3])
        #expect(out[1].int64Array == [1, 3, 2])
    }

    @Test func topKSmallest() throws {
        let x = Tensor(floats: [4, 1, 3, 1, 2], shape: [5])
        let out = try runNode("TopK", inputs: [("x", x)], constants: [("k", axes([3]))],
                              attributes: ["largest": .int(0)], outputs: 2)
        #expect(out[0].floatArray == [1, 1, 2])
        #expect(out[1].int64Array == [1, 3, 4])
    }

    @Test func topKAlongAnInnerAxis() throws {
        // [2,3,2] along axis 1, K = 2.
        let x = Tensor(floats: [1, 6, 3, 5, 2, 4, 9, 7, 8, 7, 7, 9], shape: [2, 3, 2])
        let out = try runNode("TopK", inputs: [("x", x), ("k", axes([2]))], attributes: ["axis": .int(1)],
                              outputs: 2)
        #expect(out[0].shape == [2, 2, 2])
        #expect(out[0].floatArray == [3, 6, 2, 5, 9, 9, 8, 7])
        #expect(out[1].int64Array == [1, 0, 2, 1, 0, 2, 1, 0])
    }

    @Test func topKWithLargeKSortsWithStableTies() throws {
        let values = (0..<200).map { Float(($0 * 37) % 23) }
        let out = try runNode("TopK", inputs: [("x", Tensor(floats: values, shape: [200]))],
                              constants: [("k", axes([90]))], outputs: 2)
        let expected = values.indices.sorted { values[$0] > values[$1] || (values[$0] == values[$1] && $0 < $1) }
        #expect(out[1].int64Array == expected.prefix(90).map { Int64($0) })
        #expect(out[0].floatArray == expected.prefix(90).map { values[$0] })
    }

    @Test func topKBeforeOpset10ReadsTheAttribute() throws {
        let out = try runNode("TopK", inputs: [("x", Tensor(floats: [2, 8, 5], shape: [3]))],
                              attributes: ["k": .int(1)], outputs: 2, opset: 9)
        #expect(out[0].floatArray == [8] && out[1].int64Array == [1])
    }

    @Test func topKWithKLargerThanTheAxisIsAnError() {
        let error = #expect(throws: InferenceError.self) {
            try runNode("TopK", inputs: [("x", Tensor(floats: [1, 2, 3], shape: [3]))],
                        constants: [("k", axes([4]))], outputs: 2)
        }
        #expect(error?.description.contains("K=4") == true)
    }

    // MARK: ArgMax / ArgMin

    @Test func argMaxAndArgMin() throws {
        let x = Tensor(floats: [1, 7, 7, 0, 3, 0], shape: [2, 3])
        let max = try runNode("ArgMax", inputs: [("x", x)], attributes: ["axis": .int(1)])[0]
        #expect(max.shape == [2, 1] && max.int64Array == [1, 1])
        let last = try runNode("ArgMax", inputs: [("x", x)],
                               attributes: ["axis": .int(1), "select_last_index": .int(1), "keepdims": .int(0)])[0]
        #expect(last.shape == [2] && last.int64Array == [2, 1])
        let min = try runNode("ArgMin", inputs: [("x", x)], attributes: ["keepdims": .int(0)])[0]
        #expect(min.shape == [3] && min.int64Array == [1, 1, 1])
        let lastMin = try runNode("ArgMin", inputs: [("x", x)],
                                  attributes: ["axis": .int(-1), "select_last_index": .int(1)])[0]
        #expect(lastMin.int64Array == [0, 2])
    }
}
