/// Folds what follows a convolution with constant weights into those weights, while the convolution is the
/// only thing feeding it: an inference BatchNormalization (w·s, (b − mean)·s + β with s = γ/√(var + ε)), a
/// constant per-channel Add (how OpenVINO writes a convolution's bias), Sub or Mul (a BatchNorm written out). Also
/// folds a zero Pad before a convolution into its pads (TensorFlow pads explicitly before a VALID convolution),
/// and before a max pool whose input cannot be negative (Keras pads a ReLU's output so before ResNet's pool).
enum ConvolutionFolding {
    static func run(_ editor: inout GraphEditor) {
        for index in editor.nodeIndices {
            switch editor.node(index).opType {
            case "Conv":
                foldPad(into: index, &editor)
                while fold(index, &editor) {}
            case "MaxPool":
                foldPad(into: index, &editor)
            default:
                break
            }
        }
    }

    /// A constant-mode Pad of zeros, over the spatial axes only, feeding only this convolution or max pool. A max
    /// pool pads with -inf, so zeros are the same only when its input is never negative (a ReLU's or a Clip's
    /// from 0) and every window keeps a real element (pad < kernel; no ceil mode, which treats pads differently).
    private static func foldPad(into index: Int, _ editor: inout GraphEditor) {
        let host = editor.node(index)
        guard let input = host.inputs.first, let padIndex = editor.producer(of: input),
              editor.soleReader(of: input) == index, (try? host.string("auto_pad", default: "NOTSET")) == "NOTSET"
        else { return }
        let pad = editor.node(padIndex)
        guard pad.opType == "Pad", (try? pad.string("mode", default: "constant")) == "constant", pad.inputs.count >= 2,
              let pads = editor.constant(pad.inputs[1])?.integerValues, pads.count >= 6, pads.count % 2 == 0,
              pads.allSatisfy({ $0 >= 0 }),
              pad.inputs.count < 3 || pad.inputs[2].isEmpty || editor.constant(pad.inputs[2])?.floatValues == [0],
              pad.inputs.count < 4 || pad.inputs[3].isEmpty else { return }
        let rank = pads.count / 2, spatial = rank - 2
        guard pads[0] == 0, pads[1] == 0, pads[rank] == 0, pads[rank + 1] == 0 else { return }
        let existing = (try? host.ints("pads")) ?? [Int](repeating: 0, count: 2 * spatial)
        guard existing.count == 2 * spatial else { return }
        let added = (0..<spatial).map { existing[$0] + pads[2 + $0] }
            + (0..<spatial).map { existing[spatial + $0] + pads[rank + 2 + $0] }
        if host.opType == "MaxPool" {
            guard let kernel = try? host.ints("kernel_shape"), kernel.count == spatial,
                  (try? host.int("ceil_mode", default: 0)) == 0,
                  (0..<spatial).allSatisfy({ added[$0] < kernel[$0] && added[spatial + $0] < kernel[$0] }),
                  isNeverNegative(pad.inputs[0], editor) else { return }
        }
        editor.update(index) {
            $0.inputs[0] = pad.inputs[0]
            $0.attributes["pads"] = .ints(added)
        }
        editor.remove(padIndex)
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
        case "Mul":
            let other = reader.inputs[0] == output ? reader.inputs[1] : reader.inputs[0]
            guard reader.inputs.count == 2, let factor = editor.constant(other), factor.elementType == .float32,
                  isPerChannel(factor.shape, channels: channels, outputRank: weights.rank) else { return false }
            let values = factor.floatArray
            let scaled = weights.copy()
            let perChannel = weights.count / channels
            for o in 0..<channels {
                let s = values.count == 1 ? values[0] : values[o]
                let row = scaled.floats + o * perChannel
                for i in 0..<perChannel { row[i] *= s }
                newBias[o] *= s
            }
            newWeights = scaled
        case "Add", "Sub":
            // conv + c, c + conv, conv − c (c − conv would negate the weights: left alone).
            let other = reader.inputs[0] == output ? reader.inputs[1] : reader.inputs[0]
            guard reader.inputs.count == 2, reader.opType == "Add" || reader.inputs[0] == output,
                  let addend = editor.constant(other), addend.elementType == .float32,
                  isPerChannel(addend.shape, channels: channels, outputRank: weights.rank) else { return false }
            let values = addend.floatArray, sign: Float = reader.opType == "Add" ? 1 : -1
            for o in 0..<channels { newBias[o] += sign * (values.count == 1 ? values[0] : values[o]) }
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

    /// Whether `value` comes from a ReLU, or a Clip whose lower bound is a constant ≥ 0.
    private static func isNeverNegative(_ value: String, _ editor: GraphEditor) -> Bool {
        guard let producer = editor.producer(of: value) else { return false }
        let node = editor.node(producer)
        switch node.opType {
        case "Relu": return true
        case "Clip":
            if node.inputs.count >= 2, let low = editor.constant(node.inputs[1])?.floatValues.first { return low >= 0 }
            return ((try? node.float("min", default: -.infinity)) ?? -.infinity) >= 0
        default: return false
        }
    }

    /// A constant shaped so that it adds one value per channel of an N×C×… output (or one value overall).
    private static func isPerChannel(_ shape: [Int], channels: Int, outputRank: Int) -> Bool {
        if shape.elementCount == 1 { return shape.count <= outputRank }
        guard shape.count <= outputRank, shape.count >= outputRank - 1 else { return false }
        let aligned = [Int](repeating: 1, count: outputRank - shape.count) + shape
        return aligned[0] == 1 && aligned[1] == channels && aligned.dropFirst(2).allSatisfy { $0 == 1 }
    }
}
