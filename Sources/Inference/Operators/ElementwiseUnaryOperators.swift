import Foundation

/// One-input math functions (Exp, Log, Sqrt, ...): a float kernel over buffers, and for the few that make sense
/// on integers (Neg, Abs) an integer function.
extension ElementwiseOperators {
    /// destination[i] = f(source[i]) for `count` floats (a sub-range of the tensor when run in parallel).
    typealias FloatKernel = @Sendable (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void

    static let unaryFactories: [String: OperatorFactory] = {
        let kernels: [(String, FloatKernel, (@Sendable (Int64) -> Int64)?)] = [
            ("Exp", { ActivationMath.exp($0, $1, $2) }, nil),
            ("Log", { source, destination, count in
                for i in 0..<count { destination[i] = Foundation.log(source[i]) }
            }, nil),
            // libm's sqrtf, which the compiler turns into vector square roots (Float.squareRoot() stays a call).
            ("Sqrt", { source, destination, count in
                for i in 0..<count { destination[i] = Foundation.sqrt(source[i]) }
            }, nil),
            ("Reciprocal", { source, destination, count in
                for i in 0..<count { destination[i] = 1 / source[i] }
            }, nil),
            ("Neg", { source, destination, count in
                for i in 0..<count { destination[i] = -source[i] }
            }, { 0 &- $0 }),
            ("Abs", { source, destination, count in
                for i in 0..<count { destination[i] = Swift.abs(source[i]) }
            }, { $0 < 0 ? 0 &- $0 : $0 }),
            ("Floor", { source, destination, count in
                for i in 0..<count { destination[i] = source[i].rounded(.down) }
            }, nil),
            ("Ceil", { source, destination, count in
                for i in 0..<count { destination[i] = source[i].rounded(.up) }
            }, nil),
            // ONNX rounds halves to even.
            ("Round", { source, destination, count in
                for i in 0..<count { destination[i] = source[i].rounded(.toNearestOrEven) }
            }, nil),
        ]
        var table: [String: OperatorFactory] = [:]
        for (name, float, integer) in kernels {
            table[name] = { _ in Unary(name: name, float: float, integer: integer) }
        }
        return table
    }()

    struct Unary: Operator {
        let name: String
        let float: FloatKernel
        /// Applied to int64 and int32 inputs; nil when the function takes floats only.
        let integer: (@Sendable (Int64) -> Int64)?

        func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
            let x = try inputs.required(0, "X")
            let y = context.allocate(x.elementType, x.shape)
            switch (x.elementType, integer) {
            case (.float32, _):
                Kernels.parallelMap(x.floats, y.floats, count: x.count, context: context, float)
            case (.int64, let integer?):
                let source = x.int64s, target = y.int64s
                for i in 0..<x.count { target[i] = integer(source[i]) }
            case (.int32, let integer?):
                let source = x.int32s, target = y.int32s
                for i in 0..<x.count { target[i] = Int32(truncatingIfNeeded: integer(Int64(source[i]))) }
            default:
                throw OpError("\(name) does not take \(x.elementType) input")
            }
            return [y]
        }
    }

    /// A float-only function of one input, as the activation operators are.
    struct FloatMap: Operator {
        let name: String
        let kernel: FloatKernel

        func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
            let x = try inputs.required(0, "X")
            try x.expect(.float32, "\(name) input")
            let y = context.allocate(.float32, x.shape)
            Kernels.parallelMap(x.floats, y.floats, count: x.count, context: context, kernel)
            return [y]
        }
    }
}
