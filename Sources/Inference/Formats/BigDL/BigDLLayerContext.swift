/// A layer's translation: reads the context, emits nodes, returns what the layer produces.
typealias BigDLTranslation = @Sendable (BigDLLayerContext) throws -> BigDLActivity

/// What one module's translation sees: the module (attributes are the Scala constructor's parameter names,
/// as `saveModule` writes them), its input, and the means to emit nodes and weights.
struct BigDLLayerContext {
    let module: Bigdl_BigDLModule
    /// The class name's last component ("SpatialConvolution").
    let type: String
    let input: BigDLActivity
    let builder: BigDLGraphBuilder

    var name: String { BigDLGraphBuilder.name(of: module) }

    func invalid(_ reason: String) -> InferenceError {
        .invalidNode(file: builder.file, op: type, node: name, reason: reason)
    }

    // MARK: Attributes

    private func attribute(_ key: String) -> Bigdl_AttrValue.OneOf_Value? { module.attr[key]?.value }

    func int(_ key: String, default value: Int) throws -> Int {
        switch attribute(key) {
        case nil: return value
        case .int32Value(let v)?: return Int(v)
        case .int64Value(let v)?: return Int(v)
        default: throw invalid("attribute \(key) is not an integer")
        }
    }

    func double(_ key: String, default value: Double) throws -> Double {
        switch attribute(key) {
        case nil: return value
        case .doubleValue(let v)?: return v
        case .floatValue(let v)?: return Double(v)
        case .int32Value(let v)?: return Double(v)
        default: throw invalid("attribute \(key) is not a number")
        }
    }

    func bool(_ key: String, default value: Bool) throws -> Bool {
        switch attribute(key) {
        case nil: return value
        case .boolValue(let v)?: return v
        default: throw invalid("attribute \(key) is not true or false")
        }
    }

    /// An Array[Int] attribute; nil when absent or null.
    func ints(_ key: String) throws -> [Int]? {
        switch attribute(key) {
        case nil: return nil
        case .arrayValue(let array)?: return array.i32.map { Int($0) } + array.i64.map { Int(clamping: $0) }
        default: throw invalid("attribute \(key) is not a list of integers")
        }
    }

    /// Whether the module works on NHWC data (its `format`/`dataFormat` attribute; NCHW when absent).
    func isNHWC(_ key: String = "format") throws -> Bool {
        switch attribute(key) {
        case nil: return false
        case .dataFormatValue(let format)?: return format == .nhwc
        default: throw invalid("attribute \(key) is not a data format")
        }
    }

    /// A tensor attribute (BatchNormalization's runningMean); nil when absent or null.
    func tensorAttribute(_ key: String) throws -> Tensor? {
        guard case .tensorValue(let tensor)? = attribute(key) else { return nil }
        return try builder.tensors.tensor(tensor, "\(key) of \(type) '\(name)'")
    }

    /// Parameter `index` (0 weight, 1 bias), from `parameters` or, in older files, `weight`/`bias`.
    func parameter(_ index: Int, _ what: String) throws -> Tensor? {
        if index < module.parameters.count {
            return try builder.tensors.tensor(module.parameters[index], "\(what) of \(type) '\(name)'")
        }
        guard module.parameters.isEmpty else { return nil }
        let what = "\(what) of \(type) '\(name)'"
        if index == 0, module.hasWeight { return try builder.tensors.tensor(module.weight, what) }
        if index == 1, module.hasBias { return try builder.tensors.tensor(module.bias, what) }
        return nil
    }

    func requireParameter(_ index: Int, _ what: String, shape: [Int]? = nil) throws -> Tensor {
        guard let tensor = try parameter(index, what) else { throw invalid("the file holds no \(what)") }
        if let shape, tensor.shape != shape {
            throw invalid("\(what) has shape \(tensor.shape), expected \(shape)")
        }
        return tensor
    }

    // MARK: Inputs

    /// The single tensor input; `rank` (when given) is what the layer needs, and fills in an unknown rank.
    func single(rank expected: Int? = nil, firstDims: [Int?]? = nil) throws -> BigDLValue {
        guard case .tensor(var value) = input else {
            throw invalid("expects one tensor, is given a table of \(input.values.count)")
        }
        if let expected {
            if let rank = value.rank, rank != expected {
                throw invalid("expects a \(expected)-D input, is given a \(rank)-D one")
            }
            if value.dims == nil {
                value.dims = firstDims ?? [Int?](repeating: nil, count: expected)
                builder.noteInputDims(value, value.dims ?? [])
            }
        }
        return value
    }

    func table(atLeast count: Int = 1) throws -> [BigDLValue] {
        let values = input.values
        guard values.count >= count else { throw invalid("expects a table of at least \(count) tensors") }
        return values
    }

    /// The rank of `value`, needed for `purpose`.
    func rank(of value: BigDLValue, for purpose: String) throws -> Int {
        guard let rank = value.rank else {
            throw invalid("the input's rank is not known when the model is loaded, and \(purpose) needs it")
        }
        return rank
    }

    // MARK: Emitting

    /// Emits the node producing the module's output (named after the module) and returns it as a tensor.
    func output(_ opType: String, _ inputs: [String], _ attributes: [String: Attribute] = [:],
                dims: [Int?]?) -> BigDLActivity {
        .tensor(emitValue(opType, inputs, attributes, dims: dims, final: true))
    }

    /// Emits a node into a fresh value: named after the module when `final`, else "<module>/<op>".
    func emitValue(_ opType: String, _ inputs: [String], _ attributes: [String: Attribute] = [:],
                   dims: [Int?]?, final: Bool = false) -> BigDLValue {
        let value = builder.uniqueValueName(final ? name : "\(name)/\(opType)")
        builder.addNode(Node(name: value, opType: opType, inputs: inputs, outputs: [value], attributes: attributes))
        return BigDLValue(name: value, dims: dims)
    }

    func constant(_ tensor: Tensor, _ suffix: String) -> String {
        builder.addInitializer(tensor, base: "\(name)/\(suffix)")
    }

    func int64s(_ values: [Int], _ suffix: String) -> String {
        constant(Tensor(int64s: values.map { Int64($0) }, shape: [values.count]), suffix)
    }

    func scalar(_ value: Float, _ suffix: String) -> String {
        constant(Tensor(floats: [value], shape: []), suffix)
    }

    /// `value` with its axes permuted (dimensions follow).
    func transpose(_ value: BigDLValue, _ perm: [Int], final: Bool = false) -> BigDLValue {
        let dims = value.dims.map { dims in perm.map { $0 < dims.count ? dims[$0] : nil } }
        return emitValue("Transpose", [value.name], ["perm": .ints(perm)], dims: dims, final: final)
    }
}
