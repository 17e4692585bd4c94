/// Moves work that follows a matrix product into its epilogue, where the output is still in cache:
/// a residual Add into a convolution (input 3), a bias Add into a MatMul with constant weights (input 2),
/// and then an activation into Conv, ConvTranspose, Gemm or MatMul. The fused node takes over the fused
/// node's output name.
enum EpilogueFusion {
    static let hosts: Set<String> = ["Conv", "ConvTranspose", "Gemm", "MatMul"]

    static func run(_ editor: inout GraphEditor) {
        for index in editor.nodeIndices {
            switch editor.node(index).opType {
            case "Conv": fuseResidual(index, &editor)
            case "MatMul": fuseBias(index, &editor)
            default: break
            }
            if hosts.contains(editor.node(index).opType) { fuseActivation(index, &editor) }
        }
    }

    private static func fuseResidual(_ index: Int, _ editor: inout GraphEditor) {
        let conv = editor.node(index)
        guard conv.inputs.count <= 3, conv.attributes[Epilogue.activationAttribute] == nil,
              let output = conv.outputs.first, let readerIndex = editor.soleReader(of: output) else { return }
        let add = editor.node(readerIndex)
        guard add.opType == "Add", add.inputs.count == 2 else { return }
        let other = add.inputs[0] == output ? add.inputs[1] : add.inputs[0]
        // Constants are biases (folded already when per-channel); only a computed tensor is a residual.
        guard editor.constant(other) == nil else { return }
        let outputs = add.outputs
        editor.remove(readerIndex)
        editor.update(index) { node in
            let bias = node.inputs.count == 3 ? node.inputs[2] : ""
            node.inputs = [node.inputs[0], node.inputs[1], bias, other]
            node.outputs = outputs
        }
    }

    private static func fuseBias(_ index: Int, _ editor: inout GraphEditor) {
        let matmul = editor.node(index)
        guard matmul.inputs.count == 2, let weights = editor.constant(matmul.inputs[1]), weights.rank == 2,
              let output = matmul.outputs.first, let readerIndex = editor.soleReader(of: output) else { return }
        let add = editor.node(readerIndex)
        guard add.opType == "Add", add.inputs.count == 2 else { return }
        let other = add.inputs[0] == output ? add.inputs[1] : add.inputs[0]
        let columns = weights.shape[1]
        guard let bias = editor.constant(other), bias.elementType == .float32, bias.count == columns,
              bias.shape.last == columns else { return }
        let biasName = editor.addConstant(bias.reshaped([columns]), base: matmul.name + "/bias")
        let outputs = add.outputs
        editor.remove(readerIndex)
        editor.update(index) { node in
            node.inputs = [node.inputs[0], node.inputs[1], biasName]
            node.outputs = outputs
        }
    }

    private static func fuseActivation(_ index: Int, _ editor: inout GraphEditor) {
        let host = editor.node(index)
        guard host.attributes[Epilogue.activationAttribute] == nil, let output = host.outputs.first,
              let readerIndex = editor.soleReader(of: output) else { return }
        let reader = editor.node(readerIndex)
        guard reader.outputs.count == 1, let parameters = activationParameters(reader, editor) else { return }
        editor.remove(readerIndex)
        editor.update(index) { node in
            node.attributes[Epilogue.activationAttribute] = .string(reader.opType)
            node.attributes[Epilogue.parametersAttribute] = .floats(parameters)
            node.outputs = reader.outputs
        }
    }

    /// The parameters `Activation(onnxName:parameters:)` expects, or nil when the node is not a fusable
    /// activation (Clip bounds computed at run time, for one).
    private static func activationParameters(_ node: Node, _ editor: GraphEditor) -> [Float]? {
        switch node.opType {
        case "Relu", "Sigmoid", "Tanh", "HardSwish":
            return []
        case "LeakyRelu":
            return (try? node.float("alpha", default: 0.01)).map { [$0] }
        case "HardSigmoid":
            guard let alpha = try? node.float("alpha", default: 0.2),
                  let beta = try? node.float("beta", default: 0.5) else { return nil }
            return [alpha, beta]
        case "Clip":
            if editor.graph.opset < 11 {
                guard let low = try? node.float("min", default: -.greatestFiniteMagnitude),
                      let high = try? node.float("max", default: .greatestFiniteMagnitude) else { return nil }
                return [low, high]
            }
            func bound(_ position: Int, _ fallback: Float) -> Float? {
                guard position < node.inputs.count, !node.inputs[position].isEmpty else { return fallback }
                guard let value = editor.constant(node.inputs[position]), value.count == 1 else { return nil }
                return value.floatValues[0]
            }
            guard let low = bound(1, -.infinity), let high = bound(2, .infinity) else { return nil }
            return [low, high]
        default:
            return nil
        }
    }
}
