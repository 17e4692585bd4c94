import Testing
@testable import Inference

@Suite struct TransposeOperatorTests {
    /// Element by element, the definition: out[i0, ..., in] = x[i_perm^-1...].
    static func reference(_ values: [Float], shape: [Int], perm: [Int]) -> [Float] {
        let outShape = perm.map { shape[$0] }
        let inStrides = shape.strides
        var result: [Float] = []
        result.reserveCapacity(values.count)
        for flat in 0..<outShape.elementCount {
            var rest = flat, offset = 0
            for axis in stride(from: outShape.count - 1, through: 0, by: -1) {
                offset += (rest % outShape[axis]) * inStrides[perm[axis]]
                rest /= outShape[axis]
            }
            result.append(values[offset])
        }
        return result
    }

    @Test func twoDimensionalTranspose() throws {
        let x = Tensor(floats: [0, 1, 2, 3, 4, 5], shape: [2, 3])
        let out = try runNode("Transpose", inputs: [("x", x)], attributes: ["perm": .ints([1, 0])])[0]
        #expect(out.shape == [3, 2])
        #expect(out.floatArray == [0, 3, 1, 4, 2, 5])
    }

    @Test func defaultPermReversesTheAxes() throws {
        let x = DataMovement.iota([2, 3, 2])
        let out = try runNode("Transpose", inputs: [("x", x)])[0]
        #expect(out.shape == [2, 3, 2])
        // out[k, j, i] = x[i, j, k] = 6i + 2j + k.
        #expect(out.floatArray == [0, 6, 2, 8, 4, 10, 1, 7, 3, 9, 5, 11])
    }

    @Test func swapOfTheLastTwoAxesAndAttentionHeads() throws {
        let x = DataMovement.iota([2, 2, 3])
        let swapped = try runNode("Transpose", inputs: [("x", x)], attributes: ["perm": .ints([0, 2, 1])])[0]
        #expect(swapped.shape == [2, 3, 2])
        #expect(swapped.floatArray == [0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11])
        let heads = try runNode("Transpose", inputs: [("x", x)], attributes: ["perm": .ints([1, 0, 2])])[0]
        #expect(heads.shape == [2, 2, 3])
        #expect(heads.floatArray == [0, 1, 2, 6, 7, 8, 3, 4, 5, 9, 10, 11])
    }

    @Test func nchwToNhwcAndBack() throws {
        // N=1, C=2, H=2, W=2: channel c at (h, w) holds 4c + 2h + w.
        let nchw = DataMovement.iota([1, 2, 2, 2])
        let nhwc = try runNode("Transpose", inputs: [("x", nchw)], attributes: ["perm": .ints([0, 2, 3, 1])])[0]
        #expect(nhwc.shape == [1, 2, 2, 2])
        #expect(nhwc.floatArray == [0, 4, 1, 5, 2, 6, 3, 7])
        let back = try runNode("Transpose", inputs: [("x", nhwc)], attributes: ["perm": .ints([0, 3, 1, 2])])[0]
        #expect(back.floatArray == nchw.floatArray)
    }

    @Test(arguments: [[0, 2, 3, 1], [0, 3, 1, 2], [3, 2, 1, 0], [1, 0, 2, 3], [0, 1, 3, 2], [2, 0, 3, 1]])
    func largeFourDimensionalTransposesMatchTheDefinition(perm: [Int]) throws {
        let shape = [2, 5, 37, 41]
        let x = DataMovement.iota(shape)
        for threads in [1, 2] {
            let out = try runNode("Transpose", inputs: [("x", x)], attributes: ["perm": .ints(perm)],
                                  threads: threads)[0]
            #expect(out.shape == perm.map { shape[$0] })
            expectClose(out.floatArray, Self.reference(x.floatArray, shape: shape, perm: perm), atol: 0, rtol: 0,
                        "threads \(threads)")
        }
    }

    @Test func int64AndBoolTranspose() throws {
        let ints = Tensor(int64s: [1, 2, 3, 4, 5, 6], shape: [3, 2])
        let out = try runNode("Transpose", inputs: [("x", ints)], attributes: ["perm": .ints([1, 0])])[0]
        #expect(out.int64Array == [1, 3, 5, 2, 4, 6])
        let bools = Tensor(bools: [true, false, false, true, true, true], shape: [2, 3])
        let flipped = try runNode("Transpose", inputs: [("x", bools)], attributes: ["perm": .ints([1, 0])])[0]
        #expect(Array(UnsafeBufferPointer(start: flipped.bools, count: 6)) == [true, true, false, true, false, true])
    }

    @Test func movingUnitAxesOnlyKeepsTheOrder() throws {
        let x = DataMovement.iota([1, 3, 1, 2])
        let out = try runNode("Transpose", inputs: [("x", x)], attributes: ["perm": .ints([2, 1, 3, 0])])[0]
        #expect(out.shape == [1, 3, 2, 1])
        #expect(out.floatArray == x.floatArray)
    }

    @Test func aPermThatIsNotAPermutationIsAnError() {
        DataMovement.expectError("perm [0, 0]", "[2, 3]") {
            _ = try runNode("Transpose", inputs: [("x", DataMovement.iota([2, 3]))], attributes: ["perm": .ints([0, 0])])
        }
    }
}
