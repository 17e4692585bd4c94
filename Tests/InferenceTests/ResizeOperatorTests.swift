import Testing
@testable import Inference

/// Expected values were checked by hand on these small grids (and agree with onnxruntime 1.31).
@Suite struct ResizeOperatorTests {
    /// [[1, 2], [3, 4]]
    let x22 = Tensor(floats: [1, 2, 3, 4], shape: [1, 1, 2, 2])
    /// [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]
    let x44 = Tensor(floats: (1...16).map(Float.init), shape: [1, 1, 4, 4])

    func resize(_ x: Tensor, scales: [Float]? = nil, sizes: [Int64]? = nil, _ attributes: [String: Attribute],
                opset: Int = 13) throws -> Tensor {
        var constants: [(String, Tensor)] = []
        var order = ["x", ""]
        if let scales {
            constants.append(("scales", Tensor(floats: scales, shape: [scales.count])))
            order.append("scales")
        } else {
            order.append("")
        }
        if let sizes {
            constants.append(("sizes", DataMovement.int64s(sizes)))
            order.append("sizes")
        }
        return try runNode("Resize", inputOrder: order, inputs: [("x", x)], constants: constants,
                           attributes: attributes, opset: opset)[0]
    }

    static let doubled: [Float] = [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]

    @Test func nearestAsymmetricDoubling() throws {
        let out = try resize(x22, scales: [1, 1, 2, 2], ["mode": .string("nearest"),
                                                         "coordinate_transformation_mode": .string("asymmetric"),
                                                         "nearest_mode": .string("floor")])
        #expect(out.shape == [1, 1, 4, 4])
        #expect(out.floatArray == Self.doubled)
    }

    /// 4 → 3 with half_pixel: output 0, 1, 2 map to 1/6, 3/2, 17/6, so the rounding of the tie 1.5 decides.
    @Test(arguments: [
        ("round_prefer_floor", [Float](arrayLiteral: 1, 2, 4, 5, 6, 8, 13, 14, 16)),
        ("round_prefer_ceil", [1, 3, 4, 9, 11, 12, 13, 15, 16]),
        ("floor", [1, 2, 3, 5, 6, 7, 9, 10, 11]),
        ("ceil", [6, 7, 8, 10, 11, 12, 14, 15, 16]),
    ])
    func nearestModesOnADownscale(mode: String, expected: [Float]) throws {
        let out = try resize(x44, sizes: [1, 1, 3, 3], ["nearest_mode": .string(mode)])
        #expect(out.shape == [1, 1, 3, 3])
        #expect(out.floatArray == expected)
    }

    @Test func nearestDefaultsAndTfHalfPixelForNN() throws {
        let defaults = try resize(x22, scales: [1, 1, 2, 2], [:])
        #expect(defaults.floatArray == Self.doubled)
        let tf = try resize(x44, sizes: [1, 1, 3, 3], ["coordinate_transformation_mode": .string("tf_half_pixel_for_nn")])
        #expect(tf.floatArray == [6, 7, 8, 10, 11, 12, 14, 15, 16])
    }

    @Test func nearestCopiesAnyElementType() throws {
        let ints = Tensor(int64s: [1, 2, 3, 4], shape: [1, 1, 2, 2])
        let out = try resize(ints, scales: [1, 1, 2, 2], ["nearest_mode": .string("floor"),
                                                          "coordinate_transformation_mode": .string("asymmetric")])
        #expect(out.int64Array == Self.doubled.map { Int64($0) })
    }

    @Test func bilinearHalfPixelDoubling() throws {
        let out = try resize(x22, scales: [1, 1, 2, 2], ["mode": .string("linear")])
        #expect(out.floatArray == [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4])
    }

    @Test func bilinearAlignCornersAndPytorchHalfPixel() throws {
        let corners = try resize(x22, sizes: [1, 1, 3, 3], ["mode": .string("linear"),
                                                            "coordinate_transformation_mode": .string("align_corners")])
        #expect(corners.floatArray == [1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4])
        // Width 1 reads coordinate 0; height 4 → 3 reads 1/6, 3/2, 17/6.
        let pytorch = try resize(x44, sizes: [1, 1, 3, 1], ["mode": .string("linear"),
                                                            "coordinate_transformation_mode": .string("pytorch_half_pixel")])
        expectClose(pytorch.floatArray, [1 + 4 / 6.0, 7, 13 - 4 / 6.0])
    }

    @Test func bilinearDownscaleHalfPixel() throws {
        let out = try resize(x44, sizes: [1, 1, 3, 3], ["mode": .string("linear")])
        // Coordinates 1/6, 3/2, 17/6 on both axes: value = 1 + 4y + x.
        let coordinates: [Float] = [1 / 6, 1.5, 17 / 6]
        expectClose(out.floatArray, coordinates.flatMap { y in coordinates.map { x in 1 + 4 * y + x } })
    }

    @Test func halfPixelSymmetricAtOpset19() throws {
        let x = Tensor(floats: [1, 2, 3, 4, 5, 6], shape: [1, 1, 2, 3])
        let out = try resize(x, scales: [1, 1, 1.5, 1.5], ["mode": .string("linear"),
                                                           "coordinate_transformation_mode": .string("half_pixel_symmetric")],
                             opset: 19)
        #expect(out.shape == [1, 1, 3, 4])
        expectClose(out.floatArray, [1, 5 / 3.0, 7 / 3.0, 3, 2.5, 19 / 6.0, 23 / 6.0, 4.5, 4, 14 / 3.0, 16 / 3.0, 6])
    }

