/// Convolutions, pooling and MatMul. OpenVINO keeps a convolution's bias as a following Add of a [1,C,1,1]
/// constant; the optimiser fuses it, so Conv is emitted without one.
enum IRConvolutionOperations {
    static let translations: [String: IRTranslation] = [
        "Convolution": { c in try convolution(c, grouped: false) },
        "GroupConvolution": { c in try convolution(c, grouped: true) },
        "ConvolutionBackpropData": { c in try transposedConvolution(c, grouped: false) },
        "GroupConvolutionBackpropData": { c in try transposedConvolution(c, grouped: true) },
        "MaxPool": maxPool,
        "AvgPool": averagePool,
        "MatMul": matMul,
    ]

    /// Weights [Cout, Cin/G, k...]; grouped: [G, Cout/G, Cin/G, k...], folded into the ONNX layout.
    private static func convolution(_ c: IRLayerContext, grouped: Bool) throws {
        try c.requireInputs(2)
        var attributes: [String: Attribute] = [:]
        let weights = try groupedWeights(c, grouped: grouped, into: &attributes)
        let kernel: [Int]? = if case .ints(let shape)? = attributes["kernel_shape"] { shape } else { nil }
        attributes.merge(try window(c, kernel: kernel, dilations: true)) { _, new in new }
        c.emit("Conv", [c.inputs[0], weights], [c.outputs[0]], attributes)
    }

    /// Weights [Cin, Cout, k...]; grouped: [G, Cin/G, Cout/G, k...] → [Cin, Cout/G, k...] as ONNX ConvTranspose.
    private static func transposedConvolution(_ c: IRLayerContext, grouped: Bool) throws {
        try c.requireInputs(2)
        guard c.inputs.count == 2 else {
            throw c.invalid("the output_shape input is not supported; give explicit pads instead")
        }
        // Same-padding of a transposed convolution depends on the output size: left to the operator.
        var attributes = try window(c, kernel: nil, dilations: true)
        let outputPadding = try c.ints("output_padding")
        if outputPadding.contains(where: { $0 != 0 }) { attributes["output_padding"] = .ints(outputPadding) }
        let weights = try groupedWeights(c, grouped: grouped, into: &attributes)
        c.emit("ConvTranspose", [c.inputs[0], weights], [c.outputs[0]], attributes)
    }

    /// The weight value for the ONNX op: as is, or with the group axis merged into the next one (needs the
    /// weight's dimensions, from the constant or its port).
    private static func groupedWeights(_ c: IRLayerContext, grouped: Bool,
                                       into attributes: inout [String: Attribute]) throws -> String {
        let dims = c.constant(1)?.shape.map { Optional($0) } ?? c.inputDims(1)
        let known = dims.compactMap { $0 }
        guard known.count == dims.count, known.count >= (grouped ? 4 : 3) else {
            guard !grouped else {
                throw c.invalid("the grouped weights need a known shape [G, ..., k...], found \(dims)")
            }
            return c.inputs[1]
        }
        attributes["kernel_shape"] = .ints(Array(known.dropFirst(grouped ? 3 : 2)))
        guard grouped else { return c.inputs[1] }
        let (merged, overflow) = known[0].multipliedReportingOverflow(by: known[1])
        guard !overflow else { throw c.invalid("the grouped weights' shape \(known) is too large") }
        attributes["group"] = .int(known[0])
        return c.reshape(c.inputs[1], to: [merged] + known.dropFirst(2))
    }

    /// strides, dilations, pads (begin + end) and auto_pad in ONNX form. Same-padding becomes explicit pads
    /// when the kernel and the input's spatial dimensions are known, so it does not depend on how an operator
    /// handles auto_pad with dilations.
    private static func window(_ c: IRLayerContext, kernel: [Int]?, dilations: Bool) throws -> [String: Attribute] {
        var attributes: [String: Attribute] = [:]
        let strides = try c.ints("strides")
        if !strides.isEmpty { attributes["strides"] = .ints(strides) }
        let dilationValues = dilations ? try c.ints("dilations") : []
        if !dilationValues.isEmpty { attributes["dilations"] = .ints(dilationValues) }
        let autoPad: String
        switch c.string("auto_pad", default: "explicit").lowercased() {
        case "explicit", "notset", "": autoPad = "NOTSET"
        case "same_upper": autoPad = "SAME_UPPER"
        case "same_lower": autoPad = "SAME_LOWER"
        case "valid": autoPad = "VALID"
        case let other: throw c.invalid("auto_pad '\(other)' is not supported")
        }
        if autoPad.hasPrefix("SAME"), let kernel,
           let pads = samePads(input: c.inputDims(0).dropFirst(2).map { $0 }, kernel: kernel, strides: strides,
                               dilations: dilationValues, upper: autoPad == "SAME_UPPER") {
            attributes["auto_pad"] = .string("NOTSET")
            attributes["pads"] = .ints(pads)
            return attributes
        }
        attributes["auto_pad"] = .string(autoPad)
        if autoPad == "NOTSET" {
            let begin = try c.ints("pads_begin")
            let end = try c.ints("pads_end")
            guard begin.count == end.count else {
                throw c.invalid("pads_begin \(begin) and pads_end \(end) differ in length")
            }
            if !begin.isEmpty { attributes["pads"] = .ints(begin + end) }
        }
        return attributes
    }

