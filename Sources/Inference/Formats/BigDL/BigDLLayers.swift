/// Convolutions, pooling, normalisation, Linear and activations. Spatial modules work on NCHW unless their
/// `format` says NHWC, in which case the input is transposed to NCHW and the output back.
enum BigDLLayers {
    static let translations: [String: BigDLTranslation] = [
        "SpatialConvolution": convolution,
        "SpatialDilatedConvolution": dilatedConvolution,
        "SpatialFullConvolution": fullConvolution,
        "SpatialBatchNormalization": { c in try batchNormalization(c, spatial: true) },
        "BatchNormalization": { c in try batchNormalization(c, spatial: false) },
        "SpatialMaxPooling": maxPooling,
        "SpatialAveragePooling": averagePooling,
        "SpatialZeroPadding": zeroPadding,
        "Linear": linear,
        "ReLU": { c in try unary(c, "Relu") },
        "Tanh": { c in try unary(c, "Tanh") },
        "Sigmoid": { c in try unary(c, "Sigmoid") },
        "ReLU6": relu6,
        "LeakyReLU": { c in
            try unary(c, "LeakyRelu", ["alpha": .float(Float(try c.double("negval", default: 0.01)))])
        },
        "ELU": { c in try unary(c, "Elu", ["alpha": .float(Float(try c.double("alpha", default: 1)))]) },
        "SoftMax": softMax,
        "LogSoftMax": { c in try unary(c, "LogSoftmax", ["axis": .int(-1)]) },
    ]

    // MARK: Helpers

    /// The NCHW input of a spatial module (transposed from NHWC when the module says so).
    private static func spatialInput(_ c: BigDLLayerContext, nhwc: Bool, channels: Int? = nil) throws -> BigDLValue {
        let first: [Int?] = nhwc ? [nil, nil, nil, channels] : [nil, channels, nil, nil]
        let value = try c.single(rank: 4, firstDims: first)
        return nhwc ? c.transpose(value, [0, 3, 1, 2]) : value
    }

    /// Emits the module's NCHW op; for NHWC the result is transposed back, under the module's name.
    private static func spatialOutput(_ c: BigDLLayerContext, nhwc: Bool, _ opType: String, _ inputs: [String],
                                      _ attributes: [String: Attribute], dims: [Int?]) -> BigDLActivity {
        guard nhwc else { return c.output(opType, inputs, attributes, dims: dims) }
        let result = c.emitValue(opType, inputs, attributes, dims: dims)
        return .tensor(c.transpose(result, [0, 2, 3, 1], final: true))
    }

    /// Output size along one axis; nil when the input size is not known.
    static func outputSize(_ input: Int?, kernel: Int, stride: Int, pads: Int, dilation: Int = 1,
                           ceil: Bool = false) -> Int? {
        guard let input, stride > 0, input < 1 << 30, kernel < 1 << 20, pads < 1 << 20, dilation < 1 << 20 else {
            return nil
        }
        let span = input + pads - (kernel - 1) * dilation - 1
        guard span >= 0 else { return nil }
        var size = (ceil ? (span + stride - 1) / stride : span / stride) + 1
        // Ceil mode does not start a window in the end padding (as Torch and ONNX).
        if ceil, (size - 1) * stride >= input + pads / 2 { size -= 1 }
        return size
    }

    /// strides and pads (padW/padH -1: TensorFlow-style SAME, the odd pixel at the end) and the output's
    /// spatial dimensions.
    /// The window of a pooling module (kH/kW, dH/dW, padH/padW); its two modules spell ceil mode differently.
    private static func poolingWindow(_ c: BigDLLayerContext, input: BigDLValue,
                                      ceil: Bool) throws -> (attributes: [String: Attribute], spatial: [Int?]) {
        var (attributes, spatial) = try window(
            c, input: input, kernel: (try c.int("kH", default: 1), try c.int("kW", default: 1)),
            stride: (try c.int("dH", default: 1), try c.int("dW", default: 1)),
            pad: (try c.int("padH", default: 0), try c.int("padW", default: 0)), ceil: ceil)
        attributes["ceil_mode"] = .int(ceil ? 1 : 0)
        return (attributes, spatial)
    }

