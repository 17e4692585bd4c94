extension ActivationOperators {
    /// Clip: min(max, max(min, x)). Before opset 11 the bounds are attributes; from 11 they are optional inputs
    /// (either may be left out, and either may be computed at run time).
    struct Clip: Operator {
        enum Bound: Sendable {
            case unbounded
            /// An attribute, or an input known at load time.
            case constant(Tensor)
            /// An input computed at run time.
            case input(Int)
        }

        let lower: Bound
        let upper: Bound
        /// The fused-style activation when both bounds are known at load time (the common ReLU6 case).
        let fixedActivation: Activation?

        init(_ spec: OperatorSpec) throws {
            if spec.opset < 11 {
                lower = try spec.node.attributes["min"] == nil ? .unbounded
                    : .constant(.scalar(spec.node.float("min", default: 0)))
                upper = try spec.node.attributes["max"] == nil ? .unbounded
                    : .constant(.scalar(spec.node.float("max", default: 0)))
            } else {
                func bound(_ index: Int) -> Bound {
                    guard spec.hasInput(index) else { return .unbounded }
                    return spec.constant(index).map { .constant($0) } ?? .input(index)
                }
                lower = bound(1)
                upper = bound(2)
            }
            switch (lower, upper) {
            case (.input, _), (_, .input):
                fixedActivation = nil
            default:
                fixedActivation = .clip(min: try Clip.value(lower, "min", -.infinity),
                                        max: try Clip.value(upper, "max", .infinity))
            }
        }

        func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
            let x = try inputs.required(0, "input")
            let lowerTensor = try resolve(lower, inputs), upperTensor = try resolve(upper, inputs)
            if x.elementType != .float32 {
                return [try ActivationOperators.clampIntegers(
                    x, lower: try Clip.integer(lowerTensor, "min", .min),
                    upper: try Clip.integer(upperTensor, "max", .max), context: context)]
            }
            let activation = try fixedActivation
                ?? .clip(min: Clip.value(lowerTensor, "min", -.infinity),
                         max: Clip.value(upperTensor, "max", .infinity))
            let y = context.allocate(.float32, x.shape)
            ElementwiseKernels.parallelMap(x.floats, y.floats, count: x.count, context: context) {
                activation.apply($0, to: $1, count: $2)
            }
            return [y]
        }

        private func resolve(_ bound: Bound, _ inputs: [Tensor?]) throws(OpError) -> Bound {
            guard case .input(let index) = bound else { return bound }
            guard let tensor = inputs.optional(index) else { return .unbounded }
            return .constant(tensor)
        }

        private static func single(_ bound: Bound, _ name: String) throws(OpError) -> Tensor? {
            guard case .constant(let tensor) = bound else { return nil }
            guard tensor.count == 1 else {
                throw OpError("Clip \(name) should be a single value, got shape \(tensor.shape)")
            }
            return tensor
        }

        private static func value(_ bound: Bound, _ name: String, _ fallback: Float) throws(OpError) -> Float {
            try single(bound, name)?.floatValues[0] ?? fallback
        }

        private static func integer(_ bound: Bound, _ name: String, _ fallback: Int64) throws(OpError) -> Int64 {
            guard let tensor = try single(bound, name) else { return fallback }
            if tensor.elementType == .float32 {
                let value = tensor.floatValues[0]
                return value.isNaN ? fallback : Int64(exactly: value.rounded(.towardZero))
                    ?? (value < 0 ? .min : .max)
            }
            return Int64(tensor.integerValues[0])
        }
    }
}
