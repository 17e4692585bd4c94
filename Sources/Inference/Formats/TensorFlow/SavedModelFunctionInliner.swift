import Foundation

/// Flattens a SavedModel's graph: every call of a library function (`StatefulPartitionedCall`,
/// `PartitionedCall`, or a node whose op is the function's name) is replaced by the function's body, recursively,
/// so that the translator sees one plain GraphDef.
///
/// Inside a function, a node input names an argument ("x") or an output as "node:output_arg:index" (the op's
/// output argument and the index within it); in a graph, outputs are numbered flat ("node:2"). Inlined nodes get
/// the call node's name as a prefix ("StatefulPartitionedCall/dense/MatMul"), arguments become the call's
/// inputs, and the call's outputs become aliases of the tensors its `ret` map names. Control inputs ("^node")
/// are dropped: the engine orders nodes by their data inputs alone, and the nodes only reached through control
/// edges (NoOp, the checkpoint save function's side effects) are pruned later.
struct SavedModelFunctionInliner {
    let file: String
    let functions: [String: Tensorflow_FunctionDef]
    /// Op definitions from the meta graph (`stripped_op_list`): output argument layouts and attribute defaults.
    let opDefs: [String: Tensorflow_OpDef]

    /// Deeper nesting than real models use is taken as a recursive function.
    static let maxDepth = 32
    /// Functions called many times from functions called many times multiply; a hostile library could ask for
    /// billions of nodes. Real models stay far below this.
    static let maxNodes = 2_000_000
    static let callOps: Set<String> = ["StatefulPartitionedCall", "PartitionedCall"]

    /// The flattened nodes, inputs in graph form ("node:index", call outputs not yet resolved).
    private(set) var nodes: [Tensorflow_NodeDef] = []
    /// "call:index" → the tensor that output stands for (possibly another alias).
    private var aliases: [String: String] = [:]
    private var usedNames: Set<String> = []

    init(file: String, library: Tensorflow_FunctionDefLibrary, opDefs: [String: Tensorflow_OpDef]) {
        self.file = file
        self.opDefs = opDefs
        var functions: [String: Tensorflow_FunctionDef] = [:]
        for function in library.function { functions[function.signature.name] = function }
        self.functions = functions
    }

    /// Inlines every call in `graph`'s nodes.
    mutating func inline(_ graph: Tensorflow_GraphDef) throws {
        usedNames = Set(graph.node.map(\.name))
        for var node in graph.node {
            node.input = node.input.filter { !$0.hasPrefix("^") }.map(Self.normalized)
            try add(node, depth: 0)
        }
    }

    /// A graph tensor name with its index spelled out: "node" → "node:0".
    static func normalized(_ name: String) -> String {
        name.contains(":") ? name : name + ":0"
    }

    /// `tensor` ("node:index") with call outputs replaced by what they stand for.
    func resolve(_ tensor: String) throws -> String {
        var current = Self.normalized(tensor)
        var steps = 0
        while let next = aliases[current] {
            current = next
            steps += 1
            guard steps <= aliases.count else {
                throw malformed("the function calls' outputs refer to each other in a cycle (at '\(tensor)')")
            }
        }
        return current
    }

    // MARK: Inlining

