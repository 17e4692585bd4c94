/// What runs on a convolution's or a Gemm's output right after the matrix product, while it is in cache:
/// the bias, a residual input (a fused Add), and an activation. The graph optimiser decides what is fused.
struct Epilogue: Sendable {
    var activation: Activation?

    /// `count` outputs of one channel (or one row): + bias, + residual, then the activation.
    @inline(__always)
    func apply(_ output: UnsafeMutablePointer<Float>, count: Int, bias: Float,
               residual: UnsafePointer<Float>?) {
        if let residual {
            for i in 0..<count { output[i] += bias + residual[i] }
        } else if bias != 0 {
            for i in 0..<count { output[i] += bias }
        }
        activation?.apply(output, count: count)
    }

    /// Attributes the optimiser sets on a node it fused an activation into.
    static let activationAttribute = "fused_activation"
    static let parametersAttribute = "fused_activation_params"

    init(activation: Activation?) { self.activation = activation }

    /// Reads the fused activation the optimiser recorded on `node`, if any.
    init(node: Node) throws(OpError) {
        guard let name = try? node.string(Epilogue.activationAttribute, default: ""), !name.isEmpty else {
            self.activation = nil
            return
        }
        let parameters = try node.floats(Epilogue.parametersAttribute) ?? []
        guard let activation = Activation(onnxName: name, parameters: parameters) else {
            throw OpError("unknown fused activation \(name)")
        }
        self.activation = activation
    }
}

extension Activation {
    /// The activation an ONNX node of type `onnxName` computes, with its parameters flattened
    /// (Clip: min, max; LeakyRelu: alpha; HardSigmoid: alpha, beta).
    init?(onnxName: String, parameters: [Float]) {
        switch (onnxName, parameters.count) {
        case ("Relu", _): self = .relu
        case ("Clip", 2): self = .clip(min: parameters[0], max: parameters[1])
        case ("LeakyRelu", 1): self = .leakyRelu(alpha: parameters[0])
        case ("Sigmoid", _): self = .sigmoid
        case ("Tanh", _): self = .tanh
        case ("HardSigmoid", 2): self = .hardSigmoid(alpha: parameters[0], beta: parameters[1])
        case ("HardSwish", _): self = .hardSwish
        default: return nil
        }
    }
}
