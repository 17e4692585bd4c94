/// Translates one IR layer (its inputs and outputs already named) into engine nodes.
typealias IRTranslation = @Sendable (IRLayerContext) throws -> Void

/// Every IR operation the reader translates, by layer type; each family file contributes a table. Element-wise
/// operations and activations live here.
enum IROperations {
    static let translations: [String: IRTranslation] = {
        var all: [String: IRTranslation] = [:]
        let families: [[String: IRTranslation]] = [
            elementwise,
            activations,
            IRConvolutionOperations.translations,
            IRShapeOperations.translations,
            IRIndexingOperations.translations,
            IRNormalizationOperations.translations,
            IRResizeOperations.translations,
        ]
        for family in families { all.merge(family) { first, _ in first } }
        return all
    }()

    /// IR type → ONNX op for the two-input element-wise operations (numpy broadcasting in both).
    private static let binary: [String: String] = [
        "Add": "Add", "Subtract": "Sub", "Multiply": "Mul", "Divide": "Div", "Power": "Pow",
        "Maximum": "Max", "Minimum": "Min",
        "Equal": "Equal", "Less": "Less", "LessEqual": "LessOrEqual", "Greater": "Greater",
        "GreaterEqual": "GreaterOrEqual",
        "LogicalAnd": "And", "LogicalOr": "Or", "LogicalXor": "Xor",
    ]

    /// IR type → ONNX op for the one-input operations that map directly.
    private static let unary: [String: String] = [
        "ReLU": "Relu", "Sigmoid": "Sigmoid", "Tanh": "Tanh", "Exp": "Exp", "Log": "Log", "Sqrt": "Sqrt",
        "Erf": "Erf", "Abs": "Abs", "Negative": "Neg", "Floor": "Floor", "Ceiling": "Ceil", "Sign": "Sign",
        "Sin": "Sin", "Cos": "Cos", "LogicalNot": "Not", "HSwish": "HardSwish", "SoftPlus": "Softplus",
        "SoftSign": "Softsign", "Mish": "Mish",
    ]

    private static let elementwise: [String: IRTranslation] = {
        var table: [String: IRTranslation] = [:]
        for (type, op) in binary {
            table[type] = { c in
                try c.requireInputs(2)
                try c.requireNumpyBroadcast()
                c.emit(op, [c.inputs[0], c.inputs[1]], [c.outputs[0]])
            }
        }
        for (type, op) in unary {
            table[type] = { c in
                try c.requireInputs(1)
                c.emit(op, [c.inputs[0]], [c.outputs[0]])
            }
        }
        table["NotEqual"] = { c in
            try c.requireInputs(2)
            try c.requireNumpyBroadcast()
            let equal = c.emitValue("Equal", [c.inputs[0], c.inputs[1]], type: .bool)
            c.emit("Not", [equal], [c.outputs[0]])
        }
        table["SquaredDifference"] = { c in
            try c.requireInputs(2)
            try c.requireNumpyBroadcast()
            let difference = c.emitValue("Sub", [c.inputs[0], c.inputs[1]])
            c.emit("Mul", [difference, difference], [c.outputs[0]])
        }
        table["Select"] = { c in
            try c.requireInputs(3)
            try c.requireNumpyBroadcast()
            c.emit("Where", [c.inputs[0], c.inputs[1], c.inputs[2]], [c.outputs[0]])
        }
        table["Convert"] = { c in
            try c.requireInputs(1)
            let name = c.string("destination_type", default: "")
            guard let type = IRElementType(irName: name)?.engineType else {
                throw c.invalid("destination_type '\(name)' is not a type this engine reads")
            }
            convert(c, to: type)
        }
        table["ConvertLike"] = { c in
            try c.requireInputs(2)
            convert(c, to: c.inputType(1))
        }
        table["Round"] = { c in
            try c.requireInputs(1)
            switch c.string("mode", default: "half_to_even") {
            case "half_to_even":
                c.emit("Round", [c.inputs[0]], [c.outputs[0]])
            case "half_away_from_zero":
                // floor(|x| + 0.5) with x's sign (Where rather than Sign: fewer operators to depend on).
                let magnitude = c.emitValue("Abs", [c.inputs[0]])
                let shifted = c.emitValue("Add", [magnitude, c.scalarConstant(0.5, type: .float32, "half")])
                let rounded = c.emitValue("Floor", [shifted])
                let negative = c.emitValue("Less", [c.inputs[0], c.scalarConstant(0, type: .float32, "zero")],
                                           type: .bool)
                c.emit("Where", [negative, c.emitValue("Neg", [rounded]), rounded], [c.outputs[0]])
            case let mode:
                throw c.invalid("rounding mode '\(mode)' is not supported")
            }
        }
        return table
    }()

