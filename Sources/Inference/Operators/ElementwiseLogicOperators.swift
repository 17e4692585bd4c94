/// Comparisons (bool results), boolean logic, Not and Where.
extension ElementwiseOperators {
    static func compare(_ kind: BinaryKind, _ a: Tensor, _ b: Tensor, _ plan: ElementwiseBroadcast,
                        _ context: ExecutionContext) throws(OpError) -> Tensor {
        try requireSameType(kind, a, b)
        switch a.elementType {
        case .float32: return ordered(kind, Float.self, a, b, plan, context)
        case .int64: return ordered(kind, Int64.self, a, b, plan, context)
        case .int32: return ordered(kind, Int32.self, a, b, plan, context)
        case .bool:
            guard kind == .equal else { throw OpError("\(kind.rawValue) does not take bool inputs") }
            return launch(Kernels.Equal<Bool>.self, a, b, plan, .bool, context)
        }
    }

    private static func ordered<T: Comparable>(_ kind: BinaryKind, _ type: T.Type, _ a: Tensor, _ b: Tensor,
                                               _ plan: ElementwiseBroadcast,
                                               _ context: ExecutionContext) -> Tensor {
        switch kind {
        case .less: return launch(Kernels.Less<T>.self, a, b, plan, .bool, context)
        case .lessOrEqual: return launch(Kernels.LessOrEqual<T>.self, a, b, plan, .bool, context)
        case .greater: return launch(Kernels.Greater<T>.self, a, b, plan, .bool, context)
        case .greaterOrEqual: return launch(Kernels.GreaterOrEqual<T>.self, a, b, plan, .bool, context)
        default: return launch(Kernels.Equal<T>.self, a, b, plan, .bool, context)
        }
    }

    static func logic(_ kind: BinaryKind, _ a: Tensor, _ b: Tensor, _ plan: ElementwiseBroadcast,
                      _ context: ExecutionContext) throws(OpError) -> Tensor {
        guard a.elementType == .bool && b.elementType == .bool else {
            throw OpError("\(kind.rawValue) takes bool inputs, got A \(a.elementType) and B \(b.elementType)")
        }
        switch kind {
        case .and: return launch(Kernels.And.self, a, b, plan, .bool, context)
        case .or: return launch(Kernels.Or.self, a, b, plan, .bool, context)
        default: return launch(Kernels.Xor.self, a, b, plan, .bool, context)
        }
    }

    struct Not: Operator {
        func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
            let x = try inputs.required(0, "X")
            try x.expect(.bool, "Not input")
            let y = context.allocate(.bool, x.shape)
            let source = x.bools, target = y.bools
            for i in 0..<x.count { target[i] = !source[i] }
            return [y]
        }
    }

    /// Where(condition, X, Y): X where the condition holds, else Y; all three broadcast together.
    struct Where: Operator {
        func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
            let condition = try inputs.required(0, "condition")
            let x = try inputs.required(1, "X")
            let y = try inputs.required(2, "Y")
            try condition.expect(.bool, "Where condition")
            guard x.elementType == y.elementType else {
                throw OpError("Where needs X and Y of one element type, got \(x.elementType) and \(y.elementType)")
            }
            let plan = try ElementwiseBroadcast([condition.shape, x.shape, y.shape])
            let out = context.allocate(x.elementType, plan.outputShape)
            switch x.elementType {
            case .float32: select(Float.self, condition, x, y, out, plan, context)
            case .int64: select(Int64.self, condition, x, y, out, plan, context)
            case .int32: select(Int32.self, condition, x, y, out, plan, context)
            case .bool: select(Bool.self, condition, x, y, out, plan, context)
            }
            return [out]
        }

        private func select<T>(_ type: T.Type, _ condition: Tensor, _ x: Tensor, _ y: Tensor, _ out: Tensor,
                               _ plan: ElementwiseBroadcast, _ context: ExecutionContext) {
            plan.select(condition.bools, Kernels.elements(x, as: T.self), Kernels.elements(y, as: T.self),
                        Kernels.elements(out, as: T.self), context: context)
        }
    }
}
