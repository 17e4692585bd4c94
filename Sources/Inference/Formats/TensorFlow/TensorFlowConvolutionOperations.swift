import Foundation

/// Convolutions, pools, BiasAdd and FusedBatchNorm. The engine's Conv and pools are NCHW: an NHWC node is
/// wrapped in Transposes (NHWC→NCHW before, back after); TensorFlow's HWIO filters become OIHW constants.
/// TensorFlow's SAME padding puts the odd pixel at the end, which is ONNX's SAME_UPPER.
enum TensorFlowConvolutionOperations {
    typealias Translation = TensorFlowOperations.Translation

    static let toChannelsFirst = [0, 3, 1, 2]
    static let toChannelsLast = [0, 2, 3, 1]

    static let translations: [String: Translation] = [
        "Conv2D": { c in try convolution(c, depthwise: false) },
        "DepthwiseConv2dNative": { c in try convolution(c, depthwise: true) },
        "Conv2DBackpropInput": convolutionTranspose,
        "MaxPool": { c in try pool(c, "MaxPool") },
        "AvgPool": { c in try pool(c, "AveragePool") },
        "BiasAdd": biasAdd,
        "BiasAddV1": biasAdd,
        "FusedBatchNorm": batchNorm,
        "FusedBatchNormV2": batchNorm,
        "FusedBatchNormV3": batchNorm,
    ]

    /// The two spatial values of a 4-entry per-dimension attribute (strides, dilations, ksize).
    static func spatial(_ c: TensorFlowNodeContext, _ key: String, channelsLast: Bool) throws -> [Int] {
        guard let values = try c.ints(key) else { return [1, 1] }
        guard values.count == 4 else { throw c.invalid("\(key) \(values) should have 4 values") }
        let pair = channelsLast ? [values[1], values[2]] : [values[2], values[3]]
        guard pair.allSatisfy({ $0 >= 1 }) else { throw c.invalid("\(key) \(values) should be positive") }
        guard (channelsLast ? [values[0], values[3]] : [values[0], values[1]]) == [1, 1] else {
            throw c.invalid("\(key) \(values) over the batch or channel dimension is not supported")
        }
        return pair
    }

    /// auto_pad or pads for the node's `padding` (SAME, VALID, EXPLICIT with explicit_paddings).
    static func padding(_ c: TensorFlowNodeContext, channelsLast: Bool) throws -> [String: Attribute] {
        switch try c.string("padding", default: "VALID") {
        case "SAME": return ["auto_pad": .string("SAME_UPPER")]
        case "VALID": return ["pads": .ints([0, 0, 0, 0])]
        case "EXPLICIT":
            let values = try c.ints("explicit_paddings") ?? []
            guard values.count == 8, values.allSatisfy({ $0 >= 0 }) else {
                throw c.invalid("explicit_paddings \(values) should be 8 non-negative values")
            }
            let (h, w) = channelsLast ? (2, 4) : (4, 6)
            return ["pads": .ints([values[h], values[w], values[h + 1], values[w + 1]])]
        case let other: throw c.invalid("padding '\(other)' is not supported (SAME, VALID, EXPLICIT are)")
        }
    }

    /// `value` in NCHW: transposed when the node is NHWC.
    static func channelsFirst(_ c: TensorFlowNodeContext, _ value: String, channelsLast: Bool) -> String {
        channelsLast ? c.transpose(value, perm: toChannelsFirst) : value
    }

    /// Emits `opType` on NCHW data into output 0, transposing back to NHWC when needed.
    static func emitSpatial(_ c: TensorFlowNodeContext, _ opType: String, _ inputs: [String],
                            _ attributes: [String: Attribute], channelsLast: Bool) {
        let type = inputs.first.map { c.translator.type(of: $0) } ?? .float32
        let shape: [Int?] = [nil, nil, nil, nil]
        if channelsLast {
            let result = c.emitValue(opType, inputs, attributes, type: type, shape: shape)
            c.emitOutput("Transpose", [result], ["perm": .ints(toChannelsLast)], type: type, shape: shape)
        } else {
            c.emitOutput(opType, inputs, attributes, type: type, shape: shape)
        }
    }

    private static func filter(_ c: TensorFlowNodeContext, _ index: Int) throws -> Tensor {
        guard let filter = c.constant(index), filter.rank == 4 else {
            throw c.invalid("the filter (input \(index)) must be a constant 4-D tensor")
        }
        return filter
    }

