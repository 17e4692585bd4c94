/// Removes the layout transposes a channels-last graph carries. A TensorFlow graph is NHWC, the engine's
/// convolutions are NCHW, so its reader wraps each convolution and pool in Transposes; between two convolutions
/// the pair (back to NHWC, then to NCHW again) does nothing but copy. This pass moves each Transpose down
/// through the operators that do not care about the layout (elementwise ones, with constant operands permuted
/// to match; Pad, Concat and reductions with their axes renumbered) until it meets another Transpose, where the
/// two compose, and vanish when they undo each other. Last, a Transpose right after a Pad of the graph's input
/// moves above it, so the Pad sits before the convolution that can take it over (Keras pads its input so).
enum TransposeSinking {
    /// One data input, the others (if any) scalars: the layout does not matter.
    static let unary: Set<String> = [
        "Relu", "Clip", "LeakyRelu", "Sigmoid", "Tanh", "Elu", "Selu", "Celu", "HardSigmoid", "HardSwish",
        "Softplus", "Softsign", "Mish", "Gelu", "Erf", "Neg", "Abs", "Exp", "Log", "Sqrt", "Reciprocal", "Floor",
        "Ceil", "Round", "Cast", "Identity", "Not",
    ]
    /// Broadcasting operators of two or more inputs.
    static let elementwise: Set<String> = [
        "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean", "PRelu", "Equal", "Less", "Greater",
        "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor", "Where",
    ]
    static let reductions: Set<String> = ["ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd"]

    static func run(_ editor: inout GraphEditor) {
        var changed = true
        while changed {
            changed = false
            for index in editor.nodeIndices where editor.node(index).opType == "Transpose" {
                if split(index, &editor) || sink(index, &editor) {
                    changed = true
                    break  // indices moved under us: start over
                }
            }
        }
        // Once only: sinking would move such a Transpose down again.
        for index in editor.nodeIndices where editor.node(index).opType == "Transpose" {
            hoistAboveInputPad(index, &editor)
        }
    }

    /// Pad(x) → Transpose becomes Transpose(x) → Pad with the pads permuted, when x is a graph input and the Pad
    /// feeds only the Transpose.
    private static func hoistAboveInputPad(_ index: Int, _ editor: inout GraphEditor) {
        let transpose = editor.node(index)
        guard let perm = perm(transpose), let padded = transpose.inputs.first,
              let padIndex = editor.producer(of: padded), editor.soleReader(of: padded) == index else { return }
        let pad = editor.node(padIndex)
        guard pad.opType == "Pad", pad.inputs.count >= 2, let source = pad.inputs.first,
              editor.producer(of: source) == nil, editor.constant(source) == nil,
              let pads = editor.constant(pad.inputs[1])?.integerValues, pads.count == 2 * perm.count,
              pad.inputs.count < 4 || pad.inputs[3].isEmpty else { return }
        let rank = perm.count
        // Axis i of the transposed data is axis perm[i] of x: it takes that axis's pads.
        let moved = (0..<rank).map { pads[perm[$0]] } + (0..<rank).map { pads[rank + perm[$0]] }
        let transposed = editor.freshName(base: source)
        let output = transpose.outputs[0]
        editor.update(index) {
            $0.inputs = [source]
            $0.outputs = [transposed]
        }
        let padsName = editor.addConstant(ConstantTensors.int64s(moved), base: pad.inputs[1])
        editor.update(padIndex) {
            $0.inputs[0] = transposed
            $0.inputs[1] = padsName
            $0.outputs = [output]
        }
    }

    /// The permutation of a Transpose node with an explicit `perm`; one without (reverse the axes) is left alone.
    private static func perm(_ node: Node) -> [Int]? {
        guard node.inputs.count == 1, node.outputs.count == 1, let perm = try? node.ints("perm"),
              perm.sorted() == Array(0..<perm.count) else { return nil }
        return perm
    }

    private static func inverse(_ perm: [Int]) -> [Int] {
        var result = perm
        for (i, p) in perm.enumerated() { result[p] = i }
        return result
    }

