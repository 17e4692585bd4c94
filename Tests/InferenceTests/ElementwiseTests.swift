import Foundation
import Testing
@testable import Inference

private func floats(_ count: Int, _ shape: [Int], _ value: (Int) -> Float) -> Tensor {
    Tensor(floats: (0..<count).map(value), shape: shape)
}

/// values[i] = value(i) for i in 0..<count (a typed closure keeps the type checker fast).
private func table(_ count: Int, _ value: (Int) -> Float) -> [Float] { (0..<count).map(value) }

private func boolArray(_ tensor: Tensor) -> [Bool] {
    Array(UnsafeBufferPointer(start: tensor.bools, count: tensor.count))
}

@Suite struct ElementwiseTests {
    // MARK: Broadcasting

    @Test func addOfSameShapesAddsElementByElement() throws {
        let a = Tensor(floats: [1, 2, 3, 4], shape: [2, 2]), b = Tensor(floats: [10, 20, 30, 40], shape: [2, 2])
        let out = try runNode("Add", inputs: [("a", a), ("b", b)])[0]
        #expect(out.shape == [2, 2])
        #expect(out.floatArray == [11, 22, 33, 44])
    }

    @Test func addBroadcastsALastAxisVector() throws {
        let a = floats(24, [2, 3, 4]) { Float($0) }
        let b = Tensor(floats: [0, 10, 20, 30], shape: [4])
        let out = try runNode("Add", inputs: [("a", a), ("b", b)])[0]
        #expect(out.shape == [2, 3, 4])
        let expected = table(24) { i in Float(i + 10 * (i % 4)) }
        #expect(out.floatArray == expected)
    }

    @Test func addBroadcastsBothOperands() throws {
        // [2,1,4] + [3,1] -> [2,3,4]: out[n,c,w] = a[n,w] + b[c]
        let a = floats(8, [2, 1, 4]) { Float($0) }
        let b = Tensor(floats: [100, 200, 300], shape: [3, 1])
        let out = try runNode("Add", inputs: [("a", a), ("b", b)])[0]
        #expect(out.shape == [2, 3, 4])
        var expected: [Float] = []
        for n in 0..<2 {
            for c in 0..<3 {
                for w in 0..<4 { expected.append(Float(n * 4 + w + 100 * (c + 1))) }
            }
        }
        #expect(out.floatArray == expected)
    }

    @Test func addTakesAScalarOnEitherSide() throws {
        let a = Tensor(floats: [1, 2, 3, 4, 5, 6], shape: [2, 3])
        let right = try runNode("Add", inputs: [("a", a)], constants: [("s", .scalar(0.5))])[0]
        #expect(right.shape == [2, 3])
        #expect(right.floatArray == [1.5, 2.5, 3.5, 4.5, 5.5, 6.5])
        let left = try runNode("Sub", inputOrder: ["s", "a"], inputs: [("a", a)], constants: [("s", .scalar(10))])[0]
        #expect(left.floatArray == [9, 8, 7, 6, 5, 4])
    }

    @Test func addBroadcastsAPerChannelVectorOverNCHW() throws {
        let x = floats(24, [2, 3, 2, 2]) { Float($0) }
        let bias = Tensor(floats: [1000, 2000, 3000], shape: [3, 1, 1])
        let out = try runNode("Add", inputs: [("x", x)], constants: [("bias", bias)])[0]
        #expect(out.shape == [2, 3, 2, 2])
        let expected = table(24) { i in Float(i + 1000 * ((i / 4) % 3 + 1)) }
        #expect(out.floatArray == expected)
    }

    @Test func subMulDivBroadcast() throws {
        let a = floats(6, [2, 3]) { Float($0 + 1) }
        let b = Tensor(floats: [2, 4], shape: [2, 1])
        let sub = try runNode("Sub", inputs: [("a", a), ("b", b)])[0]
        #expect(sub.floatArray == [-1, 0, 1, 0, 1, 2])
        let mul = try runNode("Mul", inputs: [("a", a), ("b", b)])[0]
        #expect(mul.floatArray == [2, 4, 6, 16, 20, 24])
        let div = try runNode("Div", inputs: [("a", a), ("b", b)])[0]
        #expect(div.floatArray == [0.5, 1, 1.5, 1, 1.25, 1.5])
    }

