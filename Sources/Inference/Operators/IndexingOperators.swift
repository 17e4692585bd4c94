/// Operators that pick elements by position: Slice, Gather, GatherElements, Pad. All copy contiguous runs
/// with memcpy where the innermost axis allows it.
enum IndexingOperators {
    static let factories: [String: OperatorFactory] = [
        "Slice": { try SliceOperator($0) },
        "Gather": { try GatherOperator($0) },
        "GatherElements": { try GatherElementsOperator($0) },
        "Pad": { try PadOperator($0) },
        "OneHot": { try OneHotOperator($0) },
    ]
}

/// Slice: starts/ends/axes as attributes before opset 10; starts, ends and optional axes and steps as inputs
/// 1–4 from 10.
struct SliceOperator: Operator {
    let starts: IntegerList
    let ends: IntegerList
    let axes: IntegerList
    let steps: IntegerList

    init(_ spec: OperatorSpec) throws(OpError) {
        starts = try IntegerList.from(spec, attribute: "starts", input: 1)
        ends = try IntegerList.from(spec, attribute: "ends", input: 2)
        axes = try IntegerList.from(spec, attribute: "axes", input: 3)
        steps = try IntegerList.fromInput(spec, 4, name: "steps")
    }

    func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
        let input = try inputs.required(0, "data")
        let window = try Self.window(of: input.shape, starts: starts.require(inputs, "starts"),
                                     ends: ends.require(inputs, "ends"), axes: axes.resolve(inputs),
                                     steps: steps.resolve(inputs))
        if window.shape == input.shape && window.steps.allSatisfy({ $0 == 1 }) { return [input] }
        let output = context.allocate(input.elementType, window.shape)
        let strides = input.shape.strides
        let width = input.elementType.byteWidth
        let first = zip(window.begin, strides).reduce(0) { $0 + $1.0 * $1.1 }
        StridedCopy.copy(from: input.rawBytes + first * width, strides: zip(strides, window.steps).map { $0 * $1 },
                         to: output.rawBytes, strides: window.shape.strides, shape: window.shape, width: width,
                         context: context)
        return [output]
    }

    struct Window: Equatable {
        var begin: [Int]
        var steps: [Int]
        var shape: [Int]
    }

    /// ONNX's slice arithmetic per axis: negative starts and ends count from the end, then both are clamped
    /// ([0, d] going forward, [-1, d-1] going backward), so INT64_MAX / INT64_MIN mean "to the end".
    static func window(of shape: [Int], starts: [Int], ends: [Int], axes requestedAxes: [Int]?,
                       steps requestedSteps: [Int]?) throws(OpError) -> Window {
        let axes = requestedAxes ?? Array(0..<starts.count)
        let steps = requestedSteps ?? [Int](repeating: 1, count: starts.count)
        guard ends.count == starts.count, axes.count == starts.count, steps.count == starts.count else {
            throw OpError("starts \(starts), ends \(ends), axes \(axes) and steps \(steps) should have one entry "
                + "per sliced axis")
        }
        let resolved = try AxisList.resolve(axes, rank: shape.count, "Slice axes")
        var window = Window(begin: [Int](repeating: 0, count: shape.count),
                            steps: [Int](repeating: 1, count: shape.count), shape: shape)
        for (i, axis) in resolved.enumerated() {
            let size = shape[axis], step = steps[i]
            guard step != 0 else { throw OpError("slice step for axis \(axes[i]) is 0") }
            var start = starts[i] < 0 ? starts[i] + size : starts[i]
            var end = ends[i] < 0 ? ends[i] + size : ends[i]
            let count: Int
            if step > 0 {
                start = Swift.min(Swift.max(start, 0), size)
                end = Swift.min(Swift.max(end, 0), size)
                count = end > start ? (end - start - 1) / step + 1 : 0
            } else {
                start = Swift.min(Swift.max(start, 0), size - 1)
                end = Swift.min(Swift.max(end, -1), size - 1)
                count = start > end ? (start - end - 1) / -Swift.max(step, -Int.max) + 1 : 0
            }
            window.begin[axis] = count > 0 ? start : 0
            window.steps[axis] = step
            window.shape[axis] = count
        }
        return window
    }
}