    /// A Transpose read by several nodes becomes one Transpose per reader, so each can move on its own.
    private static func split(_ index: Int, _ editor: inout GraphEditor) -> Bool {
        let node = editor.node(index)
        guard perm(node) != nil, let output = node.outputs.first, !editor.graphOutputs.contains(output) else {
            return false
        }
        let readers = editor.readers(of: output)
        guard readers.count > 1 else { return false }
        for reader in readers.dropFirst() {
            let copy = editor.freshName(base: output)
            editor.append(Node(name: editor.freshName(base: node.name), opType: "Transpose", inputs: node.inputs,
                               outputs: [copy], attributes: node.attributes))
            editor.update(reader) { $0.inputs = $0.inputs.map { $0 == output ? copy : $0 } }
        }
        return true
    }

    /// Moves the Transpose at `index` below its sole reader; false when that reader does not allow it.
    private static func sink(_ index: Int, _ editor: inout GraphEditor) -> Bool {
        let transpose = editor.node(index)
        guard let perm = perm(transpose), let source = transpose.inputs.first, let output = transpose.outputs.first,
              let readerIndex = editor.soleReader(of: output) else { return false }
        var reader = editor.node(readerIndex)
        guard reader.outputs.count == 1, let readerOutput = reader.outputs.first else { return false }
        let rank = perm.count

        switch reader.opType {
        case "Transpose":
            guard let next = self.perm(reader), next.count == rank else { return false }
            let composed = next.map { perm[$0] }
            if composed == Array(0..<rank), !editor.graphOutputs.contains(readerOutput) {
                editor.replaceUses(of: readerOutput, with: source)
                editor.remove(readerIndex)
            } else {
                editor.update(readerIndex) {
                    $0.inputs = [source]
                    $0.attributes["perm"] = .ints(composed)
                }
            }
            editor.remove(index)
            return true
        case _ where unary.contains(reader.opType):
            guard reader.inputs.first == output,
                  reader.inputs.dropFirst().allSatisfy({ $0.isEmpty || (editor.constant($0)?.count ?? 0) == 1 })
            else { return false }
            reader.inputs[0] = source
        case _ where elementwise.contains(reader.opType):
            // Every other input must be a constant (permuted to match) or the same Transpose of something else.
            let inverse = inverse(perm)
            var partners: [Int] = []
            for input in reader.inputs where input != output {
                if let constant = editor.constant(input), constant.rank <= rank { continue }
                guard let producer = sameTranspose(feeding: input, perm: perm, readerIndex: readerIndex, editor)
                else { return false }
                partners.append(producer)
            }
            for (i, input) in reader.inputs.enumerated() where input != output {
                if let constant = editor.constant(input), constant.rank <= rank {
                    // Aligned to the right as broadcasting does, then laid out as the un-transposed data.
                    let expanded = constant.reshaped([Int](repeating: 1, count: rank - constant.rank) + constant.shape)
                    reader.inputs[i] = editor.addConstant(ConstantTensors.transposed(expanded, perm: inverse),
                                                          base: input)
                }
            }
            bypass(partners, in: &reader, &editor)
            reader.inputs = reader.inputs.map { $0 == output ? source : $0 }
        case "Pad":
            guard reader.inputs.first == output, (try? reader.string("mode", default: "constant")) != nil,
                  reader.inputs.count >= 2, let pads = editor.constant(reader.inputs[1])?.integerValues,
                  pads.count == 2 * rank, reader.inputs.count < 4 || reader.inputs[3].isEmpty else { return false }
            // Result axis i is source axis perm[i]: its begin and end pads move there.
            var moved = pads
            for i in 0..<rank {
                moved[perm[i]] = pads[i]
                moved[rank + perm[i]] = pads[rank + i]
            }
            reader.inputs[0] = source
            reader.inputs[1] = editor.addConstant(ConstantTensors.int64s(moved), base: reader.inputs[1])
        case "Concat":
            guard let axis = try? reader.int("axis", default: 0), axis >= -rank, axis < rank else { return false }
            var partners: [Int] = []
            for input in reader.inputs where input != output {
                guard let producer = sameTranspose(feeding: input, perm: perm, readerIndex: readerIndex, editor)
                else { return false }
                partners.append(producer)
            }
            bypass(partners, in: &reader, &editor)
            reader.inputs = reader.inputs.map { $0 == output ? source : $0 }
            reader.attributes["axis"] = .int(perm[axis < 0 ? axis + rank : axis])
        case _ where reductions.contains(reader.opType):
            return sinkThroughReduction(index, perm: perm, readerIndex: readerIndex, &editor)
        default:
            return false
        }
        moveBelow(index, reader: reader, at: readerIndex, perm: perm, &editor)
        return true
    }

