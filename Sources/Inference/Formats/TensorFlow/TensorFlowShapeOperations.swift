import Foundation

/// Ops that move data without arithmetic: Reshape, Squeeze, ExpandDims, Transpose, Shape, ConcatV2, Pack,
/// Unpack, Split, SplitV, Tile, Fill and the pads. Axes, perms and sizes come from constant inputs or attributes.
enum TensorFlowShapeOperations {
    typealias Translation = TensorFlowOperations.Translation

    static let translations: [String: Translation] = [
        "Reshape": reshape,
        "Squeeze": squeeze,
        "ExpandDims": expandDims,
        "Transpose": transpose,
        "Shape": shape,
        "ConcatV2": concat,
        "Pack": pack,
        "Unpack": unpack,
        "Split": { c in try split(c, dataIndex: 1, axisIndex: 0, sizes: nil) },
        "SplitV": { c in try split(c, dataIndex: 0, axisIndex: 2, sizes: c.constantInts(1, "size_splits")) },
        "Tile": { c in
            try c.requireInputs(2)
            let rank = c.shape(ofInput: 0)?.count
            c.emitOutput("Tile", [c.inputs[0], c.int64Input(1)], shape: rank.map { Array(repeating: nil, count: $0) })
        },
        "Fill": { c in
            try c.requireInputs(2)
            let dims = c.constant(0)?.integerValues.map { Optional($0) }
            c.emitOutput("Expand", [c.inputs[1], c.int64Input(0)], type: c.type(ofInput: 1), shape: dims)
        },
        "Rank": { c in
            try c.requireInputs(1)
            let rank = try c.rank(ofInput: 0, for: "Rank")
            c.translator.addInitializer(Tensor(int32s: [Int32(clamping: rank)], shape: []), named: c.output(0))
        },
        "Size": { c in
            try c.requireInputs(1)
            let type = try c.type("out_type") ?? .int32
            c.emitOutput("Cast", [c.emitValue("Size", [c.inputs[0]], type: .int64, shape: [])],
                         ["to": .int(type.onnxCode)], type: type, shape: [])
        },
        "Range": { c in
            try c.requireInputs(3)
            c.emitOutput("Range", Array(c.inputs.prefix(3)), shape: [nil])
        },
        "Placeholder": { c in
            throw c.invalid("the graph needs this input, but it is not among the inputs "
                            + "(graph_meta.json input_names leaves it out)")
        },
        "Pad": { c in try pad(c, mode: "constant") },
        "PadV2": { c in try pad(c, mode: "constant") },
        "MirrorPad": { c in
            switch try c.string("mode", default: "REFLECT") {
            case "REFLECT": try pad(c, mode: "reflect")
            case "SYMMETRIC": try symmetricPad(c)
            case let other: throw c.invalid("mode '\(other)' is not supported (REFLECT and SYMMETRIC are)")
            }
        },
    ]

    /// An axis in [0, rank) from TensorFlow's [-rank, rank).
    static func normalized(_ axis: Int, rank: Int, _ c: TensorFlowNodeContext) throws -> Int {
        guard axis >= -rank, axis < rank else { throw c.invalid("axis \(axis) is out of range for rank \(rank)") }
        return axis < 0 ? axis + rank : axis
    }

    private static func reshape(_ c: TensorFlowNodeContext) throws {
        try c.requireInputs(2)
        var target = c.constant(1)?.integerValues
        // A target computed from a dynamic batch ([batch, 4, 4, 3], batch unknown) is a constant with -1 there.
        if target == nil, let known = c.knownInts(1), known.filter({ $0 == nil }).count == 1, !known.contains(-1) {
            target = known.map { $0 ?? -1 }
        }
        if let target {
            // TensorFlow's 0 is an empty dimension, ONNX's "copy the input's": allowzero keeps TensorFlow's.
            var attributes: [String: Attribute] = [:]
            if target.contains(0) { attributes["allowzero"] = .int(1) }
            c.emitOutput("Reshape", [c.inputs[0], c.int64Constant(target, "shape")], attributes,
                         shape: target.map { $0 >= 0 ? $0 : nil })
        } else {
            let rank = c.shape(ofInput: 1)?.first ?? nil
            c.emitOutput("Reshape", [c.inputs[0], c.int64Input(1)], ["allowzero": .int(1)],
                         shape: rank.map { Array(repeating: nil, count: $0) })
        }
    }

