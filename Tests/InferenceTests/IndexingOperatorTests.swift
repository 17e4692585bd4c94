import Testing
@testable import Inference

@Suite struct IndexingOperatorTests {
    /// [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]
    let x34 = DataMovement.iota([3, 4])

    func slice(_ x: Tensor, starts: [Int64], ends: [Int64], axes: [Int64]? = nil, steps: [Int64]? = nil) throws -> Tensor {
        var constants = [("starts", DataMovement.int64s(starts)), ("ends", DataMovement.int64s(ends))]
        var order = ["x", "starts", "ends"]
        if let axes {
            constants.append(("axes", DataMovement.int64s(axes)))
            order.append("axes")
        }
        if let steps {
            if axes == nil { order.append("") }
            constants.append(("steps", DataMovement.int64s(steps)))
            order.append("steps")
        }
        return try runNode("Slice", inputOrder: order, inputs: [("x", x)], constants: constants, opset: 13)[0]
    }

    // MARK: Slice

    @Test func sliceWithAxesAndSteps() throws {
        let columns = try slice(x34, starts: [1], ends: [3], axes: [1])
        #expect(columns.shape == [3, 2])
        #expect(columns.floatArray == [1, 2, 5, 6, 9, 10])
        let strided = try slice(x34, starts: [0, 1], ends: [3, 4], axes: [0, 1], steps: [2, 2])
        #expect(strided.shape == [2, 2])
        #expect(strided.floatArray == [1, 3, 9, 11])
        let noAxes = try slice(x34, starts: [1, 0], ends: [3, 2])
        #expect(noAxes.floatArray == [4, 5, 8, 9])
    }

    @Test func sliceNegativeIndicesAndInt64Extremes() throws {
        let row = try slice(x34, starts: [-2], ends: [-1], axes: [0])
        #expect(row.shape == [1, 4])
        #expect(row.floatArray == [4, 5, 6, 7])
        let toEnd = try slice(x34, starts: [1], ends: [Int64.max], axes: [-1])
        #expect(toEnd.floatArray == [1, 2, 3, 5, 6, 7, 9, 10, 11])
        let fromStart = try slice(x34, starts: [Int64.min], ends: [1], axes: [0])
        #expect(fromStart.floatArray == [0, 1, 2, 3])
        let empty = try slice(x34, starts: [3], ends: [1], axes: [0])
        #expect(empty.shape == [0, 4])
    }

    @Test func sliceWithNegativeStepsWalksBackwards() throws {
        let reversed = try slice(x34, starts: [-1], ends: [Int64.min], axes: [1], steps: [-1])
        #expect(reversed.floatArray == [3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8])
        let everyOther = try slice(x34, starts: [2], ends: [-4], axes: [0], steps: [-2])
        #expect(everyOther.shape == [2, 4])
        #expect(everyOther.floatArray == [8, 9, 10, 11, 0, 1, 2, 3])
        let clamped = try slice(x34, starts: [100], ends: [0], axes: [1], steps: [-2])
        #expect(clamped.floatArray == [3, 1, 7, 5, 11, 9])
    }

    @Test func sliceBeforeOpset10ReadsAttributes() throws {
        let out = try runNode("Slice", inputs: [("x", x34)],
                              attributes: ["starts": .ints([0]), "ends": .ints([2]), "axes": .ints([1])], opset: 9)[0]
        #expect(out.floatArray == [0, 1, 4, 5, 8, 9])
    }

    @Test func sliceWithRunTimeStartsAndInt64Data() throws {
        let dims = DataMovement.int64s([10, 20, 30, 40, 50])
        let out = try runNode("Slice", inputs: [("x", dims), ("s", DataMovement.int64s([-1])),
                                                ("e", DataMovement.int64s([Int64.max]))])[0]
        #expect(out.int64Array == [50])
    }

    @Test func sliceRejectsAZeroStep() {
        DataMovement.expectError("step", "is 0") { _ = try slice(x34, starts: [0], ends: [2], axes: [0], steps: [0]) }
    }

    // MARK: Gather, GatherElements

    /// [[1, 2], [3, 4], [5, 6]]
    let table = Tensor(floats: [1, 2, 3, 4, 5, 6], shape: [3, 2])

    @Test func gatherAxis0CopiesRowsForEachIndex() throws {
        let indices = Tensor(int64s: [0, 2, 1, 1], shape: [2, 2])
        let out = try runNode("Gather", inputs: [("t", table), ("i", indices)])[0]
        #expect(out.shape == [2, 2, 2])
        #expect(out.floatArray == [1, 2, 5, 6, 3, 4, 3, 4])
        let negative = try runNode("Gather", inputs: [("t", table)], constants: [("i", Tensor(int64s: [-1], shape: []))])[0]
        #expect(negative.shape == [2])
        #expect(negative.floatArray == [5, 6])
    }

    @Test func gatherAlongAnInnerAxisWithInt32Indices() throws {
        let out = try runNode("Gather", inputs: [("t", table), ("i", Tensor(int32s: [1, 0, 1], shape: [3]))],
                              attributes: ["axis": .int(1)])[0]
        #expect(out.shape == [3, 3])
        #expect(out.floatArray == [2, 1, 2, 4, 3, 4, 6, 5, 6])
        let ints = Tensor(int64s: [7, 8, 9, 10, 11, 12], shape: [2, 3])
        let picked = try runNode("Gather", inputs: [("t", ints), ("i", DataMovement.int64s([2, -3]))],
                                 attributes: ["axis": .int(-1)])[0]
        #expect(picked.int64Array == [9, 7, 12, 10])
    }

