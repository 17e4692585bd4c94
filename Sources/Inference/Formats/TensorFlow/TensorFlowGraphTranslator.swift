import Foundation

/// Turns a GraphDef (no function calls left) into the engine's `Graph`: resolves tensor names ("node:1"), picks
/// the inputs and outputs, keeps only the nodes the outputs need, orders them (refusing a cycle) and hands each
/// to its op's translation (`TensorFlowOperations`). Values are named "node:index", TensorFlow's tensor names.
final class TensorFlowGraphTranslator {
    /// The file errors name.
    let file: String
    let format: String

    private(set) var nodes: [Node] = []
    private(set) var initializers: [String: Tensor] = [:]
    private var valueTypes: [String: ElementType] = [:]
    /// Shapes as far as the translation knows them: nil rank unknown, nil dimension unknown.
    private var valueShapes: [String: [Int?]] = [:]
    /// Integer vectors (and scalars, as one element) partly known at load: the shape of a tensor whose batch is
    /// dynamic, and what Keras computes from it (a StridedSlice of it, a Pack with constant sizes).
    private var partialValues: [String: [Int?]] = [:]
    private var takenValueNames: Set<String> = []
    private var takenNodeNames: Set<String> = []

    init(file: String, format: String = "TensorFlow frozen graph") {
        self.file = file
        self.format = format
    }

    /// A reference to output `index` of node `node`.
    struct TensorName: Hashable {
        var node: String
        var index: Int
        var value: String { "\(node):\(index)" }
    }

    /// Ops that are never an output of their own: nothing a caller asks for.
    static let ignoredSinks: Set<String> = [
        "NoOp", "Const", "Assert", "Print", "PrintV2", "Placeholder", "PlaceholderWithDefault", "VarHandleOp",
        "VariableV2", "Variable", "SaveV2", "RestoreV2", "MergeV2Checkpoints", "AssignVariableOp", "Assign",
    ]

    /// - Parameters:
    ///   - inputNames, outputNames: TensorFlow tensor names ("x:0"; "x" means "x:0"); nil picks the
    ///     Placeholders, and the outputs of the nodes nothing reads.
    ///   - constants: node name → value, for nodes to take as constants whatever their op (a SavedModel's
    ///     variables).
    func graph(of graphDef: Tensorflow_GraphDef, inputNames: [String]?, outputNames: [String]?,
               constants: [String: Tensor] = [:]) throws -> Graph {
        var byName: [String: Tensorflow_NodeDef] = [:]
        for node in graphDef.node {
            guard !node.name.isEmpty else { throw malformed("a node has no name (op \(node.op))") }
            guard byName.updateValue(node, forKey: node.name) == nil else {
                throw malformed("two nodes are named '\(node.name)'")
            }
        }
        // Data inputs of every node, control dependencies ("^x") dropped: they order side effects only.
        var dataInputs: [String: [TensorName]] = [:]
        for node in graphDef.node {
            dataInputs[node.name] = try node.input.filter { !$0.hasPrefix("^") }.map { text in
                let name = try parse(text, role: "input of node '\(node.name)'")
                guard byName[name.node] != nil else {
                    throw malformed("node '\(node.name)' reads '\(text)', but the graph has no node '\(name.node)'")
                }
                return name
            }
        }
        let outputs = try outputNames.map { names in
            try names.map { try existing($0, in: byName, role: "output") }
        } ?? sinks(graphDef, dataInputs: dataInputs)
        guard !outputs.isEmpty else { throw malformed("the graph has no outputs (no node's result is unread)") }
        var inputs = try inputNames.map { names in
            try names.map { try existing($0, in: byName, role: "input") }
        }
        let inputSet = Set(inputs ?? [])
        let order = try topologicalOrder(outputs: outputs, inputs: inputSet, byName: byName, dataInputs: dataInputs)
        if inputs == nil {
            inputs = order.filter { byName[$0]?.op == "Placeholder" }.map { TensorName(node: $0, index: 0) }
        }
        var inputInfos: [ValueInfo] = []
        let readOutputs = Self.readOutputs(order: order, dataInputs: dataInputs, outputs: outputs)
        for name in order {
            guard let node = byName[name] else { continue }
            let inputList = inputs ?? []
            if let input = inputList.first(where: { $0.node == name }) {
                guard input.index == 0 else {
                    throw malformed("input '\(input.value)': only a node's first output can be fed")
                }
                inputInfos.append(try declareInput(node, value: input.value))
                continue
            }
            if let value = constants[name] {
                addInitializer(value, named: TensorName(node: name, index: 0).value)
                continue
            }
            let context = TensorFlowNodeContext(
                node: node, inputs: (dataInputs[name] ?? []).map(\.value), readOutputs: readOutputs[name] ?? [],
                translator: self)
            try translate(context)
        }
        let outputInfos = graphOutputs(outputs)
        pruneInitializers(keeping: outputInfos.map(\.name))
        return Graph(sourceFile: file, format: format, opset: 18, nodes: nodes, inputs: inputInfos,
                     outputs: outputInfos, initializers: initializers)
    }