    @Test func largeBroadcastSplitOverThreadsMatchesTheFormula() throws {
        let a = floats(64 * 1030, [64, 1030]) { Float($0 % 97) }
        let b = floats(1030, [1030]) { Float($0) * 0.5 }
        let out = try runNode("Mul", inputs: [("a", a), ("b", b)], threads: 2)[0]
        let expected = table(64 * 1030) { i in Float(i % 97) * Float(i % 1030) * 0.5 }
        #expect(out.floatArray == expected)
        let small = floats(3, [3, 1]) { Float($0) }, wide = floats(40_000, [1, 40_000]) { Float($0) }
        let both = try runNode("Add", inputs: [("a", small), ("b", wide)], threads: 2)[0]
        #expect(both.shape == [3, 40_000])
        let expectedBoth = table(120_000) { i in Float(i / 40_000 + i % 40_000) }
        #expect(both.floatArray == expectedBoth)
    }

    @Test func broadcastPlanMergesDimensions() throws {
        #expect(try ElementwiseBroadcast([[5, 6], [5, 6]]).dims == [30])
        #expect(try ElementwiseBroadcast([[2, 3, 4], [4]]).dims == [6, 4])
        let channel = try ElementwiseBroadcast([[2, 3, 2, 2], [3, 1, 1]])
        #expect(channel.dims == [2, 3, 4])
        #expect(channel.innerStride(0) == 1 && channel.innerStride(1) == 0)
        #expect(try ElementwiseBroadcast([[2, 3], []]).dims == [6])
    }

    @Test func incompatibleShapesNameBothShapes() {
        let a = Tensor(floats: [Float](repeating: 1, count: 6), shape: [2, 3])
        let b = Tensor(floats: [1, 2, 3, 4], shape: [4])
        let error = #expect(throws: InferenceError.self) { try runNode("Add", inputs: [("a", a), ("b", b)]) }
        let message = error?.description ?? ""
        #expect(message.contains("[2, 3]") && message.contains("[4]"), "\(message)")
    }

    @Test func mixedElementTypesAreRefused() {
        let a = Tensor(floats: [1, 2], shape: [2]), b = Tensor(int64s: [1, 2], shape: [2])
        #expect(throws: InferenceError.self) { try runNode("Add", inputs: [("a", a), ("b", b)]) }
    }

    // MARK: Integers

    @Test func int64ArithmeticForShapeComputations() throws {
        let shape = Tensor(int64s: [2, 3, 8], shape: [3])
        let add = try runNode("Add", inputs: [("s", shape)], constants: [("one", Tensor(int64s: [1], shape: [1]))])[0]
        #expect(add.elementType == .int64 && add.int64Array == [3, 4, 9])
        let mul = try runNode("Mul", inputs: [("s", shape)], constants: [("k", Tensor(int64s: [4], shape: []))])[0]
        #expect(mul.int64Array == [8, 12, 32])
        let sub = try runNode("Sub", inputs: [("s", shape)],
                              constants: [("k", Tensor(int64s: [1, 1, 10], shape: [3]))])[0]
        #expect(sub.int64Array == [1, 2, -2])
    }

    @Test func int64DivisionTruncatesTowardZero() throws {
        let a = Tensor(int64s: [-7, 7, -7, 7, 6], shape: [5]), b = Tensor(int64s: [2, -2, -2, 2, 3], shape: [5])
        let out = try runNode("Div", inputs: [("a", a), ("b", b)])[0]
        #expect(out.int64Array == [-3, -3, 3, 3, 2])
    }

    @Test func int64DivisionByZeroIsAnError() {
        let a = Tensor(int64s: [4, 5], shape: [2]), b = Tensor(int64s: [1, 0], shape: [2])
        let error = #expect(throws: InferenceError.self) { try runNode("Div", inputs: [("a", a), ("b", b)]) }
        #expect(error?.description.contains("division by zero") == true)
    }

    @Test func int32ArithmeticKeepsItsType() throws {
        let a = Tensor(int32s: [1, -2, 3], shape: [3]), b = Tensor(int32s: [10], shape: [1])
        let out = try runNode("Mul", inputs: [("a", a), ("b", b)])[0]
        #expect(out.elementType == .int32)
        #expect(out.integerValues == [10, -20, 30])
    }

