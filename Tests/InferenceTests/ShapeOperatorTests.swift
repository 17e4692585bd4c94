import Testing
@testable import Inference

/// Helpers shared by the data-movement operator tests (Shape, Indexing, Resize).
enum DataMovement {
    /// 0, 1, 2, ... as float32 in `shape`.
    static func iota(_ shape: [Int]) -> Tensor {
        Tensor(floats: (0..<shape.elementCount).map(Float.init), shape: shape)
    }

    static func int64s(_ values: [Int64]) -> Tensor { Tensor(int64s: values, shape: [values.count]) }

    /// Expects `body` to throw an error whose description contains every fragment.
    static func expectError(_ fragments: String..., sourceLocation: SourceLocation = #_sourceLocation,
                            _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected an error mentioning \(fragments)", sourceLocation: sourceLocation)
        } catch {
            let message = "\(error)"
            for fragment in fragments where !message.contains(fragment) {
                Issue.record("error '\(message)' does not mention '\(fragment)'", sourceLocation: sourceLocation)
            }
        }
    }
}

@Suite struct ShapeOperatorTests {
    let x234 = DataMovement.iota([2, 3, 4])

    // MARK: Flatten, Reshape, Squeeze, Unsqueeze

    @Test func flattenSplitsAtTheAxisDefaultingToOne() throws {
        let cases: [(Int?, [Int])] = [(nil, [2, 12]), (0, [1, 24]), (2, [6, 4]), (-1, [6, 4]), (3, [24, 1])]
        for (axis, expected) in cases {
            let attributes: [String: Attribute] = axis.map { ["axis": .int($0)] } ?? [:]
            let out = try runNode("Flatten", inputs: [("x", x234)], attributes: attributes)[0]
            #expect(out.shape == expected, "axis \(String(describing: axis))")
            #expect(out.floatArray == x234.floatArray)
        }
    }

    @Test func reshapeCopiesZerosAndInfersMinusOne() throws {
        let cases: [([Int64], [Int])] = [([0, -1], [2, 12]), ([-1, 4], [6, 4]), ([4, 0, 2], [4, 3, 2]), ([24], [24])]
        for (requested, expected) in cases {
            let out = try runNode("Reshape", inputs: [("x", x234)], constants: [("s", DataMovement.int64s(requested))])[0]
            #expect(out.shape == expected)
            #expect(out.floatArray == x234.floatArray)
        }
        // A run-time shape (not an initializer) takes the same path.
        let out = try runNode("Reshape", inputs: [("x", x234), ("s", DataMovement.int64s([3, -1]))])[0]
        #expect(out.shape == [3, 8])
    }

    @Test func reshapeAllowZeroKeepsARealZero() throws {
        let empty = Tensor(floats: [], shape: [2, 0])
        let out = try runNode("Reshape", inputs: [("x", empty)], constants: [("s", DataMovement.int64s([0, 5]))],
                              attributes: ["allowzero": .int(1)], opset: 14)[0]
        #expect(out.shape == [0, 5])
        // Without allowzero the 0 copies the input's 2: ten elements from none.
        DataMovement.expectError("[2, 0]", "[0, 5]") {
            _ = try runNode("Reshape", inputs: [("x", empty)], constants: [("s", DataMovement.int64s([0, 5]))],
                            opset: 14)
        }
    }

    @Test func reshapeToAnIncompatibleShapeNamesBothShapes() {
        DataMovement.expectError("cannot reshape", "[2, 3, 4]", "[5, -1]") {
            _ = try runNode("Reshape", inputs: [("x", x234)], constants: [("s", DataMovement.int64s([5, -1]))])
        }
        DataMovement.expectError("[2, 3, 4]", "[4, 4]") {
            _ = try runNode("Reshape", inputs: [("x", x234)], constants: [("s", DataMovement.int64s([4, 4]))])
        }
        DataMovement.expectError("more than one dimension is -1") {
            _ = try runNode("Reshape", inputs: [("x", x234)], constants: [("s", DataMovement.int64s([-1, -1]))])
        }
    }

