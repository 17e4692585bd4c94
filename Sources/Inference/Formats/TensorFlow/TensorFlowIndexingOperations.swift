import Foundation

/// Slicing, gathering and reducing: StridedSlice, Slice, GatherV2, OneHot, ArgMax, the reductions and the
/// image resizes.
enum TensorFlowIndexingOperations {
    typealias Translation = TensorFlowOperations.Translation

    /// ONNX Slice's "to the end" / "to the beginning" bounds (it clamps them to the dimension).
    static let endless = Int(Int64.max), beginningless = Int(Int64.min)

    static let translations: [String: Translation] = {
        var table: [String: Translation] = [
            "StridedSlice": stridedSlice,
            "Slice": slice,
            "GatherV2": gather,
            "OneHot": oneHot,
            "ArgMax": { c in try argExtreme(c, "ArgMax") },
            "ArgMin": { c in try argExtreme(c, "ArgMin") },
            "ResizeBilinear": { c in try resize(c, linear: true) },
            "ResizeNearestNeighbor": { c in try resize(c, linear: false) },
        ]
        let reductions = ["Mean": "ReduceMean", "Sum": "ReduceSum", "Max": "ReduceMax", "Min": "ReduceMin",
                          "Prod": "ReduceProd"]
        for (tfOp, onnxOp) in reductions {
            table[tfOp] = { c in try reduce(c, onnxOp) }
        }
        return table
    }()

    private static func bit(_ mask: Int, _ index: Int) -> Bool { index < 63 && (mask >> index) & 1 == 1 }

    /// StridedSlice with its five masks: one ONNX Slice over the axes the spec restricts, a Squeeze of the
    /// shrunk axes, an Unsqueeze of the new ones. Only an ellipsis needs the input's rank.
    private static func stridedSlice(_ c: TensorFlowNodeContext) throws {
        try c.requireInputs(4)
        let begin = try c.constantInts(1, "begin"), end = try c.constantInts(2, "end")
        let strides = try c.constantInts(3, "strides")
        guard begin.count == end.count, begin.count == strides.count else {
            throw c.invalid("begin, end and strides have different lengths (\(begin.count), \(end.count), \(strides.count))")
        }
        let beginMask = try c.int("begin_mask", default: 0), endMask = try c.int("end_mask", default: 0)
        let ellipsisMask = try c.int("ellipsis_mask", default: 0), newAxisMask = try c.int("new_axis_mask", default: 0)
        let shrinkMask = try c.int("shrink_axis_mask", default: 0)

        var axes: [Int] = [], starts: [Int] = [], ends: [Int] = [], steps: [Int] = []
        var shrunk: [Int] = [], newAxes: [Int] = []
        var inputAxis = 0, outputAxis = 0
        for index in begin.indices {
            if bit(ellipsisMask, index) {
                // The ellipsis covers every input axis the entries after it do not name.
                let later = (index + 1..<begin.count).filter { !bit(newAxisMask, $0) && !bit(ellipsisMask, $0) }.count
                let rank = try c.rank(ofInput: 0, for: "an ellipsis in StridedSlice")
                let covered = rank - inputAxis - later
                guard covered >= 0 else { throw c.invalid("the slice names more axes than the input's \(rank)") }
                inputAxis += covered
                outputAxis += covered
                continue
            }
            if bit(newAxisMask, index) {
                newAxes.append(outputAxis)
                outputAxis += 1
                continue
            }
            let stride = strides[index]
            guard stride != 0 else { throw c.invalid("stride \(index) is 0") }
            if bit(shrinkMask, index) {
                let start = begin[index]
                axes.append(inputAxis); starts.append(start); steps.append(1)
                ends.append(start == -1 ? endless : TensorFlowOperations.add(start, 1))
                shrunk.append(inputAxis)
                inputAxis += 1
                continue
            }
            let start = bit(beginMask, index) ? (stride > 0 ? 0 : endless) : begin[index]
            let stop = bit(endMask, index) ? (stride > 0 ? endless : beginningless) : end[index]
            if !(start == 0 && stop == endless && stride == 1) {
                axes.append(inputAxis); starts.append(start); ends.append(stop); steps.append(stride)
            }
            inputAxis += 1
            outputAxis += 1
        }
        var value = c.inputs[0]
        let inputShape = c.shape(ofInput: 0)
        if !axes.isEmpty {
            value = c.emitValue("Slice", [value, c.int64Constant(starts, "starts"), c.int64Constant(ends, "ends"),
                                          c.int64Constant(axes, "axes"), c.int64Constant(steps, "steps")],
                                shape: inputShape.map { Array(repeating: nil, count: $0.count) })
        }
        var rank = inputShape?.count
        if !shrunk.isEmpty {
            rank = rank.map { $0 - shrunk.count }
            value = c.emitValue("Squeeze", [value, c.int64Constant(shrunk, "shrunk")],
                                shape: rank.map { Array(repeating: nil, count: $0) })
        }
        if !newAxes.isEmpty {
            rank = rank.map { $0 + newAxes.count }
            value = c.emitValue("Unsqueeze", [value, c.int64Constant(newAxes, "new_axes")],
                                shape: rank.map { Array(repeating: nil, count: $0) })
        }
        c.alias(value)
        if let known = c.knownInts(0), begin.count == 1, ellipsisMask == 0, newAxisMask == 0, strides[0] == 1 {
            c.translator.setKnownElements(knownSlice(known, begin: begin[0], end: end[0], beginMask: beginMask,
                                                     endMask: endMask, shrink: shrinkMask & 1 == 1), of: c.output(0))
        }
    }

