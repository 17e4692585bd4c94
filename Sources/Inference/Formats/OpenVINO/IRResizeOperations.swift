/// Interpolate (v4 and v11) → ONNX Resize(X, roi, scales, sizes).
enum IRResizeOperations {
    static let translations: [String: IRTranslation] = [
        "Interpolate": interpolate,
    ]

    private static let coordinateModes: Set<String> = [
        "half_pixel", "pytorch_half_pixel", "asymmetric", "tf_half_pixel_for_nn", "align_corners",
    ]
    private static let nearestModes: Set<String> = ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"]

    /// v4: data, sizes, scales, axes?; v11: data, scales_or_sizes, axes?. OpenVINO sizes/scales cover only the
    /// listed axes; they are widened to every axis (1.0 scales, or the input's dimensions) so the Resize needs no
    /// `axes`; failing that, the Resize carries `axes`.
    private static func interpolate(_ c: IRLayerContext) throws {
        guard c.opsetVersion >= 4 else {
            throw c.invalid("Interpolate-\(c.opsetVersion) is not supported (only opset4 and opset11)")
        }
        try c.requireInputs(2)
        var attributes = try resizeAttributes(c)
        let rank = try c.rank(ofInput: 0, for: "Interpolate")
        let axesIndex = c.opsetVersion >= 11 ? 2 : 3
        var axes = Array(0..<rank)
        if c.inputs.count > axesIndex {
            axes = try c.constantInts(axesIndex, "axes").map { $0 < 0 ? $0 + rank : $0 }
            guard axes.allSatisfy({ (0..<rank).contains($0) }) else {
                throw c.invalid("axes \(axes) are out of range for rank \(rank)")
            }
        }
        let coversAll = axes == Array(0..<rank)
        let bySizes = c.string("shape_calculation_mode", default: "sizes").lowercased() == "sizes"
        let sourceIndex = c.opsetVersion >= 11 ? 1 : (bySizes ? 1 : 2)
        try c.requireInputs(sourceIndex + 1)
        let x = c.inputs[0]

        if bySizes {
            let sizes: String
            if coversAll {
                sizes = c.int64Input(sourceIndex)
            } else if let partial = c.constant(sourceIndex)?.integerValues, partial.count == axes.count {
                sizes = fullSizes(c, partial: partial, axes: axes, rank: rank, attributes: &attributes)
            } else {
                attributes["axes"] = .ints(axes)
                sizes = c.int64Input(sourceIndex)
            }
            c.emit("Resize", [x, "", "", sizes], [c.outputs[0]], attributes)
        } else {
            var scales = c.cast(c.inputs[sourceIndex], to: .float32)
            if !coversAll {
                if let partial = c.constant(sourceIndex)?.floatValues, partial.count == axes.count {
                    var full = [Float](repeating: 1, count: rank)
                    for (axis, scale) in zip(axes, partial) { full[axis] = scale }
                    scales = c.addConstant(Tensor(floats: full, shape: [rank]), "scales")
                } else {
                    attributes["axes"] = .ints(axes)
                }
            }
            c.emit("Resize", [x, "", scales], [c.outputs[0]], attributes)
        }
    }

    /// Sizes for every axis from sizes for some: the input's own dimensions where they are known; when the
    /// unknown ones (the batch) lead, Concat(Slice(Shape(x)), known sizes) at run time; else ONNX `axes`.
    private static func fullSizes(_ c: IRLayerContext, partial: [Int], axes: [Int], rank: Int,
                                  attributes: inout [String: Attribute]) -> String {
        let dims = c.inputDims(0)
        var full = dims.count == rank ? dims : Array(repeating: nil, count: rank)
        for (axis, size) in zip(axes, partial) { full[axis] = size }
        guard let lastUnknown = full.lastIndex(where: { $0 == nil }) else {
            return c.int64Constant(full.compactMap { $0 }, "sizes")
        }
        let leading = lastUnknown + 1
        guard axes.allSatisfy({ $0 >= leading }) else {
            attributes["axes"] = .ints(axes)
            return c.int64Constant(partial, "sizes")
        }
        let shape = c.emitValue("Shape", [c.inputs[0]], type: .int64)
        let runTime = c.emitValue("Slice", [shape, c.int64Constant([0], "starts"), c.int64Constant([leading], "ends")],
                                  type: .int64)
        let known = c.int64Constant(full[leading...].compactMap { $0 }, "sizes")
        return c.emitValue("Concat", [runTime, known], ["axis": .int(0)], type: .int64)
    }

    private static func resizeAttributes(_ c: IRLayerContext) throws -> [String: Attribute] {
        var attributes: [String: Attribute] = [:]
        switch c.string("mode", default: "nearest").lowercased() {
        case "nearest":
            let nearest = c.string("nearest_mode", default: "round_prefer_floor").lowercased()
            guard nearestModes.contains(nearest) else {
                let known = nearestModes.sorted().joined(separator: ", ")
                throw c.invalid("nearest_mode '\(nearest)' is not supported (\(known))")
            }
            attributes["mode"] = .string("nearest")
            attributes["nearest_mode"] = .string(nearest)
        case "linear", "linear_onnx":
            attributes["mode"] = .string("linear")
        case "cubic":
            attributes["mode"] = .string("cubic")
            attributes["cubic_coeff_a"] = .float(try c.float("cube_coeff", default: -0.75))
        case let mode:
            throw c.invalid("mode '\(mode)' is not supported (nearest, linear, linear_onnx, cubic)")
        }
        let coordinates = c.string("coordinate_transformation_mode", default: "half_pixel").lowercased()
        guard coordinateModes.contains(coordinates) else {
            throw c.invalid("coordinate_transformation_mode '\(coordinates)' is not supported")
        }
        attributes["coordinate_transformation_mode"] = .string(coordinates)
        if try c.bool("antialias", default: false) { attributes["antialias"] = .int(1) }
        let pads = try c.ints("pads_begin") + c.ints("pads_end")
        guard pads.allSatisfy({ $0 == 0 }) else {
            throw c.invalid("pads_begin/pads_end \(pads) are not supported (only zero)")
        }
        return attributes
    }
}