    /// Pads that keep ceil(input / stride) outputs per axis; the odd one goes at the end (upper) or the
    /// beginning (lower). nil when a spatial dimension is not known.
    private static func samePads(input: [Int?], kernel: [Int], strides: [Int], dilations: [Int],
                                 upper: Bool) -> [Int]? {
        let sizes = input.compactMap { $0 }
        // Sizes beyond 2^31 are not real models; leaving them to the operator keeps the arithmetic safe.
        let limit = 1 << 31
        guard sizes.count == input.count, sizes.count == kernel.count,
              (sizes + kernel + strides + dilations).allSatisfy({ $0 < limit }) else { return nil }
        var begins: [Int] = [], ends: [Int] = []
        for axis in sizes.indices {
            let stride = axis < strides.count ? strides[axis] : 1
            let dilation = axis < dilations.count ? dilations[axis] : 1
            guard stride > 0 else { return nil }
            let outputs = (sizes[axis] + stride - 1) / stride
            let total = max((outputs - 1) * stride + (kernel[axis] - 1) * dilation + 1 - sizes[axis], 0)
            let smaller = total / 2
            begins.append(upper ? smaller : total - smaller)
            ends.append(upper ? total - smaller : smaller)
        }
        return begins + ends
    }

    /// rounding_type floor / ceil (ceil_torch, opset14, also rounds up).
    private static func ceilMode(_ c: IRLayerContext) throws -> Int {
        switch c.string("rounding_type", default: "floor").lowercased() {
        case "floor": return 0
        case "ceil", "ceil_torch": return 1
        case let other: throw c.invalid("rounding_type '\(other)' is not supported")
        }
    }

    /// MaxPool v1 and v8/v14; v8's second output (indices) is refused if something reads it.
    private static func maxPool(_ c: IRLayerContext) throws {
        try c.requireInputs(1)
        try c.requireUnread(outputsFrom: 1, "indices")
        let kernel = try c.ints("kernel")
        var attributes = try window(c, kernel: kernel, dilations: c.opsetVersion >= 8)
        attributes["kernel_shape"] = .ints(kernel)
        attributes["ceil_mode"] = .int(try ceilMode(c))
        c.emit("MaxPool", [c.inputs[0]], [c.outputs[0]], attributes)
    }

    private static func averagePool(_ c: IRLayerContext) throws {
        try c.requireInputs(1)
        let kernel = try c.ints("kernel")
        var attributes = try window(c, kernel: kernel, dilations: false)
        attributes["kernel_shape"] = .ints(kernel)
        attributes["ceil_mode"] = .int(try ceilMode(c))
        attributes["count_include_pad"] = .int(try c.bool("exclude-pad", default: false) ? 0 : 1)
        c.emit("AveragePool", [c.inputs[0]], [c.outputs[0]], attributes)
    }

    /// transpose_a / transpose_b become Transposes of the last two axes (folded for constant weights); a 1-D
    /// operand ignores its flag, as in OpenVINO.
    private static func matMul(_ c: IRLayerContext) throws {
        try c.requireInputs(2)
        var operands = [c.inputs[0], c.inputs[1]]
        for (index, flag) in ["transpose_a", "transpose_b"].enumerated() {
            guard try c.bool(flag, default: false) else { continue }
            let rank = try c.rank(ofInput: index, for: flag)
            guard rank >= 2 else { continue }
            operands[index] = c.transpose(operands[index], perm: Array(0..<rank - 2) + [rank - 1, rank - 2])
        }
        c.emit("MatMul", operands, [c.outputs[0]])
    }
}
