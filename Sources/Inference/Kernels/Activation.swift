/// An element-wise activation, run on its own (Relu, Clip, ... nodes) or fused into the epilogue of a
/// convolution or a Gemm, where the output is still in cache.
public enum Activation: Sendable, Equatable {
    case relu
    case clip(min: Float, max: Float)
    case leakyRelu(alpha: Float)
    case sigmoid
    case tanh
    case hardSigmoid(alpha: Float, beta: Float)
    case hardSwish

    /// Applies the activation in place to `count` floats.
    public func apply(_ values: UnsafeMutablePointer<Float>, count: Int) {
        apply(UnsafePointer(values), to: values, count: count)
    }

    /// destination[i] = activation(source[i]); the buffers may be the same. Vectorised (see `ActivationMath`).
    public func apply(_ source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .relu: ActivationMath.map(source, destination, count, ActivationMath.Relu())
        case .clip(let lower, let upper):
            Activation.clamp(source, destination, count: count, lower: lower, upper: upper)
        case .leakyRelu(let alpha):
            ActivationMath.map(source, destination, count, ActivationMath.LeakyRelu(alpha: alpha))
        case .sigmoid: ActivationMath.sigmoid(source, destination, count)
        case .tanh: ActivationMath.tanh(source, destination, count)
        case .hardSigmoid(let alpha, let beta):
            ActivationMath.map(source, destination, count, ActivationMath.HardSigmoid(alpha: alpha, beta: beta))
        case .hardSwish: ActivationMath.map(source, destination, count, ActivationMath.HardSwish())
        }
    }

    /// min(upper, max(lower, x)), as ONNX's Clip defines it: when lower > upper every element becomes upper.
    static func clamp(_ values: UnsafeMutablePointer<Float>, count: Int, lower: Float, upper: Float) {
        clamp(values, values, count: count, lower: lower, upper: upper)
    }

    static func clamp(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, count: Int,
                      lower: Float, upper: Float) {
        ActivationMath.map(source, destination, count, ActivationMath.Clamp(lower: lower, upper: upper))
    }
}