    @Test func squeezeReadsAxesFromTheAttributeBeforeOpset13AndTheInputFrom13() throws {
        let x = DataMovement.iota([1, 3, 1, 2])
        let old = try runNode("Squeeze", inputs: [("x", x)], attributes: ["axes": .ints([0])], opset: 11)[0]
        #expect(old.shape == [3, 1, 2])
        let new = try runNode("Squeeze", inputs: [("x", x)], constants: [("a", DataMovement.int64s([-2]))], opset: 13)[0]
        #expect(new.shape == [1, 3, 2])
        let all = try runNode("Squeeze", inputs: [("x", x)], opset: 13)[0]
        #expect(all.shape == [3, 2])
        #expect(all.floatArray == x.floatArray)
        let emptyAxes = try runNode("Squeeze", inputs: [("x", x), ("a", DataMovement.int64s([]))], opset: 13)[0]
        #expect(emptyAxes.shape == [3, 2])
        DataMovement.expectError("cannot squeeze axis 1", "[1, 3, 1, 2]") {
            _ = try runNode("Squeeze", inputs: [("x", x)], constants: [("a", DataMovement.int64s([1]))], opset: 13)
        }
    }

    @Test func unsqueezeInsertsAxesOfTheOutputRank() throws {
        let x = DataMovement.iota([2, 3])
        let old = try runNode("Unsqueeze", inputs: [("x", x)], attributes: ["axes": .ints([0, 3])], opset: 11)[0]
        #expect(old.shape == [1, 2, 3, 1])
        let new = try runNode("Unsqueeze", inputs: [("x", x)], constants: [("a", DataMovement.int64s([-1, 1]))],
                              opset: 13)[0]
        #expect(new.shape == [2, 1, 3, 1])
        #expect(new.floatArray == x.floatArray)
        let scalar = try runNode("Unsqueeze", inputs: [("x", Tensor(int64s: [7], shape: []))],
                                 constants: [("a", DataMovement.int64s([0]))], opset: 13)[0]
        #expect(scalar.shape == [1])
        #expect(scalar.int64Array == [7])
    }

    // MARK: Concat, Split

    @Test func concatJoinsAlongTheAxis() throws {
        let a = Tensor(floats: [1, 2, 3, 4], shape: [2, 2])
        let b = Tensor(floats: [5, 6], shape: [2, 1])
        let c = Tensor(floats: [7, 8, 9, 10, 11, 12], shape: [2, 3])
        let out = try runNode("Concat", inputs: [("a", a), ("b", b), ("c", c)], attributes: ["axis": .int(1)])[0]
        #expect(out.shape == [2, 6])
        #expect(out.floatArray == [1, 2, 5, 7, 8, 9, 3, 4, 6, 10, 11, 12])
        let rows = try runNode("Concat", inputs: [("a", a), ("c", Tensor(floats: [9, 9], shape: [1, 2]))],
                               attributes: ["axis": .int(-2)])[0]
        #expect(rows.shape == [3, 2])
        #expect(rows.floatArray == [1, 2, 3, 4, 9, 9])
    }

    @Test func concatTakesInt64AndEmptyInputs() throws {
        let out = try runNode("Concat", inputs: [("a", DataMovement.int64s([2, 3])), ("e", DataMovement.int64s([])),
                                                 ("b", DataMovement.int64s([-1]))],
                              attributes: ["axis": .int(0)])[0]
        #expect(out.elementType == .int64)
        #expect(out.int64Array == [2, 3, -1])
        let zeroWide = Tensor(floats: [], shape: [2, 0])
        let joined = try runNode("Concat", inputs: [("z", zeroWide), ("a", DataMovement.iota([2, 2]))],
                                 attributes: ["axis": .int(1)])[0]
        #expect(joined.shape == [2, 2])
        #expect(joined.floatArray == [0, 1, 2, 3])
    }

    @Test func concatRejectsMismatchedShapes() {
        DataMovement.expectError("[2, 2]", "[3, 2]") {
            _ = try runNode("Concat", inputs: [("a", DataMovement.iota([2, 2])), ("b", DataMovement.iota([3, 2]))],
                            attributes: ["axis": .int(1)])
        }
    }

    @Test func splitBeforeOpset13UsesTheAttribute() throws {
        let x = DataMovement.iota([2, 3])
        let outs = try runNode("Split", inputs: [("x", x)], attributes: ["axis": .int(1), "split": .ints([2, 1])],
                               outputs: 2, opset: 11)
        #expect(outs[0].shape == [2, 2])
        #expect(outs[0].floatArray == [0, 1, 3, 4])
        #expect(outs[1].floatArray == [2, 5])
    }

