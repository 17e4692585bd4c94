import Foundation

/// Element-wise activations. The ones that can also run fused into a convolution or Gemm epilogue go through
/// `Activation`; the others are vector kernels of their own (see `ActivationMath`). float32 input, except Relu
/// and Clip, which also take int64 and int32.
enum ActivationOperators {
    typealias FloatKernel = ElementwiseOperators.FloatKernel

    static let factories: [String: OperatorFactory] = [
        "Relu": { _ in Apply(name: "Relu", activation: .relu) },
        "Sigmoid": { _ in Apply(name: "Sigmoid", activation: .sigmoid) },
        "Tanh": { _ in Apply(name: "Tanh", activation: .tanh) },
        "HardSwish": { _ in Apply(name: "HardSwish", activation: .hardSwish) },
        "LeakyRelu": { spec in
            Apply(name: "LeakyRelu", activation: .leakyRelu(alpha: try spec.node.float("alpha", default: 0.01)))
        },
        "HardSigmoid": { spec in
            Apply(name: "HardSigmoid", activation: .hardSigmoid(alpha: try spec.node.float("alpha", default: 0.2),
                                                                beta: try spec.node.float("beta", default: 0.5)))
        },
        "Clip": { spec in try Clip(spec) },
        "PRelu": { _ in ParametricRelu() },
        "Erf": { _ in map("Erf") { ActivationMath.erf($0, $1, $2) } },
        "Gelu": { spec in try gelu(spec) },
        "Elu": { spec in try elu(spec) },
        "Selu": { spec in try selu(spec) },
        "Celu": { spec in try celu(spec) },
        "ThresholdedRelu": { spec in
            let alpha = try spec.node.float("alpha", default: 1)
            return map("ThresholdedRelu") { ActivationMath.map($0, $1, $2, ThresholdedRelu(alpha: alpha)) }
        },
        "Softsign": { _ in
            map("Softsign") { ActivationMath.map($0, $1, $2, Softsign()) }
        },
        "Softplus": { _ in map("Softplus") { softplus($0, $1, $2) } },
        // x·tanh(softplus(x)), with the output buffer as scratch (FloatMap gives distinct buffers).
        "Mish": { _ in
            map("Mish") { source, destination, count in
                softplus(source, destination, count)
                ActivationMath.tanh(destination, destination, count)
                for i in 0..<count { destination[i] *= source[i] }
            }
        },
    ]

    private static func map(_ name: String, _ kernel: @escaping FloatKernel) -> any Operator {
        ElementwiseOperators.FloatMap(name: name, kernel: kernel)
    }

    /// Gelu (opset 20): approximate "none" is x/2·(1 + erf(x/√2)), "tanh" the tanh formula.
    private static func gelu(_ spec: OperatorSpec) throws -> any Operator {
        switch try spec.node.string("approximate", default: "none") {
        case "none": return map("Gelu") { ActivationMath.gelu($0, $1, $2) }
        case "tanh": return map("Gelu") { ActivationMath.geluTanh($0, $1, $2) }
        case let other: throw OpError("Gelu approximate should be \"none\" or \"tanh\", got \"\(other)\"")
        }
    }

    /// Elu: x for x ≥ 0, alpha·(eˣ - 1) below.
    private static func elu(_ spec: OperatorSpec) throws -> any Operator {
        let alpha = try spec.node.float("alpha", default: 1)
        return map("Elu") { ActivationMath.map($0, $1, $2, ExponentialLinear(alpha: alpha, gamma: 1, scale: 1)) }
    }

    /// Selu: gamma·x for x > 0, gamma·alpha·(eˣ - 1) otherwise.
    private static func selu(_ spec: OperatorSpec) throws -> any Operator {
        let alpha = try spec.node.float("alpha", default: 1.673_263_192_176_818_847_656_25)
        let gamma = try spec.node.float("gamma", default: 1.050_701_022_148_132_324_218_75)
        return map("Selu") {
            ActivationMath.map($0, $1, $2, ExponentialLinear(alpha: alpha, gamma: gamma, scale: 1))
        }
    }

