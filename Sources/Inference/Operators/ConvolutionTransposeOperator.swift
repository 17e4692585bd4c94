/// ConvTranspose (1-D and 2-D, groups, dilations, pads, output_padding, output_shape, auto_pad) on NCHW tensors:
/// the gradient of a convolution with respect to its input, which TensorFlow's Conv2DBackpropInput, Caffe's
/// Deconvolution and BigDL's SpatialFullConvolution all are.
///
/// Per image and group, one GEMM multiplies the transposed weights by the input (every input pixel times every
/// kernel tap), then `Col2im` adds each tap's product into the output pixel it lands on. Bias and a fused
/// activation are applied in the epilogue.
struct ConvolutionTranspose: Operator {
    /// The window attributes ConvTranspose shares with Conv; `pads` here trim the full output.
    let geometry: WindowGeometry
    let outputPadding: (h: Int, w: Int)
    /// The requested output extent (`output_shape`, spatial part): pads are then derived from it.
    let outputExtent: (h: Int, w: Int)?
    let groups: Int
    let spatialRank: Int
    /// Weights [Cin, Cout/groups, kh, kw].
    let weights: Tensor
    let bias: [Float]?
    let epilogue: Epilogue

    init(_ spec: OperatorSpec) throws(OpError) {
        let node = spec.node
        guard let weights = spec.constant(1) else {
            throw OpError("the weights (input 1) must be constant: ConvTranspose with run-time weights is not supported")
        }
        try weights.expect(.float32, "weights")
        guard weights.rank == 3 || weights.rank == 4 else {
            throw OpError("weights should be 3-D or 4-D, got shape \(weights.shape)")
        }
        groups = try node.int("group", default: 1)
        guard groups >= 1, weights.shape[0] % groups == 0 else {
            throw OpError("\(weights.shape[0]) input channels do not divide into \(groups) groups")
        }
        spatialRank = weights.rank - 2
        geometry = try WindowGeometry(node: node, spatialRank: spatialRank, kernelShape: Array(weights.shape.dropFirst(2)))
        guard geometry.kernel == (spatialRank == 1 ? 1 : weights.shape[2], weights.shape[weights.rank - 1]) else {
            throw OpError("kernel_shape does not match the weights' shape \(weights.shape)")
        }
        outputPadding = try Self.spatialPair(node.ints("output_padding"), "output_padding", rank: spatialRank) ?? (0, 0)
        outputExtent = try Self.spatialPair(node.ints("output_shape"), "output_shape", rank: spatialRank)
        self.weights = weights
        if let constantBias = spec.constant(2) {
            try constantBias.expect(.float32, "bias")
            guard constantBias.count == weights.shape[1] * groups else {
                throw OpError("bias has \(constantBias.count) values for \(weights.shape[1] * groups) output channels")
            }
            bias = constantBias.floatArray
        } else {
            guard !spec.hasInput(2) else { throw OpError("the bias (input 2) must be constant") }
            bias = nil
        }
        epilogue = try Epilogue(node: node)
    }

    private static func spatialPair(_ values: [Int]?, _ name: String, rank: Int) throws(OpError) -> (h: Int, w: Int)? {
        guard let values else { return nil }
        // output_shape may also be given in full (N, C, spatial...): its last values are the spatial ones.
        guard values.count >= rank, values.allSatisfy({ $0 >= 0 }) else {
            throw OpError("\(name) \(values) should have \(rank) non-negative values")
        }
        let tail = Array(values.suffix(rank))
        return rank == 1 ? (1, tail[0]) : (tail[0], tail[1])
    }

    /// The output extent and the leading pad along one axis.
    private func place(extent: Int, kernel: Int, stride: Int, dilation: Int, padBegin: Int, padEnd: Int,
                       adjustment: Int, requested: Int?) throws(OpError) -> (output: Int, padBegin: Int) {
        let span = dilation * (kernel - 1) + 1
        let full = stride * (extent - 1) + adjustment + span
        if let requested {
            let total = full - requested
            guard total >= 0 else { throw OpError("output_shape \(requested) is larger than the full output \(full)") }
            // ONNX's rule: the odd pad goes last under SAME_UPPER, first otherwise.
            let begin = geometry.autoPad == .sameUpper ? total / 2 : total - total / 2
            return (requested, begin)
        }
        switch geometry.autoPad {
        case .sameUpper, .sameLower:
            let output = extent * stride
            let total = Swift.max(0, full - output)
            return (output, geometry.autoPad == .sameUpper ? total / 2 : total - total / 2)
        case .valid:
            return (full, 0)
        case .notSet:
            let output = full - padBegin - padEnd
            guard output > 0 else { throw OpError("the pads leave no output (full extent \(full))") }
            return (output, padBegin)
        }
    }

    func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0, "X")
        try x.expect(.float32, "X")
        guard x.rank == weights.rank else {
            throw OpError("X has shape \(x.shape) but the weights have shape \(weights.shape)")
        }
        let batch = x.shape[0], channels = x.shape[1]
        guard channels == weights.shape[0] else {
            throw OpError("X has \(channels) channels but the weights expect \(weights.shape[0])")
        }
        let height = spatialRank == 1 ? 1 : x.shape[2], width = x.shape[x.rank - 1]
        let rows = try place(extent: height, kernel: geometry.kernel.h, stride: geometry.stride.h,
                             dilation: geometry.dilation.h, padBegin: geometry.pads.top, padEnd: geometry.pads.bottom,
                             adjustment: outputPadding.h, requested: outputExtent?.h)
        let columns = try place(extent: width, kernel: geometry.kernel.w, stride: geometry.stride.w,
                                dilation: geometry.dilation.w, padBegin: geometry.pads.left,
                                padEnd: geometry.pads.right, adjustment: outputPadding.w, requested: outputExtent?.w)
        let outPerGroup = weights.shape[1], outChannels = outPerGroup * groups
        let outputShape = spatialRank == 1 ? [batch, outChannels, columns.output]
                                           : [batch, outChannels, rows.output, columns.output]
        let output = context.allocate(.float32, outputShape)
        let layout = Col2im.Layout(height: height, width: width, outputH: rows.output, outputW: columns.output,
                                   kernel: geometry.kernel, stride: geometry.stride, dilation: geometry.dilation,
                                   padTop: rows.padBegin, padLeft: columns.padBegin)
        let inPerGroup = channels / groups, taps = geometry.kernel.h * geometry.kernel.w
        let plane = height * width, outputPlane = rows.output * columns.output
        let products = context.scratchFloats(outPerGroup * taps * plane)
        for n in 0..<batch {
            for g in 0..<groups {
                // products[(o, tap), pixel] = Σ_c W[g·inPerGroup + c, o, tap] · X[n, g·inPerGroup + c, pixel]
                Sgemm.multiply(transposeA: true, m: outPerGroup * taps, n: plane, k: inPerGroup,
                               a: weights.floats + g * inPerGroup * outPerGroup * taps, lda: outPerGroup * taps,
                               b: x.floats + (n * channels + g * inPerGroup) * plane, ldb: plane,
                               c: products.floats, ldc: plane, context: context)
                let target = output.floats + (n * outChannels + g * outPerGroup) * outputPlane
                Col2im.accumulate(products.floats, channels: outPerGroup, layout: layout, into: target,
                                  context: context)
            }
            let image = output.floats + n * outChannels * outputPlane
            context.parallelRanges(outChannels, minimumPerWorker: 16) { range in
                for o in range {
                    epilogue.apply(image + o * outputPlane, count: outputPlane, bias: bias?[o] ?? 0, residual: nil)
                }
            }
        }
        return [output]
    }
}
