/// What one layer's translation sees: the layer's attributes and ports, the value names of its inputs and
/// outputs, and the means to emit nodes and constants into the graph being built.
struct IRLayerContext {
    let layer: IRLayer
    /// Value names per input port, in port order.
    let inputs: [String]
    /// Value names per output port, in port order; the translation must produce each one something reads.
    let outputs: [String]
    let outputIsRead: [Bool]
    let builder: IRGraphBuilder

    /// The number in the layer's version ("opset8" → 8; 0 when absent).
    var opsetVersion: Int { Int(layer.version.drop { !$0.isNumber }) ?? 0 }

    /// An error about this layer's attributes or inputs.
    func invalid(_ reason: String) -> InferenceError {
        .invalidNode(file: builder.file, op: layer.type, node: layer.name, reason: reason)
    }

    // MARK: Attributes (`<data>`)

    func string(_ key: String, default value: String) -> String {
        layer.data[key]?.trimmingCharacters(in: .whitespaces) ?? value
    }

    func int(_ key: String, default value: Int) throws -> Int {
        guard let text = layer.data[key] else { return value }
        guard let number = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw invalid("attribute \(key)='\(text)' is not an integer")
        }
        return number
    }

    /// A comma-separated list ("1, 1"); "" is the empty list.
    func ints(_ key: String, default value: [Int] = []) throws -> [Int] {
        guard let text = layer.data[key] else { return value }
        return try text.split(separator: ",").map { entry in
            guard let number = Int(entry.trimmingCharacters(in: .whitespaces)) else {
                throw invalid("attribute \(key)='\(text)' is not a list of integers")
            }
            return number
        }
    }

    func float(_ key: String, default value: Float) throws -> Float {
        guard let text = layer.data[key] else { return value }
        // The IR writes doubles ("1.0000000000000001e-05"); Float(String) rounds them.
        guard let number = Float(text.trimmingCharacters(in: .whitespaces)) else {
            throw invalid("attribute \(key)='\(text)' is not a number")
        }
        return number
    }

    func bool(_ key: String, default value: Bool) throws -> Bool {
        guard let text = layer.data[key] else { return value }
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw invalid("attribute \(key)='\(text)' is not true or false")
        }
    }

    /// Refuses broadcasting rules other than numpy (and none, which is numpy on equal shapes).
    func requireNumpyBroadcast(_ key: String = "auto_broadcast") throws {
        let rule = string(key, default: "numpy").lowercased()
        guard rule == "numpy" || rule == "none" else {
            throw invalid("\(key) '\(rule)' is not supported (only numpy broadcasting)")
        }
    }

    // MARK: Ports

    func requireInputs(_ count: Int) throws {
        guard inputs.count >= count else {
            throw invalid("expects at least \(count) input(s), the layer has \(inputs.count)")
        }
    }

    /// Dimensions of input port `index` (nil entries dynamic); [] when the port lists none.
    func inputDims(_ index: Int) -> [Int?] {
        index < layer.inputs.count ? layer.inputs[index].dims : []
    }

    func outputDims(_ index: Int) -> [Int?] {
        index < layer.outputs.count ? layer.outputs[index].dims : []
    }

    /// The rank of input `index` as its port declares it; a port without dimensions is refused when the
    /// translation needs the rank (a scalar and an unknown rank look the same in the IR).
    func rank(ofInput index: Int, for purpose: String) throws -> Int {
        let rank = inputDims(index).count
        guard rank > 0 || constant(index) != nil else {
            throw invalid("input \(index) declares no dimensions; its rank is needed for \(purpose)")
        }
        return constant(index)?.rank ?? rank
    }

    func inputType(_ index: Int) -> ElementType { builder.type(of: inputs[index]) }

    func constant(_ index: Int) -> Tensor? {
        index < inputs.count ? builder.initializers[inputs[index]] : nil
    }

    /// The integer values of a constant input (axes, orders, lengths); `what` names it in the error.
    func constantInts(_ index: Int, _ what: String) throws -> [Int] {
        guard let tensor = constant(index) else {
            throw invalid("the \(what) (input \(index)) must be a constant")
        }
        return tensor.integerValues
    }

    /// Refuses reading outputs the translation does not produce (port index ≥ `produced`).
    func requireUnread(outputsFrom produced: Int, _ what: String) throws {
        if outputIsRead.indices.contains(where: { $0 >= produced && outputIsRead[$0] }) {
            throw invalid("its \(what) output is read, which is not supported")
        }
    }

    // MARK: Emitting

    /// Adds a node. Nodes that produce the layer's outputs take the layer's name; helper nodes
    /// "<layer>/<op>".
    func emit(_ opType: String, _ nodeInputs: [String], _ nodeOutputs: [String],
              _ attributes: [String: Attribute] = [:]) {
        let producesLayerOutput = nodeOutputs.contains { outputs.contains($0) }
        builder.addNode(Node(name: producesLayerOutput ? layer.name : "\(layer.name)/\(opType)", opType: opType,
                             inputs: nodeInputs, outputs: nodeOutputs, attributes: attributes))
    }

    /// Emits a one-output node into a fresh value and returns the value's name.
    func emitValue(_ opType: String, _ nodeInputs: [String], _ attributes: [String: Attribute] = [:],
                   type: ElementType? = nil) -> String {
        let value = temp(opType, type: type ?? nodeInputs.first.map { builder.type(of: $0) } ?? .float32)
        emit(opType, nodeInputs, [value], attributes)
        return value
    }

    /// A fresh value name, "<layer>/<suffix>".
    func temp(_ suffix: String, type: ElementType = .float32) -> String {
        let value = builder.uniqueValueName("\(layer.name)/\(suffix)")
        builder.setType(type, of: value)
        return value
    }

    /// A new initializer holding `tensor`.
    func addConstant(_ tensor: Tensor, _ suffix: String) -> String {
        let value = builder.uniqueValueName("\(layer.name)/\(suffix)")
        builder.addInitializer(tensor, named: value)
        return value
    }

    func scalarConstant(_ value: Float, type: ElementType, _ suffix: String) -> String {
        addConstant(ConstantTensors.cast(Tensor.scalar(value), to: type), suffix)
    }

    func int64Constant(_ values: [Int], _ suffix: String, shape: [Int]? = nil) -> String {
        addConstant(ConstantTensors.int64s(values, shape: shape), suffix)
    }

    /// `value` converted to `type`: folded when constant, else a Cast node.
    func cast(_ value: String, to type: ElementType) -> String {
        if builder.type(of: value) == type { return value }
        if let tensor = builder.initializers[value] {
            return addConstant(ConstantTensors.cast(tensor, to: type), "\(type)")
        }
        return emitValue("Cast", [value], ["to": .int(type.onnxCode)], type: type)
    }

    /// Input `index` as int64, as ONNX wants shapes, axes, pads and indices of slices.
    func int64Input(_ index: Int) -> String { cast(inputs[index], to: .int64) }

    /// `value` with a new shape: folded when constant, else a Reshape with a constant shape.
    func reshape(_ value: String, to shape: [Int]) -> String {
        if let tensor = builder.initializers[value], tensor.count == shape.elementCount, !shape.contains(-1) {
            return addConstant(tensor.reshaped(shape), "reshaped")
        }
        return emitValue("Reshape", [value, int64Constant(shape, "shape")], type: builder.type(of: value))
    }

    /// `value` with its axes permuted: folded when constant, else a Transpose.
    func transpose(_ value: String, perm: [Int]) -> String {
        if let tensor = builder.initializers[value], tensor.rank == perm.count {
            return addConstant(ConstantTensors.transposed(tensor, perm: perm), "transposed")
        }
        return emitValue("Transpose", [value], ["perm": .ints(perm)], type: builder.type(of: value))
    }
}