    /// Elements start..<end (Python-style negative bounds) of a partly known vector, step 1.
    private static func knownSlice(_ known: [Int?], begin: Int, end: Int, beginMask: Int, endMask: Int,
                                   shrink: Bool) -> [Int?]? {
        let count = known.count
        func clamp(_ bound: Int) -> Int { max(0, min(count, bound < 0 ? TensorFlowOperations.add(bound, count) : bound)) }
        let start = beginMask & 1 == 1 ? 0 : clamp(begin)
        if shrink { return start < count && (begin >= -count) ? [known[start]] : nil }
        let stop = endMask & 1 == 1 ? count : clamp(end)
        return start <= stop ? Array(known[start..<stop]) : []
    }

    /// Slice(x, begin, size): size −1 means "to the end".
    private static func slice(_ c: TensorFlowNodeContext) throws {
        try c.requireInputs(3)
        let begin = try c.constantInts(1, "begin"), size = try c.constantInts(2, "size")
        guard begin.count == size.count else { throw c.invalid("begin and size have different lengths") }
        let ends = zip(begin, size).map { start, length in length < 0 ? endless : TensorFlowOperations.add(start, length) }
        let rank = c.shape(ofInput: 0)?.count
        c.emitOutput("Slice", [c.inputs[0], c.int64Constant(begin, "starts"), c.int64Constant(ends, "ends"),
                               c.int64Constant(Array(begin.indices), "axes")],
                     shape: rank.map { Array(repeating: nil, count: $0) })
    }

    private static func gather(_ c: TensorFlowNodeContext) throws {
        try c.requireInputs(3)
        guard try c.int("batch_dims", default: 0) == 0 else { throw c.invalid("batch_dims other than 0 is not supported") }
        let axisValues = try c.constantInts(2, "axis")
        guard axisValues.count == 1, let axis = axisValues.first else { throw c.invalid("axis should be one value") }
        var shape: [Int?]? = nil
        if let params = c.shape(ofInput: 0), let indices = c.shape(ofInput: 1) {
            let position = try TensorFlowShapeOperations.normalized(axis, rank: params.count, c)
            shape = Array(params[..<position]) + indices + Array(params[(position + 1)...])
        }
        c.emitOutput("Gather", [c.inputs[0], c.inputs[1]], ["axis": .int(axis)], shape: shape)
    }

    /// OneHot(indices, depth, on_value, off_value) → ONNX OneHot(indices, depth, [off, on]).
    private static func oneHot(_ c: TensorFlowNodeContext) throws {
        try c.requireInputs(4)
        let type = c.type(ofInput: 2)
        let values: String
        if let on = c.constant(2), let off = c.constant(3), on.count == 1, off.count == 1 {
            values = c.addConstant(ConstantTensors.cast(
                Tensor(floats: [off.floatValues[0], on.floatValues[0]], shape: [2]), to: type), "values")
        } else {
            let axes = c.int64Constant([0], "axes")
            let off = c.emitValue("Unsqueeze", [c.inputs[3], axes]), on = c.emitValue("Unsqueeze", [c.inputs[2], axes])
            values = c.emitValue("Concat", [off, on], ["axis": .int(0)], type: type)
        }
        let axis = try c.int("axis", default: -1)
        var shape = c.shape(ofInput: 0)
        if let indices = shape {
            shape = indices
            let depth = c.constant(1)?.integerValues.first
            shape?.insert(depth, at: try TensorFlowShapeOperations.normalized(axis, rank: indices.count + 1, c))
        }
        // A negative index marks nothing in TensorFlow, but counts from the end in ONNX: it is moved out of range.
        let indexType = c.type(ofInput: 0)
        let negative = c.emitValue("Less", [c.inputs[0], c.scalarConstant(0, type: indexType, "zero")], type: .bool)
        let indices = c.emitValue("Where", [negative, c.scalarConstant(Float(1 << 30), type: indexType, "outside"),
                                            c.inputs[0]], type: indexType)
        c.emitOutput("OneHot", [indices, c.inputs[1], values], ["axis": .int(axis)], type: type, shape: shape)
    }