    /// Convert: folded into a new constant when the input is one (f16 weights become float32 at load),
    /// else a Cast.
    private static func convert(_ c: IRLayerContext, to type: ElementType) {
        if let tensor = c.constant(0) {
            c.builder.addInitializer(ConstantTensors.cast(tensor, to: type), named: c.outputs[0])
        } else {
            c.builder.setType(type, of: c.outputs[0])
            c.emit("Cast", [c.inputs[0]], [c.outputs[0]], ["to": .int(type.onnxCode)])
        }
    }

    private static let activations: [String: IRTranslation] = [
        "Clamp": { c in
            try c.requireInputs(1)
            var low = try c.float("min", default: -.greatestFiniteMagnitude)
            var high = try c.float("max", default: .greatestFiniteMagnitude)
            let type = c.inputType(0)
            if type != .float32 {
                // Integer inputs: OpenVINO rounds the bounds inward.
                low = low.rounded(.up)
                high = high.rounded(.down)
            }
            c.emit("Clip", [c.inputs[0], c.scalarConstant(low, type: type, "min"),
                            c.scalarConstant(high, type: type, "max")], [c.outputs[0]])
        },
        "Elu": { c in
            try c.requireInputs(1)
            c.emit("Elu", [c.inputs[0]], [c.outputs[0]], ["alpha": .float(try c.float("alpha", default: 1))])
        },
        "Selu": { c in
            try c.requireInputs(3)
            guard let alpha = c.constant(1)?.floatValues.first, let lambda = c.constant(2)?.floatValues.first else {
                throw c.invalid("alpha and lambda (inputs 1 and 2) must be constants")
            }
            c.emit("Selu", [c.inputs[0]], [c.outputs[0]], ["alpha": .float(alpha), "gamma": .float(lambda)])
        },
        "PReLU": { c in
            try c.requireInputs(2)
            // A 1-D slope applies along the channel axis (1), not numpy's last axis: give it trailing 1s.
            var slope = c.inputs[1]
            let rank = c.inputDims(0).count
            let slopeDims = c.inputDims(1)
            if rank > 2, slopeDims.count == 1, let channels = slopeDims[0] ?? c.constant(1)?.count, channels > 1 {
                slope = c.reshape(slope, to: [channels] + Array(repeating: 1, count: rank - 2))
            }
            c.emit("PRelu", [c.inputs[0], slope], [c.outputs[0]])
        },
        "HSigmoid": { c in
            try c.requireInputs(1)
            c.emit("HardSigmoid", [c.inputs[0]], [c.outputs[0]], ["alpha": .float(1.0 / 6.0), "beta": .float(0.5)])
        },
        "Swish": { c in
            // x · sigmoid(beta · x), beta = 1 without the second input.
            try c.requireInputs(1)
            let x = c.inputs[0]
            let scaled = c.inputs.count > 1 ? c.emitValue("Mul", [x, c.inputs[1]]) : x
            let gate = c.emitValue("Sigmoid", [scaled])
            c.emit("Mul", [x, gate], [c.outputs[0]])
        },
        "Gelu": { c in
            try c.requireInputs(1)
            let mode = c.string("approximation_mode", default: "ERF").uppercased()
            guard mode == "ERF" || mode == "TANH" else {
                throw c.invalid("approximation_mode '\(mode)' is not supported (ERF or TANH)")
            }
            c.emit("Gelu", [c.inputs[0]], [c.outputs[0]], ["approximate": .string(mode == "TANH" ? "tanh" : "none")])
        },
    ]
}