    @Test func splitFromOpset13UsesTheInputOrSplitsEvenly() throws {
        let x = DataMovement.iota([4, 2])
        let sized = try runNode("Split", inputs: [("x", x)], constants: [("s", DataMovement.int64s([1, 3]))],
                                outputs: 2, opset: 13)
        #expect(sized[0].floatArray == [0, 1])
        #expect(sized[1].shape == [3, 2])
        #expect(sized[1].floatArray == [2, 3, 4, 5, 6, 7])
        let even = try runNode("Split", inputs: [("x", x)], outputs: 2, opset: 13)
        #expect(even.map(\.floatArray) == [[0, 1, 2, 3], [4, 5, 6, 7]])
    }

    @Test func splitAtOpset18WithNumOutputsMakesTheLastChunkSmaller() throws {
        let x = DataMovement.iota([7])
        let outs = try runNode("Split", inputs: [("x", x)], attributes: ["num_outputs": .int(3)], outputs: 3, opset: 18)
        #expect(outs.map(\.shape) == [[3], [3], [1]])
        #expect(outs.map(\.floatArray) == [[0, 1, 2], [3, 4, 5], [6]])
    }

    @Test func splitSizesThatDoNotAddUpAreAnError() {
        DataMovement.expectError("split sizes [2, 3]", "do not add up to 4") {
            _ = try runNode("Split", inputs: [("x", DataMovement.iota([4]))],
                            constants: [("s", DataMovement.int64s([2, 3]))], outputs: 2, opset: 13)
        }
        DataMovement.expectError("cannot be split evenly into 2 outputs") {
            _ = try runNode("Split", inputs: [("x", DataMovement.iota([5]))], outputs: 2, opset: 13)
        }
    }

    // MARK: Shape, Size, Identity

    @Test func shapeGivesInt64DimensionsAndOpset15Ranges() throws {
        let all = try runNode("Shape", inputs: [("x", x234)])[0]
        #expect(all.elementType == .int64)
        #expect(all.int64Array == [2, 3, 4])
        let cases: [([String: Attribute], [Int64])] = [
            (["start": .int(1)], [3, 4]), (["end": .int(-1)], [2, 3]),
            (["start": .int(-2), "end": .int(-1)], [3]), (["start": .int(2), "end": .int(1)], []),
            (["start": .int(-10), "end": .int(10)], [2, 3, 4]),
        ]
        for (attributes, expected) in cases {
            let out = try runNode("Shape", inputs: [("x", x234)], attributes: attributes, opset: 15)[0]
            #expect(out.int64Array == expected, "\(attributes)")
        }
    }

    @Test func sizeAndIdentity() throws {
        let size = try runNode("Size", inputs: [("x", x234)])[0]
        #expect(size.shape == [])
        #expect(size.int64Array == [24])
        let same = try runNode("Identity", inputs: [("x", x234)])[0]
        #expect(same.shape == [2, 3, 4])
        #expect(same.floatArray == x234.floatArray)
    }

    /// Shape → Gather → Unsqueeze → Concat → Reshape, as exporters write `x.view(x.size(0), -1)`.
    @Test func shapeArithmeticChainReshapesToTheBatchAndTheRest() throws {
        let nodes = [
            Node(name: "shape", opType: "Shape", inputs: ["x"], outputs: ["s"]),
            Node(name: "gather", opType: "Gather", inputs: ["s", "zero"], outputs: ["batch"],
                 attributes: ["axis": .int(0)]),
            Node(name: "unsqueeze", opType: "Unsqueeze", inputs: ["batch", "axes0"], outputs: ["batch1"]),
            Node(name: "concat", opType: "Concat", inputs: ["batch1", "minus1"], outputs: ["target"],
                 attributes: ["axis": .int(0)]),
            Node(name: "reshape", opType: "Reshape", inputs: ["x", "target"], outputs: ["y"]),
        ]
        let constants = [("zero", Tensor(int64s: [0], shape: [])), ("axes0", DataMovement.int64s([0])),
                         ("minus1", DataMovement.int64s([-1]))]
        let outs = try runGraph(nodes: nodes, inputs: [("x", x234)], constants: constants, outputs: ["y", "target"],
                                opset: 13)
        #expect(outs[0].shape == [2, 12])
        #expect(outs[0].floatArray == x234.floatArray)
        #expect(outs[1].int64Array == [2, -1])
    }
}
