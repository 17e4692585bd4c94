/// Linear Resize: bilinear over the last two axes in one pass (the image case), any other set of axes as one
/// 1-D pass per resized axis (linear interpolation is separable).
extension ResizeKernel {
    /// The two input neighbours of one output coordinate and their weights.
    struct Tap {
        var lower: Int
        var upper: Int
        var lowerWeight: Float
        var upperWeight: Float
    }

    /// The coordinate is clamped into the input, and a tap at the edge reads the edge element twice with
    /// weights 0.5 (onnxruntime's convention; the sum is the element itself).
    func linearTaps(axis: Int, inLength: Int, outLength: Int) -> [Tap] {
        (0..<outLength).map { x in
            let original = originalCoordinate(x, axis: axis, inLength: inLength, outLength: outLength)
            let clamped = original.isNaN ? 0 : Swift.min(Swift.max(original, 0), Float(inLength - 1))
            let lower = Swift.min(Int(clamped), inLength - 1)
            let upper = Swift.min(lower + 1, inLength - 1)
            if lower == upper { return Tap(lower: lower, upper: upper, lowerWeight: 0.5, upperWeight: 0.5) }
            return Tap(lower: lower, upper: upper, lowerWeight: Float(upper) - clamped,
                       upperWeight: clamped - Float(lower))
        }
    }

    func linear(_ input: Tensor, into output: Tensor, context: ExecutionContext) {
        let rank = input.rank
        let taps = (0..<rank).map { linearTaps(axis: $0, inLength: input.shape[$0], outLength: output.shape[$0]) }
        let resized = (0..<rank).filter { axis in
            input.shape[axis] != output.shape[axis]
                || !taps[axis].enumerated().allSatisfy { $1.lower == $0 && ($1.upperWeight == 0 || $1.lower == $1.upper) }
        }
        guard let firstResized = resized.first else {
            output.rawBytes.copyMemory(from: input.rawBytes, byteCount: input.byteCount)
            return
        }
        if firstResized >= rank - 2 {
            let rows = rank >= 2 ? rank - 2 : rank - 1
            let rowTaps = rank >= 2 ? taps[rank - 2] : [Tap(lower: 0, upper: 0, lowerWeight: 1, upperWeight: 0)]
            bilinear(input, into: output, planeAxes: rows, rowTaps: rowTaps, columnTaps: taps[rank - 1],
                     context: context)
            return
        }
        var current = input
        for (n, axis) in resized.enumerated() {
            var shape = current.shape
            shape[axis] = output.shape[axis]
            let next = n == resized.count - 1 ? output : context.allocate(.float32, shape)
            Self.linearAlongAxis(current, axis: axis, taps: taps[axis], into: next, context: context)
            current = next
        }
    }

    /// Bilinear over the last two axes of every plane; `planeAxes` leading axes are not resized.
    ///
    /// Separable: input rows are first interpolated along the width into a two-row cache, then each output row
    /// blends two cached rows (a vectorisable loop). When enlarging, consecutive output rows read the same input
    /// rows, so most rows cost only the blend.
    func bilinear(_ input: Tensor, into output: Tensor, planeAxes: Int, rowTaps: [Tap], columnTaps: [Tap],
                  context: ExecutionContext) {
        let inWidth = input.shape.last ?? 1, outWidth = output.shape.last ?? 1
        let inHeight = input.rank >= 2 ? input.shape[input.rank - 2] : 1
        let outHeight = rowTaps.count
        let planes = input.shape[..<planeAxes].reduce(1, *)
        let source = input.floats, destination = output.floats
        rowTaps.withUnsafeBufferPointer { rowTaps in
            columnTaps.withUnsafeBufferPointer { columnTaps in
                context.parallelRanges(planes * outHeight, minimumPerWorker: Swift.max(1, 16_384 / outWidth)) { items in
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * outWidth) { cache in
                        guard let cache = cache.baseAddress else { return }
                        var cached = (-1, -1)
                        /// The cache slot holding input row `index` resized along the width, filled if needed
                        /// (without evicting `keep`).
                        func resizedRow(_ index: Int, keep: Int) -> UnsafeMutablePointer<Float> {
                            if cached.0 == index { return cache }
                            if cached.1 == index { return cache + outWidth }
                            let useFirst = cached.0 != keep
                            let row = useFirst ? cache : cache + outWidth
                            if useFirst { cached.0 = index } else { cached.1 = index }
                            let from = source + index * inWidth
                            for x in 0..<outWidth {
                                let tap = columnTaps[x]
                                row[x] = tap.lowerWeight * from[tap.lower] + tap.upperWeight * from[tap.upper]
                            }
                            return row
                        }
                        for item in items {
                            let plane = item / outHeight, y = rowTaps[item % outHeight]
                            let topIndex = plane * inHeight + y.lower, bottomIndex = plane * inHeight + y.upper
                            let top = resizedRow(topIndex, keep: bottomIndex)
                            let bottom = resizedRow(bottomIndex, keep: topIndex)
                            let row = destination + item * outWidth
                            let topWeight = y.lowerWeight, bottomWeight = y.upperWeight
                            for x in 0..<outWidth { row[x] = topWeight * top[x] + bottomWeight * bottom[x] }
                        }
                    }
                }
            }
        }
    }

    /// One linear pass along `axis`: out[o, j, i] = wl * in[o, lower(j), i] + wu * in[o, upper(j), i].
    static func linearAlongAxis(_ input: Tensor, axis: Int, taps: [Tap], into output: Tensor,
                                context: ExecutionContext) {
        let outer = input.shape[..<axis].reduce(1, *)
        let inner = input.shape[(axis + 1)...].reduce(1, *)
        let inLength = input.shape[axis], outLength = taps.count
        let source = input.floats, destination = output.floats
        taps.withUnsafeBufferPointer { taps in
            context.parallelRanges(outer * outLength, minimumPerWorker: Swift.max(1, 16_384 / Swift.max(inner, 1))) {
                for item in $0 {
                    let o = item / outLength, tap = taps[item % outLength]
                    let lower = source + (o * inLength + tap.lower) * inner
                    let upper = source + (o * inLength + tap.upper) * inner
                    let to = destination + item * inner
                    for i in 0..<inner { to[i] = tap.lowerWeight * lower[i] + tap.upperWeight * upper[i] }
                }
            }
        }
    }
}