    private mutating func add(_ node: Tensorflow_NodeDef, depth: Int) throws {
        guard let function = try calledFunction(node) else {
            nodes.append(withDefaults(node))
            return
        }
        guard depth < Self.maxDepth else {
            throw malformed("function calls nest more than \(Self.maxDepth) deep at node '\(node.name)' "
                            + "(a function that calls itself?)")
        }
        let signature = function.signature
        guard signature.inputArg.count == node.input.count else {
            throw malformed("node '\(node.name)' passes \(node.input.count) inputs to function '\(signature.name)', "
                            + "which takes \(signature.inputArg.count)")
        }
        var arguments: [String: String] = [:]
        for (argument, input) in zip(signature.inputArg, node.input) { arguments[argument.name] = input }

        let prefix = uniquePrefix(node.name, body: function.nodeDef)
        let body = Dictionary(function.nodeDef.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        guard nodes.count + function.nodeDef.count <= Self.maxNodes else {
            throw malformed("inlining the function calls would make more than \(Self.maxNodes) nodes "
                            + "(at node '\(node.name)', function '\(signature.name)')")
        }
        for var inner in function.nodeDef {
            inner.name = prefix + "/" + inner.name
            inner.input = try inner.input.filter { !$0.hasPrefix("^") }.map {
                try graphTensor($0, arguments: arguments, body: body, prefix: prefix, in: signature.name)
            }
            usedNames.insert(inner.name)
            try add(inner, depth: depth + 1)
        }
        for (index, output) in signature.outputArg.enumerated() {
            guard let returned = function.ret[output.name] else {
                throw malformed("function '\(signature.name)' does not say what its output '\(output.name)' returns")
            }
            aliases[node.name + ":" + String(index)] =
                try graphTensor(returned, arguments: arguments, body: body, prefix: prefix, in: signature.name)
        }
    }

    /// The library function `node` calls, nil when it is an ordinary op.
    private func calledFunction(_ node: Tensorflow_NodeDef) throws -> Tensorflow_FunctionDef? {
        if let function = functions[node.op] { return function }
        guard Self.callOps.contains(node.op) else { return nil }
        guard let name = node.attr["f"]?.func.name, !name.isEmpty else {
            throw malformed("node '\(node.name)' (\(node.op)) names no function in its 'f' attribute")
        }
        guard let function = functions[name] else {
            throw malformed("node '\(node.name)' (\(node.op)) calls function '\(name)', which the graph's function "
                            + "library does not define")
        }
        return function
    }

    /// A prefix for the inlined body's node names that no node of the graph uses yet.
    private func uniquePrefix(_ base: String, body: [Tensorflow_NodeDef]) -> String {
        var prefix = base
        var attempt = 1
        while body.contains(where: { usedNames.contains(prefix + "/" + $0.name) }) {
            attempt += 1
            prefix = base + "_inlined_" + String(attempt)
        }
        return prefix
    }

    /// A function-body tensor reference in graph form: an argument becomes the call's input, "node:arg:index" the
    /// inlined node's flat output.
    private func graphTensor(_ reference: String, arguments: [String: String], body: [String: Tensorflow_NodeDef],
                             prefix: String, in function: String) throws -> String {
        let parts = reference.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 1 {
            guard let input = arguments[reference] else {
                throw malformed("function '\(function)' refers to '\(reference)', which is neither one of its "
                                + "arguments nor a node output")
            }
            return input
        }
        guard parts.count <= 3, let producer = body[parts[0]],
              let index = parts.count == 3 ? Int(parts[2]) : 0, index >= 0 else {
            throw malformed("function '\(function)' refers to '\(reference)', which names no output of its nodes")
        }
        let flat = try flatIndex(of: producer, outputArg: parts[1], index: index, in: function)
        return prefix + "/" + producer.name + ":" + String(flat)
    }

    /// The position among all of `node`'s outputs of entry `index` of its output argument `outputArg`: earlier
    /// arguments count one tensor each, or as many as their number or type-list attribute says.
    private func flatIndex(of node: Tensorflow_NodeDef, outputArg: String, index: Int, in function: String) throws -> Int {
        if Self.callOps.contains(node.op) { return index }  // one list argument, "output"
        if let called = functions[node.op] {
            guard let position = called.signature.outputArg.firstIndex(where: { $0.name == outputArg }) else {
                throw malformed("function '\(function)' refers to output '\(outputArg)' of node '\(node.name)', "
                                + "which function '\(node.op)' does not have")
            }
            return position + index
        }
        // An op missing from the op list: taken to have a single output argument, as most ops do.
        guard let opDef = opDefs[node.op] else { return index }
        var offset = 0
        for argument in opDef.outputArg {
            if argument.name == outputArg { return offset + index }
            offset += try length(of: argument, node: node, opDef: opDef)
        }
        throw malformed("function '\(function)' refers to output '\(outputArg)' of node '\(node.name)', which op "
                        + "\(node.op) does not have")
    }

    private func length(of argument: Tensorflow_OpDef.ArgDef, node: Tensorflow_NodeDef,
                        opDef: Tensorflow_OpDef) throws -> Int {
        let attributes = withDefaults(node).attr
        if !argument.numberAttr.isEmpty {
            guard let count = attributes[argument.numberAttr]?.i, count >= 0, count < 1 << 20 else {
                throw malformed("node '\(node.name)' (\(node.op)) has no valid '\(argument.numberAttr)' attribute")
            }
            return Int(count)
        }
        if !argument.typeListAttr.isEmpty {
            return attributes[argument.typeListAttr]?.list.type.count ?? 0
        }
        return 1
    }

    /// `node` with the attributes its op defines but the writer left out because they had their default value.
    func withDefaults(_ node: Tensorflow_NodeDef) -> Tensorflow_NodeDef {
        guard let opDef = opDefs[node.op] else { return node }
        var node = node
        for attribute in opDef.attr where attribute.hasDefaultValue && node.attr[attribute.name] == nil {
            node.attr[attribute.name] = attribute.defaultValue
        }
        return node
    }

    private func malformed(_ reason: String) -> InferenceError {
        InferenceError.malformedModel(file: file, reason: reason)
    }
}
