import Foundation

/// Every TensorFlow op the reader translates, by op name, each to ONNX-style nodes with ONNX semantics. The
/// families live in TensorFlow*Operations.swift files; each contributes its own table.
enum TensorFlowOperations {
    typealias Translation = @Sendable (TensorFlowNodeContext) throws -> Void

    static let translations: [String: Translation] = {
        var all: [String: Translation] = [:]
        let families: [[String: Translation]] = [
            TensorFlowElementwiseOperations.translations,
            TensorFlowConvolutionOperations.translations,
            TensorFlowShapeOperations.translations,
            TensorFlowIndexingOperations.translations,
            TensorFlowLinearOperations.translations,
        ]
        for family in families { all.merge(family) { first, _ in first } }
        return all
    }()

    static var supportedOps: [String] { translations.keys.sorted() }

    /// a + b, saturating: sizes and bounds from a file must not trap on overflow.
    static func add(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? Int.max : Int.min) : sum
    }

    /// Broadcast shape of two operands (numpy rules); nil when a rank is unknown.
    static func broadcast(_ a: [Int?]?, _ b: [Int?]?) -> [Int?]? {
        guard let a, let b else { return nil }
        let rank = max(a.count, b.count)
        let padA = Array(repeating: 1, count: rank - a.count) + a
        let padB = Array(repeating: 1, count: rank - b.count) + b
        return zip(padA, padB).map { x, y in
            if x == 1 { return y }
            if y == 1 { return x }
            return x ?? y
        }
    }
}

/// Identity-like ops, constants, activations, unary and binary arithmetic, comparisons, Select and Cast.
enum TensorFlowElementwiseOperations {
    typealias Translation = TensorFlowOperations.Translation

