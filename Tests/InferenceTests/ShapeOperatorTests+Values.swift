import Testing
@testable import Inference

/// Constant, ConstantOfShape, Range, Expand, Tile, Cast, CastLike, Dropout.
@Suite struct ShapeValueOperatorTests {
    @Test func constantFromEachKindOfAttribute() throws {
        let tensor = Tensor(floats: [1, 2, 3, 4], shape: [2, 2])
        let cases: [(Attribute, String, ElementType, [Int], [Float])] = [
            (.tensor(tensor), "value", .float32, [2, 2], [1, 2, 3, 4]),
            (.float(2.5), "value_float", .float32, [], [2.5]),
            (.floats([1, -1]), "value_floats", .float32, [2], [1, -1]),
            (.int(7), "value_int", .int64, [], [7]),
            (.ints([3, 4, 5]), "value_ints", .int64, [3], [3, 4, 5]),
        ]
        for (attribute, name, type, shape, values) in cases {
            let out = try runGraph(nodes: [Node(name: "c", opType: "Constant", inputs: [], outputs: ["y"],
                                                attributes: [name: attribute])],
                                   inputs: [], constants: [], outputs: ["y"])[0]
            #expect(out.elementType == type, "\(name)")
            #expect(out.shape == shape, "\(name)")
            #expect(out.floatValues == values, "\(name)")
        }
        DataMovement.expectError("Constant needs one of the attributes") {
            _ = try runGraph(nodes: [Node(name: "c", opType: "Constant", inputs: [], outputs: ["y"])],
                             inputs: [], constants: [], outputs: ["y"])
        }
    }

    @Test func constantOfShapeFillsWithTheValueOrFloatZero() throws {
        let zeros = try runNode("ConstantOfShape", inputs: [], constants: [("s", DataMovement.int64s([2, 3]))])[0]
        #expect(zeros.elementType == .float32)
        #expect(zeros.shape == [2, 3])
        #expect(zeros.floatArray == [0, 0, 0, 0, 0, 0])
        let sevens = try runNode("ConstantOfShape", inputs: [("s", DataMovement.int64s([3]))],
                                 attributes: ["value": .tensor(Tensor(int64s: [7], shape: [1]))])[0]
        #expect(sevens.elementType == .int64)
        #expect(sevens.int64Array == [7, 7, 7])
        let scalar = try runNode("ConstantOfShape", inputs: [("s", DataMovement.int64s([]))],
                                 attributes: ["value": .tensor(Tensor(floats: [1.5], shape: [1]))])[0]
        #expect(scalar.shape == [])
        #expect(scalar.floatArray == [1.5])
    }

    @Test func rangeCountsUpOrDownExcludingTheLimit() throws {
        func range(_ start: Tensor, _ limit: Tensor, _ delta: Tensor) throws -> Tensor {
            try runNode("Range", inputs: [("a", start), ("b", limit), ("c", delta)])[0]
        }
        let ints = try range(Tensor(int64s: [1], shape: []), Tensor(int64s: [8], shape: []), Tensor(int64s: [3], shape: []))
        #expect(ints.int64Array == [1, 4, 7])
        let down = try range(Tensor(int64s: [5], shape: []), Tensor(int64s: [1], shape: []), Tensor(int64s: [-2], shape: []))
        #expect(down.int64Array == [5, 3])
        let floats = try range(.scalar(0), .scalar(1), .scalar(0.25))
        #expect(floats.floatArray == [0, 0.25, 0.5, 0.75])
        let empty = try range(.scalar(3), .scalar(1), .scalar(1))
        #expect(empty.shape == [0])
    }

    @Test func expandBroadcastsBothWays() throws {
        let column = Tensor(floats: [1, 2, 3], shape: [3, 1])
        let grown = try runNode("Expand", inputs: [("x", column)], constants: [("s", DataMovement.int64s([2, 1, 4]))])[0]
        #expect(grown.shape == [2, 3, 4])
        #expect(grown.floatArray == [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3])
        // The shape may be smaller than the input: [1, 3] with [2, 1] gives [2, 3].
        let row = Tensor(floats: [1, 2, 3], shape: [1, 3])
        let doubled = try runNode("Expand", inputs: [("x", row), ("s", DataMovement.int64s([2, 1]))])[0]
        #expect(doubled.shape == [2, 3])
        #expect(doubled.floatArray == [1, 2, 3, 1, 2, 3])
        let same = try runNode("Expand", inputs: [("x", row)], constants: [("s", DataMovement.int64s([3]))])[0]
        #expect(same.shape == [1, 3])
        DataMovement.expectError("cannot expand shape [3, 1] to [2, 2]") {
            _ = try runNode("Expand", inputs: [("x", column)], constants: [("s", DataMovement.int64s([2, 2]))])
        }
    }

