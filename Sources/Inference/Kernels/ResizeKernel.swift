/// Resize of any rank: each output coordinate maps back to an input coordinate per axis (ONNX's
/// coordinate_transformation_mode), then nearest picks one input element and linear blends the two neighbours.
/// The arithmetic is in Float, as onnxruntime does it, so that ties in nearest rounding break the same way.
struct ResizeKernel {
    struct Settings: Sendable {
        enum Mode: Sendable { case nearest, linear }

        enum Coordinates: String, Sendable {
            case halfPixel = "half_pixel"
            case halfPixelSymmetric = "half_pixel_symmetric"
            case pytorchHalfPixel = "pytorch_half_pixel"
            case alignCorners = "align_corners"
            case asymmetric
            case tfHalfPixelForNN = "tf_half_pixel_for_nn"
        }

        enum Rounding: String, Sendable {
            case roundPreferFloor = "round_prefer_floor"
            case roundPreferCeil = "round_prefer_ceil"
            case floor
            case ceil
            /// Upsample and Resize-10: truncate, or round up when shrinking (onnxruntime's behaviour).
            case simple
        }

        let mode: Mode
        let coordinates: Coordinates
        let rounding: Rounding

        init(mode: String, coordinates: String, nearest: String) throws(OpError) {
            switch mode {
            case "nearest": self.mode = .nearest
            case "linear": self.mode = .linear
            case "cubic": throw OpError("Resize mode 'cubic' is not supported (nearest and linear are)")
            default: throw OpError("unknown Resize mode '\(mode)' (nearest and linear are supported)")
            }
            guard coordinates != "tf_crop_and_resize" else {
                throw OpError("coordinate_transformation_mode 'tf_crop_and_resize' is not supported")
            }
            guard let transform = Coordinates(rawValue: coordinates) else {
                throw OpError("unknown coordinate_transformation_mode '\(coordinates)'")
            }
            guard let rounding = Rounding(rawValue: nearest) else { throw OpError("unknown nearest_mode '\(nearest)'") }
            self.coordinates = transform
            self.rounding = rounding
        }
    }

    let settings: Settings
    /// Per axis: the factor the coordinate transform divides by.
    let scales: [Float]

    func resize(_ input: Tensor, into output: Tensor, context: ExecutionContext) throws(OpError) {
        guard output.count > 0 else { return }
        switch settings.mode {
        case .nearest:
            nearest(input, into: output, context: context)
        case .linear:
            guard input.elementType == .float32 else {
                throw OpError("linear Resize needs float32 data, got \(input.elementType)")
            }
            linear(input, into: output, context: context)
        }
    }

    /// Where output coordinate `x` of `axis` lies in the input.
    func originalCoordinate(_ x: Int, axis: Int, inLength: Int, outLength: Int) -> Float {
        let scale = scales[axis], resized = Float(x)
        switch settings.coordinates {
        case .halfPixel:
            return (resized + 0.5) / scale - 0.5
        case .halfPixelSymmetric:
            let adjustment = Float(outLength) / (scale * Float(inLength))
            let offset = Float(inLength) / 2 * (1 - adjustment)
            return offset + (resized + 0.5) / scale - 0.5
        case .pytorchHalfPixel:
            return outLength > 1 ? (resized + 0.5) / scale - 0.5 : 0
        case .alignCorners:
            return outLength == 1 ? 0 : resized * Float(inLength - 1) / Float(outLength - 1)
        case .asymmetric:
            return resized / scale
        case .tfHalfPixelForNN:
            return (resized + 0.5) / scale
        }
    }

    // MARK: Nearest

    /// The input index each output index of `axis` copies.
    func nearestIndices(axis: Int, inLength: Int, outLength: Int) -> [Int] {
        (0..<outLength).map { x in
            let original = originalCoordinate(x, axis: axis, inLength: inLength, outLength: outLength)
            let rounded: Float
            switch settings.rounding {
            case .roundPreferFloor:
                let floor = original.rounded(.down)
                rounded = original == floor + 0.5 ? floor : original.rounded(.toNearestOrAwayFromZero)
            case .roundPreferCeil:
                rounded = original.rounded(.toNearestOrAwayFromZero)
            case .floor:
                rounded = original.rounded(.down)
            case .ceil:
                rounded = original.rounded(.up)
            case .simple:
                rounded = scales[axis] < 1 ? original.rounded(.up) : original.rounded(.towardZero)
            }
            guard !rounded.isNaN else { return 0 }
            return Int(Swift.min(Swift.max(rounded, 0), Float(inLength - 1)))
        }
    }

    /// Row by row over the innermost axis: each output row reads one input row (the same one as the previous
    /// output row when an outer axis is enlarged, which becomes a copy of that row).
    func nearest(_ input: Tensor, into output: Tensor, context: ExecutionContext) {
        let rank = input.rank, width = input.elementType.byteWidth
        let inShape = input.shape, outShape = output.shape, strides = inShape.strides
        let tables = (0..<rank).map { axis in
            nearestIndices(axis: axis, inLength: inShape[axis], outLength: outShape[axis]).map { $0 * strides[axis] }
        }
        guard rank > 0, let columns = tables.last else {
            output.rawBytes.copyMemory(from: input.rawBytes, byteCount: width)
            return
        }
        let rowLength = outShape[rank - 1], rowBytes = rowLength * width
        let copiesRows = columns == Array(0..<inShape[rank - 1])
        let rows = output.count / rowLength
        let source = UnsafeRawPointer(input.rawBytes), destination = output.rawBytes
        columns.withUnsafeBufferPointer { columns in
            context.parallelRanges(rows, minimumPerWorker: Swift.max(1, StridedCopy.bytesPerWorker / rowBytes)) { range in
                var previousOffset = -1
                for row in range {
                    var rest = row, offset = 0
                    for axis in stride(from: rank - 2, through: 0, by: -1) {
                        offset += tables[axis][rest % outShape[axis]]
                        rest /= outShape[axis]
                    }
                    let to = destination + row * rowBytes
                    if offset == previousOffset {
                        to.copyMemory(from: to - rowBytes, byteCount: rowBytes)
                    } else if copiesRows {
                        to.copyMemory(from: source + offset * width, byteCount: rowBytes)
                    } else {
                        Self.gather(from: source + offset * width, columns, to: to, width: width)
                    }
                    previousOffset = offset
                }
            }
        }
    }

    /// to[j] = from[columns[j]] for elements of `width` bytes.
    static func gather(from source: UnsafeRawPointer, _ columns: UnsafeBufferPointer<Int>,
                       to destination: UnsafeMutableRawPointer, width: Int) {
        switch width {
        case 4: gather(UInt32.self, source, columns, destination)
        case 8: gather(UInt64.self, source, columns, destination)
        default: gather(UInt8.self, source, columns, destination)  // bool
        }
    }

    @inline(__always)
    static func gather<T: FixedWidthInteger>(_: T.Type, _ source: UnsafeRawPointer, _ columns: UnsafeBufferPointer<Int>,
                                             _ destination: UnsafeMutableRawPointer) {
        // Wrapping arithmetic: the table holds valid offsets, and overflow checks would dominate the loop.
        let size = MemoryLayout<T>.stride
        var to = destination
        for column in columns {
            to.storeBytes(of: source.loadUnaligned(fromByteOffset: column &* size, as: T.self), as: T.self)
            to += size
        }
    }
}
