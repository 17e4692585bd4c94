import Foundation

/// Element-wise arithmetic, comparison and logic with numpy broadcasting, and the unary math functions.
/// float32 throughout; int64 and int32 for the arithmetic and comparisons that exported graphs use for shape
/// computations. The broadcasting itself is `ElementwiseBroadcast`; this file picks the typed kernel.
enum ElementwiseOperators {
    static let factories: [String: OperatorFactory] = {
        var table: [String: OperatorFactory] = [:]
        for kind in BinaryKind.allCases {
            table[kind.rawValue] = { _ in Binary(kind: kind) }
        }
        // Variadic forms; with two inputs they are the binary kernels above.
        table["Sum"] = { _ in Variadic(name: "Sum", kind: .add, averages: false) }
        table["Mean"] = { _ in Variadic(name: "Mean", kind: .add, averages: true) }
        table["Min"] = { _ in Variadic(name: "Min", kind: .min, averages: false) }
        table["Max"] = { _ in Variadic(name: "Max", kind: .max, averages: false) }
        table["Where"] = { _ in Where() }
        table["Not"] = { _ in Not() }
        table.merge(unaryFactories) { first, _ in first }
        return table
    }()

    /// The two-operand functions, by ONNX op type (Min and Max are registered as the variadic operators).
    enum BinaryKind: String, CaseIterable, Sendable {
        case add = "Add", sub = "Sub", mul = "Mul", div = "Div", pow = "Pow"
        case min = "Min", max = "Max"
        case equal = "Equal", less = "Less", lessOrEqual = "LessOrEqual"
        case greater = "Greater", greaterOrEqual = "GreaterOrEqual"
        case and = "And", or = "Or", xor = "Xor"
    }

    struct Binary: Operator {
        let kind: BinaryKind