    private static func squeeze(_ c: TensorFlowNodeContext) throws {
        try c.requireInputs(1)
        let axes = try c.ints("squeeze_dims") ?? c.ints("axis") ?? []
        let input = c.shape(ofInput: 0)
        if axes.isEmpty {
            c.emitOutput("Squeeze", [c.inputs[0]],
                         shape: input.flatMap { dims in dims.contains(nil) ? nil : dims.filter { $0 != 1 } })
            return
        }
        var shape: [Int?]? = nil
        if let input {
            let positions = try Set(axes.map { try normalized($0, rank: input.count, c) })
            shape = input.enumerated().filter { !positions.contains($0.offset) }.map(\.element)
        }
        c.emitOutput("Squeeze", [c.inputs[0], c.int64Constant(axes, "axes")], shape: shape)
    }

    private static func expandDims(_ c: TensorFlowNodeContext) throws {
        try c.requireInputs(2)
        let axes = try c.constantInts(1, "axis")
        guard axes.count == 1, let axis = axes.first else { throw c.invalid("axis should be one value, got \(axes)") }
        var shape = c.shape(ofInput: 0)
        if let input = shape { shape = input; shape?.insert(1, at: try normalized(axis, rank: input.count + 1, c)) }
        c.emitOutput("Unsqueeze", [c.inputs[0], c.int64Constant([axis], "axes")], shape: shape)
    }

    private static func transpose(_ c: TensorFlowNodeContext) throws {
        try c.requireInputs(2)
        let perm = try c.constantInts(1, "perm")
        let shape = c.shape(ofInput: 0).flatMap { dims -> [Int?]? in
            guard dims.count == perm.count, perm.allSatisfy({ dims.indices.contains($0) }) else { return nil }
            return perm.map { dims[$0] }
        }
        c.emitOutput("Transpose", [c.inputs[0]], ["perm": .ints(perm)], shape: shape)
    }

    private static func shape(_ c: TensorFlowNodeContext) throws {
        try c.requireInputs(1)
        let type = try c.type("out_type") ?? .int32
        // A fully known shape is a constant now; otherwise the run computes it.
        if let dims = c.shape(ofInput: 0), dims.allSatisfy({ $0 != nil }) {
            let tensor = ConstantTensors.cast(ConstantTensors.int64s(dims.map { $0 ?? 0 }), to: type)
            c.translator.addInitializer(tensor, named: c.output(0))
            return
        }
        let rank = c.shape(ofInput: 0)?.count
        let shape = c.emitValue("Shape", [c.inputs[0]], type: .int64, shape: rank.map { [$0] })
        c.emitOutput("Cast", [shape], ["to": .int(type.onnxCode)], type: type, shape: rank.map { [$0] })
        c.translator.setKnownElements(c.shape(ofInput: 0), of: c.output(0))
    }

    private static func concat(_ c: TensorFlowNodeContext) throws {
        try c.requireInputs(2)
        let values = Array(c.inputs.dropLast())
        let axisValues = try c.constantInts(c.inputs.count - 1, "axis")
        guard axisValues.count == 1, let axis = axisValues.first else { throw c.invalid("axis should be one value") }
        var shape: [Int?]? = nil
        if let first = c.shape(ofInput: 0) {
            let position = try normalized(axis, rank: first.count, c)
            var dims = first
            var total: Int? = 0
            for index in values.indices {
                guard let size = c.shape(ofInput: index).flatMap({ $0.count == first.count ? $0[position] : nil })
                else { total = nil; break }
                total = total.map { TensorFlowOperations.add($0, size) }
            }
            dims[position] = total
            shape = dims
        }
        c.emitOutput("Concat", values, ["axis": .int(axis)], type: c.type(ofInput: 0), shape: shape)
    }

    /// Pack: each value gains a dimension at `axis`, then all are concatenated there.
    private static func pack(_ c: TensorFlowNodeContext) throws {
        try c.requireInputs(1)
        let axis = try c.int("axis", default: 0)
        var shape = c.shape(ofInput: 0)
        if let input = shape {
            shape = input
            shape?.insert(c.inputs.count, at: try normalized(axis, rank: input.count + 1, c))
        }
        if axis == 0 {
            let elements = c.inputs.indices.map { index -> Int? in
                guard let known = c.knownInts(index), known.count == 1 else { return nil }
                return known[0]
            }
            if elements.contains(where: { $0 != nil }) { c.translator.setKnownElements(elements, of: c.output(0)) }
        }
        let axes = c.int64Constant([axis], "axes")
        let expanded = try c.inputs.map { value in
            if let tensor = c.translator.initializers[value] {
                var dims = tensor.shape
                dims.insert(1, at: try normalized(axis, rank: dims.count + 1, c))
                return c.addConstant(tensor.reshaped(dims), "expanded")
            }
            return c.emitValue("Unsqueeze", [value, axes])
        }
        c.emitOutput("Concat", expanded, ["axis": .int(axis)], type: c.type(ofInput: 0), shape: shape)
    }