    static let translations: [String: Translation] = {
        var table: [String: Translation] = [
            "Const": constant,
            "NoOp": { _ in },
            "IdentityN": { c in
                for (index, value) in c.inputs.enumerated() where c.readOutputs.contains(index) { c.alias(value, as: index) }
            },
            "Relu6": { c in
                try c.requireInputs(1)
                let type = c.type(ofInput: 0)
                c.emitOutput("Clip", [c.inputs[0], c.scalarConstant(0, type: type, "min"),
                                      c.scalarConstant(6, type: type, "max")], shape: c.shape(ofInput: 0))
            },
            "LeakyRelu": { c in
                try c.requireInputs(1)
                c.emitOutput("LeakyRelu", [c.inputs[0]], ["alpha": .float(try c.float("alpha", default: 0.2))],
                             shape: c.shape(ofInput: 0))
            },
            "Rsqrt": { c in
                try c.requireInputs(1)
                let root = c.emitValue("Sqrt", [c.inputs[0]], shape: c.shape(ofInput: 0))
                c.emitOutput("Reciprocal", [root], shape: c.shape(ofInput: 0))
            },
            "Erfc": { c in
                try c.requireInputs(1)
                let erf = c.emitValue("Erf", [c.inputs[0]], shape: c.shape(ofInput: 0))
                c.emitOutput("Sub", [c.scalarConstant(1, type: c.type(ofInput: 0), "one"), erf], shape: c.shape(ofInput: 0))
            },
            "Square": { c in
                try c.requireInputs(1)
                c.emitOutput("Mul", [c.inputs[0], c.inputs[0]], shape: c.shape(ofInput: 0))
            },
            "SquaredDifference": { c in
                try c.requireInputs(2)
                let shape = TensorFlowOperations.broadcast(c.shape(ofInput: 0), c.shape(ofInput: 1))
                let difference = c.emitValue("Sub", [c.inputs[0], c.inputs[1]], shape: shape)
                c.emitOutput("Mul", [difference, difference], shape: shape)
            },
            "AddN": { c in
                try c.requireInputs(1)
                let shape = c.inputs.indices.dropFirst().reduce(c.shape(ofInput: 0)) {
                    TensorFlowOperations.broadcast($0, c.shape(ofInput: $1))
                }
                c.emitOutput(c.inputs.count == 1 ? "Identity" : "Sum", c.inputs, shape: shape)
            },
            "Select": select,
            "SelectV2": select,
            "Cast": { c in
                try c.requireInputs(1)
                guard let type = try c.type("DstT") else { throw c.invalid("has no DstT attribute") }
                c.emitOutput("Cast", [c.inputs[0]], ["to": .int(type.onnxCode)], type: type, shape: c.shape(ofInput: 0))
                if type != .float32 { c.translator.setKnownElements(c.knownInts(0), of: c.output(0)) }
            },
            "Softmax": { c in try softmax(c, "Softmax") },
            "LogSoftmax": { c in try softmax(c, "LogSoftmax") },
        ]
        for op in ["Identity", "StopGradient", "PreventGradient", "Snapshot", "EnsureShape", "CheckNumerics",
                   "PlaceholderWithDefault"] {
            table[op] = { c in
                try c.requireInputs(1)
                c.alias(c.inputs[0])
            }
        }
        let unary: [String: String] = [
            "Relu": "Relu", "Elu": "Elu", "Selu": "Selu", "Sigmoid": "Sigmoid", "Tanh": "Tanh",
            "Softplus": "Softplus", "Softsign": "Softsign", "Sqrt": "Sqrt", "Exp": "Exp", "Log": "Log", "Neg": "Neg",
            "Erf": "Erf", "Abs": "Abs", "Floor": "Floor", "Ceil": "Ceil", "Round": "Round",
            "Reciprocal": "Reciprocal", "Inv": "Reciprocal", "LogicalNot": "Not",
        ]
        for (tfOp, onnxOp) in unary {
            table[tfOp] = { c in
                try c.requireInputs(1)
                c.emitOutput(onnxOp, [c.inputs[0]], shape: c.shape(ofInput: 0))
            }
        }
        let binary: [String: String] = [
            "Add": "Add", "AddV2": "Add", "Sub": "Sub", "Mul": "Mul", "RealDiv": "Div", "Div": "Div",
            "Maximum": "Max", "Minimum": "Min", "Pow": "Pow", "LogicalAnd": "And", "LogicalOr": "Or",
        ]
        for (tfOp, onnxOp) in binary {
            table[tfOp] = { c in
                try c.requireInputs(2)
                if tfOp == "Div", c.type(ofInput: 0) != .float32 {
                    throw c.invalid("integer Div (floor division) is not supported")
                }
                c.emitOutput(onnxOp, [c.inputs[0], c.inputs[1]],
                             shape: TensorFlowOperations.broadcast(c.shape(ofInput: 0), c.shape(ofInput: 1)))
            }
        }
        let comparisons: [String: String] = [
            "Less": "Less", "Greater": "Greater", "Equal": "Equal", "LessEqual": "LessOrEqual",
            "GreaterEqual": "GreaterOrEqual",
        ]
        for (tfOp, onnxOp) in comparisons {
            table[tfOp] = { c in
                try c.requireInputs(2)
                c.emitOutput(onnxOp, [c.inputs[0], c.inputs[1]], type: .bool,
                             shape: TensorFlowOperations.broadcast(c.shape(ofInput: 0), c.shape(ofInput: 1)))
            }
        }
        return table
    }()

    private static func constant(_ c: TensorFlowNodeContext) throws {
        guard case .tensor(let proto)? = c.attribute("value") else {
            throw c.invalid("has no tensor value (attribute value)")
        }
        let tensor = try TensorFlowTensors.tensor(proto, file: c.translator.file, role: "Const node '\(c.name)'")
        c.translator.addInitializer(tensor, named: c.output(0))
    }

    /// Select (v1): a rank-1 condition picks whole rows of higher-rank operands; SelectV2 broadcasts.
    private static func select(_ c: TensorFlowNodeContext) throws {
        try c.requireInputs(3)
        var condition = c.inputs[0]
        let shape = TensorFlowOperations.broadcast(c.shape(ofInput: 1), c.shape(ofInput: 2))
        if c.op == "Select", let conditionShape = c.shape(ofInput: 0), conditionShape.count == 1,
           let rank = shape?.count, rank > 1 {
            condition = c.reshape(condition, to: [-1] + Array(repeating: 1, count: rank - 1))
        }
        c.emitOutput("Where", [condition, c.inputs[1], c.inputs[2]], type: c.type(ofInput: 1),
                     shape: TensorFlowOperations.broadcast(c.shape(ofInput: 0), shape))
    }

    private static func softmax(_ c: TensorFlowNodeContext, _ onnxOp: String) throws {
        try c.requireInputs(1)
        c.emitOutput(onnxOp, [c.inputs[0]], ["axis": .int(-1)], shape: c.shape(ofInput: 0))
    }
}
