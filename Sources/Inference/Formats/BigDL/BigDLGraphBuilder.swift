/// One tensor flowing between BigDL modules: its value name in the graph, and its dimensions as far as the
/// reader knows them (nil: rank unknown; nil entries: that dimension unknown, such as the batch).
struct BigDLValue {
    var name: String
    var dims: [Int?]?
    var rank: Int? { dims?.count }
}

/// What a BigDL module consumes and produces: a tensor, or a table (an ordered list) of tensors.
enum BigDLActivity {
    case tensor(BigDLValue)
    case table([BigDLValue])

    var values: [BigDLValue] {
        switch self {
        case .tensor(let value): return [value]
        case .table(let values): return values
        }
    }
}

/// Walks a BigDL module tree (Sequential, Graph/StaticGraph, layers), translating every layer into ONNX-style
/// nodes (`BigDLLayers`, `BigDLShapeLayers`) and collecting them with the weights into a `Graph`.
final class BigDLGraphBuilder {
    let file: String
    let tensors: BigDLTensors
    private(set) var nodes: [Node] = []
    private(set) var initializers: [String: Tensor] = [:]
    private var takenNames: Set<String> = []
    /// Dimensions the first module reading a graph input expects of it (Linear: [batch, inputSize], ...).
    private var inputDims: [String: [Int?]] = [:]
    private var graphInputNames: Set<String> = []

    init(file: String, tensors: BigDLTensors) {
        self.file = file
        self.tensors = tensors
    }

    func build(top: Bigdl_BigDLModule) throws -> Graph {
        var inputs: [String]
        var outputNames: [String]
        let activity: BigDLActivity
        if Self.isGraph(top) {
            inputs = try Self.strings(top, "inputNames", file: file)
            guard !inputs.isEmpty else {
                throw malformed("the graph names no inputs (inputNames)")
            }
            inputs = inputs.map { uniqueValueName($0) }
            graphInputNames = Set(inputs)
            let given: BigDLActivity = inputs.count == 1 ? .tensor(BigDLValue(name: inputs[0], dims: nil))
                : .table(inputs.map { BigDLValue(name: $0, dims: nil) })
            activity = try graph(top, input: given)
            outputNames = try Self.strings(top, "outputNames", file: file)
        } else {
            inputs = [uniqueValueName("input")]
            graphInputNames = Set(inputs)
            activity = try translate(top, input: .tensor(BigDLValue(name: inputs[0], dims: nil)))
            outputNames = activity.values.count == 1 ? ["output"]
                : activity.values.indices.map { "output\($0 + 1)" }
        }
        let results = activity.values
        guard outputNames.count == results.count else {
            throw malformed("the model produces \(results.count) outputs but names \(outputNames.count)")
        }
        // Outputs are named as the model names them; a value produced under another name gets a copy.
        var outputs: [ValueInfo] = []
        for (value, name) in zip(results, outputNames) {
            var outputName = value.name
            if value.name != name, !takenNames.contains(name) {
                takenNames.insert(name)
                nodes.append(Node(name: name, opType: "Identity", inputs: [value.name], outputs: [name]))
                outputName = name
            }
            outputs.append(ValueInfo(name: outputName, elementType: .float32, shape: Self.declared(value.dims)))
        }
        let inputInfos = inputs.map { name in
            ValueInfo(name: name, elementType: .float32, shape: Self.declared(inputDims[name]))
        }
        return Graph(sourceFile: file, format: "BigDL", opset: 13, nodes: nodes, inputs: inputInfos,
                     outputs: outputs, initializers: initializers)
    }

    private static func declared(_ dims: [Int?]?) -> [Dimension]? {
        dims.map { dims in
            dims.enumerated().map { index, dim in dim.map(Dimension.fixed) ?? .dynamic(index == 0 ? "batch" : nil) }
        }
    }

    // MARK: Module tree

    /// The module's name: the one given to it, else BigDL's default (class name + postfix).
    static func name(of module: Bigdl_BigDLModule) -> String {
        module.name.isEmpty ? typeName(of: module) + module.namePostfix : module.name
    }

    /// The last component of the class name (com.intel.analytics.bigdl.dllib.nn.Linear → Linear).
    static func typeName(of module: Bigdl_BigDLModule) -> String {
        String(module.moduleType.split(separator: ".").last ?? Substring(module.moduleType))
    }

    static func isGraph(_ module: Bigdl_BigDLModule) -> Bool {
        ["StaticGraph", "Graph", "DynamicGraph"].contains(typeName(of: module))
    }

    static func strings(_ module: Bigdl_BigDLModule, _ key: String, file: String) throws -> [String] {
        guard let attribute = module.attr[key] else { return [] }
        guard case .arrayValue(let array)? = attribute.value else {
            throw InferenceError.malformedModel(
                file: file, reason: "module '\(name(of: module))': attribute \(key) is not a list of names")
        }
        return array.str
    }

    func translate(_ module: Bigdl_BigDLModule, input: BigDLActivity) throws -> BigDLActivity {
        let type = Self.typeName(of: module)
        switch type {
        case "Sequential":
            var activity = input
            for child in module.subModules { activity = try translate(child, input: activity) }
            return activity
        case "StaticGraph", "Graph", "DynamicGraph":
            return try graph(module, input: input)
        default:
            guard let translation = BigDLLayers.translations[type] ?? BigDLShapeLayers.translations[type] else {
                throw InferenceError.unsupportedOperator(file: file, op: module.moduleType,
                                                         node: Self.name(of: module))
            }
            return try translation(BigDLLayerContext(module: module, type: type, input: input, builder: self))
        }
    }

