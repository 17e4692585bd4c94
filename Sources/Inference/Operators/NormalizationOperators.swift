import Foundation

/// BatchNormalization (inference form), InstanceNormalization and LRN over NCHW (any number of trailing
/// dimensions); Softmax, LogSoftmax and LayerNormalization live in their own files.
enum NormalizationOperators {
    static let factories: [String: OperatorFactory] = [
        "BatchNormalization": { spec in try BatchNormalization(spec) },
        "InstanceNormalization": { spec in
            InstanceNormalization(epsilon: try spec.node.float("epsilon", default: 1e-5))
        },
        "LRN": { spec in try LocalResponseNormalization(spec) },
        "Softmax": { spec in try Softmax(spec, log: false) },
        "LogSoftmax": { spec in try Softmax(spec, log: true) },
        "LayerNormalization": { spec in try LayerNormalization(spec) },
    ]

    /// The channel count of an [N, C, ...] input, checked.
    static func channels(of x: Tensor, _ op: String) throws(OpError) -> Int {
        guard x.rank >= 2 else { throw OpError("\(op) input should be [N, C, ...], got \(x.shape)") }
        try x.expect(.float32, "\(op) input")
        return x.shape[1]
    }

    /// A per-channel parameter: float32 with C values.
    static func perChannel(_ tensor: Tensor, _ name: String, channels: Int, _ op: String) throws(OpError) -> [Float] {
        guard tensor.count == channels else {
            throw OpError("\(op) \(name) should hold \(channels) values (one per channel), got shape \(tensor.shape)")
        }
        try tensor.expect(.float32, "\(op) \(name)")
        return tensor.floatArray
    }

    /// Runs `body(plane)` for each of the N·C planes, in parallel when the tensor is large.
    static func forEachPlane(_ planes: Int, planeSize: Int, context: ExecutionContext, _ body: (Int) -> Void) {
        let minimumPlanes = Swift.max(1, (1 << 14) / Swift.max(planeSize, 1))
        context.parallelRanges(planes, minimumPerWorker: minimumPlanes) { range in
            for plane in range { body(plane) }
        }
    }

    // MARK: BatchNormalization

    /// y = (x - mean) / √(var + epsilon) · scale + B, folded into one multiply-add per element; the folding
    /// happens at load time when the four parameters are constants.
    struct BatchNormalization: Operator {
        let epsilon: Float
        /// Per-channel (scale, shift) when the parameters are constants.
        let folded: (scale: [Float], shift: [Float])?

        init(_ spec: OperatorSpec) throws {
            guard try spec.node.int("training_mode", default: 0) == 0 else {
                throw OpError("BatchNormalization training_mode=1 is not supported (inference only)")
            }
            epsilon = try spec.node.float("epsilon", default: 1e-5)
            let parameters = (1...4).compactMap { spec.constant($0) }
            if parameters.count == 4 {
                folded = try BatchNormalization.fold(parameters, channels: parameters[0].count, epsilon: epsilon)
            } else {
                folded = nil
            }
        }

        static func fold(_ parameters: [Tensor], channels: Int,
                         epsilon: Float) throws(OpError) -> (scale: [Float], shift: [Float]) {
            let names = ["scale", "B", "input_mean", "input_var"]
            var values: [[Float]] = []
            for (tensor, name) in zip(parameters, names) {
                values.append(try perChannel(tensor, name, channels: channels, "BatchNormalization"))
            }
            var scale = [Float](repeating: 0, count: channels), shift = scale
            for c in 0..<channels {
                scale[c] = values[0][c] / (values[3][c] + epsilon).squareRoot()
                shift[c] = values[1][c] - values[2][c] * scale[c]
            }
            return (scale, shift)
        }