    private static func argExtreme(_ c: TensorFlowNodeContext, _ onnxOp: String) throws {
        try c.requireInputs(2)
        let axisValues = try c.constantInts(1, "dimension")
        guard axisValues.count == 1, let axis = axisValues.first else { throw c.invalid("dimension should be one value") }
        let type = try c.type("output_type") ?? .int64
        var shape = c.shape(ofInput: 0)
        if let input = shape { shape = input; shape?.remove(at: try TensorFlowShapeOperations.normalized(axis, rank: input.count, c)) }
        let index = c.emitValue(onnxOp, [c.inputs[0]], ["axis": .int(axis), "keepdims": .int(0)], type: .int64, shape: shape)
        if type == .int64 { c.alias(index) } else {
            c.emitOutput("Cast", [index], ["to": .int(type.onnxCode)], type: type, shape: shape)
        }
    }

    /// Mean, Sum, Max, Min, Prod over the axes of input 1; no axes reduces nothing, as in TensorFlow.
    private static func reduce(_ c: TensorFlowNodeContext, _ onnxOp: String) throws {
        try c.requireInputs(2)
        let keep = try c.bool("keep_dims", default: false)
        var shape: [Int?]? = nil
        if let input = c.shape(ofInput: 0), let axes = c.constant(1)?.integerValues {
            let positions = try Set(axes.map { try TensorFlowShapeOperations.normalized($0, rank: input.count, c) })
            shape = keep ? input.indices.map { positions.contains($0) ? 1 : input[$0] }
                : input.indices.filter { !positions.contains($0) }.map { input[$0] }
        }
        var axes = c.int64Input(1)
        if let tensor = c.translator.initializers[axes], tensor.rank == 0 {
            axes = c.addConstant(tensor.reshaped([1]), "axes")
        }
        c.emitOutput(onnxOp, [c.inputs[0], axes], ["keepdims": .int(keep ? 1 : 0), "noop_with_empty_axes": .int(1)],
                     shape: shape)
    }

    /// ResizeBilinear / ResizeNearestNeighbor on NHWC images: ONNX Resize over axes 1 and 2 with the sizes of
    /// input 1, TensorFlow's coordinate rules (align_corners, half_pixel_centers, else asymmetric).
    private static func resize(_ c: TensorFlowNodeContext, linear: Bool) throws {
        try c.requireInputs(2)
        let alignCorners = try c.bool("align_corners", default: false)
        let halfPixel = try c.bool("half_pixel_centers", default: false)
        guard !(alignCorners && halfPixel) else {
            throw c.invalid("align_corners and half_pixel_centers cannot both be set")
        }
        var attributes: [String: Attribute] = ["mode": .string(linear ? "linear" : "nearest"), "axes": .ints([1, 2])]
        if alignCorners {
            attributes["coordinate_transformation_mode"] = .string("align_corners")
            attributes["nearest_mode"] = .string("round_prefer_ceil")
        } else if halfPixel {
            attributes["coordinate_transformation_mode"] = .string(linear ? "half_pixel" : "tf_half_pixel_for_nn")
            attributes["nearest_mode"] = .string("floor")
        } else {
            attributes["coordinate_transformation_mode"] = .string("asymmetric")
            attributes["nearest_mode"] = .string("floor")
        }
        var shape = c.shape(ofInput: 0)
        if let size = c.constant(1)?.integerValues, size.count == 2, shape?.count == 4 {
            shape?[1] = size[0]; shape?[2] = size[1]
        }
        c.emitOutput("Resize", [c.inputs[0], "", "", c.int64Input(1)], attributes, shape: shape)
    }
}
