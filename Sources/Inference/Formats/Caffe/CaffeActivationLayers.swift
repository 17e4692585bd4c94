import Foundation

/// Element-wise layers: activations, Caffe's affine-then-function layers (Power, Exp, Log) and Dropout.
enum CaffeActivationLayers {
    static let translations: [String: CaffeLayers.Translation] = [
        "ReLU": relu,
        "PReLU": prelu,
        "ELU": { try unary($0, "Elu", ["alpha": .float($0.layer.eluParam.alpha)]) },
        "Sigmoid": { try unary($0, "Sigmoid") },
        "TanH": { try unary($0, "Tanh") },
        "AbsVal": { try unary($0, "Abs") },
        "BNLL": { try unary($0, "Softplus") },  // log(1 + e^x)
        "Clip": clip,
        "Power": power,
        "Exp": exp,
        "Log": log,
        "Dropout": dropout,
    ]

    static func unary(_ context: CaffeLayerContext, _ opType: String, _ attributes: [String: Attribute] = [:]) throws {
        try context.requireBottoms(1)
        context.produce(opType, [context.inputs[0]], shape: context.shape, attributes)
    }

    /// ReLU, or with a negative_slope, LeakyRelu.
    static func relu(_ context: CaffeLayerContext) throws {
        let slope = context.layer.reluParam.negativeSlope
        if slope == 0 {
            try unary(context, "Relu")
        } else {
            try unary(context, "LeakyRelu", ["alpha": .float(slope)])
        }
    }

    /// One learned slope per channel (axis 1), or one for all with channel_shared.
    static func prelu(_ context: CaffeLayerContext) throws {
        try context.requireBottoms(1)
        let shape = context.shape
        let shared = context.layer.preluParam.channelShared
        guard shape.count >= 2 || shared, let channels = shared ? 1 : shape[1] else {
            throw context.invalid("expects a bottom with known channels (axis 1), got \(CaffeLayerContext.describe(shape))")
        }
        let slopes = try context.blob(0, "slopes", shape: [channels])
        // Broadcast along the channel axis: [C, 1, 1] for N×C×H×W.
        let slopeShape = shared ? [1] : [channels] + [Int](repeating: 1, count: shape.count - 2)
        context.produce("PRelu", [context.inputs[0], context.constant(slopes.reshaped(slopeShape), "slopes")], shape: shape)
    }

    static func clip(_ context: CaffeLayerContext) throws {
        try context.requireBottoms(1)
        let parameters = context.layer.clipParam
        guard parameters.hasMin, parameters.hasMax else { throw context.invalid("clip_param needs min and max") }
        context.produce("Clip", [context.inputs[0], context.scalar(parameters.min, "min"), context.scalar(parameters.max, "max")],
                        shape: context.shape)
    }

    /// `value`·scale + shift, leaving out the multiply by 1 and the add of 0.
    static func affine(_ context: CaffeLayerContext, _ value: String, scale: Float, shift: Float) -> String {
        var result = value
        if scale != 1 { result = context.emitValue("Mul", [result, context.scalar(scale, "scale")], shape: context.shape) }
        if shift != 0 { result = context.emitValue("Add", [result, context.scalar(shift, "shift")], shape: context.shape) }
        return result
    }

    /// (shift + scale·x)^power.
    static func power(_ context: CaffeLayerContext) throws {
        try context.requireBottoms(1)
        let parameters = context.layer.powerParam
        let base = affine(context, context.inputs[0], scale: parameters.scale, shift: parameters.shift)
        if parameters.power == 1 {
            context.produceCopy(of: base)
        } else {
            context.produce("Pow", [base, context.scalar(parameters.power, "power")], shape: context.shape)
        }
    }

    /// base^(shift + scale·x), base e when -1: written as e^(ln(base)·scale·x) · base^shift.
    static func exp(_ context: CaffeLayerContext) throws {
        try context.requireBottoms(1)
        let parameters = context.layer.expParam
        let base = parameters.base
        guard base == -1 || base > 0 else { throw context.invalid("base \(base) must be positive (or -1 for e)") }
        let logBase = base == -1 ? 1 : Foundation.log(base)
        let inner = affine(context, context.inputs[0], scale: logBase * parameters.scale, shift: 0)
        let outerScale = parameters.shift == 0 ? 1 : Foundation.exp(logBase * parameters.shift)
        if outerScale == 1 {
            context.produce("Exp", [inner], shape: context.shape)
        } else {
            let raised = context.emitValue("Exp", [inner], shape: context.shape)
            context.produce("Mul", [raised, context.scalar(outerScale, "outer_scale")], shape: context.shape)
        }
    }

    /// log_base(shift + scale·x), base e when -1.
    static func log(_ context: CaffeLayerContext) throws {
        try context.requireBottoms(1)
        let parameters = context.layer.logParam
        let base = parameters.base
        guard base == -1 || (base > 0 && base != 1) else {
            throw context.invalid("base \(base) must be positive and not 1 (or -1 for e)")
        }
        let argument = affine(context, context.inputs[0], scale: parameters.scale, shift: parameters.shift)
        if base == -1 {
            context.produce("Log", [argument], shape: context.shape)
        } else {
            let natural = context.emitValue("Log", [argument], shape: context.shape)
            context.produce("Mul", [natural, context.scalar(1 / Foundation.log(base), "inverse_log_base")],
                            shape: context.shape)
        }
    }

    /// The identity at test time, unless training left activations unscaled (scale_train false).
    static func dropout(_ context: CaffeLayerContext) throws {
        try context.requireBottoms(1)
        let parameters = context.layer.dropoutParam
        if parameters.scaleTrain {
            context.produceCopy(of: context.inputs[0])
        } else {
            context.produce("Mul", [context.inputs[0], context.scalar(1 - parameters.dropoutRatio, "keep")],
                            shape: context.shape)
        }
    }
}
