/// BatchNorm, Scale, Bias, LRN and Softmax.
enum CaffeNormalizationLayers {
    static let translations: [String: CaffeLayers.Translation] = [
        "BatchNorm": batchNorm,
        "Scale": scale,
        "Bias": bias,
        "LRN": lrn,
        "Softmax": softmax,
    ]

    /// Caffe's BatchNorm only normalises: blobs are the running mean and variance, both multiplied by the
    /// scale factor in blob 2 (divide by it; a factor of 0 means no statistics, and gives 0). The stored
    /// statistics are used (Caffe's use_global_stats, its default at test time); the Scale layer that usually
    /// follows brings gamma and beta, and the optimiser folds both into the convolution before them.
    static func batchNorm(_ context: CaffeLayerContext) throws {
        try context.requireBottoms(1)
        let shape = context.shape
        guard shape.count >= 2, let channels = shape[1] else {
            throw context.invalid("expects a bottom with known channels (axis 1), got \(CaffeLayerContext.describe(shape))")
        }
        let mean = try context.blob(0, "mean", shape: [channels])
        let variance = try context.blob(1, "variance", shape: [channels])
        let factorBlob = try context.blob(2, "moving-average factor", shape: [1])
        let stored = factorBlob.floatArray[0]
        let factor: Float = stored == 0 ? 0 : 1 / stored
        let ones = Tensor(floats: [Float](repeating: 1, count: channels), shape: [channels])
        let zeros = Tensor(floats: [Float](repeating: 0, count: channels), shape: [channels])
        context.produce("BatchNormalization",
                        [context.inputs[0], context.constant(ones, "scale"), context.constant(zeros, "bias"),
                         context.constant(Tensor(floats: mean.floatArray.map { $0 * factor }, shape: [channels]), "mean"),
                         context.constant(Tensor(floats: variance.floatArray.map { $0 * factor }, shape: [channels]), "variance")],
                        shape: shape, ["epsilon": .float(context.layer.batchNormParam.eps)])
    }

    /// y = x · scale (+ bias). The scale is blob 0 (axes [axis, axis + num_axes) of the bottom) or the second
    /// bottom; the bias follows it as the next blob.
    static func scale(_ context: CaffeLayerContext) throws {
        let parameters = context.layer.scaleParam
        try affine(context, opType: "Mul", axis: parameters.axis, numAxes: parameters.numAxes, what: "scale",
                   bias: parameters.biasTerm)
    }

    /// y = x + bias, the bias being blob 0 or the second bottom (axis and num_axes as for Scale).
    static func bias(_ context: CaffeLayerContext) throws {
        let parameters = context.layer.biasParam
        try affine(context, opType: "Add", axis: parameters.axis, numAxes: parameters.numAxes, what: "bias", bias: false)
    }

    private static func affine(_ context: CaffeLayerContext, opType: String, axis axisValue: Int32, numAxes: Int32,
                               what: String, bias: Bool) throws {
        try context.requireBottoms(1)
        let shape = context.shape
        let operand: String
        let covered: [Int?]
        // Axes after the covered ones, broadcast (the operand gets trailing 1s).
        let trailing: Int
        var blobIndex = 0
        if context.inputs.count >= 2 {
            // The operand is the second bottom; its shape says which axes it covers.
            covered = context.inputShapes[1]
            let axis = covered.isEmpty ? shape.count : try context.axis(axisValue, rank: shape.count)
            guard axis + covered.count <= shape.count, zip(covered, shape[axis...]).allSatisfy({ $0 == $1 }) else {
                throw context.invalid("the second bottom's shape \(CaffeLayerContext.describe(covered)) does not "
                                      + "match the first's \(CaffeLayerContext.describe(shape)) from axis \(axis)")
            }
            trailing = shape.count - axis - covered.count
            operand = trailing == 0 ? context.inputs[1]
                : try context.reshape(context.inputs[1], to: covered + [Int?](repeating: 1, count: trailing), keptPrefix: covered.count)
        } else {
            let axis = try context.axis(axisValue, rank: shape.count)
            let count = numAxes == -1 ? shape.count - axis : Int(numAxes)
            guard count >= 0, axis + count <= shape.count else {
                throw context.invalid("num_axes \(numAxes) from axis \(axis) exceeds the bottom's rank \(shape.count)")
            }
            covered = Array(shape[axis..<(axis + count)])
            trailing = shape.count - axis - count
            operand = context.constant(try parameter(context, blobIndex, what, covered: covered, trailing: trailing), what)
            blobIndex = 1
        }
        guard bias else {
            context.produce(opType, [context.inputs[0], operand], shape: shape)
            return
        }
        let product = context.emitValue(opType, [context.inputs[0], operand], shape: shape)
        let biasTensor = try parameter(context, blobIndex, "bias", covered: covered, trailing: trailing)
        context.produce("Add", [product, context.constant(biasTensor, "bias")], shape: shape)
    }

    /// A learned Scale/Bias blob shaped to broadcast against the bottom: the covered dimensions, then 1s.
    private static func parameter(_ context: CaffeLayerContext, _ index: Int, _ what: String, covered: [Int?],
                                  trailing: Int) throws -> Tensor {
        let dims = covered.compactMap { $0 }
        guard dims.count == covered.count else { throw context.invalid("the \(what) cannot cover the batch axis") }
        return try context.blob(index, what, shape: dims).reshaped(dims + [Int](repeating: 1, count: trailing))
    }

    /// ACROSS_CHANNELS is ONNX's LRN (k is its bias). WITHIN_CHANNEL averages x² over a local_size² window of
    /// each channel (padding counted) and divides x by (1 + alpha·average)^beta.
    static func lrn(_ context: CaffeLayerContext) throws {
        try context.requireBottoms(1)
        let parameters = context.layer.lrnParam
        let size = Int(parameters.localSize)
        guard size > 0, size % 2 == 1, size <= 1 << 16 else { throw context.invalid("local_size \(size) must be odd") }
        let shape = context.shape
        guard shape.count == 4 else { throw context.invalid("expects an N×C×H×W bottom") }
        if parameters.normRegion == .acrossChannels {
            context.produce("LRN", [context.inputs[0]], shape: shape,
                            ["size": .int(size), "alpha": .float(parameters.alpha), "beta": .float(parameters.beta),
                             "bias": .float(parameters.k)])
            return
        }
        let pad = (size - 1) / 2
        let square = context.emitValue("Mul", [context.inputs[0], context.inputs[0]], shape: shape)
        let average = context.emitValue("AveragePool", [square], shape: shape,
                                        ["kernel_shape": .ints([size, size]), "pads": .ints([pad, pad, pad, pad]),
                                         "strides": .ints([1, 1]), "count_include_pad": .int(1)])
        let scaled = CaffeActivationLayers.affine(context, average, scale: parameters.alpha, shift: 1)
        let denominator = context.emitValue("Pow", [scaled, context.scalar(parameters.beta, "beta")], shape: shape)
        context.produce("Div", [context.inputs[0], denominator], shape: shape)
    }

    static func softmax(_ context: CaffeLayerContext) throws {
        try context.requireBottoms(1)
        let axis = try context.axis(context.layer.softmaxParam.axis, rank: context.shape.count)
        context.produce("Softmax", [context.inputs[0]], shape: context.shape, ["axis": .int(axis)])
    }
}