    /// A graph's nodes are its sub-modules; each names the modules it reads (`preModules`, in input order,
    /// and `<name>_edges` for which element of a table output it takes). Inputs are the `Input` modules
    /// named in `inputNames`, fed from the graph's input (a table when there are several).
    private func graph(_ module: Bigdl_BigDLModule, input: BigDLActivity) throws -> BigDLActivity {
        let graphName = Self.name(of: module)
        var byName: [String: Bigdl_BigDLModule] = [:]
        for child in module.subModules {
            let name = Self.name(of: child)
            guard byName.updateValue(child, forKey: name) == nil else {
                throw malformed("graph '\(graphName)' has two modules named '\(name)'")
            }
        }
        let inputNames = try Self.strings(module, "inputNames", file: file)
        let outputNames = try Self.strings(module, "outputNames", file: file)
        guard !outputNames.isEmpty else {
            throw malformed("graph '\(graphName)' names no outputs (outputNames)")
        }
        let given = input.values
        guard given.count == inputNames.count else {
            throw malformed("graph '\(graphName)' has \(inputNames.count) inputs but is given \(given.count)")
        }
        var results: [String: BigDLActivity] = [:]
        for (name, value) in zip(inputNames, given) {
            guard byName[name] != nil else {
                throw malformed("graph '\(graphName)': input '\(name)' is not one of its modules")
            }
            results[name] = .tensor(value)
        }
        for name in try order(byName, graph: graphName) where results[name] == nil {
            guard let child = byName[name] else { continue }
            let sources = try child.preModules.map { pre in try edgeValue(from: pre, to: name, in: module, results) }
            guard !sources.isEmpty else {
                throw InferenceError.malformedModel(
                    file: file, reason: "graph '\(graphName)': module '\(name)' reads nothing and is not an input")
            }
            results[name] = try translate(child, input: sources.count == 1 ? .tensor(sources[0]) : .table(sources))
        }
        let outputs = try outputNames.map { name -> BigDLActivity in
            guard let result = results[name] else {
                throw malformed("graph '\(graphName)': output '\(name)' is not one of its modules")
            }
            return result
        }
        if outputs.count == 1 { return outputs[0] }
        return .table(outputs.flatMap(\.values))
    }

    /// The tensor module `to` reads from `from`: its output, or one element of it (edges index, 1-based).
    private func edgeValue(from: String, to: String, in graph: Bigdl_BigDLModule,
                           _ results: [String: BigDLActivity]) throws -> BigDLValue {
        guard let activity = results[from] else {
            throw malformed("module '\(to)' reads '\(from)', which is not in its graph")
        }
        var index = -1
        if case .nameAttrListValue(let edges)? = graph.attr["\(to)_edges"]?.value,
           case .int32Value(let value)? = edges.attr[from]?.value {
            index = Int(value)
        }
        let values = activity.values
        if index > 0 {
            guard index <= values.count else {
                throw InferenceError.malformedModel(
                    file: file, reason: "module '\(to)' reads output \(index) of '\(from)', which has \(values.count)")
            }
            return values[index - 1]
        }
        guard values.count == 1 else {
            throw InferenceError.invalidNode(file: file, op: "table input", node: to,
                                             reason: "reads the whole table output of '\(from)'; "
                                                 + "nested tables are not supported")
        }
        return values[0]
    }

    /// Modules in an order where each comes after those it reads; a cycle is refused.
    private func order(_ modules: [String: Bigdl_BigDLModule], graph: String) throws -> [String] {
        var pending: [String: Int] = [:]
        var readers: [String: [String]] = [:]
        for (name, module) in modules {
            pending[name] = module.preModules.count
            for pre in module.preModules { readers[pre, default: []].append(name) }
        }
        var ready = pending.filter { $0.value == 0 }.map(\.key).sorted()
        var order: [String] = []
        while let next = ready.popLast() {
            order.append(next)
            for reader in readers[next] ?? [] {
                pending[reader, default: 0] -= 1
                if pending[reader] == 0 { ready.append(reader) }
            }
        }
        guard order.count == modules.count else {
            let stuck = pending.filter { $0.value > 0 }.map(\.key).sorted()
            throw malformed("graph '\(graph)': modules \(stuck.joined(separator: ", ")) form a cycle or read "
                    + "modules that are not in the graph")
        }
        return order
    }

    func malformed(_ reason: String) -> InferenceError { .malformedModel(file: file, reason: reason) }

    // MARK: Emitting

    func uniqueValueName(_ base: String) -> String { uniqueName(base, in: &takenNames) }

    func addNode(_ node: Node) { nodes.append(node) }

    func addInitializer(_ tensor: Tensor, base: String) -> String {
        let name = uniqueValueName(base)
        initializers[name] = tensor
        return name
    }

    func initializer(_ name: String) -> Tensor? { initializers[name] }

    /// Records what the first module reading a graph input expects of it (declared in the graph's inputs).
    func noteInputDims(_ value: BigDLValue, _ dims: [Int?]) {
        guard graphInputNames.contains(value.name), inputDims[value.name] == nil else { return }
        inputDims[value.name] = dims
    }
}
