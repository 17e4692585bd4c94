import Foundation

/// What one node's translation sees: the NodeDef's attributes, the value names of its data inputs, which of its
/// outputs are read, and the means to emit ONNX-style nodes and constants. The node's output `i` must end up in
/// the value `output(i)` ("name:i").
struct TensorFlowNodeContext {
    let node: Tensorflow_NodeDef
    let inputs: [String]
    /// Output indices something reads (a graph output counts).
    let readOutputs: Set<Int>
    let translator: TensorFlowGraphTranslator

    var name: String { node.name }
    var op: String { node.op }

    func output(_ index: Int) -> String { "\(node.name):\(index)" }

    func invalid(_ reason: String) -> InferenceError {
        .invalidNode(file: translator.file, op: node.op, node: node.name, reason: reason)
    }

    // MARK: Attributes

    func attribute(_ key: String) -> Tensorflow_AttrValue.OneOf_Value? { node.attr[key]?.value }

    func int(_ key: String, default value: Int) throws -> Int {
        guard let attribute = attribute(key) else { return value }
        guard case .i(let number) = attribute else { throw invalid("attribute \(key) should be an integer") }
        return Int(clamping: number)
    }

    func ints(_ key: String) throws -> [Int]? {
        guard let attribute = attribute(key) else { return nil }
        guard case .list(let list) = attribute else { throw invalid("attribute \(key) should be a list of integers") }
        return list.i.map { Int(clamping: $0) }
    }

    func float(_ key: String, default value: Float) throws -> Float {
        guard let attribute = attribute(key) else { return value }
        guard case .f(let number) = attribute else { throw invalid("attribute \(key) should be a float") }
        return number
    }

    func bool(_ key: String, default value: Bool) throws -> Bool {
        guard let attribute = attribute(key) else { return value }
        guard case .b(let flag) = attribute else { throw invalid("attribute \(key) should be a bool") }
        return flag
    }

    func string(_ key: String, default value: String) throws -> String {
        guard let attribute = attribute(key) else { return value }
        guard case .s(let bytes) = attribute, let text = String(data: bytes, encoding: .utf8) else {
            throw invalid("attribute \(key) should be a string")
        }
        return text
    }

    /// The engine type of a type attribute (T, dtype, DstT, ...); nil when absent.
    func type(_ key: String) throws -> ElementType? {
        guard let attribute = attribute(key) else { return nil }
        guard case .type(let tfType) = attribute else { throw invalid("attribute \(key) should be a type") }
        guard let type = TensorFlowTensors.elementType(tfType) else {
            throw invalid("element type \(TensorFlowTensors.describe(tfType)) is not supported")
        }
        return type
    }

    /// data_format: true for NHWC (TensorFlow's default), false for NCHW.
    func isChannelsLast() throws -> Bool {
        switch try string("data_format", default: "NHWC") {
        case "NHWC", "NWC": return true
        case "NCHW", "NCW": return false
        case let other: throw invalid("data_format '\(other)' is not supported (NHWC and NCHW are)")
        }
    }

    // MARK: Inputs

    func requireInputs(_ count: Int) throws {
        guard inputs.count >= count else {
            throw invalid("expects \(count) input(s), the node has \(inputs.count)")
        }
    }

    func constant(_ index: Int) -> Tensor? {
        index < inputs.count ? translator.initializers[inputs[index]] : nil
    }

    /// The integer values of a constant input (axes, perms, paddings); `what` names it in the error.
    func constantInts(_ index: Int, _ what: String) throws -> [Int] {
        guard let tensor = constant(index) else {
            throw invalid("the \(what) (input \(index)) must be a constant")
        }
        return tensor.integerValues
    }

    /// Input `index`'s integer elements as far as they are known at load (see `knownElements(of:)`).
    func knownInts(_ index: Int) -> [Int?]? {
        index < inputs.count ? translator.knownElements(of: inputs[index]) : nil
    }

    func type(ofInput index: Int) -> ElementType { translator.type(of: inputs[index]) }
    func shape(ofInput index: Int) -> [Int?]? { translator.shape(of: inputs[index]) }

    func rank(ofInput index: Int, for purpose: String) throws -> Int {
        guard let shape = shape(ofInput: index) else {
            throw invalid("the rank of input \(index) is not known at load, and \(purpose) needs it")
        }
        return shape.count
    }

