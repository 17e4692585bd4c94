import Dispatch

/// A graph compiled for execution: nodes in dependency order, each with its operator, values numbered, and for
/// every step the values whose last reader it is (so their buffers go back to the pool at once).
struct Program: Sendable {
    struct Step: Sendable {
        let node: Node
        let op: any Operator
        /// Value ids of the node's inputs; nil for a left-out optional input.
        let inputs: [Int?]
        let outputs: [Int]
        /// Values no later step reads and that are not graph outputs.
        let release: [Int]
        /// How the step shows in a profile: the op type, and for convolutions the kernel and kind.
        let label: String
    }

    let steps: [Step]
    let valueCount: Int
    /// The value table every run starts from: constants filled in, everything else nil.
    let initialValues: [Tensor?]
    let inputIDs: [Int]
    let outputIDs: [Int]

    init(graph: Graph) throws {
        var ids: [String: Int] = [:]
        func id(_ name: String) -> Int {
            if let existing = ids[name] { return existing }
            ids[name] = ids.count
            return ids.count - 1
        }
        var constants: [Int: Tensor] = [:]
        for (name, tensor) in graph.initializers { constants[id(name)] = tensor }
        let inputIDs = graph.inputs.map { id($0.name) }

        let ordered = try Program.topologicalOrder(graph)
        var steps: [(node: Node, op: any Operator, inputs: [Int?], outputs: [Int])] = []
        for node in ordered.map({ graph.nodes[$0] }) {
            guard let factory = OperatorRegistry.factory(for: node.opType) else {
                throw InferenceError.unsupportedOperator(file: graph.sourceFile, op: node.opType, node: node.name)
            }
            let inputs: [Int?] = node.inputs.map { $0.isEmpty ? nil : id($0) }
            let spec = OperatorSpec(node: node, opset: graph.opset,
                                    constants: inputs.map { $0.flatMap { constants[$0] } })
            let op: any Operator
            do {
                op = try factory(spec)
            } catch let error as OpError {
                throw InferenceError.invalidNode(file: graph.sourceFile, op: node.opType, node: node.name,
                                                 reason: error.message)
            }
            steps.append((node, op, inputs, node.outputs.map { id($0) }))
        }
        let outputIDs = try graph.outputs.map { output in
            guard let value = ids[output.name] else {
                throw InferenceError.malformedModel(file: graph.sourceFile,
                                                    reason: "graph output '\(output.name)' is produced by no node")
            }
            return value
        }

        // Liveness: the last step that reads each value.
        var lastReader: [Int: Int] = [:]
        for (index, step) in steps.enumerated() {
            for case let input? in step.inputs { lastReader[input] = index }
        }
        let kept = Set(outputIDs).union(constants.keys)
        var releases = [[Int]](repeating: [], count: steps.count)
        for (value, step) in lastReader where !kept.contains(value) { releases[step].append(value) }

        self.steps = steps.enumerated().map { index, step in
            Step(node: step.node, op: step.op, inputs: step.inputs, outputs: step.outputs, release: releases[index],
                 label: Program.label(step.node, weights: step.inputs.count > 1 ? step.inputs[1].flatMap { constants[$0] } : nil))
        }
        self.valueCount = ids.count
        var initial = [Tensor?](repeating: nil, count: ids.count)
        for (value, tensor) in constants { initial[value] = tensor }
        self.initialValues = initial
        self.inputIDs = inputIDs
        self.outputIDs = outputIDs
    }

    /// Runs every step on the inputs (in graph input order) and returns the outputs (in graph output order).
    func run(inputs: [Tensor], context: ExecutionContext) throws -> [Tensor] {
        var values = initialValues
        for (value, tensor) in zip(inputIDs, inputs) { values[value] = tensor }
        for step in steps {
            let arguments = step.inputs.map { $0.flatMap { values[$0] } }
            let results: [Tensor]
            let started = context.profile == nil ? 0 : DispatchTime.now().uptimeNanoseconds
            do {
                results = try step.op.run(arguments, context: context)
            } catch let error as OpError {
                throw InferenceError.operatorFailed(op: step.node.opType, node: step.node.name, reason: error.message)
            }
            if context.profile != nil {
                context.profile?.record(step.label, nanoseconds: DispatchTime.now().uptimeNanoseconds - started)
            }
            for (value, tensor) in zip(step.outputs, results) { values[value] = tensor }
            for value in step.release { values[value] = nil }
        }
        return try outputIDs.map { value in
            guard let tensor = values[value] else {
                throw InferenceError.invalidInput(reason: "an output was not computed (its node produced fewer outputs)")
            }
            return tensor
        }
    }

    /// Kahn's algorithm over value dependencies; ONNX files are usually sorted already, OpenVINO's are not.
    static func label(_ node: Node, weights: Tensor?) -> String {
        guard node.opType == "Conv", let weights, weights.rank >= 3 else { return node.opType }
        let kernel = weights.shape.dropFirst(2).map(String.init).joined(separator: "x")
        let groups = (try? node.int("group", default: 1)) ?? 1
        let strided = (try? node.ints("strides"))??.contains { $0 > 1 } ?? false
        return "Conv \(kernel)" + (groups > 1 && weights.shape[1] == 1 ? " depthwise" : groups > 1 ? " grouped" : "")
            + (strided ? " strided" : "")
    }

    /// Node indices in an order where every node comes after the producers of its inputs.
    static func topologicalOrder(_ graph: Graph) throws -> [Int] {
        var producer: [String: Int] = [:]
        for (index, node) in graph.nodes.enumerated() {
            for output in node.outputs where !output.isEmpty {
                if producer[output] != nil || graph.initializers[output] != nil {
                    throw InferenceError.malformedModel(
                        file: graph.sourceFile, reason: "value '\(output)' is produced twice (node '\(node.name)')")
                }
                producer[output] = index
            }
        }
        let available = Set(graph.inputs.map(\.name)).union(graph.initializers.keys)
        var pending = [Int](repeating: 0, count: graph.nodes.count)
        var readers = [[Int]](repeating: [], count: graph.nodes.count)
        for (index, node) in graph.nodes.enumerated() {
            for input in node.inputs where !input.isEmpty {
                if let source = producer[input] {
                    pending[index] += 1
                    readers[source].append(index)
                } else if !available.contains(input) {
                    throw InferenceError.malformedModel(
                        file: graph.sourceFile,
                        reason: "node '\(node.name)' (\(node.opType)) reads '\(input)', which nothing produces")
                }
            }
        }
        var ready = (0..<graph.nodes.count).filter { pending[$0] == 0 }.reversed().map { $0 }
        var order: [Int] = []
        order.reserveCapacity(graph.nodes.count)
        while let next = ready.popLast() {
            order.append(next)
            for reader in readers[next] {
                pending[reader] -= 1
                if pending[reader] == 0 { ready.append(reader) }
            }
        }
        guard order.count == graph.nodes.count else {
            throw InferenceError.malformedModel(file: graph.sourceFile, reason: "the graph has a cycle")
        }
        return order
    }
}
