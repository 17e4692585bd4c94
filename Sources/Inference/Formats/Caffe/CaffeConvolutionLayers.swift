/// Convolution, Deconvolution, InnerProduct and Pooling: the layers with windows or weight matrices.
enum CaffeConvolutionLayers {
    static let translations: [String: CaffeLayers.Translation] = [
        "Convolution": { try convolution($0, transposed: false) },
        "Deconvolution": { try convolution($0, transposed: true) },
        "InnerProduct": innerProduct,
        "Pooling": pooling,
    ]

    /// A 2-D window: kernel, pads, strides and dilations as (height, width).
    struct Window {
        var kernel: (Int, Int)
        var pad: (Int, Int)
        var stride: (Int, Int)
        var dilation: (Int, Int)

        var attributes: [String: Attribute] {
            ["kernel_shape": .ints([kernel.0, kernel.1]), "pads": .ints([pad.0, pad.1, pad.0, pad.1]),
             "strides": .ints([stride.0, stride.1])]
        }
    }

    /// Caffe's two spellings of a 2-D parameter: the `_h`/`_w` pair when either is set, else a list of one
    /// value (both) or two (height, width).
    static func pair(_ list: [UInt32], h: UInt32?, w: UInt32?, default value: Int, _ what: String,
                     _ context: CaffeLayerContext) throws -> (Int, Int) {
        let result: (Int, Int)
        if h != nil || w != nil {
            result = (h.map { Int($0) } ?? value, w.map { Int($0) } ?? value)
        } else {
            switch list.count {
            case 0: result = (value, value)
            case 1: result = (Int(list[0]), Int(list[0]))
            case 2: result = (Int(list[0]), Int(list[1]))
            default: throw context.invalid("\(what) has \(list.count) values; only 2-D windows are supported")
            }
        }
        // Bounded so that the window arithmetic below cannot overflow on a hostile file.
        guard result.0 <= 1 << 20, result.1 <= 1 << 20 else { throw context.invalid("\(what) \(result) is too large") }
        return result
    }

    /// The bottom as N×C×H×W with C, H and W known.
    static func planar(_ context: CaffeLayerContext) throws -> (channels: Int, height: Int, width: Int) {
        try context.requireBottoms(1)
        let shape = context.shape
        guard shape.count == 4, let channels = shape[1], let height = shape[2], let width = shape[3] else {
            throw context.invalid("expects an N×C×H×W bottom, got \(CaffeLayerContext.describe(shape))")
        }
        return (channels, height, width)
    }

    // MARK: Convolution and Deconvolution

    static func convolution(_ context: CaffeLayerContext, transposed: Bool) throws {
        let parameters = context.layer.convolutionParam
        let (channels, height, width) = try planar(context)
        guard parameters.axis == 1 else { throw context.invalid("axis \(parameters.axis) is not supported (only 1)") }
        let window = Window(
            kernel: try pair(parameters.kernelSize, h: parameters.hasKernelH ? parameters.kernelH : nil,
                             w: parameters.hasKernelW ? parameters.kernelW : nil, default: 0, "kernel_size", context),
            pad: try pair(parameters.pad, h: parameters.hasPadH ? parameters.padH : nil,
                          w: parameters.hasPadW ? parameters.padW : nil, default: 0, "pad", context),
            stride: try pair(parameters.stride, h: parameters.hasStrideH ? parameters.strideH : nil,
                             w: parameters.hasStrideW ? parameters.strideW : nil, default: 1, "stride", context),
            dilation: try pair(parameters.dilation, h: nil, w: nil, default: 1, "dilation", context))
        let outputs = Int(parameters.numOutput), group = Int(parameters.group)
        guard window.kernel.0 > 0, window.kernel.1 > 0, window.stride.0 > 0, window.stride.1 > 0,
              window.dilation.0 > 0, window.dilation.1 > 0 else {
            throw context.invalid("kernel size, stride and dilation must be positive")
        }
        guard outputs > 0, group > 0, channels % group == 0, outputs % group == 0 else {
            throw context.invalid("num_output \(outputs) and the \(channels) input channels must divide into "
                                  + "group \(group)")
        }
        let span = (window.dilation.0 * (window.kernel.0 - 1) + 1, window.dilation.1 * (window.kernel.1 - 1) + 1)
        let outputH: Int, outputW: Int
        let weightShape: [Int]
        if transposed {
            outputH = window.stride.0 * (height - 1) + span.0 - 2 * window.pad.0
            outputW = window.stride.1 * (width - 1) + span.1 - 2 * window.pad.1
            weightShape = [channels, outputs / group, window.kernel.0, window.kernel.1]
        } else {
            outputH = (height + 2 * window.pad.0 - span.0) / window.stride.0 + 1
            outputW = (width + 2 * window.pad.1 - span.1) / window.stride.1 + 1
            weightShape = [outputs, channels / group, window.kernel.0, window.kernel.1]
        }
        guard outputH > 0, outputW > 0, height + 2 * window.pad.0 >= span.0 || transposed,
              width + 2 * window.pad.1 >= span.1 || transposed else {
            throw context.invalid("the window does not fit the \(height)×\(width) input")
        }
        var inputs = [context.inputs[0], context.constant(try context.blob(0, "weights", shape: weightShape), "weights")]
        if parameters.biasTerm {
            inputs.append(context.constant(try context.blob(1, "bias", shape: [outputs]), "bias"))
        }
        var attributes = window.attributes
        attributes["dilations"] = .ints([window.dilation.0, window.dilation.1])
        attributes["group"] = .int(group)
        context.produce(transposed ? "ConvTranspose" : "Conv", inputs, shape: [context.shape[0], outputs, outputH, outputW],
                        attributes)
    }

