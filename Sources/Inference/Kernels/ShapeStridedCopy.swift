/// Copies between strided views of memory, whatever the element type: the one kernel behind Slice, Expand,
/// Tile and the transposes that keep the innermost axis innermost.
///
/// Element (i0, ..., in) moves from `source + Σ ik * sourceStrides[k]` to `destination + Σ ik *
/// destinationStrides[k]` (strides in elements; a source stride may be 0 to broadcast, or negative).
enum StridedCopy {
    struct Axis: Equatable {
        var size: Int
        var source: Int
        var destination: Int
    }

    /// Bytes one worker should at least get before a copy is split over threads: below this the hand-off costs
    /// more than the copy.
    static let bytesPerWorker = 1 << 17

    static func copy(from source: UnsafeRawPointer, strides sourceStrides: [Int],
                     to destination: UnsafeMutableRawPointer, strides destinationStrides: [Int],
                     shape: [Int], width: Int, context: ExecutionContext) {
        if shape.contains(0) { return }
        var outer = simplify(shape: shape, source: sourceStrides, destination: destinationStrides)
        let inner = outer.popLast() ?? Axis(size: 1, source: 1, destination: 1)
        let runBytes = inner.size * width
        if inner.source == 1 && inner.destination == 1 {
            forEachRun(outer, runBytes: runBytes, context: context) { s, d in
                (destination + d * width).copyMemory(from: source + s * width, byteCount: runBytes)
            }
        } else {
            forEachRun(outer, runBytes: runBytes, context: context) { s, d in
                copyElements(from: source + s * width, stride: inner.source, to: destination + d * width,
                             stride: inner.destination, count: inner.size, width: width)
            }
        }
    }

    /// Drops unit axes and merges neighbours that are contiguous in both views, so the innermost run is as
    /// long as it can be (often the whole copy becomes one memcpy).
    static func simplify(shape: [Int], source: [Int], destination: [Int]) -> [Axis] {
        var axes: [Axis] = []
        for k in shape.indices where shape[k] != 1 {
            let axis = Axis(size: shape[k], source: source[k], destination: destination[k])
            if let last = axes.last, last.source == axis.source * axis.size,
               last.destination == axis.destination * axis.size {
                axes[axes.count - 1] = Axis(size: last.size * axis.size, source: axis.source,
                                            destination: axis.destination)
            } else {
                axes.append(axis)
            }
        }
        return axes
    }

    /// Calls `body(sourceOffset, destinationOffset)` (in elements) for every index of the `outer` axes, split
    /// over the context's threads when the runs add up to enough bytes.
    static func forEachRun(_ outer: [Axis], runBytes: Int, context: ExecutionContext,
                           _ body: (Int, Int) -> Void) {
        let count = outer.reduce(1) { $0 * $1.size }
        let perWorker = max(1, bytesPerWorker / max(runBytes, 1))
        context.parallelRanges(count, minimumPerWorker: perWorker) { range in
            forEachOffset(outer, in: range, body)
        }
    }

    /// Walks the flat indices `range` of `axes` like an odometer, keeping both offsets up to date by addition.
    static func forEachOffset(_ axes: [Axis], in range: Range<Int>, _ body: (Int, Int) -> Void) {
        guard !range.isEmpty else { return }
        let rank = axes.count
        guard rank > 0 else {
            body(0, 0)
            return
        }
        var index = [Int](repeating: 0, count: rank)
        var rest = range.lowerBound
        var s = 0, d = 0
        for k in stride(from: rank - 1, through: 0, by: -1) {
            index[k] = rest % axes[k].size
            rest /= axes[k].size
            s += index[k] * axes[k].source
            d += index[k] * axes[k].destination
        }
        for _ in range {
            body(s, d)
            var k = rank - 1
            while k >= 0 {
                index[k] += 1
                s += axes[k].source
                d += axes[k].destination
                if index[k] < axes[k].size { break }
                s -= axes[k].source * axes[k].size
                d -= axes[k].destination * axes[k].size
                index[k] = 0
                k -= 1
            }
        }
    }

    /// `count` elements from a strided source to a strided destination (strides in elements).
    static func copyElements(from source: UnsafeRawPointer, stride sourceStride: Int,
                             to destination: UnsafeMutableRawPointer, stride destinationStride: Int,
                             count: Int, width: Int) {
        switch width {
        case 4: copyElements(UInt32.self, source, sourceStride, destination, destinationStride, count)
        case 8: copyElements(UInt64.self, source, sourceStride, destination, destinationStride, count)
        case 1: copyElements(UInt8.self, source, sourceStride, destination, destinationStride, count)
        default:
            for i in 0..<count {
                (destination + i * destinationStride * width)
                    .copyMemory(from: source + i * sourceStride * width, byteCount: width)
            }
        }
    }

    /// Wrapping offset arithmetic: offsets are in range by construction, and overflow checks would cost more
    /// than the copy itself.
    @inline(__always)
    static func copyElements<T: FixedWidthInteger>(_: T.Type, _ source: UnsafeRawPointer, _ sourceStride: Int,
                                                   _ destination: UnsafeMutableRawPointer,
                                                   _ destinationStride: Int, _ count: Int) {
        let size = MemoryLayout<T>.stride
        if sourceStride == 0 {
            let value = source.loadUnaligned(as: T.self)
            if destinationStride == 1 {
                for i in 0..<count { destination.storeBytes(of: value, toByteOffset: i &* size, as: T.self) }
                return
            }
        }
        let sourceStep = sourceStride &* size, destinationStep = destinationStride &* size
        var from = source, to = destination
        for _ in 0..<count {
            to.storeBytes(of: from.loadUnaligned(as: T.self), as: T.self)
            from += sourceStep
            to += destinationStep
        }
    }

    /// Writes `count` copies of the element at `value` (Pad's constant, ConstantOfShape's fill).
    static func fill(_ destination: UnsafeMutableRawPointer, count: Int, with value: UnsafeRawPointer, width: Int) {
        copyElements(from: value, stride: 0, to: destination, stride: 1, count: count, width: width)
    }
}