        func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
            let a = try inputs.required(0, "A")
            let b = try inputs.required(1, "B")
            return [try ElementwiseOperators.binary(kind, a, b, context: context)]
        }
    }

    /// Sum, Mean, Min, Max over any number of inputs, all broadcast together.
    struct Variadic: Operator {
        let name: String
        let kind: BinaryKind
        let averages: Bool

        func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
            guard !inputs.isEmpty else { throw OpError("\(name) needs at least one input") }
            var result = try inputs.required(0, "data_0")
            for index in 1..<inputs.count {
                result = try ElementwiseOperators.binary(kind, result, inputs.required(index, "data_\(index)"),
                                                         context: context)
            }
            guard averages && inputs.count > 1 else { return [result] }
            try result.expect(.float32, "\(name) input")
            // `result` was allocated by the last Add above: nothing else holds it yet.
            let values = result.floats, divisor = Float(inputs.count)
            for i in 0..<result.count { values[i] /= divisor }
            return [result]
        }
    }

    // MARK: Dispatch

    typealias Kernels = ElementwiseKernels

    static func binary(_ kind: BinaryKind, _ a: Tensor, _ b: Tensor,
                       context: ExecutionContext) throws(OpError) -> Tensor {
        let plan = try ElementwiseBroadcast([a.shape, b.shape])
        switch kind {
        case .add, .sub, .mul, .div, .min, .max:
            return try arithmetic(kind, a, b, plan, context)
        case .pow:
            return try power(a, b, plan, context)
        case .equal, .less, .lessOrEqual, .greater, .greaterOrEqual:
            return try compare(kind, a, b, plan, context)
        case .and, .or, .xor:
            return try logic(kind, a, b, plan, context)
        }
    }

    /// Allocates the output and runs `kernel` over the broadcast operands.
    static func launch<K: ElementwiseBinaryKernel>(_ kernel: K.Type, _ a: Tensor, _ b: Tensor,
                                                   _ plan: ElementwiseBroadcast, _ resultType: ElementType,
                                                   _ context: ExecutionContext) -> Tensor {
        let out = context.allocate(resultType, plan.outputShape)
        plan.binary(kernel, Kernels.elements(a, as: K.Left.self), Kernels.elements(b, as: K.Right.self),
                    Kernels.elements(out, as: K.Result.self), context: context)
        return out
    }

    static func requireSameType(_ kind: BinaryKind, _ a: Tensor, _ b: Tensor) throws(OpError) {
        guard a.elementType == b.elementType else {
            throw OpError("\(kind.rawValue) needs inputs of one element type, got A \(a.elementType) \(a.shape) "
                + "and B \(b.elementType) \(b.shape)")
        }
    }

    private static func arithmetic(_ kind: BinaryKind, _ a: Tensor, _ b: Tensor, _ plan: ElementwiseBroadcast,
                                   _ context: ExecutionContext) throws(OpError) -> Tensor {
        try requireSameType(kind, a, b)
        switch a.elementType {
        case .float32:
            switch kind {
            case .add: return launch(Kernels.Add.self, a, b, plan, .float32, context)
            case .sub: return launch(Kernels.Sub.self, a, b, plan, .float32, context)
            case .mul: return launch(Kernels.Mul.self, a, b, plan, .float32, context)
            case .div: return launch(Kernels.Div.self, a, b, plan, .float32, context)
            case .min: return launch(Kernels.Min.self, a, b, plan, .float32, context)
            default: return launch(Kernels.Max.self, a, b, plan, .float32, context)
            }
        case .int64:
            return try integerArithmetic(Int64.self, kind, a, b, plan, context)
        case .int32:
            return try integerArithmetic(Int32.self, kind, a, b, plan, context)
        case .bool:
            throw OpError("\(kind.rawValue) does not take bool inputs")
        }
    }

    private static func integerArithmetic<T: FixedWidthInteger & SignedInteger>(
        _ type: T.Type, _ kind: BinaryKind, _ a: Tensor, _ b: Tensor, _ plan: ElementwiseBroadcast,
        _ context: ExecutionContext
    ) throws(OpError) -> Tensor {
        let resultType = a.elementType
        switch kind {
        case .add: return launch(Kernels.IntegerAdd<T>.self, a, b, plan, resultType, context)
        case .sub: return launch(Kernels.IntegerSub<T>.self, a, b, plan, resultType, context)
        case .mul: return launch(Kernels.IntegerMul<T>.self, a, b, plan, resultType, context)
        case .min: return launch(Kernels.IntegerMin<T>.self, a, b, plan, resultType, context)
        case .max: return launch(Kernels.IntegerMax<T>.self, a, b, plan, resultType, context)
        default:
            let divisors = UnsafeBufferPointer(start: Kernels.elements(b, as: T.self), count: b.count)
            if divisors.contains(0) {
                throw OpError("integer division by zero: divisor B \(b.shape) holds a 0 (A is \(a.shape))")
            }
            return launch(Kernels.IntegerDiv<T>.self, a, b, plan, resultType, context)
        }
    }

    /// Pow: the result has the base's type; a float base takes a float or integer exponent, an integer base an
    /// exponent of its own type. A single exponent value gets the cheap forms (x², √x, ...).
    private static func power(_ a: Tensor, _ b: Tensor, _ plan: ElementwiseBroadcast,
                              _ context: ExecutionContext) throws(OpError) -> Tensor {
        switch (a.elementType, b.elementType) {
        case (.float32, .float32), (.float32, .int64), (.float32, .int32):
            if b.count == 1 && plan.count == a.count {
                let out = context.allocate(.float32, plan.outputShape)
                let kernel = scalarPowerKernel(b.floatValues[0])
                Kernels.parallelMap(a.floats, out.floats, count: a.count, context: context, kernel)
                return out
            }
            switch b.elementType {
            case .float32: return launch(Kernels.Pow.self, a, b, plan, .float32, context)
            case .int64: return launch(Kernels.PowInteger<Int64>.self, a, b, plan, .float32, context)
            default: return launch(Kernels.PowInteger<Int32>.self, a, b, plan, .float32, context)
            }
        case (.int64, .int64):
            return launch(Kernels.IntegerPow<Int64>.self, a, b, plan, .int64, context)
        case (.int32, .int32):
            return launch(Kernels.IntegerPow<Int32>.self, a, b, plan, .int32, context)
        default:
            throw OpError("Pow of a \(a.elementType) base by a \(b.elementType) exponent is not supported "
                + "(float32 base with float32/int64/int32 exponent, or int64/int32 base with the same type)")
        }
    }

    private static func scalarPowerKernel(_ exponent: Float) -> FloatKernel {
        switch exponent {
        case 1: return { source, destination, count in destination.update(from: source, count: count) }
        case 2: return { source, destination, count in for i in 0..<count { destination[i] = source[i] * source[i] } }
        case 3: return { source, destination, count in
            for i in 0..<count { destination[i] = source[i] * source[i] * source[i] }
        }
        case 0.5: return { source, destination, count in
            for i in 0..<count { destination[i] = Foundation.sqrt(source[i]) }
        }
        default: return { source, destination, count in
            for i in 0..<count { destination[i] = Kernels.Pow.apply(source[i], exponent) }
        }
        }
    }
}