    /// Celu: max(0, x) + min(0, alpha·(e^(x/alpha) - 1)).
    private static func celu(_ spec: OperatorSpec) throws -> any Operator {
        let alpha = try spec.node.float("alpha", default: 1)
        guard alpha != 0 else { throw OpError("Celu alpha must not be 0") }
        return map("Celu") {
            ActivationMath.map($0, $1, $2, ExponentialLinear(alpha: alpha, gamma: 1, scale: 1 / alpha))
        }
    }

    /// ln(1 + eˣ), written as max(x, 0) + ln(1 + e^-|x|) so that neither side overflows.
    private static func softplus(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>,
                                 _ count: Int) {
        for i in 0..<count {
            let x = source[i]
            destination[i] = Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x)))
        }
    }

    /// gamma·x for x > 0, gamma·alpha·(e^(scale·x) - 1) otherwise: Elu, Selu and Celu (at x = 0 both are 0).
    struct ExponentialLinear: ActivationVectorFunction {
        let alpha: Float
        let gamma: Float
        let scale: Float
        @inline(__always) func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float> {
            x.replacing(with: (ActivationMath.exp(x * scale) - 1) * alpha, where: x .< 0) * gamma
        }
    }

    /// x for x > alpha, 0 otherwise.
    struct ThresholdedRelu: ActivationVectorFunction {
        let alpha: Float
        @inline(__always) func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float> {
            x.replacing(with: 0, where: x .<= alpha)
        }
    }

    /// x / (1 + |x|).
    struct Softsign: ActivationVectorFunction {
        @inline(__always) func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float> {
            x / (1 + ActivationMath.magnitude(x))
        }
    }

    // MARK: Operators

    /// An `Activation` as a node of its own.
    struct Apply: Operator {
        let name: String
        let activation: Activation

        func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
            let x = try inputs.required(0, "X")
            if activation == .relu && x.elementType != .float32 {
                return [try ActivationOperators.clampIntegers(x, lower: 0, upper: .max, context: context)]
            }
            try x.expect(.float32, "\(name) input")
            let y = context.allocate(.float32, x.shape)
            ElementwiseKernels.parallelMap(x.floats, y.floats, count: x.count, context: context) {
                activation.apply($0, to: $1, count: $2)
            }
            return [y]
        }
    }

    /// min(max, max(min, x)) on int64 or int32 tensors (the bounds saturate to the element type).
    static func clampIntegers(_ x: Tensor, lower: Int64, upper: Int64,
                              context: ExecutionContext) throws(OpError) -> Tensor {
        let y = context.allocate(x.elementType, x.shape)
        switch x.elementType {
        case .int64:
            let source = x.int64s, target = y.int64s
            for i in 0..<x.count { target[i] = Swift.min(upper, Swift.max(lower, source[i])) }
        case .int32:
            let low = Int32(clamping: lower), high = Int32(clamping: upper)
            let source = x.int32s, target = y.int32s
            for i in 0..<x.count { target[i] = Swift.min(high, Swift.max(low, source[i])) }
        default:
            throw OpError("expected a float32, int64 or int32 input, got \(x.elementType)")
        }
        return y
    }

    /// PRelu: x for x ≥ 0, slope·x below; the slope broadcasts to X (one slope per channel, usually).
    struct ParametricRelu: Operator {
        func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
            let x = try inputs.required(0, "X")
            let slope = try inputs.required(1, "slope")
            try x.expect(.float32, "PRelu X")
            try slope.expect(.float32, "PRelu slope")
            let plan = try ElementwiseBroadcast([x.shape, slope.shape])
            guard plan.outputShape == x.shape else {
                throw OpError("PRelu slope \(slope.shape) does not broadcast to X \(x.shape)")
            }
            return [ElementwiseOperators.launch(ElementwiseKernels.ParametricRelu.self, x, slope, plan, .float32,
                                                context)]
        }
    }
}
