/// Cast, CastLike and Dropout (an identity at inference).

struct CastOperator: Operator {
    let target: ElementType

    init(_ spec: OperatorSpec) throws(OpError) {
        guard spec.node.attributes["to"] != nil else { throw OpError("attribute 'to' is required") }
        target = try Self.elementType(code: spec.node.int("to", default: 1))
    }

    func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
        [CastKernel.convert(try inputs.required(0, "input"), to: target, context: context)]
    }

    /// The run-time type for an ONNX TensorProto type code. float16 and double values are held as float32,
    /// which is what the loaders turn such tensors into as well.
    static func elementType(code: Int) throws(OpError) -> ElementType {
        switch code {
        case 1, 10, 11: return .float32
        case 6: return .int32
        case 7: return .int64
        case 9: return .bool
        default:
            throw OpError("Cast to type \(code) (\(TensorTypeCode.name(code))) is not supported; the targets are "
                + "float (1), int32 (6), int64 (7), bool (9), float16 (10) and double (11)")
        }
    }
}

/// Cast to the element type of input 1.
struct CastLikeOperator: Operator {
    func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
        let input = try inputs.required(0, "input")
        let target = try inputs.required(1, "target_type")
        return [CastKernel.convert(input, to: target.elementType, context: context)]
    }
}

enum CastKernel {
    static func convert(_ input: Tensor, to target: ElementType, context: ExecutionContext) -> Tensor {
        if input.elementType == target { return input }
        let output = context.allocate(target, input.shape)
        let count = input.count
        switch (input.elementType, target) {
        case (.float32, .int64): map(input.floats, output.int64s, count) { truncated($0, to: Int64.self) }
        case (.float32, .int32): map(input.floats, output.int32s, count) { truncated($0, to: Int32.self) }
        case (.float32, .bool): map(input.floats, output.bools, count) { $0 != 0 }
        case (.int64, .float32): map(input.int64s, output.floats, count) { Float($0) }
        case (.int64, .int32): map(input.int64s, output.int32s, count) { Int32(truncatingIfNeeded: $0) }
        case (.int64, .bool): map(input.int64s, output.bools, count) { $0 != 0 }
        case (.int32, .float32): map(input.int32s, output.floats, count) { Float($0) }
        case (.int32, .int64): map(input.int32s, output.int64s, count) { Int64($0) }
        case (.int32, .bool): map(input.int32s, output.bools, count) { $0 != 0 }
        case (.bool, .float32): map(input.bools, output.floats, count) { $0 ? 1 : 0 }
        case (.bool, .int64): map(input.bools, output.int64s, count) { $0 ? 1 : 0 }
        case (.bool, .int32): map(input.bools, output.int32s, count) { $0 ? 1 : 0 }
        default: break  // same type: returned above
        }
        return output
    }

    /// Float to integer rounds toward zero as C does; NaN becomes 0 and values beyond the integer's range
    /// saturate (C leaves both undefined; a crash is not an option).
    @inline(__always)
    static func truncated<I: FixedWidthInteger & SignedInteger>(_ value: Float, to: I.Type) -> I {
        if value.isNaN { return 0 }
        if value >= Float(I.max) { return I.max }
        if value <= Float(I.min) { return I.min }
        return I(value)
    }

    @inline(__always)
    static func map<S, D>(_ source: UnsafeMutablePointer<S>, _ destination: UnsafeMutablePointer<D>, _ count: Int,
                          _ transform: (S) -> D) {
        for i in 0..<count { destination[i] = transform(source[i]) }
    }
}

/// Dropout at inference passes its input through; the optional mask output is all true (nothing dropped).
struct DropoutOperator: Operator {
    let wantsMask: Bool
    /// Before opset 10 the mask had the data's type (ones) rather than bool.
    let boolMask: Bool
    /// Opset 12's training_mode input, when it is not a load-time constant.
    let trainingModeInput: Bool

    init(_ spec: OperatorSpec) throws(OpError) {
        wantsMask = spec.node.outputs.count > 1 && !spec.node.outputs[1].isEmpty
        boolMask = spec.opset >= 10
        if spec.hasInput(2), let mode = spec.constant(2) {
            try Self.checkInference(mode)
            trainingModeInput = false
        } else {
            trainingModeInput = spec.hasInput(2)
        }
    }

    func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
        let input = try inputs.required(0, "data")
        if trainingModeInput, let mode = inputs.optional(2) { try Self.checkInference(mode) }
        guard wantsMask else { return [input] }
        let mask: Tensor
        if boolMask {
            mask = context.allocate(.bool, input.shape)
            mask.bools.initialize(repeating: true, count: mask.count)
        } else {
            mask = context.allocate(input.elementType, input.shape)
            switch input.elementType {
            case .float32: mask.floats.initialize(repeating: 1, count: mask.count)
            case .int64: mask.int64s.initialize(repeating: 1, count: mask.count)
            case .int32: mask.int32s.initialize(repeating: 1, count: mask.count)
            case .bool: mask.bools.initialize(repeating: true, count: mask.count)
            }
        }
        return [input, mask]
    }

    static func checkInference(_ mode: Tensor) throws(OpError) {
        if mode.count > 0 && mode.integerValues[0] != 0 {
            throw OpError("training_mode is true: Dropout only runs in inference mode here")
        }
    }
}