    private static func convolution(_ c: TensorFlowNodeContext, depthwise: Bool) throws {
        try c.requireInputs(2)
        let channelsLast = try c.isChannelsLast()
        let filter = try filter(c, 1)
        var attributes = try padding(c, channelsLast: channelsLast)
        attributes["strides"] = .ints(try spatial(c, "strides", channelsLast: channelsLast))
        attributes["dilations"] = .ints(try spatial(c, "dilations", channelsLast: channelsLast))
        attributes["kernel_shape"] = .ints([filter.shape[0], filter.shape[1]])
        let (kh, kw, inChannels, outChannels) = (filter.shape[0], filter.shape[1], filter.shape[2], filter.shape[3])
        let weights: Tensor
        if depthwise {
            // [H, W, C, M] → [C·M, 1, H, W]; output channel c·M + m, one group per input channel.
            weights = ConstantTensors.transposed(filter, perm: [2, 3, 0, 1]).reshaped([inChannels * outChannels, 1, kh, kw])
            attributes["group"] = .int(inChannels)
        } else {
            weights = ConstantTensors.transposed(filter, perm: [3, 2, 0, 1])
            // A filter with fewer input channels than the data is a grouped convolution.
            if let dims = c.shape(ofInput: 0), dims.count == 4, let channels = dims[channelsLast ? 3 : 1],
               channels != inChannels {
                guard inChannels > 0, channels % inChannels == 0, outChannels % (channels / inChannels) == 0 else {
                    throw c.invalid("the filter's \(inChannels) input channels do not divide the data's \(channels)")
                }
                attributes["group"] = .int(channels / inChannels)
            }
        }
        let data = channelsFirst(c, c.inputs[0], channelsLast: channelsLast)
        emitSpatial(c, "Conv", [data, c.addConstant(weights, "weights")], attributes, channelsLast: channelsLast)
    }

    /// Conv2DBackpropInput(input_sizes, filter, out_backprop) is ONNX ConvTranspose with the filter's in and out
    /// roles swapped; the output size comes from input_sizes.
    private static func convolutionTranspose(_ c: TensorFlowNodeContext) throws {
        try c.requireInputs(3)
        let channelsLast = try c.isChannelsLast()
        let filter = try filter(c, 1)
        // Keras packs a dynamic batch with constant spatial sizes: only the spatial ones need to be known.
        guard let knownSizes = c.knownInts(0) else { throw c.invalid("the input_sizes (input 0) must be known at load") }
        let sizes = knownSizes.map { $0 ?? 0 }
        guard (knownSizes.count == 2 ? knownSizes : channelsLast ? Array(knownSizes.dropFirst().prefix(2))
               : Array(knownSizes.dropFirst(2).prefix(2))).allSatisfy({ $0 != nil }) else {
            throw c.invalid("the spatial input_sizes \(knownSizes) must be known at load")
        }
        // The full NHWC/NCHW shape, or (newer writers) just the spatial size.
        guard sizes.count == 4 || sizes.count == 2 else {
            throw c.invalid("input_sizes \(sizes) should have 4 (or 2 spatial) values")
        }
        let outputSize = sizes.count == 2 ? sizes : channelsLast ? [sizes[1], sizes[2]] : [sizes[2], sizes[3]]
        let strides = try spatial(c, "strides", channelsLast: channelsLast)
        let dilations = try spatial(c, "dilations", channelsLast: channelsLast)
        let kernel = [filter.shape[0], filter.shape[1]]
        var attributes: [String: Attribute] = [
            "strides": .ints(strides), "dilations": .ints(dilations), "kernel_shape": .ints(kernel),
        ]
        let padding = try self.padding(c, channelsLast: channelsLast)
        let inputDims = c.shape(ofInput: 2)
        let inputSize = inputDims.flatMap { dims -> [Int]? in
            guard dims.count == 4, let h = dims[channelsLast ? 1 : 2], let w = dims[channelsLast ? 2 : 3] else { return nil }
            return [h, w]
        }
        // Sizes from a damaged file must not overflow the arithmetic below.
        let limit = 1 << 24
        guard (outputSize + strides + dilations + kernel + (inputSize ?? [])).allSatisfy({ $0 >= 0 && $0 < limit }) else {
            throw c.invalid("input_sizes \(sizes), strides or dilations are out of range")
        }
        if let inputSize {
            // Explicit pads and output_padding reproduce TensorFlow's output size exactly.
            var begin = [0, 0], end = [0, 0]
            if case .ints(let pads)? = padding["pads"] { begin = [pads[0], pads[1]]; end = [pads[2], pads[3]] }
            var extra = [0, 0]
            for axis in 0..<2 {
                let span = (kernel[axis] - 1) * dilations[axis] + 1
                let full = (inputSize[axis] - 1) * strides[axis] + span
                if padding["auto_pad"] != nil {
                    let total = max(full - outputSize[axis], 0)
                    begin[axis] = total / 2
                    end[axis] = total - total / 2
                }
                extra[axis] = outputSize[axis] - (full - begin[axis] - end[axis])
                guard extra[axis] >= 0, extra[axis] < max(strides[axis], dilations[axis]) else {
                    throw c.invalid("input_sizes \(sizes) do not fit the input's spatial size \(inputSize)")
                }
            }
            attributes["pads"] = .ints(begin + end)
            attributes["output_padding"] = .ints(extra)
        } else {
            guard padding["auto_pad"] != nil else {
                throw c.invalid("the input's spatial size is not known at load; only SAME padding works without it")
            }
            attributes["auto_pad"] = .string("SAME_UPPER")
            attributes["output_shape"] = .ints(outputSize)
        }
        let weights = ConstantTensors.transposed(filter, perm: [3, 2, 0, 1])
        let data = channelsFirst(c, c.inputs[2], channelsLast: channelsLast)
        emitSpatial(c, "ConvTranspose", [data, c.addConstant(weights, "weights")], attributes,
                    channelsLast: channelsLast)
    }

