import Foundation

/// Finds which checkpoint key holds each variable of a flattened SavedModel graph.
///
/// The mapping is the one TensorFlow's own C++ loader (and so TensorFlow Serving) follows: the meta graph's
/// restore op (saver_def.restore_op_name; in TF2 a call of the `__inference__traced_restore` function, inlined
/// by now) runs a `RestoreV2` node whose `tensor_names` input is a constant list of checkpoint keys; output i of
/// that node flows, through `Identity` nodes, into an `AssignVariableOp` (or, in TF1 graphs, an `Assign`) whose
/// first input is the variable's handle. Following those edges ties every variable node to its key without
/// relying on how keys are spelled (TF2 keys follow the object graph, "layer_with_weights-0/kernel/.ATTRIBUTES/
/// VARIABLE_VALUE", and have nothing in common with the variable's `shared_name`).
///
/// The restore graph does not always assign the variables the serving function reads: Keras 3 models saved with
/// `tf.saved_model.save` hold a second handle per variable for saving and restoring. For those the TF2 object
/// graph decides, as TensorFlow's Python loader does: a top-level call's last inputs are the variables its
/// function captures, `object_graph_def.concrete_functions[f].bound_inputs` gives their object ids, and the same
/// ids in the checkpoint's own object graph (its "_CHECKPOINTABLE_OBJECT_GRAPH" entry) carry the checkpoint key of
/// their "VARIABLE_VALUE". Variables neither covers fall back to a key equal to their shared_name or node name,
/// as in TF1 checkpoints.
struct SavedModelVariables {
    let file: String
    let nodes: [String: Tensorflow_NodeDef]

    static let variableOps: Set<String> = ["VarHandleOp", "VariableV2", "Variable"]
    /// Ops that pass a value or a handle through unchanged.
    static let passThroughOps: Set<String> = ["Identity", "Snapshot"]