    @Test func tileRepeatsEachAxis() throws {
        let x = Tensor(floats: [1, 2, 3, 4], shape: [2, 2])
        let out = try runNode("Tile", inputs: [("x", x)], constants: [("r", DataMovement.int64s([2, 3]))])[0]
        #expect(out.shape == [4, 6])
        #expect(out.floatArray == [1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4,
                                   1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4])
        let ints = try runNode("Tile", inputs: [("x", DataMovement.int64s([5, 6])), ("r", DataMovement.int64s([2]))])[0]
        #expect(ints.int64Array == [5, 6, 5, 6])
    }

    @Test func castFloatToIntegersTruncatesTowardZero() throws {
        let x = Tensor(floats: [-1.7, -0.5, 0, 0.9, 2.9, 3], shape: [6])
        let int64 = try runNode("Cast", inputs: [("x", x)], attributes: ["to": .int(7)])[0]
        #expect(int64.int64Array == [-1, 0, 0, 0, 2, 3])
        let int32 = try runNode("Cast", inputs: [("x", x)], attributes: ["to": .int(6)])[0]
        #expect(int32.elementType == .int32)
        #expect(int32.integerValues == [-1, 0, 0, 0, 2, 3])
        let bools = try runNode("Cast", inputs: [("x", x)], attributes: ["to": .int(9)])[0]
        #expect(bools.integerValues == [1, 1, 0, 1, 1, 1])
    }

    @Test func castBetweenTheOtherTypes() throws {
        let ints = DataMovement.int64s([-2, 0, 5])
        let floats = try runNode("Cast", inputs: [("x", ints)], attributes: ["to": .int(1)])[0]
        #expect(floats.floatArray == [-2, 0, 5])
        let bools = try runNode("Cast", inputs: [("x", ints)], attributes: ["to": .int(9)])[0]
        let back = try runNode("Cast", inputs: [("x", bools)], attributes: ["to": .int(1)])[0]
        #expect(back.floatArray == [1, 0, 1])
        // double and float16 are held as float32.
        for code in [10, 11] {
            let out = try runNode("Cast", inputs: [("x", ints)], attributes: ["to": .int(code)])[0]
            #expect(out.elementType == .float32)
            #expect(out.floatArray == [-2, 0, 5])
        }
        let like = try runNode("CastLike", inputs: [("x", Tensor(floats: [1.9, -3.2], shape: [2])),
                                                    ("t", DataMovement.int64s([0]))])[0]
        #expect(like.int64Array == [1, -3])
    }

    @Test func castToAnUnsupportedTypeNamesTheCode() {
        DataMovement.expectError("type 8", "string") {
            _ = try runNode("Cast", inputs: [("x", DataMovement.iota([2]))], attributes: ["to": .int(8)])
        }
    }

    @Test func dropoutPassesThroughWithAnAllTrueMask() throws {
        let x = Tensor(floats: [1, -2, 3], shape: [3])
        let outs = try runNode("Dropout", inputs: [("x", x)], constants: [("r", .scalar(0.5))], outputs: 2, opset: 13)
        #expect(outs[0].floatArray == [1, -2, 3])
        #expect(outs[1].elementType == .bool)
        #expect(outs[1].integerValues == [1, 1, 1])
        let off = try runNode("Dropout", inputOrder: ["x", "", "t"], inputs: [("x", x)],
                              constants: [("t", Tensor(bools: [false], shape: []))], opset: 13)[0]
        #expect(off.floatArray == [1, -2, 3])
        DataMovement.expectError("training_mode") {
            _ = try runNode("Dropout", inputOrder: ["x", "", "t"], inputs: [("x", x)],
                            constants: [("t", Tensor(bools: [true], shape: []))], opset: 13)
        }
        DataMovement.expectError("training_mode") {
            _ = try runNode("Dropout", inputOrder: ["x", "", "t"],
                            inputs: [("x", x), ("t", Tensor(bools: [true], shape: []))], opset: 13)
        }
    }
}
