import Foundation

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
        switch self {
        case .relu:
            Activation.clamp(values, count: count, lower: 0, upper: .infinity)
        case .clip(let lower, let upper):
            Activation.clamp(values, count: count, lower: lower, upper: upper)
        case .leakyRelu(let alpha):
            for i in 0..<count where values[i] < 0 { values[i] *= alpha }
        case .sigmoid:
            for i in 0..<count { values[i] = 1 / (1 + Foundation.exp(-values[i])) }
        case .tanh:
            for i in 0..<count { values[i] = Foundation.tanh(values[i]) }
        case .hardSigmoid(let alpha, let beta):
            for i in 0..<count { values[i] = Swift.max(0, Swift.min(1, alpha * values[i] + beta)) }
        case .hardSwish:
            for i in 0..<count {
                let x = values[i]
                values[i] = x * Swift.max(0, Swift.min(1, x / 6 + 0.5))
            }
        }
    }

    /// max(lower, min(upper, x)) eight lanes at a time; ReLU and ReLU6 are the hottest epilogues.
    static func clamp(_ values: UnsafeMutablePointer<Float>, count: Int, lower: Float, upper: Float) {
        var i = 0
        let lo = SIMD8<Float>(repeating: lower), hi = SIMD8<Float>(repeating: upper)
        values.withMemoryRebound(to: SIMD8<Float>.self, capacity: count / 8) { vectors in
            for v in 0..<(count / 8) {
                vectors[v] = vectors[v].clamped(lowerBound: lo, upperBound: hi)
            }
        }
        i = count / 8 * 8
        while i < count {
            values[i] = Swift.max(lower, Swift.min(upper, values[i]))
            i += 1
        }
    }
}
