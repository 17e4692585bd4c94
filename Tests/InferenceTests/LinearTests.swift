import Testing
@testable import Inference

@Suite struct LinearTests {
    let a = Tensor(floats: [1, 2, 3, 4, 5, 6], shape: [2, 3])
    let b = Tensor(floats: [1, 0, 0, 1, 1, 1], shape: [3, 2])

    @Test func gemmMultipliesAndAddsBroadcastBias() throws {
        let c = Tensor(floats: [10, 20], shape: [2])
        let y = try runNode("Gemm", inputs: [("a", a)], constants: [("b", b), ("c", c)])[0]
        #expect(y.shape == [2, 2])
        #expect(y.floatArray == [14, 25, 20, 31])
    }

    @Test func gemmHonoursTransposesAlphaAndBeta() throws {
        let c = Tensor(floats: [1], shape: [1])
        let y = try runNode("Gemm", inputs: [("a", a.reshaped([3, 2]))], constants: [("b", b.reshaped([2, 3])), ("c", c)],
                            attributes: ["transA": .int(1), "transB": .int(1), "alpha": .float(2), "beta": .float(3)])[0]
        // Aᵀ = [[1,3,5],[2,4,6]], Bᵀ = [[1,1],[0,1],[0,1]]: AᵀBᵀ = [[1,9],[2,12]]; then 2·AᵀBᵀ + 3.
        #expect(y.shape == [2, 2])
        #expect(y.floatArray == [5, 21, 7, 27])
    }

    @Test func gemmRejectsMismatchedInnerDimensions() {
        #expect {
            _ = try runNode("Gemm", inputs: [("a", a)], constants: [("b", a)])
        } throws: { "\($0)".contains("do not chain") }
    }

    @Test func matmulBroadcastsBatchDimensions() throws {
        let x = Tensor(floats: pseudoRandom(2 * 1 * 3 * 4, seed: 7), shape: [2, 1, 3, 4])
        let y = Tensor(floats: pseudoRandom(1 * 5 * 4 * 2, seed: 8), shape: [1, 5, 4, 2])
        let out = try runNode("MatMul", inputs: [("x", x), ("y", y)])[0]
        #expect(out.shape == [2, 5, 3, 2])
        let xs = x.floatArray, ys = y.floatArray, os = out.floatArray
        for i in 0..<2 {
            for j in 0..<5 {
                for r in 0..<3 {
                    for c in 0..<2 {
                        var sum: Float = 0
                        for k in 0..<4 { sum += xs[(i * 3 + r) * 4 + k] * ys[(j * 4 + k) * 2 + c] }
                        #expect(abs(os[((i * 5 + j) * 3 + r) * 2 + c] - sum) < 1e-5)
                    }
                }
            }
        }
    }

    @Test func matmulPromotesVectors() throws {
        let v = Tensor(floats: [1, 2, 3], shape: [3])
        #expect(try runNode("MatMul", inputs: [("v", v), ("b", b)])[0].shape == [2])
        #expect(try runNode("MatMul", inputs: [("a", a), ("v", v)])[0].floatArray == [14, 32])
        #expect(try runNode("MatMul", inputs: [("v", v), ("w", v)])[0].shape == [])
    }
}

@Suite struct PoolingTests {
    let x = Tensor(floats: (0..<16).map(Float.init), shape: [1, 1, 4, 4])

    @Test func maxPoolTakesTheLargestOfEachWindow() throws {
        let y = try runNode("MaxPool", inputs: [("x", x)], attributes: ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2])])[0]
        #expect(y.shape == [1, 1, 2, 2])
        #expect(y.floatArray == [5, 7, 13, 15])
    }

    @Test func ceilModeAddsAPartialWindow() throws {
        let y = try runNode("MaxPool", inputs: [("x", x)],
                            attributes: ["kernel_shape": .ints([3, 3]), "strides": .ints([2, 2]), "ceil_mode": .int(1)])[0]
        #expect(y.shape == [1, 1, 2, 2])
        #expect(y.floatArray == [10, 11, 14, 15])
    }

    @Test func averagePoolCountsPaddingOnlyWhenAsked() throws {
        let attributes: [String: Attribute] = ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2]), "pads": .ints([1, 1, 1, 1])]
        let excluded = try runNode("AveragePool", inputs: [("x", x)], attributes: attributes)[0]
        var including = attributes
        including["count_include_pad"] = .int(1)
        let included = try runNode("AveragePool", inputs: [("x", x)], attributes: including)[0]
        #expect(excluded.shape == [1, 1, 3, 3])
        #expect(excluded.floatArray[0] == 0)           // only x[0,0] is inside the first window
        #expect(included.floatArray[0] == 0)
        #expect(excluded.floatArray[1] == 1.5)         // (1 + 2) / 2
        #expect(included.floatArray[1] == 0.75)        // (1 + 2) / 4
    }

    @Test func globalPoolsReduceEverySpatialAxis() throws {
        let avg = try runNode("GlobalAveragePool", inputs: [("x", x)])[0]
        let max = try runNode("GlobalMaxPool", inputs: [("x", x)])[0]
        #expect(avg.shape == [1, 1, 1, 1] && avg.floatArray == [7.5])
        #expect(max.floatArray == [15])
    }
}