    /// `nodes`: the flattened graph, inputs resolved to "node:index".
    init(file: String, nodes: [Tensorflow_NodeDef]) {
        self.file = file
        self.nodes = Dictionary(nodes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Variable node name → checkpoint key, from every RestoreV2 node of the graph. A variable restored from a
    /// part of a checkpoint tensor (a TF1 partitioned variable: a non-empty `shape_and_slices` entry) is mapped to
    /// the refusal that names it instead.
    func checkpointKeys() throws -> [String: Result<String, InferenceError>] {
        var consumers: [String: [Tensorflow_NodeDef]] = [:]
        for node in nodes.values { for input in node.input { consumers[input, default: []].append(node) } }

        var keys: [String: Result<String, InferenceError>] = [:]
        for restore in nodes.values where restore.op == "RestoreV2" {
            let names = try strings(input: 1, of: restore, role: "tensor names")
            let parts = try strings(input: 2, of: restore, role: "shapes and slices")
            for (index, key) in names.enumerated() {
                let part = index < parts.count ? parts[index] : ""
                // Breadth-first along pass-through ops to the assignments this output feeds.
                var frontier = [restore.name + ":" + String(index)]
                var seen = Set(frontier)
                while let tensor = frontier.popLast() {
                    for consumer in consumers[tensor] ?? [] {
                        if Self.passThroughOps.contains(consumer.op) {
                            let next = consumer.name + ":0"
                            if seen.insert(next).inserted { frontier.append(next) }
                        } else if consumer.op == "AssignVariableOp" || consumer.op == "Assign",
                                  consumer.input.count >= 2, consumer.input[1] == tensor,
                                  let variable = variableNode(consumer.input[0]) {
                            keys[variable] = part.isEmpty ? .success(key) : .failure(.malformedModel(
                                file: file, reason: "variable '\(variable)' is restored from part '\(part)' of "
                                    + "checkpoint tensor '\(key)' (a partitioned variable), which is not supported"))
                        }
                    }
                }
            }
        }
        return keys
    }

    /// The variable node a handle tensor comes from, through pass-through ops; nil if it comes from elsewhere.
    func variableNode(_ tensor: String) -> String? {
        var name = Self.nodeName(tensor)
        for _ in 0..<nodes.count {
            guard let node = nodes[name] else { return nil }
            if Self.variableOps.contains(node.op) { return name }
            guard Self.passThroughOps.contains(node.op), let input = node.input.first else { return nil }
            name = Self.nodeName(input)
        }
        return nil
    }

    static let objectGraphKey = "_CHECKPOINTABLE_OBJECT_GRAPH"

    /// Variable node name → checkpoint key, from the object graph (see the type's comment). Empty for TF1
    /// SavedModels, which have no object graph.
    func objectGraphKeys(topLevel: [Tensorflow_NodeDef], objectGraph: Tensorflow_SavedObjectGraph,
                         bundle: TensorBundle) throws -> [String: Result<String, InferenceError>] {
        guard !objectGraph.concreteFunctions.isEmpty, bundle.entries[Self.objectGraphKey] != nil else { return [:] }
        let checkpointGraph: Tensorflow_TrackableObjectGraph
        do {
            let serialized = try bundle.strings(Self.objectGraphKey)
            guard serialized.count == 1, let bytes = serialized.first else {
                throw InferenceError.malformedModel(file: bundle.indexFile, reason: "the checkpoint's object graph "
                                                    + "entry holds \(serialized.count) strings instead of one")
            }
            checkpointGraph = try Tensorflow_TrackableObjectGraph(serializedBytes: bytes)
        } catch let error as InferenceError {
            throw error
        } catch {
            throw InferenceError.malformedModel(file: bundle.indexFile, reason: "the checkpoint's object graph "
                                                + "cannot be decoded (\(error))")
        }
        var keys: [String: Result<String, InferenceError>] = [:]
        for call in topLevel {
            let function = call.op == "StatefulPartitionedCall" || call.op == "PartitionedCall"
                ? call.attr["f"]?.func.name ?? "" : call.op
            guard let bound = objectGraph.concreteFunctions[function]?.boundInputs, !bound.isEmpty else { continue }
            let inputs = call.input.filter { !$0.hasPrefix("^") }
            guard inputs.count >= bound.count else { continue }
            for (input, objectID) in zip(inputs.suffix(bound.count), bound) {
                guard let variable = variableNode(input), objectID >= 0,
                      Int(objectID) < checkpointGraph.nodes.count else { continue }
                let attributes = checkpointGraph.nodes[Int(objectID)].attributes
                if let value = attributes.first(where: { $0.name == "VARIABLE_VALUE" }) {
                    keys[variable] = .success(value.checkpointKey)
                }
            }
        }
        return keys
    }

    /// The checkpoint key of variable node `name`: from the first of `mappings` that knows it, else its shared
    /// name or its own name when the checkpoint has such a key.
    func key(of name: String, mappings: [[String: Result<String, InferenceError>]],
             bundle: TensorBundle) throws -> String {
        for mapping in mappings { if let key = mapping[name] { return try key.get() } }
        let shared = nodes[name].flatMap { node -> String? in
            guard case .s(let bytes)? = node.attr["shared_name"]?.value, !bytes.isEmpty else { return nil }
            return String(decoding: bytes, as: UTF8.self)
        }
        for candidate in [shared, name].compactMap({ $0 }) where bundle.entries[candidate] != nil {
            return candidate
        }
        throw InferenceError.malformedModel(
            file: file, reason: "variable '\(name)' has no value in the checkpoint \(bundle.indexFile): neither the "
                + "restore op nor the object graph ties it to a checkpoint key, and no key is named after it")
    }

    /// A RestoreV2 node's `tensor_names` (input 1) or `shape_and_slices` (input 2): constant lists of strings.
    private func strings(input: Int, of restore: Tensorflow_NodeDef, role: String) throws -> [String] {
        guard restore.input.count > input, let names = nodes[Self.nodeName(restore.input[input])],
              names.op == "Const", case .tensor(let tensor)? = names.attr["value"]?.value,
              tensor.dtype == .dtString else {
            throw InferenceError.malformedModel(
                file: file, reason: "the checkpoint restore node '\(restore.name)' does not read its \(role) "
                    + "from a constant list of strings")
        }
        return tensor.stringVal.map { String(decoding: $0, as: UTF8.self) }
    }

    static func nodeName(_ tensor: String) -> String {
        guard let colon = tensor.lastIndex(of: ":") else { return tensor }
        return String(tensor[..<colon])
    }

    // MARK: Ops that read a variable through its handle

    /// `nodes` with the ops that read a variable through its handle rewritten as ordinary ops on its value (the
    /// handle's node becomes a constant holding the value): `ResourceGather(handle, indices)` (what `tf.gather`
    /// on a variable writes) becomes `GatherV2(value, indices, 0)`.
    static func rewritingResourceReads(_ nodes: [Tensorflow_NodeDef], file: String) throws -> [Tensorflow_NodeDef] {
        var names = Set(nodes.map(\.name))
        var result: [Tensorflow_NodeDef] = []
        for node in nodes {
            guard node.op == "ResourceGather" else {
                result.append(node)
                continue
            }
            if let batchDims = node.attr["batch_dims"]?.i, batchDims != 0 {
                throw InferenceError.invalidNode(file: file, op: node.op, node: node.name,
                                                 reason: "batch_dims \(batchDims) is not supported (only 0)")
            }
            guard node.input.count >= 2 else {
                throw InferenceError.invalidNode(file: file, op: node.op, node: node.name,
                                                 reason: "it has \(node.input.count) inputs instead of 2")
            }
            var axisName = node.name + "/axis"
            while !names.insert(axisName).inserted { axisName += "_" }
            var axis = Tensorflow_NodeDef()
            axis.name = axisName
            axis.op = "Const"
            var value = Tensorflow_TensorProto()
            value.dtype = .dtInt32
            value.tensorShape = Tensorflow_TensorShapeProto()
            value.intVal = [0]
            axis.attr["value"] = Tensorflow_AttrValue.with { $0.tensor = value }
            axis.attr["dtype"] = Tensorflow_AttrValue.with { $0.type = .dtInt32 }
            result.append(axis)

            var gather = node
            gather.op = "GatherV2"
            gather.input = [node.input[0], node.input[1], axisName + ":0"]
            gather.attr = [
                "Tparams": node.attr["dtype"] ?? Tensorflow_AttrValue.with { $0.type = .dtFloat },
                "Tindices": node.attr["Tindices"] ?? Tensorflow_AttrValue.with { $0.type = .dtInt32 },
                "Taxis": Tensorflow_AttrValue.with { $0.type = .dtInt32 },
                "batch_dims": Tensorflow_AttrValue.with { $0.i = 0 },
            ]
            result.append(gather)
        }
        return result
    }
}
