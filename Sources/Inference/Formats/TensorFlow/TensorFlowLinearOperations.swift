import Foundation

/// MatMul, BatchMatMul (V1–V3) and Einsum, all as ONNX MatMul with the operands' axes arranged by Transposes
/// (folded at load for constant weights).
enum TensorFlowLinearOperations {
    typealias Translation = TensorFlowOperations.Translation

    static let translations: [String: Translation] = [
        "MatMul": { c in try matMul(c, transposeA: c.bool("transpose_a", default: false),
                                    transposeB: c.bool("transpose_b", default: false)) },
        "BatchMatMul": batchMatMul,
        "BatchMatMulV2": batchMatMul,
        "BatchMatMulV3": batchMatMul,
        "Einsum": einsum,
    ]

    private static func batchMatMul(_ c: TensorFlowNodeContext) throws {
        try matMul(c, transposeA: c.bool("adj_x", default: false), transposeB: c.bool("adj_y", default: false))
    }

    /// `value` with its last two axes swapped.
    private static func swapLastTwo(_ c: TensorFlowNodeContext, _ index: Int) throws -> String {
        let rank = try c.rank(ofInput: index, for: "transposing a matrix operand")
        guard rank >= 2 else { throw c.invalid("input \(index) has rank \(rank); a matrix needs 2") }
        return c.transpose(c.inputs[index], perm: Array(0..<rank - 2) + [rank - 1, rank - 2])
    }

    private static func matMul(_ c: TensorFlowNodeContext, transposeA: Bool, transposeB: Bool) throws {
        try c.requireInputs(2)
        let a = transposeA ? try swapLastTwo(c, 0) : c.inputs[0]
        let b = transposeB ? try swapLastTwo(c, 1) : c.inputs[1]
        var shape: [Int?]? = nil
        if let left = c.translator.shape(of: a), let right = c.translator.shape(of: b), left.count >= 2, right.count >= 2 {
            let batch = TensorFlowOperations.broadcast(Array(left.dropLast(2)), Array(right.dropLast(2))) ?? []
            shape = batch + [left[left.count - 2], right[right.count - 1]]
        }
        c.emitOutput("MatMul", [a, b], shape: shape)
    }

    /// Two-operand Einsum without repeated letters in one operand, ellipses or traces ("abc,cd->abd",
    /// "aecd,abcd->acbe", what Keras' EinsumDense and MultiHeadAttention write). Letters split into batch (both
    /// operands and the output), contracted (both operands only), left-free and right-free; the operands are
    /// arranged as [batch, free, contracted] and [batch, contracted, free], groups of several letters merged
    /// by a Reshape (their sizes must be known at load), multiplied, and the result put in the output's order.
    private static func einsum(_ c: TensorFlowNodeContext) throws {
        try c.requireInputs(2)
        let equation = try c.string("equation", default: "").replacingOccurrences(of: " ", with: "")
        let sides = equation.components(separatedBy: "->")
        let operands = sides.first?.components(separatedBy: ",") ?? []
        guard sides.count == 2, operands.count == 2, c.inputs.count == 2 else {
            throw c.invalid("equation '\(equation)' is not supported (two operands and an explicit output are)")
        }
        let left = Array(operands[0]), right = Array(operands[1]), out = Array(sides[1])
        for term in [left, right, out] where Set(term).count != term.count || term.contains(where: { !$0.isLetter }) {
            throw c.invalid("equation '\(equation)' is not supported (ellipses and repeated letters are not)")
        }
        let batch = left.filter { right.contains($0) && out.contains($0) }
        let contracted = left.filter { right.contains($0) && !out.contains($0) }
        let leftFree = left.filter { !right.contains($0) && out.contains($0) }
        let rightFree = right.filter { !left.contains($0) && out.contains($0) }
        guard out.allSatisfy({ left.contains($0) || right.contains($0) }),
              left.allSatisfy({ right.contains($0) || out.contains($0) }),
              right.allSatisfy({ left.contains($0) || out.contains($0) }) else {
            throw c.invalid("equation '\(equation)' sums a letter of one operand alone, which is not supported")
        }
        // Sizes of letters, from whichever operand's shape knows them.
        var sizes: [Character: Int] = [:]
        for (term, index) in [(left, 0), (right, 1)] {
            guard let dims = c.shape(ofInput: index), dims.count == term.count else {
                if c.shape(ofInput: index) != nil { throw c.invalid("operand \(index) does not have rank \(term.count)") }
                continue
            }
            for (letter, size) in zip(term, dims) { if let size { sizes[letter] = size } }
        }
        func merged(_ letters: [Character]) throws -> Int {
            try letters.reduce(1) { product, letter in
                guard let size = sizes[letter] else {
                    throw c.invalid("equation '\(equation)': the size of '\(letter)' is not known at load")
                }
                let (result, overflow) = product.multipliedReportingOverflow(by: size)
                guard !overflow else { throw c.invalid("equation '\(equation)': impossibly large operands") }
                return result
            }
        }
        // Left operand: [batch, leftFree, contracted]; several leading free letters stay as they are when there
        // is no batch (MatMul broadcasts leading axes).
        let keepLeftFree = batch.isEmpty && leftFree.count > 1
        let leftOrder = batch + leftFree + contracted
        var a = c.transpose(c.inputs[0], perm: leftOrder.compactMap { left.firstIndex(of: $0) })
        if contracted.count != 1 || (!keepLeftFree && leftFree.count != 1) {
            // 0 keeps a dimension as it is (the leading axes are in place after the transpose).
            let freePart = keepLeftFree ? leftFree.map { _ in 0 } : [try merged(leftFree)]
            a = c.reshape(a, to: Array(repeating: 0, count: batch.count) + freePart + [try merged(contracted)])
        }
        let rightOrder = batch + contracted + rightFree
        var b = c.transpose(c.inputs[1], perm: rightOrder.compactMap { right.firstIndex(of: $0) })
        if contracted.count != 1 || rightFree.count != 1 {
            b = c.reshape(b, to: Array(repeating: 0, count: batch.count) + [try merged(contracted), try merged(rightFree)])
        }
        var product = c.emitValue("MatMul", [a, b])
        // Product axes: batch, leftFree (merged unless kept), rightFree (merged); unmerge, then reorder.
        let productLetters = batch + leftFree + rightFree
        if (!keepLeftFree && leftFree.count != 1) || rightFree.count != 1 {
            let leftPart = keepLeftFree ? leftFree.map { _ in 0 } : leftFree.map { sizes[$0] ?? -1 }
            let target = Array(repeating: 0, count: batch.count) + leftPart + rightFree.map { sizes[$0] ?? -1 }
            guard target.filter({ $0 == -1 }).count <= 1 else {
                throw c.invalid("equation '\(equation)': the sizes of the free letters are not known at load")
            }
            product = c.reshape(product, to: target)
        }
        let perm = out.compactMap { productLetters.firstIndex(of: $0) }
        c.alias(perm == Array(perm.indices) ? product : c.transpose(product, perm: perm))
    }
}