    private static func window(_ c: BigDLLayerContext, input: BigDLValue, kernel: (h: Int, w: Int),
                               stride: (h: Int, w: Int), pad: (h: Int, w: Int), dilation: (h: Int, w: Int) = (1, 1),
                               ceil: Bool = false) throws -> (attributes: [String: Attribute], spatial: [Int?]) {
        guard kernel.h > 0, kernel.w > 0 else { throw c.invalid("kernel \(kernel.h)x\(kernel.w) is empty") }
        guard stride.h > 0, stride.w > 0 else { throw c.invalid("stride \(stride.h)x\(stride.w) is not positive") }
        guard dilation.h > 0, dilation.w > 0 else { throw c.invalid("dilation must be positive") }
        var attributes: [String: Attribute] = ["kernel_shape": .ints([kernel.h, kernel.w]),
                                               "strides": .ints([stride.h, stride.w])]
        let height = input.dims.flatMap { $0.count == 4 ? $0[2] : nil }
        let width = input.dims.flatMap { $0.count == 4 ? $0[3] : nil }
        if pad.h == -1 && pad.w == -1 {
            attributes["auto_pad"] = .string("SAME_UPPER")
            let same = { (size: Int?, s: Int) in size.map { ($0 + s - 1) / s } }
            return (attributes, [same(height, stride.h), same(width, stride.w)])
        }
        guard pad.h >= 0, pad.w >= 0 else {
            throw c.invalid("padding \(pad.h)x\(pad.w) is not supported (only -1 on both axes, for SAME)")
        }
        attributes["pads"] = .ints([pad.h, pad.w, pad.h, pad.w])
        return (attributes, [
            outputSize(height, kernel: kernel.h, stride: stride.h, pads: 2 * pad.h, dilation: dilation.h, ceil: ceil),
            outputSize(width, kernel: kernel.w, stride: stride.w, pads: 2 * pad.w, dilation: dilation.w, ceil: ceil),
        ])
    }

    private static func batch(_ value: BigDLValue) -> Int? { value.dims?.first ?? nil }

    // MARK: Convolutions

    /// Weights [nGroup, out/nGroup, in/nGroup, kH, kW] (NHWC: [nGroup, kH, kW, in/nGroup, out/nGroup]).
    private static func convolution(_ c: BigDLLayerContext) throws -> BigDLActivity {
        let nhwc = try c.isNHWC()
        let inputs = try c.int("nInputPlane", default: 0), outputs = try c.int("nOutputPlane", default: 0)
        let groups = try c.int("nGroup", default: 1)
        let kernel = (h: try c.int("kernelH", default: 1), w: try c.int("kernelW", default: 1))
        guard inputs > 0, outputs > 0, groups > 0, inputs % groups == 0, outputs % groups == 0 else {
            throw c.invalid("nInputPlane \(inputs) and nOutputPlane \(outputs) must be positive multiples of "
                            + "nGroup \(groups)")
        }
        guard kernel.h > 0, kernel.w > 0, kernel.h < 1 << 16, kernel.w < 1 << 16 else {
            throw c.invalid("kernel \(kernel.h)x\(kernel.w) is not supported")
        }
        let source = try spatialInput(c, nhwc: nhwc, channels: inputs)
        var weight = try c.requireParameter(0, "weight")
        let perGroup = [outputs / groups, inputs / groups]
        if weight.rank == 4, groups == 1 {
            weight = weight.reshaped([1] + weight.shape)
        }
        let expected = nhwc ? [groups, kernel.h, kernel.w, perGroup[1], perGroup[0]]
            : [groups, perGroup[0], perGroup[1], kernel.h, kernel.w]
        guard weight.shape == expected else {
            throw c.invalid("weight has shape \(weight.shape), expected \(expected)")
        }
        if nhwc { weight = ConstantTensors.transposed(weight, perm: [0, 4, 3, 1, 2]) }
        weight = weight.reshaped([outputs, perGroup[1], kernel.h, kernel.w])
        var operands = [source.name, c.constant(weight, "weight")]
        if try c.bool("withBias", default: true) {
            operands.append(c.constant(try c.requireParameter(1, "bias", shape: [outputs]), "bias"))
        }
        let (window, spatial) = try window(
            c, input: source, kernel: kernel,
            stride: (try c.int("strideH", default: 1), try c.int("strideW", default: 1)),
            pad: (try c.int("padH", default: 0), try c.int("padW", default: 0)))
        var attributes = window
        attributes["group"] = .int(groups)
        return spatialOutput(c, nhwc: nhwc, "Conv", operands, attributes, dims: [batch(source), outputs] + spatial)
    }

