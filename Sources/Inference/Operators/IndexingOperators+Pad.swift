/// Pad: pads as an attribute before opset 11, as input 1 from 11 (constant_value input 2, axes input 3 from 18).
/// Negative pads crop. Modes constant, reflect, edge and wrap (opset 19).
struct PadOperator: Operator {
    enum Mode: String {
        case constant, reflect, edge, wrap
    }

    let mode: Mode
    let pads: IntegerList
    /// Opset < 11: the fill value as a float attribute.
    let valueAttribute: Float
    let axes: IntegerList

    init(_ spec: OperatorSpec) throws(OpError) {
        let name = try spec.node.string("mode", default: "constant")
        guard let mode = Mode(rawValue: name) else {
            throw OpError("Pad mode '\(name)' is not supported (constant, reflect, edge and wrap are)")
        }
        self.mode = mode
        // Pad-1 called the attribute "paddings".
        let attribute = spec.node.attributes["paddings"] != nil ? "paddings" : "pads"
        pads = try IntegerList.from(spec, attribute: attribute, input: 1, name: "pads")
        valueAttribute = try spec.node.float("value", default: 0)
        axes = try IntegerList.fromInput(spec, 3, name: "axes")
    }

    func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
        let input = try inputs.required(0, "data")
        let amounts = try pads.require(inputs, "pads")
        let rank = input.rank
        let padded = try axes.resolve(inputs).map { axes throws(OpError) in
            try AxisList.resolve(axes, rank: rank, "Pad axes")
        } ?? Array(0..<rank)
        guard amounts.count == 2 * padded.count else {
            throw OpError("pads \(amounts) should have \(2 * padded.count) entries (begin and end of each padded "
                + "axis) for an input of shape \(input.shape)")
        }
        var begin = [Int](repeating: 0, count: rank), end = begin
        for (i, axis) in padded.enumerated() {
            begin[axis] = amounts[i]
            end[axis] = amounts[i + padded.count]
        }
        let shape = (0..<rank).map { input.shape[$0] + begin[$0] + end[$0] }
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw OpError("pads \(amounts) crop more than the input shape \(input.shape) holds")
        }
        if begin.allSatisfy({ $0 == 0 }) && end.allSatisfy({ $0 == 0 }) { return [input] }
        let output = context.allocate(input.elementType, shape)
        guard output.count > 0 else { return [output] }
        if mode != .constant && input.count == 0 {
            throw OpError("cannot pad an empty input of shape \(input.shape) in \(mode) mode")
        }
        let fill = try fillPattern(inputs, type: input.elementType)
        withUnsafeBytes(of: fill) { value in
            guard let value = value.baseAddress else { return }
            PadKernel(mode: mode, input: input, output: output, begin: begin).run(fill: value, context: context)
        }
        return [output]
    }

    /// The constant fill as the bytes of one element of the data's type.
    private func fillPattern(_ inputs: [Tensor?], type: ElementType) throws(OpError) -> UInt64 {
        var pattern: UInt64 = 0
        if let given = inputs.optional(2), given.count > 0 {
            guard given.elementType == type else {
                throw OpError("constant_value is \(given.elementType) but the data is \(type)")
            }
            withUnsafeMutableBytes(of: &pattern) {
                $0.baseAddress?.copyMemory(from: given.rawBytes, byteCount: type.byteWidth)
            }
            return pattern
        }
        withUnsafeMutableBytes(of: &pattern) { bytes in
            switch type {
            case .float32: bytes.storeBytes(of: valueAttribute, as: Float.self)
            case .int64: bytes.storeBytes(of: CastKernel.truncated(valueAttribute, to: Int64.self), as: Int64.self)
            case .int32: bytes.storeBytes(of: CastKernel.truncated(valueAttribute, to: Int32.self), as: Int32.self)
            case .bool: bytes.storeBytes(of: valueAttribute != 0, as: Bool.self)
            }
        }
        return pattern
    }
}

/// Writes the padded output row by row (a row being the innermost axis): rows whose outer coordinates fall in
/// the constant border are one fill; others copy their in-range middle with one memcpy and map the border
/// elements (reflect, edge, wrap) or fill them.
struct PadKernel {
    let mode: PadOperator.Mode
    let input: Tensor
    let output: Tensor
    let begin: [Int]

    func run(fill: UnsafeRawPointer, context: ExecutionContext) {
        let rank = input.rank
        let width = input.elementType.byteWidth
        let inShape = input.shape, outShape = output.shape, strides = inShape.strides, begin = begin
        let rowLength = outShape[rank - 1], sourceLength = inShape[rank - 1], shift = begin[rank - 1]
        let rows = output.count / rowLength
        let middle = Swift.max(shift, 0)..<Swift.min(shift + sourceLength, rowLength)
        let leftEnd = Swift.min(Swift.max(shift, 0), rowLength)
        let rightStart = Swift.max(middle.upperBound, leftEnd)
        let source = UnsafeRawPointer(input.rawBytes), destination = output.rawBytes
        let mode = mode
        context.parallelRanges(rows, minimumPerWorker: Swift.max(1, StridedCopy.bytesPerWorker / (rowLength * width))) {
            for row in $0 {
                let to = destination + row * rowLength * width
                var rest = row, offset = 0, inside = true
                for axis in stride(from: rank - 2, through: 0, by: -1) {
                    let coordinate = rest % outShape[axis]
                    rest /= outShape[axis]
                    guard let mapped = Self.source(coordinate - begin[axis], size: inShape[axis], mode) else {
                        inside = false
                        break
                    }
                    offset += mapped * strides[axis]
                }
                guard inside else {
                    StridedCopy.fill(to, count: rowLength, with: fill, width: width)
                    continue
                }
                let from = source + offset * width
                if !middle.isEmpty {
                    (to + middle.lowerBound * width).copyMemory(from: from + (middle.lowerBound - shift) * width,
                                                               byteCount: middle.count * width)
                }
                func border(_ column: Int) {
                    let mapped = Self.source(column - shift, size: sourceLength, mode)
                    (to + column * width).copyMemory(from: mapped.map { from + $0 * width } ?? fill, byteCount: width)
                }
                for column in 0..<leftEnd { border(column) }
                for column in rightStart..<rowLength { border(column) }
            }
        }
    }

    /// The input coordinate an output coordinate reads, or nil for the constant border.
    @inline(__always)
    static func source(_ coordinate: Int, size: Int, _ mode: PadOperator.Mode) -> Int? {
        if coordinate >= 0 && coordinate < size { return coordinate }
        switch mode {
        case .constant:
            return nil
        case .edge:
            return coordinate < 0 ? 0 : size - 1
        case .reflect:
            guard size > 1 else { return 0 }
            let period = 2 * (size - 1)
            var folded = coordinate % period
            if folded < 0 { folded += period }
            return folded < size ? folded : period - folded
        case .wrap:
            var folded = coordinate % size
            if folded < 0 { folded += size }
            return folded
        }
    }
}
