/// Folds what follows a convolution with constant weights into those weights, while the convolution is the
/// only thing feeding it: an inference BatchNormalization (w·s, (b − mean)·s + β with s = γ/√(var + ε)) and
/// a constant per-channel Add (how OpenVINO writes a convolution's bias).
enum ConvolutionFolding {
    static func run(_ editor: inout GraphEditor) {
        for index in editor.nodeIndices where editor.node(index).opType == "Conv" {
            while fold(index, &editor) {}
        }
    }

    /// Folds the convolution's sole reader into it; false when there is nothing (more) to fold.
    private static func fold(_ index: Int, _ editor: inout GraphEditor) -> Bool {
        let conv = editor.node(index)
        guard conv.inputs.count >= 2, conv.inputs.count <= 3, let output = conv.outputs.first,
              let weights = editor.constant(conv.inputs[1]), weights.elementType == .float32, weights.rank >= 3,
              let readerIndex = editor.soleReader(of: output) else { return false }
        let channels = weights.shape[0]
        var bias = conv.inputs.count == 3 ? editor.constant(conv.inputs[2])?.floatArray : [Float](repeating: 0, count: channels)
        if conv.inputs.count == 3 && !conv.inputs[2].isEmpty && bias == nil { return false }  // bias computed at run time
        if bias == nil { bias = [Float](repeating: 0, count: channels) }
        guard var newBias = bias, newBias.count == channels else { return false }
        let reader = editor.node(readerIndex)
        var newWeights: Tensor?

        switch reader.opType {
        case "BatchNormalization":
            guard reader.inputs.count == 5, reader.outputs.count == 1 || reader.outputs.dropFirst().allSatisfy(\.isEmpty),
                  let gamma = editor.constant(reader.inputs[1])?.floatValues,
                  let beta = editor.constant(reader.inputs[2])?.floatValues,
                  let mean = editor.constant(reader.inputs[3])?.floatValues,
                  let variance = editor.constant(reader.inputs[4])?.floatValues,
                  [gamma, beta, mean, variance].allSatisfy({ $0.count == channels }),
                  let epsilon = try? reader.float("epsilon", default: 1e-5),
                  (try? reader.int("training_mode", default: 0)) == 0 else { return false }
            let scaled = weights.copy()
            let perChannel = weights.count / channels
            for o in 0..<channels {
                let s = gamma[o] / (variance[o] + epsilon).squareRoot()
                let row = scaled.floats + o * perChannel
                for i in 0..<perChannel { row[i] *= s }
                newBias[o] = (newBias[o] - mean[o]) * s + beta[o]
            }
            newWeights = scaled
        case "Add":
            let other = reader.inputs[0] == output ? reader.inputs[1] : reader.inputs[0]
            guard reader.inputs.count == 2, let addend = editor.constant(other), addend.elementType == .float32,
                  isPerChannel(addend.shape, channels: channels, outputRank: weights.rank) else { return false }
            let values = addend.floatArray
            for o in 0..<channels { newBias[o] += values.count == 1 ? values[0] : values[o] }
        default:
            return false
        }

        let weightsName = newWeights.map { editor.addConstant($0, base: conv.inputs[1]) } ?? conv.inputs[1]
        let biasName = editor.addConstant(Tensor(floats: newBias, shape: [channels]), base: conv.name + "/bias")
        let outputs = reader.outputs
        editor.remove(readerIndex)
        editor.update(index) { node in
            node.inputs = [node.inputs[0], weightsName, biasName]
            node.outputs = [outputs[0]]
        }
        return true
    }

    /// A constant shaped so that it adds one value per channel of an N×C×… output (or one value overall).
    private static func isPerChannel(_ shape: [Int], channels: Int, outputRank: Int) -> Bool {
        if shape.elementCount == 1 { return shape.count <= outputRank }
        guard shape.count <= outputRank, shape.count >= outputRank - 1 else { return false }
        let aligned = [Int](repeating: 1, count: outputRank - shape.count) + shape
        return aligned[0] == 1 && aligned[1] == channels && aligned.dropFirst(2).allSatisfy { $0 == 1 }
    }
}