    // MARK: Pow

    @Test func powWithAFloatExponentTensor() throws {
        let base = Tensor(floats: [2, 9, 4], shape: [3]), exponent = Tensor(floats: [3, 0.5, -1], shape: [3])
        let out = try runNode("Pow", inputs: [("x", base), ("y", exponent)])[0]
        expectClose(out.floatArray, [8, 3, 0.25])
    }

    @Test func powWithScalarExponentsHandlesNegativeBases() throws {
        let base = Tensor(floats: [-3, 2, -0.5, 0], shape: [2, 2])
        let square = try runNode("Pow", inputs: [("x", base)], constants: [("e", .scalar(2))])[0]
        #expect(square.shape == [2, 2] && square.floatArray == [9, 4, 0.25, 0])
        let cube = try runNode("Pow", inputs: [("x", base)], constants: [("e", .scalar(3))])[0]
        #expect(cube.floatArray == [-27, 8, -0.125, 0])
        let other = try runNode("Pow", inputs: [("x", Tensor(floats: [4, 2], shape: [2]))],
                                constants: [("e", .scalar(1.5))])[0]
        expectClose(other.floatArray, [8, Float(pow(2.0, 1.5))])
    }

    @Test func powWithIntegerExponents() throws {
        let floatBase = try runNode("Pow", inputs: [("x", Tensor(floats: [2, 3], shape: [2]))],
                                    constants: [("e", Tensor(int64s: [3, 2], shape: [2]))])[0]
        #expect(floatBase.elementType == .float32 && floatBase.floatArray == [8, 9])
        let intBase = try runNode("Pow", inputs: [("x", Tensor(int64s: [2, 3, -2, 5], shape: [4]))],
                                  constants: [("e", Tensor(int64s: [10, 0, 3, 1], shape: [4]))])[0]
        #expect(intBase.int64Array == [1024, 1, -8, 5])
    }

    // MARK: Unary

    @Test func unaryMathFunctions() throws {
        let x = Tensor(floats: [0, 1, -1, 2.5], shape: [4])
        func run(_ op: String, _ input: Tensor = x) throws -> [Float] {
            try runNode(op, inputs: [("x", input)])[0].floatArray
        }
        expectClose(try run("Exp"), [1, Float(M_E), Float(1 / M_E), Float(exp(2.5))], rtol: 1e-6)
        expectClose(try run("Log", Tensor(floats: [1, Float(M_E), 0.5], shape: [3])), [0, 1, Float(log(0.5))])
        #expect(try run("Neg") == [-0.0, -1, 1, -2.5])
        #expect(try run("Abs") == [0, 1, 1, 2.5])
        #expect(try run("Reciprocal", Tensor(floats: [2, -4, 0.5], shape: [3])) == [0.5, -0.25, 2])
        expectClose(try run("Sqrt", Tensor(floats: [4, 9, 2, 0], shape: [4])), [2, 3, Float(2.0.squareRoot()), 0])
        #expect(try run("Floor", Tensor(floats: [1.5, -1.5, 2], shape: [3])) == [1, -2, 2])
        #expect(try run("Ceil", Tensor(floats: [1.5, -1.5, 2], shape: [3])) == [2, -1, 2])
        // Halves round to even.
        #expect(try run("Round", Tensor(floats: [0.5, 1.5, -2.5, 2.6], shape: [4])) == [0, 2, -2, 3])
    }

    @Test func negAndAbsTakeIntegers() throws {
        let x = Tensor(int64s: [3, -4, 0], shape: [3])
        #expect(try runNode("Neg", inputs: [("x", x)])[0].int64Array == [-3, 4, 0])
        #expect(try runNode("Abs", inputs: [("x", x)])[0].int64Array == [3, 4, 0])
        #expect(throws: InferenceError.self) { try runNode("Exp", inputs: [("x", x)]) }
    }

    // MARK: Variadic

