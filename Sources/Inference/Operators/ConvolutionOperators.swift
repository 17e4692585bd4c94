/// Conv (1-D and 2-D, groups, depthwise, dilations, pads and auto_pad) on NCHW tensors.
///
/// The algorithm is chosen per node at load time: a 1×1 stride-1 convolution is one GEMM on the input as it
/// is; other grouped convolutions unfold windows (im2col) and run one GEMM per group; depthwise convolutions
/// run a direct kernel. Bias, a fused residual Add (input 3, set by the optimiser) and a fused activation
/// are applied in the epilogue.
enum ConvolutionOperators {
    static let factories: [String: OperatorFactory] = [
        "Conv": { spec in try Convolution(spec) },
        "ConvTranspose": { spec in try ConvolutionTranspose(spec) },
    ]
}

struct Convolution: Operator {
    enum Algorithm: Sendable { case pointwise, im2col, depthwise }

    /// Known at load time when the weights are (their shape gives the kernel); else built per run.
    let geometry: WindowGeometry?
    let node: Node
    let groups: Int
    /// Load-time weights [Cout, Cin/groups, kh, kw]; nil when the weights arrive at run time.
    let weights: Tensor?
    let bias: [Float]?
    let epilogue: Epilogue
    /// Pre-transformed weights when this convolution runs as Winograd F(2×2, 3×3).
    let winograd: WinogradConvolution?
    /// Pre-packed weights for 1×1 convolutions with few input channels (see `PackedGemm`).
    let packed: PackedWeights?

    init(_ spec: OperatorSpec) throws {
        let node = spec.node
        groups = try node.int("group", default: 1)
        guard groups >= 1 else { throw OpError("group must be at least 1, got \(groups)") }
        weights = spec.constant(1)
        if let weights {
            try weights.expect(.float32, "weights")
            guard weights.rank == 3 || weights.rank == 4 else {
                throw OpError("weights should be 3-D or 4-D, got shape \(weights.shape)")
            }
            guard weights.shape[0] % groups == 0 else {
                throw OpError("\(weights.shape[0]) output channels do not divide into \(groups) groups")
            }
        }
        self.node = node
        geometry = try weights.map { w throws(OpError) in
            try WindowGeometry(node: node, spatialRank: w.rank - 2, kernelShape: Array(w.shape.dropFirst(2)))
        }
        if let constantBias = spec.constant(2) {
            try constantBias.expect(.float32, "bias")
            bias = constantBias.floatArray
            if let weights, bias?.count != weights.shape[0] {
                throw OpError("bias has \(constantBias.count) values for \(weights.shape[0]) output channels")
            }
        } else {
            bias = nil
        }
        epilogue = try Epilogue(node: node)
        if let weights, let geometry, weights.rank == 4,
           WinogradConvolution.applies(kernel: geometry.kernel, stride: geometry.stride, dilation: geometry.dilation,
                                       groups: groups, inChannels: weights.shape[1], outChannels: weights.shape[0]) {
            winograd = WinogradConvolution(weights: weights)
        } else {
            winograd = nil
        }
        // Measured on this engine's shapes: the packed kernel beats OpenBLAS up to a few hundred input channels.
        if let weights, weights.rank == 4, groups == 1, weights.shape[2] == 1, weights.shape[3] == 1,
           weights.shape[1] <= 384 {
            packed = PackedWeights(weights.floats, rows: weights.shape[0], depth: weights.shape[1], lda: weights.shape[1])
        } else {
            packed = nil
        }
    }