    private func translate(_ context: TensorFlowNodeContext) throws {
        let op = context.node.op
        guard let translation = TensorFlowOperations.translations[op] else {
            throw InferenceError.unsupportedOperator(file: file, op: op, node: context.name)
        }
        try translation(context)
    }

    // MARK: Names

    func malformed(_ reason: String) -> InferenceError { .malformedModel(file: file, reason: reason) }

    /// "node", "node:2"; a leading "^" (control input) is not a tensor.
    func parse(_ text: String, role: String) throws -> TensorName {
        guard !text.isEmpty, !text.hasPrefix("^") else { throw malformed("\(role) '\(text)' is not a tensor name") }
        if let colon = text.lastIndex(of: ":"), let index = Int(text[text.index(after: colon)...]) {
            guard index >= 0 else { throw malformed("\(role) '\(text)' has a negative output index") }
            return TensorName(node: String(text[..<colon]), index: index)
        }
        return TensorName(node: text, index: 0)
    }

    private func existing(_ text: String, in byName: [String: Tensorflow_NodeDef], role: String) throws -> TensorName {
        let name = try parse(text, role: role)
        guard byName[name.node] != nil else {
            throw malformed("the \(role) '\(text)' names no node of the graph (no node '\(name.node)')")
        }
        return name
    }

    /// Output 0 of every node whose outputs nothing reads, in file order, except nodes that are not results.
    private func sinks(_ graphDef: Tensorflow_GraphDef, dataInputs: [String: [TensorName]]) -> [TensorName] {
        var read: Set<String> = []
        for inputs in dataInputs.values { for input in inputs { read.insert(input.node) } }
        var result: [TensorName] = []
        for node in graphDef.node where !read.contains(node.name) && !Self.ignoredSinks.contains(node.op) {
            result.append(TensorName(node: node.name, index: 0))
        }
        return result
    }

    /// The nodes the outputs depend on, each after its inputs; the walk stops at the graph inputs.
    private func topologicalOrder(outputs: [TensorName], inputs: Set<TensorName>, byName: [String: Tensorflow_NodeDef],
                                  dataInputs: [String: [TensorName]]) throws -> [String] {
        let inputNodes = Set(inputs.map(\.node))
        enum Mark { case visiting, done }
        var marks: [String: Mark] = [:]
        var order: [String] = []
        // Iterative depth-first search: a deep chain of nodes must not overflow the stack.
        var stack: [(node: String, next: Int)] = []
        for output in outputs {
            guard marks[output.node] == nil else { continue }
            stack.append((output.node, 0))
            marks[output.node] = .visiting
            while let top = stack.last {
                let sources = inputNodes.contains(top.node) ? [] : (dataInputs[top.node] ?? [])
                if top.next < sources.count {
                    stack[stack.count - 1].next += 1
                    let source = sources[top.next].node
                    switch marks[source] {
                    case .done: continue
                    case .visiting:
                        throw malformed("the graph has a cycle through node '\(source)' "
                                        + "(\(byName[source]?.op ?? "?")): a frozen graph must be acyclic")
                    case nil:
                        marks[source] = .visiting
                        stack.append((source, 0))
                    }
                } else {
                    marks[top.node] = .done
                    order.append(top.node)
                    stack.removeLast()
                }
            }
        }
        return order
    }

    private static func readOutputs(order: [String], dataInputs: [String: [TensorName]],
                                    outputs: [TensorName]) -> [String: Set<Int>] {
        var read: [String: Set<Int>] = [:]
        for name in order { for input in dataInputs[name] ?? [] { read[input.node, default: []].insert(input.index) } }
        for output in outputs { read[output.node, default: []].insert(output.index) }
        return read
    }

    // MARK: Inputs and outputs