    // MARK: Emitting

    /// Adds a node; it takes the TensorFlow node's name when it produces one of its outputs.
    func emit(_ opType: String, _ nodeInputs: [String], _ nodeOutputs: [String],
              _ attributes: [String: Attribute] = [:], type: ElementType? = nil, shape: [Int?]? = nil) {
        let producesOutput = nodeOutputs.contains { $0.hasPrefix(node.name + ":") }
        translator.addNode(Node(name: producesOutput ? node.name : "\(node.name)/\(opType)", opType: opType,
                                inputs: nodeInputs, outputs: nodeOutputs, attributes: attributes))
        let resolved = type ?? nodeInputs.first.map { translator.type(of: $0) } ?? .float32
        for value in nodeOutputs where translator.initializers[value] == nil {
            translator.setType(resolved, of: value)
            translator.setShape(shape, of: value)
        }
    }

    /// Emits a one-output node into output 0.
    func emitOutput(_ opType: String, _ nodeInputs: [String], _ attributes: [String: Attribute] = [:],
                    type: ElementType? = nil, shape: [Int?]? = nil) {
        emit(opType, nodeInputs, [output(0)], attributes, type: type, shape: shape)
    }

    /// Emits a one-output node into a fresh value and returns its name.
    func emitValue(_ opType: String, _ nodeInputs: [String], _ attributes: [String: Attribute] = [:],
                   type: ElementType? = nil, shape: [Int?]? = nil) -> String {
        let value = translator.uniqueValueName("\(node.name)/\(opType)")
        emit(opType, nodeInputs, [value], attributes, type: type, shape: shape)
        return value
    }

    /// Makes output `index` the value `value` (an Identity, which the optimiser removes).
    func alias(_ value: String, as index: Int = 0) {
        emit("Identity", [value], [output(index)], type: translator.type(of: value), shape: translator.shape(of: value))
    }

    func addConstant(_ tensor: Tensor, _ suffix: String) -> String {
        let value = translator.uniqueValueName("\(node.name)/\(suffix)")
        translator.addInitializer(tensor, named: value)
        return value
    }

    func int64Constant(_ values: [Int], _ suffix: String, shape: [Int]? = nil) -> String {
        addConstant(ConstantTensors.int64s(values, shape: shape), suffix)
    }

    func scalarConstant(_ value: Float, type: ElementType, _ suffix: String) -> String {
        addConstant(ConstantTensors.cast(Tensor.scalar(value), to: type), suffix)
    }

    /// `value` converted to `type`: folded when constant, else a Cast node.
    func cast(_ value: String, to type: ElementType) -> String {
        if translator.type(of: value) == type { return value }
        if let tensor = translator.initializers[value] {
            return addConstant(ConstantTensors.cast(tensor, to: type), "\(type)")
        }
        return emitValue("Cast", [value], ["to": .int(type.onnxCode)], type: type, shape: translator.shape(of: value))
    }

    /// Input `index` as int64, as ONNX wants shapes, axes and indices.
    func int64Input(_ index: Int) -> String { cast(inputs[index], to: .int64) }

    /// `value` with its axes permuted: folded when constant, else a Transpose.
    func transpose(_ value: String, perm: [Int]) -> String {
        if perm == Array(perm.indices) { return value }
        if let tensor = translator.initializers[value], tensor.rank == perm.count {
            return addConstant(ConstantTensors.transposed(tensor, perm: perm), "transposed")
        }
        let shape = translator.shape(of: value).flatMap { dims in
            dims.count == perm.count ? perm.map { dims[$0] } : nil
        }
        return emitValue("Transpose", [value], ["perm": .ints(perm)], type: translator.type(of: value), shape: shape)
    }

    /// `value` with a new shape: folded when constant, else a Reshape with a constant shape (0 copies, -1 infers).
    func reshape(_ value: String, to shape: [Int]) -> String {
        if let tensor = translator.initializers[value], !shape.contains(where: { $0 <= 0 }),
           tensor.count == shape.elementCount {
            return addConstant(tensor.reshaped(shape), "reshaped")
        }
        return emitValue("Reshape", [value, int64Constant(shape, "shape")], type: translator.type(of: value),
                         shape: shape.map { $0 > 0 ? $0 : nil })
    }
}
