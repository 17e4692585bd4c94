/// Operations that move or reshape data without arithmetic: Reshape, Squeeze/Unsqueeze, Transpose, Concat,
/// Split/VariadicSplit, ShapeOf, Broadcast, Tile, Range, Pad, DepthToSpace/SpaceToDepth.
enum IRShapeOperations {
    static let translations: [String: IRTranslation] = [
        "Reshape": reshape,
        "Squeeze": { c in
            try c.requireInputs(1)
            c.emit("Squeeze", [c.inputs[0]] + (c.inputs.count > 1 ? [c.int64Vector(1)] : []), [c.outputs[0]])
        },
        "Unsqueeze": { c in
            try c.requireInputs(2)
            c.emit("Unsqueeze", [c.inputs[0], c.int64Vector(1)], [c.outputs[0]])
        },
        "Transpose": { c in
            try c.requireInputs(2)
            let order = try c.constantInts(1, "order")
            // An empty order reverses the axes, which is ONNX's default without `perm`.
            c.emit("Transpose", [c.inputs[0]], [c.outputs[0]], order.isEmpty ? [:] : ["perm": .ints(order)])
        },
        "Concat": { c in
            try c.requireInputs(1)
            c.emit("Concat", c.inputs, [c.outputs[0]], ["axis": .int(try c.int("axis", default: 0))])
        },
        "Split": split,
        "VariadicSplit": variadicSplit,
        "ShapeOf": { c in
            try c.requireInputs(1)
            if c.string("output_type", default: "i64").lowercased() == "i32" {
                let shape = c.emitValue("Shape", [c.inputs[0]], type: .int64)
                c.emit("Cast", [shape], [c.outputs[0]], ["to": .int(ElementType.int32.onnxCode)])
            } else {
                c.emit("Shape", [c.inputs[0]], [c.outputs[0]])
            }
        },
        "Broadcast": broadcast,
        "Tile": tile,
        "Range": range,
        "Pad": pad,
        "DepthToSpace": { c in
            try c.requireInputs(1)
            let mode: String
            switch c.string("mode", default: "blocks_first") {
            case "blocks_first": mode = "DCR"
            case "depth_first": mode = "CRD"
            case let other: throw c.invalid("mode '\(other)' is not supported")
            }
            c.emit("DepthToSpace", [c.inputs[0]], [c.outputs[0]],
                   ["blocksize": .int(try c.int("block_size", default: 1)), "mode": .string(mode)])
        },
        "SpaceToDepth": { c in
            try c.requireInputs(1)
            guard c.string("mode", default: "blocks_first") == "blocks_first" else {
                throw c.invalid("mode '\(c.string("mode", default: ""))' is not supported (only blocks_first)")
            }
            c.emit("SpaceToDepth", [c.inputs[0]], [c.outputs[0]],
                   ["blocksize": .int(try c.int("block_size", default: 1))])
        },
    ]

    /// special_zero true: a 0 copies the input dimension (ONNX allowzero 0); false: a 0 is a zero dimension
    /// (allowzero 1, set only when the pattern may hold a 0).
    private static func reshape(_ c: IRLayerContext) throws {
        try c.requireInputs(2)
        var attributes: [String: Attribute] = [:]
        if try !c.bool("special_zero", default: false), c.constant(1)?.integerValues.contains(0) ?? true {
            attributes["allowzero"] = .int(1)
        }
        c.emit("Reshape", [c.inputs[0], c.int64Input(1)], [c.outputs[0]], attributes)
    }

    /// The constant scalar axis of Split/VariadicSplit, resolved against the data rank when it is known.
    private static func splitAxis(_ c: IRLayerContext) throws -> Int {
        let values = try c.constantInts(1, "axis")
        guard values.count == 1 else { throw c.invalid("the axis should be one value, got \(values)") }
        let rank = c.inputDims(0).count
        return values[0] < 0 && rank > 0 ? values[0] + rank : values[0]
    }

    /// num_splits equal parts: sizes from the port's dimension when it is known, else ONNX `num_outputs`.
    private static func split(_ c: IRLayerContext) throws {
        try c.requireInputs(2)
        let axis = try splitAxis(c)
        let parts = try c.int("num_splits", default: c.outputs.count)
        guard parts > 0, parts == c.outputs.count else {
            throw c.invalid("num_splits \(parts) does not match the \(c.outputs.count) output ports")
        }
        let dims = c.inputDims(0)
        if axis >= 0, axis < dims.count, let length = dims[axis] {
            guard length % parts == 0 else {
                throw c.invalid("dimension \(length) of axis \(axis) does not split into \(parts) equal parts")
            }
            let sizes = c.int64Constant(Array(repeating: length / parts, count: parts), "split")
            c.emit("Split", [c.inputs[0], sizes], c.outputs, ["axis": .int(axis)])
        } else {
            c.emit("Split", [c.inputs[0]], c.outputs, ["axis": .int(axis), "num_outputs": .int(parts)])
        }
    }

