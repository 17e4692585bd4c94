/// OneHot: indices [d...] → [d..., depth, ...] with `depth` inserted at `axis`; an index (negative ones count from
/// the end) marks its position with values[1], every other position holds values[0]. An index outside
/// [-depth, depth) marks nothing. The output takes the values' element type.
struct OneHotOperator: Operator {
    let axis: Int

    /// The largest output the operator builds: a depth read from a damaged model must not allocate without bound.
    static let maxOutputElements = 1 << 30

    init(_ spec: OperatorSpec) throws(OpError) {
        axis = try spec.node.int("axis", default: -1)
    }

    func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
        let indices = try inputs.required(0, "indices")
        let depthTensor = try inputs.required(1, "depth")
        let values = try inputs.required(2, "values")
        guard depthTensor.count == 1, let depth = depthTensor.integerValues.first, depth > 0 else {
            throw OpError("depth should be one positive number, got \(depthTensor.floatValues)")
        }
        guard values.count == 2 else { throw OpError("values should hold [off, on], got \(values.count) values") }
        let rank = indices.rank + 1
        guard axis >= -rank && axis < rank else {
            throw OpError("axis \(axis) is out of range for an output of rank \(rank)")
        }
        let position = axis < 0 ? axis + rank : axis
        var shape = indices.shape
        shape.insert(depth, at: position)
        let (total, overflow) = indices.count.multipliedReportingOverflow(by: depth)
        guard !overflow, total <= Self.maxOutputElements else {
            throw OpError("the output \(shape) would hold more than \(Self.maxOutputElements) elements")
        }
        // indices [outer, inner] around the axis; the output is [outer, depth, inner].
        let outer = indices.shape[..<position].reduce(1, *), inner = indices.count / Swift.max(outer, 1)
        let output = context.allocate(values.elementType, shape)
        let width = values.elementType.byteWidth
        let off = values.rawBytes, on = values.rawBytes + width
        let target = output.rawBytes
        for slot in 0..<total {
            target.advanced(by: slot * width).copyMemory(from: off, byteCount: width)
        }
        let marks = indices.integerValues
        for (i, index) in marks.enumerated() where index >= -depth && index < depth {
            let o = i / Swift.max(inner, 1), j = i % Swift.max(inner, 1)
            let slot = (o * depth + (index < 0 ? index + depth : index)) * inner + j
            target.advanced(by: slot * width).copyMemory(from: on, byteCount: width)
        }
        return [output]
    }
}