    @Test func gatherEmbeddingLookupOnTwoThreads() throws {
        let rows = 300, width = 64
        let embeddings = DataMovement.iota([rows, width])
        let ids = (0..<500).map { Int64(($0 * 37) % rows) }
        let out = try runNode("Gather", inputs: [("e", embeddings), ("i", Tensor(int64s: ids, shape: [5, 100]))],
                              threads: 2)[0]
        #expect(out.shape == [5, 100, width])
        let expected = ids.flatMap { id in (0..<width).map { Float(Int(id) * width + $0) } }
        expectClose(out.floatArray, expected, atol: 0, rtol: 0)
    }

    @Test func gatherIndexOutOfRangeNamesTheIndexAndTheDimension() {
        DataMovement.expectError("index 3", "dimension 3") {
            _ = try runNode("Gather", inputs: [("t", table), ("i", DataMovement.int64s([0, 3]))])
        }
        DataMovement.expectError("index -3", "dimension 2") {
            _ = try runNode("Gather", inputs: [("t", table), ("i", DataMovement.int64s([-3]))],
                            attributes: ["axis": .int(1)])
        }
    }

    @Test func gatherElementsPicksAlongTheAxis() throws {
        let data = Tensor(floats: [1, 2, 3, 4], shape: [2, 2])
        let alongColumns = try runNode("GatherElements", inputs: [("d", data), ("i", Tensor(int64s: [0, 0, 1, 0], shape: [2, 2]))],
                                       attributes: ["axis": .int(1)])[0]
        #expect(alongColumns.floatArray == [1, 1, 4, 3])
        let alongRows = try runNode("GatherElements", inputs: [("d", data), ("i", Tensor(int64s: [1, -2, 0, 1], shape: [2, 2]))])[0]
        #expect(alongRows.floatArray == [3, 2, 1, 4])
    }

    // MARK: Pad

    /// [[1, 2, 3], [4, 5, 6]]
    let x23 = Tensor(floats: [1, 2, 3, 4, 5, 6], shape: [2, 3])

    func pad(_ x: Tensor, _ pads: [Int64], mode: String = "constant", value: Tensor? = nil, axes: [Int64]? = nil,
             opset: Int = 13) throws -> Tensor {
        var constants = [("pads", DataMovement.int64s(pads))]
        var order = ["x", "pads"]
        if let value {
            constants.append(("value", value))
            order.append("value")
        }
        if let axes {
            if value == nil { order.append("") }
            constants.append(("axes", DataMovement.int64s(axes)))
            order.append("axes")
        }
        return try runNode("Pad", inputOrder: order, inputs: [("x", x)], constants: constants,
                           attributes: ["mode": .string(mode)], opset: opset)[0]
    }

    @Test func padConstantWithAValue() throws {
        let out = try pad(x23, [1, 0, 0, 1], value: .scalar(9))
        #expect(out.shape == [3, 4])
        #expect(out.floatArray == [9, 9, 9, 9, 1, 2, 3, 9, 4, 5, 6, 9])
        let zeros = try pad(x23, [0, 1, 0, 0])
        #expect(zeros.floatArray == [0, 1, 2, 3, 0, 4, 5, 6])
    }

    @Test func padReflectEdgeAndWrap() throws {
        let reflect = try pad(x23, [0, 2, 0, 1], mode: "reflect")
        #expect(reflect.shape == [2, 6])
        #expect(reflect.floatArray == [3, 2, 1, 2, 3, 2, 6, 5, 4, 5, 6, 5])
        let edge = try pad(x23, [0, 2, 0, 1], mode: "edge")
        #expect(edge.floatArray == [1, 1, 1, 2, 3, 3, 4, 4, 4, 5, 6, 6])
        let wrap = try pad(x23, [0, 1, 0, 2], mode: "wrap", opset: 19)
        #expect(wrap.floatArray == [3, 1, 2, 3, 1, 2, 6, 4, 5, 6, 4, 5])
        let rows = try pad(x23, [1, 0, 1, 0], mode: "reflect")
        #expect(rows.floatArray == [4, 5, 6, 1, 2, 3, 4, 5, 6, 1, 2, 3])
    }

    @Test func negativePadsCrop() throws {
        let out = try pad(x23, [0, -1, 0, 1])
        #expect(out.shape == [2, 3])
        #expect(out.floatArray == [2, 3, 0, 5, 6, 0])
        DataMovement.expectError("crop more than") { _ = try pad(x23, [0, -2, 0, -2]) }
    }

    @Test func padBeforeOpset11ReadsAttributes() throws {
        let out = try runNode("Pad", inputs: [("x", x23)],
                              attributes: ["pads": .ints([1, 1, 1, 1]), "value": .float(0.5)], opset: 2)[0]
        #expect(out.shape == [4, 5])
        #expect(out.floatArray == [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1, 2, 3, 0.5, 0.5, 4, 5, 6, 0.5,
                                   0.5, 0.5, 0.5, 0.5, 0.5])
    }

    @Test func padOpset18AxesAndInt64Data() throws {
        let out = try pad(x23, [1, 1], axes: [-1], opset: 18)
        #expect(out.floatArray == [0, 1, 2, 3, 0, 0, 4, 5, 6, 0])
        let ints = try pad(DataMovement.int64s([4, 5]), [2, 1], value: Tensor(int64s: [-1], shape: []))
        #expect(ints.int64Array == [-1, -1, 4, 5, -1])
    }
}