    @Test func variadicMinMaxSumMeanBroadcastAllInputs() throws {
        let a = Tensor(floats: [1, 5, 3, 7], shape: [2, 2])
        let b = Tensor(floats: [4, 2], shape: [2])
        let c = Tensor.scalar(3)
        let inputs = [("a", a), ("b", b), ("c", c)]
        #expect(try runNode("Min", inputs: inputs)[0].floatArray == [1, 2, 3, 2])
        #expect(try runNode("Max", inputs: inputs)[0].floatArray == [4, 5, 4, 7])
        #expect(try runNode("Sum", inputs: inputs)[0].floatArray == [8, 10, 10, 12])
        expectClose(try runNode("Mean", inputs: inputs)[0].floatArray, [8.0 / 3, 10.0 / 3, 10.0 / 3, 4])
        #expect(try runNode("Max", inputs: [("a", a)])[0].floatArray == [1, 5, 3, 7])
        let withNaN = [("a", Tensor(floats: [.nan, 1], shape: [2])), ("b", Tensor(floats: [1, .nan], shape: [2]))]
        #expect(try runNode("Min", inputs: withNaN)[0].floatArray.allSatisfy(\.isNaN))
        #expect(try runNode("Max", inputs: withNaN)[0].floatArray.allSatisfy(\.isNaN))
        let ints = try runNode("Max", inputs: [("a", Tensor(int64s: [1, 9], shape: [2])),
                                               ("b", Tensor(int64s: [5], shape: [1]))])[0]
        #expect(ints.int64Array == [5, 9])
    }

    // MARK: Comparison, logic, Where

    @Test func comparisonsGiveBools() throws {
        let a = Tensor(floats: [1, 2, 3], shape: [3]), b = Tensor.scalar(2)
        let inputs = [("a", a), ("b", b)]
        #expect(boolArray(try runNode("Equal", inputs: inputs)[0]) == [false, true, false])
        #expect(boolArray(try runNode("Less", inputs: inputs)[0]) == [true, false, false])
        #expect(boolArray(try runNode("Greater", inputs: inputs)[0]) == [false, false, true])
        #expect(boolArray(try runNode("LessOrEqual", inputs: inputs)[0]) == [true, true, false])
        #expect(boolArray(try runNode("GreaterOrEqual", inputs: inputs)[0]) == [false, true, true])
        let ints = try runNode("Equal", inputs: [("a", Tensor(int64s: [4, 5, 4, 5], shape: [2, 2])),
                                                 ("b", Tensor(int64s: [4, 5], shape: [2, 1]))])[0]
        #expect(ints.elementType == .bool && ints.shape == [2, 2])
        #expect(boolArray(ints) == [true, false, false, true])
    }

    @Test func booleanLogic() throws {
        let a = Tensor(bools: [true, true, false, false], shape: [4])
        let b = Tensor(bools: [true, false, true, false], shape: [4])
        #expect(boolArray(try runNode("And", inputs: [("a", a), ("b", b)])[0]) == [true, false, false, false])
        #expect(boolArray(try runNode("Or", inputs: [("a", a), ("b", b)])[0]) == [true, true, true, false])
        #expect(boolArray(try runNode("Xor", inputs: [("a", a), ("b", b)])[0]) == [false, true, true, false])
        #expect(boolArray(try runNode("Not", inputs: [("a", a)])[0]) == [false, false, true, true])
    }

    @Test func whereBroadcastsConditionAndBranches() throws {
        let condition = Tensor(bools: [true, false], shape: [2, 1])
        let x = Tensor(floats: [1, 2, 3, 4, 5, 6], shape: [2, 3])
        let out = try runNode("Where", inputs: [("c", condition), ("x", x)], constants: [("y", .scalar(-1))])[0]
        #expect(out.shape == [2, 3])
        #expect(out.floatArray == [1, 2, 3, -1, -1, -1])
        let ints = try runNode("Where", inputs: [("c", Tensor(bools: [false, true], shape: [2])),
                                                 ("x", Tensor(int64s: [7, 8], shape: [2])),
                                                 ("y", Tensor(int64s: [0], shape: [1]))])[0]
        #expect(ints.int64Array == [0, 8])
    }

    @Test func whereNeedsABoolCondition() {
        let x = Tensor(floats: [1], shape: [1])
        #expect(throws: InferenceError.self) { try runNode("Where", inputs: [("c", x), ("x", x), ("y", x)]) }
    }
}
