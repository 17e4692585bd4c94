/// Operations that select elements: Gather, GatherElements, StridedSlice, Slice, TopK, CumSum.
enum IRIndexingOperations {
    static let translations: [String: IRTranslation] = [
        "Gather": { c in
            try c.requireInputs(3)
            let batchDims = try c.int("batch_dims", default: 0)
            guard batchDims == 0 else { throw c.invalid("batch_dims \(batchDims) is not supported (only 0)") }
            let axis = try c.constantInts(2, "axis")
            guard axis.count == 1 else { throw c.invalid("the axis should be one value, got \(axis)") }
            c.emit("Gather", [c.inputs[0], c.inputs[1]], [c.outputs[0]], ["axis": .int(axis[0])])
        },
        "GatherElements": { c in
            try c.requireInputs(2)
            c.emit("GatherElements", [c.inputs[0], c.inputs[1]], [c.outputs[0]],
                   ["axis": .int(try c.int("axis", default: 0))])
        },
        "StridedSlice": stridedSlice,
        "Slice": { c in
            // IR: data, start, stop, step, axes; ONNX: data, starts, ends, axes, steps.
            try c.requireInputs(4)
            let axes = c.inputs.count > 4 ? c.int64Input(4) : ""
            c.emit("Slice", [c.inputs[0], c.int64Input(1), c.int64Input(2), axes, c.int64Input(3)], [c.outputs[0]])
        },
        "TopK": topK,
        "CumSum": { c in
            try c.requireInputs(1)
            let axis = c.inputs.count > 1 ? c.int64Input(1) : c.int64Constant([0], "axis", shape: [])
            c.emit("CumSum", [c.inputs[0], axis], [c.outputs[0]],
                   ["exclusive": .int(try c.bool("exclusive", default: false) ? 1 : 0),
                    "reverse": .int(try c.bool("reverse", default: false) ? 1 : 0)])
        },
    ]

    /// StridedSlice → Slice (+ Squeeze for shrink_axis_mask). A mask entry of 1 means "ignore": begin_mask
    /// starts at the beginning, end_mask runs to the end; shrink_axis_mask keeps the one element at begin
    /// and drops the axis. ellipsis_mask and new_axis_mask are refused.
    private static func stridedSlice(_ c: IRLayerContext) throws {
        try c.requireInputs(3)
        for mask in ["ellipsis_mask", "new_axis_mask"] {
            let values = try c.ints(mask)
            guard values.allSatisfy({ $0 == 0 }) else {
                throw c.invalid("\(mask) \(values) is not supported (only all-zero)")
            }
        }
        let beginMask = try c.ints("begin_mask")
        let endMask = try c.ints("end_mask")
        let shrinkMask = try c.ints("shrink_axis_mask")
        func isSet(_ mask: [Int], _ axis: Int) -> Bool { axis < mask.count && mask[axis] != 0 }

        guard let begin = c.constant(1)?.integerValues, let end = c.constant(2)?.integerValues else {
            // Run-time bounds map directly only when no mask changes their meaning.
            guard (beginMask + endMask + shrinkMask).allSatisfy({ $0 == 0 }) else {
                throw c.invalid("begin and end must be constants when begin_mask, end_mask or shrink_axis_mask is set")
            }
            let steps = c.inputs.count > 3 ? [c.int64Input(3)] : []
            c.emit("Slice", [c.inputs[0], c.int64Input(1), c.int64Input(2)] + (steps.isEmpty ? [] : [""] + steps),
                   [c.outputs[0]])
            return
        }
        let strides = c.inputs.count > 3 ? try c.constantInts(3, "stride") : Array(repeating: 1, count: begin.count)
        guard end.count == begin.count, strides.count == begin.count else {
            throw c.invalid("begin \(begin), end \(end) and stride \(strides) differ in length")
        }
        var starts: [Int] = [], ends: [Int] = [], steps: [Int] = [], squeezed: [Int] = []
        for axis in begin.indices {
            let step = strides[axis]
            guard step != 0 else { throw c.invalid("stride 0 on axis \(axis)") }
            if isSet(shrinkMask, axis) {
                let start = isSet(beginMask, axis) ? 0 : begin[axis]
                starts.append(start)
                let (next, overflow) = start.addingReportingOverflow(1)
                ends.append(start == -1 || overflow ? Int(Int64.max) : next)
                steps.append(1)
                squeezed.append(axis)
            } else {
                starts.append(isSet(beginMask, axis) ? (step > 0 ? 0 : Int(Int64.max)) : begin[axis])
                ends.append(isSet(endMask, axis) ? (step > 0 ? Int(Int64.max) : Int(Int64.min)) : end[axis])
                steps.append(step)
            }
        }
        let sliceInputs = [c.inputs[0], c.int64Constant(starts, "starts"), c.int64Constant(ends, "ends"),
                           c.int64Constant(Array(begin.indices), "axes"), c.int64Constant(steps, "steps")]
        if squeezed.isEmpty {
            c.emit("Slice", sliceInputs, [c.outputs[0]])
        } else {
            let sliced = c.emitValue("Slice", sliceInputs)
            c.emit("Squeeze", [sliced, c.int64Constant(squeezed, "squeeze_axes")], [c.outputs[0]])
        }
    }

    /// TopK: k becomes a 1-D int64; sort "index" re-orders the sorted result by index (a second TopK over the
    /// indices, then GatherElements); int32 indices get a Cast.
    private static func topK(_ c: IRLayerContext) throws {
        try c.requireInputs(2)
        let axis = try c.int("axis", default: -1)
        let mode = c.string("mode", default: "max").lowercased()
        guard mode == "max" || mode == "min" else { throw c.invalid("mode '\(mode)' is not supported") }
        let sort = c.string("sort", default: "value").lowercased()
        guard ["value", "index", "none"].contains(sort) else { throw c.invalid("sort '\(sort)' is not supported") }
        let k = c.reshape(c.int64Input(1), to: [1])
        let indexType = c.outputs.count > 1 ? c.builder.type(of: c.outputs[1]) : .int64
        let valuesOut = c.outputs[0]
        let indicesOut = c.outputs.count > 1 ? c.outputs[1] : c.temp("indices", type: .int64)
        let needsReorder = sort == "index"
        let values = needsReorder ? c.temp("sorted_values", type: c.inputType(0)) : valuesOut
        var indices = needsReorder || indexType != .int64 ? c.temp("indices", type: .int64) : indicesOut
        c.emit("TopK", [c.inputs[0], k], [values, indices],
               ["axis": .int(axis), "largest": .int(mode == "max" ? 1 : 0), "sorted": .int(1)])
        if needsReorder {
            let order = c.temp("order", type: .int64)
            c.emit("TopK", [indices, k], [c.temp("sorted_indices", type: .int64), order],
                   ["axis": .int(axis), "largest": .int(0), "sorted": .int(1)])
            c.emit("GatherElements", [values, order], [valuesOut], ["axis": .int(axis)])
            let reordered = indexType == .int64 ? indicesOut : c.temp("reordered_indices", type: .int64)
            c.emit("GatherElements", [indices, order], [reordered], ["axis": .int(axis)])
            indices = reordered
        }
        if indexType != .int64 {
            c.emit("Cast", [indices], [indicesOut], ["to": .int(indexType.onnxCode)])
        }
    }
}