    // MARK: InnerProduct

    /// Flattens the bottom from `axis` on, then a Gemm: weights [num_output, K], or [K, num_output] with
    /// `transpose`.
    static func innerProduct(_ context: CaffeLayerContext) throws {
        let parameters = context.layer.innerProductParam
        try context.requireBottoms(1)
        let shape = context.shape
        let axis = try context.axis(parameters.axis, rank: shape.count)
        guard let depth = Array(shape[axis...]).knownProduct, depth > 0 else {
            throw context.invalid("the bottom's axes from \(axis) on (\(CaffeLayerContext.describe(shape))) must be known")
        }
        let outputs = Int(parameters.numOutput)
        guard outputs > 0 else { throw context.invalid("num_output must be positive") }
        let weights = try context.blob(0, "weights", shape: parameters.transpose ? [depth, outputs] : [outputs, depth])
        var rows = context.inputs[0]
        if !(shape.count == 2 && axis == 1) {
            rows = context.emitValue("Flatten", [rows], shape: [Array(shape[..<axis]).knownProduct, depth],
                                     ["axis": .int(axis)])
        }
        var inputs = [rows, context.constant(weights, "weights")]
        if parameters.biasTerm { inputs.append(context.constant(try context.blob(1, "bias", shape: [outputs]), "bias")) }
        let attributes: [String: Attribute] = ["transB": .int(parameters.transpose ? 0 : 1)]
        let target = Array(shape[..<axis]) + [outputs]
        if axis == 1 {
            context.produce("Gemm", inputs, shape: target, attributes)
        } else {
            let product = context.emitValue("Gemm", inputs, shape: [Array(shape[..<axis]).knownProduct, outputs], attributes)
            _ = try context.reshape(product, to: target, keptPrefix: 0, output: 0)
        }
    }

    // MARK: Pooling

    /// MAX and AVE pooling. Caffe sizes the output by rounding up (round_mode CEIL, the default) and drops a
    /// last window that would start in the bottom/right padding; an average divides by the window clipped to
    /// the padded input (padding counted, the overhang past it not). The engine's MaxPool/AveragePool with
    /// ceil_mode and count_include_pad = 1 follow exactly these rules.
    static func pooling(_ context: CaffeLayerContext) throws {
        let parameters = context.layer.poolingParam
        let (channels, height, width) = try planar(context)
        let batch = context.shape[0]
        guard parameters.pool != .stochastic else {
            throw context.invalid("STOCHASTIC pooling is not supported")
        }
        if parameters.globalPooling {
            context.produce(parameters.pool == .max ? "GlobalMaxPool" : "GlobalAveragePool", [context.inputs[0]],
                            shape: [batch, channels, 1, 1])
            return
        }
        let kernel = try pair(parameters.hasKernelSize ? [parameters.kernelSize] : [],
                              h: parameters.hasKernelH ? parameters.kernelH : nil,
                              w: parameters.hasKernelW ? parameters.kernelW : nil, default: 0, "kernel_size", context)
        let pad = try pair([parameters.pad], h: parameters.hasPadH ? parameters.padH : nil,
                           w: parameters.hasPadW ? parameters.padW : nil, default: 0, "pad", context)
        let stride = try pair([parameters.stride], h: parameters.hasStrideH ? parameters.strideH : nil,
                              w: parameters.hasStrideW ? parameters.strideW : nil, default: 1, "stride", context)
        guard kernel.0 > 0, kernel.1 > 0, stride.0 > 0, stride.1 > 0 else {
            throw context.invalid("kernel size and stride must be positive")
        }
        guard pad.0 < kernel.0, pad.1 < kernel.1 else { throw context.invalid("pad must be smaller than the kernel") }
        let ceil = parameters.roundMode == .ceil
        let outputH = outputExtent(height, kernel.0, pad.0, stride.0, ceil: ceil)
        let outputW = outputExtent(width, kernel.1, pad.1, stride.1, ceil: ceil)
        guard height + 2 * pad.0 >= kernel.0, width + 2 * pad.1 >= kernel.1, outputH > 0, outputW > 0 else {
            throw context.invalid("the \(kernel.0)×\(kernel.1) window does not fit the \(height)×\(width) input")
        }
        var attributes = Window(kernel: kernel, pad: pad, stride: stride, dilation: (1, 1)).attributes
        attributes["ceil_mode"] = .int(ceil ? 1 : 0)
        if parameters.pool == .ave { attributes["count_include_pad"] = .int(1) }
        context.produce(parameters.pool == .max ? "MaxPool" : "AveragePool", [context.inputs[0]],
                        shape: [batch, channels, outputH, outputW], attributes)
    }

    /// Caffe's pooled extent (PoolingLayer::Reshape).
    static func outputExtent(_ extent: Int, _ kernel: Int, _ pad: Int, _ stride: Int, ceil: Bool) -> Int {
        let room = extent + 2 * pad - kernel
        guard room >= 0 else { return 0 }
        var output = (ceil ? (room + stride - 1) / stride : room / stride) + 1
        if pad > 0, (output - 1) * stride >= extent + pad { output -= 1 }
        return output
    }
}
