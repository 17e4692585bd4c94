/// Resize (opsets 10–19) and its predecessor Upsample (7–9), both run by `ResizeKernel`.
enum ResizeOperators {
    static let factories: [String: OperatorFactory] = [
        "Resize": { try ResizeOperator(resize: $0) },
        "Upsample": { try ResizeOperator(upsample: $0) },
    ]
}

/// Scales given as a float attribute (Upsample-7), a constant input or a run-time input.
enum ScaleList: Sendable {
    case absent
    case known([Float])
    case input(Int)

    static func fromInput(_ spec: OperatorSpec, _ index: Int) -> ScaleList {
        guard spec.hasInput(index) else { return .absent }
        if let constant = spec.constant(index) { return .known(constant.floatValues) }
        return .input(index)
    }

    /// The scales, or nil when absent or empty (opset 11 passes an empty tensor when sizes are used).
    func resolve(_ inputs: [Tensor?]) throws(OpError) -> [Float]? {
        let values: [Float]
        switch self {
        case .absent: return nil
        case .known(let known): values = known
        case .input(let index):
            guard let tensor = inputs.optional(index) else { return nil }
            guard tensor.elementType == .float32 else { throw OpError("scales should be float32, got \(tensor.elementType)") }
            values = tensor.floatArray
        }
        return values.isEmpty ? nil : values
    }
}

struct ResizeOperator: Operator {
    enum AspectRatioPolicy: String {
        case stretch
        case notLarger = "not_larger"
        case notSmaller = "not_smaller"
    }

    let settings: ResizeKernel.Settings
    let scales: ScaleList
    let sizes: IntegerList
    /// Opset 18: the axes that scales / sizes refer to.
    let axes: [Int]?
    let policy: AspectRatioPolicy

    init(resize spec: OperatorSpec) throws(OpError) {
        let node = spec.node
        let mode = try node.string("mode", default: "nearest")
        if spec.opset < 11 {
            // Resize-10 took (X, scales) and behaves like Upsample.
            settings = try Self.legacySettings(mode: mode)
            scales = ScaleList.fromInput(spec, 1)
            sizes = .absent
        } else {
            let coordinates = try node.string("coordinate_transformation_mode", default: "half_pixel")
            let nearest = try node.string("nearest_mode", default: "round_prefer_floor")
            guard try node.int("antialias", default: 0) == 0 else {
                throw OpError("antialias=1 is not supported")
            }
            settings = try ResizeKernel.Settings(mode: mode, coordinates: coordinates, nearest: nearest)
            scales = ScaleList.fromInput(spec, 2)
            sizes = try IntegerList.fromInput(spec, 3, name: "sizes")
        }
        axes = try node.ints("axes")
        let policyName = try node.string("keep_aspect_ratio_policy", default: "stretch")
        guard let policy = AspectRatioPolicy(rawValue: policyName) else {
            throw OpError("keep_aspect_ratio_policy '\(policyName)' is not one of stretch, not_larger, not_smaller")
        }
        self.policy = policy
    }

    init(upsample spec: OperatorSpec) throws(OpError) {
        settings = try Self.legacySettings(mode: spec.node.string("mode", default: "nearest"))
        if let attribute = try spec.node.floats("scales") {
            scales = .known(attribute)
        } else {
            scales = ScaleList.fromInput(spec, 1)
        }
        sizes = .absent
        axes = nil
        policy = .stretch
    }

    /// Upsample and Resize-10: asymmetric coordinates; nearest truncates (rounds up when shrinking), as
    /// onnxruntime does for these versions.
    private static func legacySettings(mode: String) throws(OpError) -> ResizeKernel.Settings {
        try ResizeKernel.Settings(mode: mode == "bilinear" ? "linear" : mode, coordinates: "asymmetric",
                                  nearest: "simple")
    }

    func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
        let input = try inputs.required(0, "X")
        let (shape, factors) = try outputGeometry(input.shape, inputs)
        // Scale 1 maps every coordinate to itself, except tf_half_pixel_for_nn's half-pixel shift.
        if shape == input.shape && factors.allSatisfy({ $0 == 1 }) && settings.coordinates != .tfHalfPixelForNN {
            return [input]
        }
        let output = context.allocate(input.elementType, shape)
        try ResizeKernel(settings: settings, scales: factors).resize(input, into: output, context: context)
        return [output]
    }

    /// The output shape and the per-axis scale the coordinate transform uses (given scales as they are;
    /// with sizes, output / input).
    func outputGeometry(_ shape: [Int], _ inputs: [Tensor?]) throws(OpError) -> ([Int], [Float]) {
        let rank = shape.count
        let resized = try axes.map { requested throws(OpError) in
            try AxisList.resolve(requested, rank: rank, "Resize axes")
        } ?? Array(0..<rank)
        var output = shape
        var factors = [Float](repeating: 1, count: rank)
        if let sizes = try sizes.resolve(inputs), !sizes.isEmpty {
            guard sizes.count == resized.count, sizes.allSatisfy({ $0 >= 0 }) else {
                throw OpError("sizes \(sizes) should be \(resized.count) non-negative sizes for input shape \(shape)")
            }
            for (axis, size) in zip(resized, sizes) {
                guard shape[axis] > 0 else { throw OpError("cannot resize the empty axis \(axis) of shape \(shape)") }
                factors[axis] = Float(size) / Float(shape[axis])
                output[axis] = size
            }
            if policy != .stretch {
                let ratios = resized.map { factors[$0] }
                let common = (policy == .notLarger ? ratios.min() : ratios.max()) ?? 1
                for axis in resized {
                    factors[axis] = common
                    output[axis] = Int((common * Float(shape[axis])).rounded(.toNearestOrAwayFromZero))
                }
            }
        } else if let scales = try scales.resolve(inputs) {
            guard scales.count == resized.count else {
                throw OpError("scales \(scales) should have \(resized.count) entries for input shape \(shape)")
            }
            for (axis, scale) in zip(resized, scales) {
                let size = (Float(shape[axis]) * scale).rounded(.down)
                guard scale > 0, size.isFinite, size < Float(1 << 31) else {
                    throw OpError("scale \(scale) for axis \(axis) of shape \(shape) is not a usable positive factor")
                }
                factors[axis] = scale
                output[axis] = Int(size)
            }
        } else {
            throw OpError("neither scales nor sizes is given")
        }
        return (output, factors)
    }
}