    /// Weights [out, in, kH, kW]; dW/dH are the strides here.
    private static func dilatedConvolution(_ c: BigDLLayerContext) throws -> BigDLActivity {
        let inputs = try c.int("nInputPlane", default: 0), outputs = try c.int("nOutputPlane", default: 0)
        let kernel = (h: try c.int("kH", default: 1), w: try c.int("kW", default: 1))
        let source = try spatialInput(c, nhwc: false, channels: inputs)
        let weight = try c.requireParameter(0, "weight", shape: [outputs, inputs, kernel.h, kernel.w])
        var operands = [source.name, c.constant(weight, "weight")]
        if let bias = try c.parameter(1, "bias") {
            guard bias.shape == [outputs] else {
                throw c.invalid("bias has shape \(bias.shape), expected [\(outputs)]")
            }
            operands.append(c.constant(bias, "bias"))
        }
        let dilation = (h: try c.int("dilationH", default: 1), w: try c.int("dilationW", default: 1))
        var (attributes, spatial) = try window(
            c, input: source, kernel: kernel, stride: (try c.int("dH", default: 1), try c.int("dW", default: 1)),
            pad: (try c.int("padH", default: 0), try c.int("padW", default: 0)), dilation: dilation)
        attributes["dilations"] = .ints([dilation.h, dilation.w])
        return c.output("Conv", operands, attributes, dims: [batch(source), outputs] + spatial)
    }

    /// A transposed convolution: weights [nGroup, in/nGroup, out/nGroup, kH, kW] → ONNX ConvTranspose
    /// [in, out/nGroup, kH, kW]; adjW/adjH are ONNX's output_padding.
    private static func fullConvolution(_ c: BigDLLayerContext) throws -> BigDLActivity {
        // BigDL writes the integer parameters as one list, in the constructor's order.
        let names = ["nInputPlane", "nOutputPlane", "kW", "kH", "dW", "dH", "padW", "padH", "adjW", "adjH", "nGroup"]
        let defaults = [0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1]
        var values: [String: Int] = [:]
        if let list = try c.ints("intParams") {
            guard list.count == names.count else {
                throw c.invalid("intParams has \(list.count) entries, expected \(names.count)")
            }
            values = Dictionary(uniqueKeysWithValues: zip(names, list))
        } else {
            for (name, fallback) in zip(names, defaults) { values[name] = try c.int(name, default: fallback) }
        }
        let p = { (name: String) in values[name] ?? 0 }
        let inputs = p("nInputPlane"), outputs = p("nOutputPlane"), groups = p("nGroup")
        let kernel = (h: p("kH"), w: p("kW")), stride = (h: p("dH"), w: p("dW"))
        let pad = (h: p("padH"), w: p("padW")), adjust = (h: p("adjH"), w: p("adjW"))
        guard inputs > 0, outputs > 0, groups > 0, inputs % groups == 0, outputs % groups == 0 else {
            throw c.invalid("nInputPlane \(inputs) and nOutputPlane \(outputs) must be positive multiples of "
                            + "nGroup \(groups)")
        }
        guard kernel.h > 0, kernel.w > 0, stride.h > 0, stride.w > 0, pad.h >= 0, pad.w >= 0,
              adjust.h >= 0, adjust.w >= 0, adjust.h < stride.h, adjust.w < stride.w else {
            throw c.invalid("kernel, stride, padding or adjustment out of range (padding -1 is not supported here)")
        }
        let source = try spatialInput(c, nhwc: false, channels: inputs)
        var weight = try c.requireParameter(0, "weight")
        if weight.rank == 4, groups == 1 { weight = weight.reshaped([1] + weight.shape) }
        let expected = [groups, inputs / groups, outputs / groups, kernel.h, kernel.w]
        guard weight.shape == expected else {
            throw c.invalid("weight has shape \(weight.shape), expected \(expected)")
        }
        let merged = weight.reshaped([inputs, outputs / groups, kernel.h, kernel.w])
        var operands = [source.name, c.constant(merged, "weight")]
        if !(try c.bool("noBias", default: false)) {
            operands.append(c.constant(try c.requireParameter(1, "bias", shape: [outputs]), "bias"))
        }
        let size = { (input: Int?, k: Int, s: Int, p: Int, a: Int) -> Int? in
            input.flatMap { $0 < 1 << 30 && k < 1 << 20 && s < 1 << 20 ? ($0 - 1) * s - 2 * p + k + a : nil }
        }
        let dims = source.dims ?? []
        let spatial = [size(dims.count == 4 ? dims[2] : nil, kernel.h, stride.h, pad.h, adjust.h),
                       size(dims.count == 4 ? dims[3] : nil, kernel.w, stride.w, pad.w, adjust.w)]
        var attributes: [String: Attribute] = [
            "kernel_shape": .ints([kernel.h, kernel.w]), "strides": .ints([stride.h, stride.w]),
            "pads": .ints([pad.h, pad.w, pad.h, pad.w]), "group": .int(groups),
        ]
        if adjust.h != 0 || adjust.w != 0 { attributes["output_padding"] = .ints([adjust.h, adjust.w]) }
        return c.output("ConvTranspose", operands, attributes, dims: [batch(source), outputs] + spatial)
    }