    private static func unpack(_ c: TensorFlowNodeContext) throws {
        try c.requireInputs(1)
        let count = try c.int("num", default: 0)
        guard count >= 1, count <= 65536 else { throw c.invalid("num \(count) should be at least 1") }
        let axis = try c.int("axis", default: 0)
        let parts = (0..<count).map { _ in c.translator.uniqueValueName("\(c.name)/part") }
        c.emit("Split", [c.inputs[0], c.int64Constant(Array(repeating: 1, count: count), "split")], parts,
               ["axis": .int(axis)])
        let axes = c.int64Constant([axis], "axes")
        for (index, part) in parts.enumerated() {
            c.emit("Squeeze", [part, axes], [c.output(index)])
        }
    }

    private static func split(_ c: TensorFlowNodeContext, dataIndex: Int, axisIndex: Int, sizes: [Int]?) throws {
        try c.requireInputs(max(dataIndex, axisIndex) + 1)
        let axisValues = try c.constantInts(axisIndex, "axis")
        guard axisValues.count == 1, let axis = axisValues.first else { throw c.invalid("axis should be one value") }
        let count = try sizes?.count ?? c.int("num_split", default: 0)
        guard count >= 1, count <= 65536 else { throw c.invalid("the number of parts \(count) should be at least 1") }
        var inputs = [c.inputs[dataIndex]]
        if var sizes {
            if let unknown = sizes.firstIndex(of: -1) {
                // One size may be -1: what the others leave of the dimension.
                guard let dims = c.shape(ofInput: dataIndex), let size = dims[try normalized(axis, rank: dims.count, c)]
                else { throw c.invalid("size_splits \(sizes) has a -1 but the split dimension is not known at load") }
                let known = sizes.filter { $0 != -1 }.reduce(0, TensorFlowOperations.add)
                guard known >= 0, known <= size else {
                    throw c.invalid("size_splits \(sizes) do not fit the dimension's \(size)")
                }
                sizes[unknown] = size - known
            }
            inputs.append(c.int64Constant(sizes, "split"))
        }
        c.emit("Split", inputs, (0..<count).map { c.output($0) }, ["axis": .int(axis)])
    }

    /// Pad / PadV2 / MirrorPad(REFLECT): paddings [[before, after], ...] become ONNX pads [befores..., afters...].
    private static func pad(_ c: TensorFlowNodeContext, mode: String) throws {
        try c.requireInputs(2)
        let (before, after) = try paddings(c)
        var inputs = [c.inputs[0], c.int64Constant(before + after, "pads")]
        if c.op == "PadV2", c.inputs.count > 2 { inputs.append(c.inputs[2]) }
        let shape = c.shape(ofInput: 0).map { dims in
            dims.indices.map { axis in dims[axis].map { TensorFlowOperations.add(TensorFlowOperations.add($0, before[axis]), after[axis]) } }
        }
        c.emitOutput("Pad", inputs, ["mode": .string(mode)], shape: shape)
    }

    private static func paddings(_ c: TensorFlowNodeContext) throws -> (before: [Int], after: [Int]) {
        let values = try c.constantInts(1, "paddings")
        guard values.count % 2 == 0, values.allSatisfy({ $0 >= 0 }) else {
            throw c.invalid("paddings \(values) should be non-negative [before, after] pairs")
        }
        let pairs = stride(from: 0, to: values.count, by: 2)
        return (pairs.map { values[$0] }, pairs.map { values[$0 + 1] })
    }

    /// MirrorPad SYMMETRIC (the edge repeated) has no ONNX mode: per axis, the mirrored edge slices (read
    /// backwards with step −1) are concatenated around the data.
    private static func symmetricPad(_ c: TensorFlowNodeContext) throws {
        try c.requireInputs(2)
        let (before, after) = try paddings(c)
        var value = c.inputs[0]
        for axis in before.indices where before[axis] > 0 || after[axis] > 0 {
            var parts: [String] = []
            let axes = c.int64Constant([axis], "axes"), step = c.int64Constant([-1], "step")
            if before[axis] > 0 {
                parts.append(c.emitValue("Slice", [value, c.int64Constant([before[axis] - 1], "start"),
                                                   c.int64Constant([Int(Int64.min)], "end"), axes, step]))
            }
            parts.append(value)
            if after[axis] > 0 {
                parts.append(c.emitValue("Slice", [value, c.int64Constant([-1], "start"),
                                                   c.int64Constant([-1 - after[axis]], "end"), axes, step]))
            }
            value = c.emitValue("Concat", parts, ["axis": .int(axis)])
        }
        c.alias(value)
    }
}