    /// The reader (already rewritten to compute on the un-transposed data) writes a fresh value, and the Transpose
    /// at `index`, now with `perm`, moves to its output.
    private static func moveBelow(_ index: Int, reader: Node, at readerIndex: Int, perm: [Int],
                                  _ editor: inout GraphEditor) {
        var reader = reader
        let readerOutput = reader.outputs[0]
        let moved = editor.freshName(base: readerOutput)
        reader.outputs = [moved]
        editor.update(readerIndex) { $0 = reader }
        editor.update(index) {
            $0.inputs = [moved]
            $0.outputs = [readerOutput]
            $0.attributes["perm"] = .ints(perm)
        }
    }

    /// The Transpose with the same `perm` producing `input`, when the reader is its only reader.
    private static func sameTranspose(feeding input: String, perm: [Int], readerIndex: Int,
                                      _ editor: GraphEditor) -> Int? {
        guard let producer = editor.producer(of: input), editor.node(producer).opType == "Transpose",
              self.perm(editor.node(producer)) == perm, editor.soleReader(of: input) == readerIndex else { return nil }
        return producer
    }

    /// Makes `reader` read the inputs of those Transposes directly, and removes them.
    private static func bypass(_ transposes: [Int], in reader: inout Node, _ editor: inout GraphEditor) {
        for producer in transposes {
            let transpose = editor.node(producer)
            reader.inputs = reader.inputs.map { $0 == transpose.outputs[0] ? transpose.inputs[0] : $0 }
            editor.remove(producer)
        }
    }

    /// A reduction over axes A of the transposed data is one over axes perm[A] of the source; with keepdims the
    /// Transpose follows unchanged, without it the kept axes keep their relative order under a smaller
    /// permutation (often none at all: NHWC mean over H, W gives [N, C] either way).
    private static func sinkThroughReduction(_ index: Int, perm: [Int], readerIndex: Int,
                                             _ editor: inout GraphEditor) -> Bool {
        var reader = editor.node(readerIndex)
        let rank = perm.count
        let output = editor.node(index).outputs[0], source = editor.node(index).inputs[0]
        guard reader.inputs.first == output, !reader.outputs.isEmpty,
              let keepDims = try? reader.int("keepdims", default: 1) else { return false }
        let axesFromInput = reader.inputs.count > 1 && !reader.inputs[1].isEmpty
        let listed: [Int]?
        if axesFromInput {
            guard let values = editor.constant(reader.inputs[1])?.integerValues else { return false }
            listed = values
        } else {
            listed = try? reader.ints("axes")
        }
        // No axes: everything is reduced, and the layout of a scalar does not matter.
        let axes = (listed ?? Array(0..<rank)).map { $0 < 0 ? $0 + rank : $0 }
        guard axes.allSatisfy({ $0 >= 0 && $0 < rank }) else { return false }
        let sourceAxes = axes.map { perm[$0] }.sorted()
        if axesFromInput {
            reader.inputs[1] = editor.addConstant(ConstantTensors.int64s(sourceAxes), base: reader.inputs[1])
        } else if listed != nil {
            reader.attributes["axes"] = .ints(sourceAxes)
        }
        reader.inputs[0] = source
        var remaining = perm
        if keepDims == 0 {
            // The kept result axes, in order, and where each one's source axis lands among the kept source axes.
            let keptSource = (0..<rank).filter { !sourceAxes.contains($0) }
            remaining = (0..<rank).filter { !axes.contains($0) }.compactMap { keptSource.firstIndex(of: perm[$0]) }
        }
        if remaining == Array(0..<remaining.count) {
            editor.update(readerIndex) { $0 = reader }
            editor.remove(index)
            return true
        }
        moveBelow(index, reader: reader, at: readerIndex, perm: remaining, &editor)
        return true
    }
}