    func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0, "X")
        let w = try weights ?? inputs.required(1, "W")
        try x.expect(.float32, "X")
        try w.expect(.float32, "W")
        guard x.rank == w.rank, x.rank == 3 || x.rank == 4 else {
            throw OpError("X has shape \(x.shape) but the weights have shape \(w.shape)")
        }
        let is1D = x.rank == 3
        let batch = x.shape[0], channels = x.shape[1]
        let height = is1D ? 1 : x.shape[2], width = x.shape[x.rank - 1]
        let outChannels = w.shape[0], channelsPerGroup = w.shape[1]
        guard channelsPerGroup * groups == channels else {
            throw OpError("X has \(channels) channels but the weights expect \(channelsPerGroup) × \(groups) groups")
        }
        let geometry = try self.geometry
            ?? WindowGeometry(node: node, spatialRank: w.rank - 2, kernelShape: Array(w.shape.dropFirst(2)))
        let kernelH = is1D ? 1 : w.shape[2], kernelW = w.shape[w.rank - 1]
        guard kernelH == geometry.kernel.h && kernelW == geometry.kernel.w else {
            throw OpError("kernel_shape does not match the weights' shape \(w.shape)")
        }
        let placement = try geometry.place(height: height, width: width)
        let outputShape = is1D ? [batch, outChannels, placement.outputW]
                               : [batch, outChannels, placement.outputH, placement.outputW]
        let biasValues = try bias ?? inputs.optional(2).map { b throws(OpError) in
            guard b.count == outChannels else { throw OpError("bias has \(b.count) values for \(outChannels) channels") }
            return b.floatValues
        }
        let residual = inputs.optional(3)
        if let residual, residual.shape != outputShape {
            throw OpError("fused residual has shape \(residual.shape), the convolution gives \(outputShape)")
        }
        let output = context.allocate(.float32, outputShape)
        if let winograd, !is1D {
            winograd.run(input: x.floats, batch: batch, height: height, width: width, placement: placement,
                         output: output.floats, bias: biasValues, residual: residual.map { UnsafePointer($0.floats) },
                         epilogue: epilogue, context: context)
            return [output]
        }
        let job = ConvolutionJob(
            input: UnsafePointer(x.floats), weights: UnsafePointer(w.floats), output: output.floats,
            residual: residual.map { UnsafePointer($0.floats) }, bias: biasValues, packed: packed,
            batch: batch, channels: channels, height: height, width: width, outChannels: outChannels,
            groups: groups, geometry: geometry, placement: placement, epilogue: epilogue)
        job.run(algorithm: algorithm(geometry, channelsPerGroup: channelsPerGroup, placement: placement),
                context: context)
        return [output]
    }

    private func algorithm(_ geometry: WindowGeometry, channelsPerGroup: Int,
                           placement: WindowGeometry.Placement) -> Algorithm {
        if groups > 1 && channelsPerGroup == 1 { return .depthwise }
        let unpadded = placement.padTop == 0 && placement.padLeft == 0 && placement.padBottom == 0
            && placement.padRight == 0
        if geometry.kernel == (1, 1) && geometry.stride == (1, 1) && unpadded { return .pointwise }
        return .im2col
    }
}

/// The pointers and sizes of one convolution call.
private struct ConvolutionJob {
    let input: UnsafePointer<Float>, weights: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>
    let residual: UnsafePointer<Float>?
    let bias: [Float]?
    let packed: PackedWeights?
    let batch: Int, channels: Int, height: Int, width: Int, outChannels: Int, groups: Int
    let geometry: WindowGeometry
    let placement: WindowGeometry.Placement
    let epilogue: Epilogue

    var outputPlane: Int { placement.outputH * placement.outputW }

    func run(algorithm: Convolution.Algorithm, context: ExecutionContext) {
        switch algorithm {
        case .depthwise: runDepthwise(context: context)
        case .pointwise, .im2col: runGEMM(unfold: algorithm == .im2col, context: context)
        }
    }

    private func runDepthwise(context: ExecutionContext) {
        let multiplier = outChannels / groups
        let kernelSize = geometry.kernel.h * geometry.kernel.w
        let planes = batch * outChannels
        let scratchSize = DepthwiseConvolution.scratchSize(height: height, width: width, geometry: geometry,
                                                           placement: placement)
        let scratch = context.scratchFloats(scratchSize * context.workerCount(planes))
        context.parallelWorkers(planes) { worker, range in
            for plane in range {
                let n = plane / outChannels, o = plane % outChannels
                let source = input + (n * channels + o / multiplier) * height * width
                let target = output + plane * outputPlane
                DepthwiseConvolution.plane(input: source, height: height, width: width,
                                           weights: weights + o * kernelSize, geometry: geometry,
                                           placement: placement, output: target,
                                           scratch: scratch.floats + worker * scratchSize,
                                           epilogue: epilogue, bias: bias?[o] ?? 0,
                                           residual: residual.map { $0 + plane * outputPlane })
            }
        }
    }

    private func runGEMM(unfold: Bool, context: ExecutionContext) {
        let inPerGroup = channels / groups, outPerGroup = outChannels / groups
        let depth = inPerGroup * geometry.kernel.h * geometry.kernel.w
        let columns = unfold ? context.scratchFloats(depth * outputPlane) : nil
        for n in 0..<batch {
            for g in 0..<groups {
                let groupInput = input + (n * channels + g * inPerGroup) * height * width
                var matrix = groupInput
                if let columns {
                    Im2col.unfold(input: groupInput, channels: inPerGroup, height: height, width: width,
                                  geometry: geometry, placement: placement, into: columns.floats, context: context)
                    matrix = UnsafePointer(columns.floats)
                }
                let target = output + (n * outChannels + g * outPerGroup) * outputPlane
                if let packed, !unfold, outputPlane >= 128 {
                    PackedGemm.multiply(packed, b: matrix, ldb: outputPlane, n: outputPlane, c: target,
                                        ldc: outputPlane, context: context)
                    continue
                }
                Sgemm.multiply(m: outPerGroup, n: outputPlane, k: depth,
                               a: weights + g * outPerGroup * depth, lda: depth, b: matrix, ldb: outputPlane,
                               c: target, ldc: outputPlane, context: context)
            }
            let imageOffset = n * outChannels * outputPlane
            context.parallelRanges(outChannels, minimumPerWorker: 16) { range in
                for o in range {
                    let offset = imageOffset + o * outputPlane
                    epilogue.apply(output + offset, count: outputPlane, bias: bias?[o] ?? 0,
                                   residual: residual.map { $0 + offset })
                }
            }
        }
    }
}
