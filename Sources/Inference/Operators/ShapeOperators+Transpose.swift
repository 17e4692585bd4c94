/// Transpose: output axis k is input axis perm[k]; without `perm` the axes are reversed.
struct TransposeOperator: Operator {
    let perm: [Int]?

    init(_ spec: OperatorSpec) throws(OpError) {
        perm = try spec.node.ints("perm")
    }

    func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
        let input = try inputs.required(0, "data")
        let order = perm ?? Array((0..<input.rank).reversed())
        guard order.count == input.rank, order.sorted() == Array(0..<input.rank) else {
            throw OpError("perm \(order) is not a permutation of the axes of an input of shape \(input.shape)")
        }
        let shape = order.map { input.shape[$0] }
        // Moving only axes of size 1 keeps the element order: no copy needed.
        if order.filter({ input.shape[$0] != 1 }) == (0..<input.rank).filter({ input.shape[$0] != 1 }) {
            return [input.reshaped(shape)]
        }
        let output = context.allocate(input.elementType, shape)
        TransposeKernel.transpose(input, perm: order, into: output, context: context)
        return [output]
    }
}
