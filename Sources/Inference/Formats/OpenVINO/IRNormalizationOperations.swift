/// Reductions, SoftMax/LogSoftmax and the normalisations: MVN, NormalizeL2, BatchNormInference.
enum IRNormalizationOperations {
    static let translations: [String: IRTranslation] = {
        var table: [String: IRTranslation] = [
            "SoftMax": { c in
                try c.requireInputs(1)
                c.emit("Softmax", [c.inputs[0]], [c.outputs[0]], ["axis": .int(try c.int("axis", default: 1))])
            },
            "LogSoftmax": { c in
                try c.requireInputs(1)
                c.emit("LogSoftmax", [c.inputs[0]], [c.outputs[0]], ["axis": .int(try c.int("axis", default: 1))])
            },
            "MVN": mvn,
            "NormalizeL2": normalizeL2,
            "BatchNormInference": { c in
                try c.requireInputs(5)
                // opset1 puts the data third (gamma, beta, data, mean, variance); opset5 first.
                let order = c.opsetVersion >= 5 ? [0, 1, 2, 3, 4] : [2, 0, 1, 3, 4]
                c.emit("BatchNormalization", order.map { c.inputs[$0] }, [c.outputs[0]],
                       ["epsilon": .float(try c.float("epsilon", default: 1e-5))])
            },
        ]
        for op in ["ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2"] {
            table[op] = { c in try reduce(c, op) }
        }
        return table
    }()

    /// Opset-18 reductions take the axes as an input. An empty axes list leaves the data as it is in OpenVINO
    /// (noop_with_empty_axes), not a reduction over every axis.
    private static func reduce(_ c: IRLayerContext, _ op: String) throws {
        try c.requireInputs(2)
        var attributes: [String: Attribute] = ["keepdims": .int(try c.bool("keep_dims", default: false) ? 1 : 0)]
        if c.constant(1)?.count == 0 { attributes["noop_with_empty_axes"] = .int(1) }
        c.emit(op, [c.inputs[0], c.int64Vector(1)], [c.outputs[0]], attributes)
    }

    /// MVN-6 (axes input, eps_mode) and MVN-1 (reduction_axes or across_channels, eps inside the root).
    /// Normalising over the trailing axes with eps inside the root is a LayerNormalization (scale 1, no bias)
    /// when those dimensions are known; anything else becomes ReduceMean/Sub/Mul/Sqrt/Div.
    private static func mvn(_ c: IRLayerContext) throws {
        try c.requireInputs(1)
        let rank = c.inputDims(0).count
        let normalizeVariance = try c.bool("normalize_variance", default: true)
        let epsilon = try c.float("eps", default: 1e-9)
        let insideRoot: Bool
        var axes: [Int]?
        if c.opsetVersion >= 6 {
            try c.requireInputs(2)
            switch c.string("eps_mode", default: "inside_sqrt").lowercased() {
            case "inside_sqrt": insideRoot = true
            case "outside_sqrt": insideRoot = false
            case let mode: throw c.invalid("eps_mode '\(mode)' is not supported")
            }
            axes = c.constant(1)?.integerValues
        } else {
            insideRoot = true
            axes = try c.ints("reduction_axes")
            if axes?.isEmpty ?? true {
                let first = try c.bool("across_channels", default: false) ? 1 : 2
                guard rank > first else { throw c.invalid("the input's rank is needed to pick the axes") }
                axes = Array(first..<rank)
            }
        }
        if let given = axes, rank > 0 {
            axes = given.map { $0 < 0 ? $0 + rank : $0 }.sorted()
        }
        let x = c.inputs[0]
        if let axes, normalizeVariance, insideRoot, rank > 0, !axes.isEmpty, axes == Array(rank - axes.count..<rank) {
            let normalized = c.inputDims(0).suffix(axes.count)
            let dims = normalized.compactMap { $0 }
            // The scale of ones is materialised, so only for sane sizes (a hidden size, not a bogus port).
            if dims.count == normalized.count, let count = IRWeights.elementCount(dims), count <= 1 << 24 {
                let scale = c.addConstant(Tensor(floats: Array(repeating: 1, count: count), shape: dims), "scale")
                c.emit("LayerNormalization", [x, scale], [c.outputs[0]],
                       ["axis": .int(rank - axes.count), "epsilon": .float(epsilon)])
                return
            }
        }
        let axesValue = axes.map { c.int64Constant($0, "axes") } ?? c.int64Vector(1)
        let keep: [String: Attribute] = ["keepdims": .int(1)]
        let mean = c.emitValue("ReduceMean", [x, axesValue], keep)
        guard normalizeVariance else {
            c.emit("Sub", [x, mean], [c.outputs[0]])
            return
        }
        let centered = c.emitValue("Sub", [x, mean])
        let variance = c.emitValue("ReduceMean", [c.emitValue("Mul", [centered, centered]), axesValue], keep)
        let eps = c.scalarConstant(epsilon, type: .float32, "eps")
        let denominator = insideRoot
            ? c.emitValue("Sqrt", [c.emitValue("Add", [variance, eps])])
            : c.emitValue("Add", [c.emitValue("Sqrt", [variance]), eps])
        c.emit("Div", [centered, denominator], [c.outputs[0]])
    }

    /// x / sqrt(max(Σx², eps)) or x / sqrt(Σx² + eps) over the axes.
    private static func normalizeL2(_ c: IRLayerContext) throws {
        try c.requireInputs(2)
        let x = c.inputs[0]
        var attributes: [String: Attribute] = ["keepdims": .int(1)]
        if c.constant(1)?.count == 0 { attributes["noop_with_empty_axes"] = .int(1) }
        let sum = c.emitValue("ReduceSum", [c.emitValue("Mul", [x, x]), c.int64Vector(1)], attributes)
        let eps = c.scalarConstant(try c.float("eps", default: 1e-12), type: .float32, "eps")
        let guarded: String
        switch c.string("eps_mode", default: "add").lowercased() {
        case "add": guarded = c.emitValue("Add", [sum, eps])
        case "max": guarded = c.emitValue("Max", [sum, eps])
        case let mode: throw c.invalid("eps_mode '\(mode)' is not supported")
        }
        c.emit("Div", [x, c.emitValue("Sqrt", [guarded])], [c.outputs[0]])
    }
}