        func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
            let x = try inputs.required(0, "X")
            let channels = try NormalizationOperators.channels(of: x, "BatchNormalization")
            let parameters: (scale: [Float], shift: [Float])
            if let folded {
                guard folded.scale.count == channels else {
                    throw OpError("BatchNormalization parameters hold \(folded.scale.count) channels, "
                        + "X \(x.shape) has \(channels)")
                }
                parameters = folded
            } else {
                let tensors = try [inputs.required(1, "scale"), inputs.required(2, "B"),
                                   inputs.required(3, "input_mean"), inputs.required(4, "input_var")]
                parameters = try BatchNormalization.fold(tensors, channels: channels, epsilon: epsilon)
            }
            let y = context.allocate(.float32, x.shape)
            let planeSize = x.shape[2...].reduce(1, *)
            let source = x.floats, target = y.floats
            parameters.scale.withUnsafeBufferPointer { scale in
                parameters.shift.withUnsafeBufferPointer { shift in
                    forEachPlane(x.shape[0] * channels, planeSize: planeSize, context: context) { plane in
                        let c = plane % channels, offset = plane * planeSize
                        NormalizationKernels.scaleShift(source + offset, target + offset, planeSize,
                                                        scale: scale[c], shift: shift[c])
                    }
                }
            }
            return [y]
        }
    }

    // MARK: InstanceNormalization

    /// Each (n, c) plane normalised by its own mean and variance, then ·scale[c] + B[c].
    struct InstanceNormalization: Operator {
        let epsilon: Float

        func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
            let x = try inputs.required(0, "input")
            let channels = try NormalizationOperators.channels(of: x, "InstanceNormalization")
            let scale = try perChannel(inputs.required(1, "scale"), "scale", channels: channels,
                                       "InstanceNormalization")
            let bias = try perChannel(inputs.required(2, "B"), "B", channels: channels, "InstanceNormalization")
            let y = context.allocate(.float32, x.shape)
            let planeSize = x.shape[2...].reduce(1, *)
            guard planeSize > 0 else { return [y] }
            let source = x.floats, target = y.floats
            forEachPlane(x.shape[0] * channels, planeSize: planeSize, context: context) { plane in
                let c = plane % channels, input = source + plane * planeSize
                let mean = NormalizationKernels.sum(input, planeSize) / Float(planeSize)
                let variance = NormalizationKernels.squaredDeviations(input, planeSize, mean: mean) / Float(planeSize)
                let factor = scale[c] / (variance + epsilon).squareRoot(), shift = bias[c]
                let output = target + plane * planeSize
                for i in 0..<planeSize { output[i] = (input[i] - mean) * factor + shift }
            }
            return [y]
        }
    }

    // MARK: LRN

    /// y = x / (bias + alpha/size · Σ x²)^beta, the sum over the channels
    /// c - ⌊(size-1)/2⌋ ... c + ⌈(size-1)/2⌉ (ONNX divides alpha by the window size).
    struct LocalResponseNormalization: Operator {
        let size: Int
        let alpha: Float
        let beta: Float
        let bias: Float

        init(_ spec: OperatorSpec) throws {
            let size = try spec.node.int("size", default: 0)
            guard size > 0 else { throw OpError("LRN needs a positive size attribute, got \(size)") }
            self.size = size
            alpha = try spec.node.float("alpha", default: 1e-4)
            beta = try spec.node.float("beta", default: 0.75)
            bias = try spec.node.float("bias", default: 1)
        }

        func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
            let x = try inputs.required(0, "X")
            let channels = try NormalizationOperators.channels(of: x, "LRN")
            let y = context.allocate(.float32, x.shape)
            let planeSize = x.shape[2...].reduce(1, *)
            let before = (size - 1) / 2, after = size - 1 - before
            let source = x.floats, target = y.floats
            let scaledAlpha = alpha / Float(size), beta = beta, bias = bias
            let minimumPlanes = Swift.max(1, (1 << 12) / Swift.max(planeSize, 1))
            context.parallelRanges(x.shape[0] * channels, minimumPerWorker: minimumPlanes) { range in
                let squares = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(planeSize, 1))
                defer { squares.deallocate() }
                for plane in range {
                    let c = plane % channels, image = plane - c
                    squares.update(repeating: 0, count: planeSize)
                    for neighbour in Swift.max(0, c - before)...Swift.min(channels - 1, c + after) {
                        let input = source + (image + neighbour) * planeSize
                        for i in 0..<planeSize { squares[i] += input[i] * input[i] }
                    }
                    let input = source + plane * planeSize, output = target + plane * planeSize
                    if beta == 0.75 {
                        // t^-0.75 = 1 / (√t · ⁴√t), much cheaper than pow.
                        for i in 0..<planeSize {
                            let t = bias + scaledAlpha * squares[i]
                            let root = t.squareRoot()
                            output[i] = input[i] / (root * root.squareRoot())
                        }
                    } else {
                        for i in 0..<planeSize {
                            output[i] = input[i] / Foundation.pow(bias + scaledAlpha * squares[i], beta)
                        }
                    }
                }
            }
            return [y]
        }
    }
}