    private func declareInput(_ node: Tensorflow_NodeDef, value: String) throws -> ValueInfo {
        let typeAttribute = node.attr["dtype"] ?? node.attr["T"]
        var type = ElementType.float32
        if let typeAttribute, case .type(let tfType)? = typeAttribute.value {
            guard let engineType = TensorFlowTensors.elementType(tfType) else {
                throw malformed("input '\(value)' has element type \(TensorFlowTensors.describe(tfType)), "
                                + "which the engine does not support")
            }
            type = engineType
        }
        var dims: [Int?]?
        if let shape = node.attr["shape"], case .shape(let proto)? = shape.value {
            dims = TensorFlowTensors.dims(proto)
        }
        takenValueNames.insert(value)
        valueTypes[value] = type
        if let dims { valueShapes[value] = dims }
        return ValueInfo(name: value, elementType: type,
                         shape: dims.map { $0.map { $0.map(Dimension.fixed) ?? .dynamic(nil) } })
    }

    /// One output per requested tensor; a tensor asked for twice, or one that is a graph input, gets a copy.
    private func graphOutputs(_ outputs: [TensorName]) -> [ValueInfo] {
        var named: Set<String> = []
        return outputs.map { output in
            var name = output.value
            // A graph input or a constant asked for as an output, or a tensor asked for twice, gets a copy.
            if named.contains(name) || !nodes.contains(where: { $0.outputs.contains(name) }) {
                let copy = uniqueValueName(output.value + "/output")
                nodes.append(Node(name: copy, opType: "Identity", inputs: [name], outputs: [copy]))
                name = copy
            }
            named.insert(name)
            return ValueInfo(name: name, elementType: type(of: output.value),
                             shape: shape(of: output.value).map { $0.map { $0.map(Dimension.fixed) ?? .dynamic(nil) } })
        }
    }

    private func pruneInitializers(keeping outputs: [String]) {
        var read = Set(outputs)
        for node in nodes { read.formUnion(node.inputs) }
        initializers = initializers.filter { read.contains($0.key) }
    }

    // MARK: Used by the translations

    func type(of value: String) -> ElementType { initializers[value]?.elementType ?? valueTypes[value] ?? .float32 }
    func setType(_ type: ElementType, of value: String) { valueTypes[value] = type }

    func shape(of value: String) -> [Int?]? {
        if let tensor = initializers[value] { return tensor.shape.map { $0 } }
        return valueShapes[value]
    }

    func setShape(_ shape: [Int?]?, of value: String) { valueShapes[value] = shape }

    /// The elements of an integer scalar or vector as far as they are known at load; nil when nothing is.
    func knownElements(of value: String) -> [Int?]? {
        if let tensor = initializers[value] {
            guard tensor.rank <= 1, tensor.elementType != .float32 else { return nil }
            return tensor.integerValues.map { $0 }
        }
        return partialValues[value]
    }

    func setKnownElements(_ elements: [Int?]?, of value: String) { partialValues[value] = elements }

    func uniqueValueName(_ base: String) -> String { uniqueName(base, in: &takenValueNames) }

    func addInitializer(_ tensor: Tensor, named name: String) {
        takenValueNames.insert(name)
        initializers[name] = tensor
        valueTypes[name] = tensor.elementType
    }

    /// Adds a node, or, when all its inputs are constants, runs it now and adds its results as constants:
    /// later translations need filters, axes and perms as constants, and TensorFlow graphs often compute them
    /// (Identity of a frozen variable, shape arithmetic). A node that fails to fold is kept: the optimiser's
    /// folding reports the error with the node's name.
    func addNode(_ node: Node) {
        if fold(node) { return }
        var node = node
        node.name = uniqueName(node.name, in: &takenNodeNames)
        takenValueNames.formUnion(node.outputs)
        nodes.append(node)
    }

    private lazy var foldingContext = ExecutionContext(threads: 1)

    private func fold(_ node: Node) -> Bool {
        let inputs = node.inputs.filter { !$0.isEmpty }
        guard inputs.allSatisfy({ initializers[$0] != nil }), let factory = OperatorRegistry.factory(for: node.opType)
        else { return false }
        let constants = node.inputs.map { $0.isEmpty ? nil : initializers[$0] }
        guard let op = try? factory(OperatorSpec(node: node, opset: 18, constants: constants)),
              let results = try? op.run(constants, context: foldingContext), results.count >= node.outputs.count
        else { return false }
        for (name, tensor) in zip(node.outputs, results) where !name.isEmpty {
            // Copied out of the folding context's pool.
            addInitializer(tensor.copy(), named: name)
        }
        return true
    }
}