    private static func pool(_ c: TensorFlowNodeContext, _ opType: String) throws {
        try c.requireInputs(1)
        let channelsLast = try c.isChannelsLast()
        var attributes = try padding(c, channelsLast: channelsLast)
        attributes["kernel_shape"] = .ints(try spatial(c, "ksize", channelsLast: channelsLast))
        attributes["strides"] = .ints(try spatial(c, "strides", channelsLast: channelsLast))
        let data = channelsFirst(c, c.inputs[0], channelsLast: channelsLast)
        emitSpatial(c, opType, [data], attributes, channelsLast: channelsLast)
    }

    private static func biasAdd(_ c: TensorFlowNodeContext) throws {
        try c.requireInputs(2)
        var bias = c.inputs[1]
        if try !c.isChannelsLast() {
            let rank = c.shape(ofInput: 0)?.count ?? 4
            bias = c.reshape(bias, to: [-1] + Array(repeating: 1, count: max(rank - 2, 0)))
        }
        c.emitOutput("Add", [c.inputs[0], bias], shape: c.shape(ofInput: 0))
    }

    /// FusedBatchNorm(x, scale, offset, mean, variance) in inference mode. With constant statistics, NHWC
    /// becomes x·a + b (a = scale/√(var+ε), b = offset − mean·a, per channel on the last axis); NCHW becomes
    /// BatchNormalization, which the optimiser folds into a preceding convolution.
    private static func batchNorm(_ c: TensorFlowNodeContext) throws {
        try c.requireInputs(5)
        guard try !c.bool("is_training", default: true) else {
            throw c.invalid("is_training=true (training-mode batch normalisation) is not supported")
        }
        if let bad = c.readOutputs.first(where: { $0 != 0 }) {
            throw c.invalid("its output \(bad) (batch statistics) is read, which is not supported")
        }
        let epsilon = try c.float("epsilon", default: 0.0001)
        let channelsLast = try c.isChannelsLast()
        let shape = c.shape(ofInput: 0)
        if channelsLast, let scale = c.constant(1), let offset = c.constant(2), let mean = c.constant(3),
           let variance = c.constant(4), [offset, mean, variance].allSatisfy({ $0.count == scale.count }) {
            let (s, o, m, v) = (scale.floatValues, offset.floatValues, mean.floatValues, variance.floatValues)
            let a = (0..<s.count).map { s[$0] / (v[$0] + epsilon).squareRoot() }
            let b = (0..<s.count).map { o[$0] - m[$0] * a[$0] }
            let scaled = c.emitValue("Mul", [c.inputs[0], c.addConstant(Tensor(floats: a, shape: [a.count]), "scale")],
                                     shape: shape)
            c.emitOutput("Add", [scaled, c.addConstant(Tensor(floats: b, shape: [b.count]), "shift")], shape: shape)
            return
        }
        let data = channelsFirst(c, c.inputs[0], channelsLast: channelsLast)
        emitSpatial(c, "BatchNormalization", [data] + c.inputs[1...4], ["epsilon": .float(epsilon)],
                    channelsLast: channelsLast)
    }
}