    @Test func linearOverEveryResizedAxis() throws {
        let x = DataMovement.iota([2, 2, 2])
        let out = try resize(x, scales: [2, 1, 2], ["mode": .string("linear"),
                                                    "coordinate_transformation_mode": .string("asymmetric")])
        #expect(out.shape == [4, 2, 4])
        #expect(out.floatArray == [0, 0.5, 1, 1, 2, 2.5, 3, 3, 2, 2.5, 3, 3, 4, 4.5, 5, 5,
                                   4, 4.5, 5, 5, 6, 6.5, 7, 7, 4, 4.5, 5, 5, 6, 6.5, 7, 7])
        // Rank 1, half_pixel: coordinates -0.25 (clamped to 0), 0.25, 0.75, 1.25, 1.75, 2.25 (clamped to 2).
        let line = try resize(Tensor(floats: [1, 3, 7], shape: [3]), scales: [2], ["mode": .string("linear")])
        #expect(line.floatArray == [1, 1.5, 2.5, 4, 6, 7])
    }

    @Test func opset18AxesAndAspectRatioPolicy() throws {
        let axes: [String: Attribute] = ["axes": .ints([2, 3])]
        let sized = try resize(x22, sizes: [3, 3], axes, opset: 18)
        #expect(sized.shape == [1, 1, 3, 3])
        #expect(sized.floatArray == [1, 1, 2, 1, 1, 2, 3, 3, 4])
        var notLarger = axes
        notLarger["keep_aspect_ratio_policy"] = .string("not_larger")
        let fitted = try resize(x22, sizes: [3, 6], notLarger, opset: 18)
        #expect(fitted.shape == [1, 1, 3, 3])
        #expect(fitted.floatArray == [1, 1, 2, 1, 1, 2, 3, 3, 4])
    }

    @Test func upsampleScalesAsAttributeOrInput() throws {
        let opset7 = try runNode("Upsample", inputs: [("x", x22)], attributes: ["scales": .floats([1, 1, 2, 2])], opset: 7)[0]
        #expect(opset7.floatArray == Self.doubled)
        let opset9 = try runNode("Upsample", inputs: [("x", x22)], constants: [("s", Tensor(floats: [1, 1, 2, 3], shape: [4]))],
                                 opset: 9)[0]
        #expect(opset9.shape == [1, 1, 4, 6])
        #expect(opset9.floatArray == [1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4])
        let linear = try runNode("Upsample", inputs: [("x", x22)], constants: [("s", Tensor(floats: [1, 1, 2, 2], shape: [4]))],
                                 attributes: ["mode": .string("linear")], opset: 9)[0]
        #expect(linear.floatArray == [1, 1.5, 2, 2, 2, 2.5, 3, 3, 3, 3.5, 4, 4, 3, 3.5, 4, 4])
    }

    @Test func resize10TakesScalesAsInputOne() throws {
        let out = try runNode("Resize", inputs: [("x", x44)], constants: [("s", Tensor(floats: [1, 1, 0.5, 0.5], shape: [4]))],
                              opset: 10)[0]
        #expect(out.floatArray == [1, 3, 9, 11])
    }

    @Test func unsupportedModesAreRefusedWithTheReason() {
        DataMovement.expectError("cubic", "not supported") {
            _ = try resize(x22, scales: [1, 1, 2, 2], ["mode": .string("cubic")])
        }
        DataMovement.expectError("tf_crop_and_resize", "not supported") {
            _ = try resize(x22, scales: [1, 1, 2, 2], ["coordinate_transformation_mode": .string("tf_crop_and_resize")])
        }
        DataMovement.expectError("antialias") {
            _ = try resize(x22, scales: [1, 1, 2, 2], ["mode": .string("linear"), "antialias": .int(1)], opset: 18)
        }
        DataMovement.expectError("neither scales nor sizes") { _ = try resize(x22, [:]) }
    }

    @Test func largeBilinearMatchesSeparableReferenceOnTwoThreads() throws {
        let input = DataMovement.iota([2, 3, 17, 23])
        let single = try resize(input, sizes: [2, 3, 40, 31], ["mode": .string("linear")])
        let threaded = try runNode("Resize", inputOrder: ["x", "", "", "sizes"], inputs: [("x", input)],
                                   constants: [("sizes", DataMovement.int64s([2, 3, 40, 31]))],
                                   attributes: ["mode": .string("linear")], threads: 2)[0]
        expectClose(threaded.floatArray, single.floatArray, atol: 0, rtol: 0)
        // x is linear in the coordinates (plane * 17 * 23 + 23 h + w), so interior points are exact up to rounding.
        let plane = 1 * 3 + 2, row = 20, column = 15
        let index: Int = (plane * 40 + row) * 31 + column
        let y: Float = (Float(row) + 0.5) * 17 / 40 - 0.5
        let x: Float = (Float(column) + 0.5) * 23 / 31 - 0.5
        let expected: Float = Float(plane * 17 * 23) + y * 23 + x
        #expect(abs(single.floatArray[index] - expected) < 1e-3)
    }
}
