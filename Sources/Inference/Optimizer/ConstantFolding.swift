/// Runs, once at load time, every node whose inputs are all constants (weight conversions, reshapes of
/// weights, shape arithmetic on constants, Constant nodes) and replaces it with its results.
enum ConstantFolding {
    static func run(_ editor: inout GraphEditor) throws {
        let context = ExecutionContext(threads: 1)
        for index in try Program.topologicalOrder(editor.graph) {
            let node = editor.node(index)
            let inputs = node.inputs.filter { !$0.isEmpty }
            guard inputs.allSatisfy({ editor.constant($0) != nil }),
                  !node.outputs.contains(where: { editor.graphOutputs.contains($0) }),
                  let factory = OperatorRegistry.factory(for: node.opType) else { continue }
            let constants = node.inputs.map { editor.constant($0) }
            let results: [Tensor]
            do {
                let op = try factory(OperatorSpec(node: node, opset: editor.graph.opset, constants: constants))
                results = try op.run(constants, context: context)
            } catch let error as OpError {
                throw InferenceError.invalidNode(file: editor.graph.sourceFile, op: node.opType, node: node.name,
                                                 reason: error.message)
            }
            for (name, tensor) in zip(node.outputs, results) where !name.isEmpty {
                // Copied out of the folding context's pool, which is dropped with it.
                editor.setConstant(name, tensor.copy())
            }
            editor.remove(index)
        }
    }
}

/// Identity and inference-mode Dropout pass their input through: their readers read the input directly.
enum NoOpRemoval {
    static func run(_ editor: inout GraphEditor) {
        for index in editor.nodeIndices {
            let node = editor.node(index)
            let isNoOp = node.opType == "Identity"
                || (node.opType == "Dropout" && node.inputs.count < 3 && (node.outputs.count < 2 || node.outputs[1].isEmpty))
            guard isNoOp, let input = node.inputs.first, !input.isEmpty, let output = node.outputs.first,
                  !editor.graphOutputs.contains(output) else { continue }
            editor.replaceUses(of: output, with: input)
            editor.remove(index)
        }
    }
}