    // MARK: Normalisation

    /// Inference form: (x - runningMean) / sqrt(runningVar + eps) · weight + bias (weight 1, bias 0 when
    /// affine is false). BatchNormalization is the [batch, features] form.
    private static func batchNormalization(_ c: BigDLLayerContext, spatial: Bool) throws -> BigDLActivity {
        let channels = try c.int("nOutput", default: 0)
        guard channels > 0 else { throw c.invalid("nOutput \(channels) is not positive") }
        let nhwc = spatial ? try c.isNHWC("dataFormat") : false
        let source = spatial ? try spatialInput(c, nhwc: nhwc, channels: channels)
            : try c.single(rank: 2, firstDims: [nil, channels])
        let affine = try c.bool("affine", default: true)
        let scale = affine ? try c.requireParameter(0, "weight", shape: [channels]) : nil
        let bias = affine ? try c.requireParameter(1, "bias", shape: [channels]) : nil
        let runningMean = try c.tensorAttribute("runningMean"), runningVariance = try c.tensorAttribute("runningVar")
        for (what, tensor) in [("runningMean", runningMean), ("runningVar", runningVariance)] {
            if let tensor, tensor.shape != [channels] {
                throw c.invalid("\(what) has shape \(tensor.shape), expected [\(channels)]")
            }
        }
        // Defaults are made only for a channel count the file's own tensors vouch for, or a plausible one.
        guard scale != nil || runningMean != nil || channels <= 1 << 20 else {
            throw c.invalid("nOutput \(channels) is larger than this engine accepts without weights")
        }
        let filled = { (value: Float) in Tensor(floats: [Float](repeating: value, count: channels), shape: [channels]) }
        let mean = runningMean ?? filled(0), variance = runningVariance ?? filled(1)
        let operands = [source.name, c.constant(scale ?? filled(1), "weight"), c.constant(bias ?? filled(0), "bias"),
                        c.constant(mean, "runningMean"), c.constant(variance, "runningVar")]
        let attributes: [String: Attribute] = ["epsilon": .float(Float(try c.double("eps", default: 1e-5)))]
        guard spatial else {
            return c.output("BatchNormalization", operands, attributes, dims: source.dims)
        }
        return spatialOutput(c, nhwc: nhwc, "BatchNormalization", operands, attributes, dims: source.dims ?? [])
    }

    // MARK: Pooling and padding