    /// split_lengths may hold one -1 (the rest of the axis), resolved from the port's dimension.
    private static func variadicSplit(_ c: IRLayerContext) throws {
        try c.requireInputs(3)
        let axis = try splitAxis(c)
        guard var lengths = c.constant(2)?.integerValues else {
            c.emit("Split", [c.inputs[0], c.int64Input(2)], c.outputs, ["axis": .int(axis)])
            return
        }
        guard lengths.count == c.outputs.count else {
            throw c.invalid("\(lengths.count) split lengths for \(c.outputs.count) output ports")
        }
        if let rest = lengths.firstIndex(of: -1) {
            let dims = c.inputDims(0)
            guard axis >= 0, axis < dims.count, let length = dims[axis] else {
                throw c.invalid("a split length of -1 needs the dimension of axis \(axis), which is not known")
            }
            // Wrapping arithmetic: absurd lengths fail in Split's own checks, not here.
            lengths[rest] = length &- lengths.filter { $0 != -1 }.reduce(0, &+)
        }
        c.emit("Split", [c.inputs[0], c.int64Constant(lengths, "split")], c.outputs, ["axis": .int(axis)])
    }

    /// numpy and bidirectional → Expand; explicit → Unsqueeze of the axes the mapping leaves out, then Expand.
    private static func broadcast(_ c: IRLayerContext) throws {
        try c.requireInputs(2)
        let shape = c.int64Input(1)
        switch c.string("mode", default: "numpy").lowercased() {
        case "numpy", "bidirectional":
            c.emit("Expand", [c.inputs[0], shape], [c.outputs[0]])
        case "explicit":
            try c.requireInputs(3)
            let mapping = try c.constantInts(2, "axes_mapping")
            let rank = c.constant(1)?.count ?? c.outputDims(0).count
            let missing = (0..<rank).filter { !mapping.contains($0) }
            let data = missing.isEmpty
                ? c.inputs[0] : c.emitValue("Unsqueeze", [c.inputs[0], c.int64Constant(missing, "axes")])
            c.emit("Expand", [data, shape], [c.outputs[0]])
        case let mode:
            throw c.invalid("broadcast mode '\(mode)' is not supported (numpy, bidirectional, explicit)")
        }
    }

    /// OpenVINO pads short repeats with leading 1s and gives short data leading axes; ONNX wants them equal.
    private static func tile(_ c: IRLayerContext) throws {
        try c.requireInputs(2)
        let rank = c.inputDims(0).count
        guard let repeats = c.constant(1)?.integerValues, rank > 0, repeats.count != rank else {
            c.emit("Tile", [c.inputs[0], c.int64Input(1)], [c.outputs[0]])
            return
        }
        if repeats.count < rank {
            let padded = Array(repeating: 1, count: rank - repeats.count) + repeats
            c.emit("Tile", [c.inputs[0], c.int64Constant(padded, "repeats")], [c.outputs[0]])
        } else {
            let axes = c.int64Constant(Array(0..<repeats.count - rank), "axes")
            let data = c.emitValue("Unsqueeze", [c.inputs[0], axes])
            c.emit("Tile", [data, c.int64Constant(repeats, "repeats")], [c.outputs[0]])
        }
    }

    /// ONNX Range wants three scalars of the output's type.
    private static func range(_ c: IRLayerContext) throws {
        try c.requireInputs(3)
        var type = c.builder.type(of: c.outputs[0])
        if let name = c.layer.data["output_type"] {
            guard let declared = IRElementType(irName: name)?.engineType else {
                throw c.invalid("output_type '\(name)' is not a type this engine reads")
            }
            type = declared
        }
        c.builder.setType(type, of: c.outputs[0])
        let operands = (0..<3).map { index in
            let value = c.cast(c.inputs[index], to: type)
            let isScalar = c.constant(index).map { $0.rank == 0 } ?? c.inputDims(index).isEmpty
            return isScalar ? value : c.reshape(value, to: [])
        }
        c.emit("Range", operands, [c.outputs[0]])
    }

    /// pads_begin and pads_end become ONNX's single pads input; pad_value must have the data's type.
    private static func pad(_ c: IRLayerContext) throws {
        try c.requireInputs(3)
        let mode = c.string("pad_mode", default: "constant").lowercased()
        guard ["constant", "edge", "reflect"].contains(mode) else {
            throw c.invalid("pad_mode '\(mode)' is not supported (constant, edge, reflect)")
        }
        let pads: String
        if let begin = c.constant(1)?.integerValues, let end = c.constant(2)?.integerValues {
            pads = c.int64Constant(begin + end, "pads")
        } else {
            pads = c.emitValue("Concat", [c.int64Input(1), c.int64Input(2)], ["axis": .int(0)], type: .int64)
        }
        var operands = [c.inputs[0], pads]
        if mode == "constant", c.inputs.count > 3 {
            operands.append(c.cast(c.inputs[3], to: c.inputType(0)))
        }
        c.emit("Pad", operands, [c.outputs[0]], ["mode": .string(mode)])
    }
}

extension IRLayerContext {
    /// Input `index` as a 1-D int64 tensor (axes inputs may be scalars in the IR; ONNX wants a list).
    func int64Vector(_ index: Int) -> String {
        let value = int64Input(index)
        let isScalar = constant(index).map { $0.rank == 0 } ?? inputDims(index).isEmpty
        return isScalar ? reshape(value, to: [1]) : value
    }
}