    private static func maxPooling(_ c: BigDLLayerContext) throws -> BigDLActivity {
        let nhwc = try c.isNHWC()
        let source = try spatialInput(c, nhwc: nhwc)
        let (attributes, spatial) = try poolingWindow(c, input: source, ceil: try c.bool("ceil_mode", default: false))
        let channels = source.dims.flatMap { $0.count == 4 ? $0[1] : nil }
        return spatialOutput(c, nhwc: nhwc, "MaxPool", [source.name], attributes,
                             dims: [batch(source), channels] + spatial)
    }

    private static func averagePooling(_ c: BigDLLayerContext) throws -> BigDLActivity {
        let nhwc = try c.isNHWC()
        let source = try spatialInput(c, nhwc: nhwc)
        let channels = source.dims.flatMap { $0.count == 4 ? $0[1] : nil }
        guard try c.bool("divide", default: true) else {
            throw c.invalid("divide = false (sum pooling) is not supported")
        }
        if try c.bool("globalPooling", default: false) {
            return spatialOutput(c, nhwc: nhwc, "GlobalAveragePool", [source.name], [:],
                                 dims: [batch(source), channels, 1, 1])
        }
        var (attributes, spatial) = try poolingWindow(c, input: source, ceil: try c.bool("ceilMode", default: false))
        attributes["count_include_pad"] = .int(try c.bool("countIncludePad", default: true) ? 1 : 0)
        return spatialOutput(c, nhwc: nhwc, "AveragePool", [source.name], attributes,
                             dims: [batch(source), channels] + spatial)
    }

    /// Zero padding of the last two axes (NCHW or CHW).
    private static func zeroPadding(_ c: BigDLLayerContext) throws -> BigDLActivity {
        let left = try c.int("padLeft", default: 0), right = try c.int("padRight", default: 0)
        let top = try c.int("padTop", default: 0), bottom = try c.int("padBottom", default: 0)
        guard [left, right, top, bottom].allSatisfy({ $0 >= 0 && $0 < 1 << 20 }) else {
            throw c.invalid("negative padding (cropping) is not supported")
        }
        let source = try c.single(rank: c.input.values.first?.rank == 3 ? 3 : 4)
        let rank = source.rank ?? 4
        let lead = [Int](repeating: 0, count: rank - 2)
        let pads = c.int64s(lead + [top, left] + lead + [bottom, right], "pads")
        var dims = source.dims
        if var known = dims {
            known[rank - 2] = known[rank - 2].map { $0 + top + bottom }
            known[rank - 1] = known[rank - 1].map { $0 + left + right }
            dims = known
        }
        return c.output("Pad", [source.name, pads], ["mode": .string("constant")], dims: dims)
    }

    // MARK: Linear and activations

    /// y = x · weightᵀ + bias on [batch, inputSize]; weight [outputSize, inputSize].
    private static func linear(_ c: BigDLLayerContext) throws -> BigDLActivity {
        let inputs = try c.int("inputSize", default: 0), outputs = try c.int("outputSize", default: 0)
        let source = try c.single(rank: 2, firstDims: [nil, inputs])
        let weight = try c.requireParameter(0, "weight", shape: [outputs, inputs])
        var operands = [source.name, c.constant(weight, "weight")]
        if try c.bool("withBias", default: true) {
            operands.append(c.constant(try c.requireParameter(1, "bias", shape: [outputs]), "bias"))
        }
        return c.output("Gemm", operands, ["transB": .int(1)], dims: [batch(source), outputs])
    }

    private static func unary(_ c: BigDLLayerContext, _ opType: String,
                              _ attributes: [String: Attribute] = [:]) throws -> BigDLActivity {
        let source = try c.single()
        return c.output(opType, [source.name], attributes, dims: source.dims)
    }

    private static func relu6(_ c: BigDLLayerContext) throws -> BigDLActivity {
        let source = try c.single()
        return c.output("Clip", [source.name, c.scalar(0, "min"), c.scalar(6, "max")], dims: source.dims)
    }

    /// BigDL normalises 1-D and 2-D inputs along the last axis, 3-D (CHW) along the first and 4-D (NCHW)
    /// along the second.
    private static func softMax(_ c: BigDLLayerContext) throws -> BigDLActivity {
        let source = try c.single()
        let axis = switch source.rank { case 1?, 3?: 0; default: 1 }
        return c.output("Softmax", [source.name], ["axis": .int(axis)], dims: source.dims)
    }
}
