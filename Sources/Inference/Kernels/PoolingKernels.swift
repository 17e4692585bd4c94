/// MaxPool and AveragePool over one plane at a time (1-D planes have height 1), eight outputs per vector.
///
/// Most windows use the depthwise convolution's layout: the plane is copied into a `PaddedPhasePlane`
/// (padded with -infinity for maxima, 0 for sums), so every tap of eight neighbouring windows is one
/// contiguous load, with no bounds checks anywhere. Each lane combines its taps in the order a scalar loop
/// over the window would, skipping the padding, so the results are exactly those of that loop: a maximum
/// keeps `Swift.max(best, value)`'s choice (NaN ignored), and adding the 0 padding leaves a sum unchanged.
///
/// When there are too few outputs per row to fill a vector but each window row is long (global-like
/// windows, such as 7×7 over 7×7), vectors run along each window row instead (`spans`); sums are then
/// added in a different order (within float rounding of the scalar loop).
struct PoolingWindow {
    enum Strategy: Equatable { case columns, spans }

    let kind: PoolKind
    let geometry: WindowGeometry
    let placement: WindowGeometry.Placement
    let height: Int, width: Int
    let countIncludePad: Bool
    let strategy: Strategy
    let layout: PaddedPhasePlane

    init(kind: PoolKind, geometry: WindowGeometry, placement: WindowGeometry.Placement, height: Int, width: Int,
         countIncludePad: Bool, strategy: Strategy? = nil) {
        self.kind = kind
        self.geometry = geometry
        self.placement = placement
        self.height = height
        self.width = width
        self.countIncludePad = countIncludePad
        layout = PaddedPhasePlane(height: height, width: width, geometry: geometry, placement: placement)
        let narrow = placement.outputW == 1 || (placement.outputW < 8 && geometry.kernel.w >= 8)
        self.strategy = strategy ?? (narrow && geometry.dilation.w == 1 ? .spans : .columns)
    }

    /// Floats of scratch one worker needs for one plane.
    var scratchSize: Int { strategy == .columns ? layout.floatCount : 0 }

    /// Floats of the divisors shared by every plane (`divisors`), for averages.
    var divisorCount: Int { kind == .average ? placement.outputH + placement.outputW + 8 : 0 }

    /// An average's divisor is (rows counted) × (columns counted), each depending on one coordinate only:
    /// the rows of output row oy, then the columns of each output column, as floats (then exact products).
    /// Eight 1s follow the columns, for the lanes past the end of a narrow row.
    func divisors(into factors: UnsafeMutablePointer<Float>) {
        guard kind == .average else { return }
        func counted(_ start: Int, _ kernel: Int, _ extent: Int, _ padEnd: Int) -> Int {
            // Padding counts when asked, but never the overhang of a ceil_mode window past the end padding.
            countIncludePad ? min(start + kernel, extent + padEnd) - start
                            : max(0, min(start + kernel, extent) - max(start, 0))
        }
        for oy in 0..<placement.outputH {
            factors[oy] = Float(counted(oy * geometry.stride.h - placement.padTop, geometry.kernel.h, height,
                                        placement.padBottom))
        }
        let columns = factors + placement.outputH
        for ox in 0..<placement.outputW {
            columns[ox] = Float(counted(ox * geometry.stride.w - placement.padLeft, geometry.kernel.w, width,
                                        placement.padRight))
        }
        (columns + placement.outputW).update(repeating: 1, count: 8)
    }

    /// One output plane; `divisors` as written by `divisors(into:)` (unused for maxima).
    func plane(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
               scratch: UnsafeMutablePointer<Float>, divisors: UnsafePointer<Float>) {
        guard placement.outputH > 0 && placement.outputW > 0 else { return }
        switch (strategy, kind) {
        case (.columns, .max): columns(Maximum.self, input, output, scratch, divisors)
        case (.columns, .average): columns(Sum.self, input, output, scratch, divisors)
        case (.spans, .max): spans(Maximum.self, input, output, divisors)
        case (.spans, .average): spans(Sum.self, input, output, divisors)
        }
    }

    private func columns<R: PoolReduction>(_: R.Type, _ input: UnsafePointer<Float>,
                                          _ output: UnsafeMutablePointer<Float>,
                                          _ scratch: UnsafeMutablePointer<Float>, _ divisors: UnsafePointer<Float>) {
        typealias Vector = SIMD8<Float>
        layout.fill(scratch, from: input, height: height, width: width, padding: R.identity)
        let (kh, kw) = geometry.kernel, taps = kh * kw
        let average = kind == .average, columnDivisors = divisors + placement.outputH
        withUnsafeTemporaryAllocation(of: Int.self, capacity: taps) { offsets in
            for ky in 0..<kh {
                for kx in 0..<kw {
                    offsets[ky * kw + kx] = layout.tapOffset(ky: ky, kx: kx, dilation: geometry.dilation)
                }
            }
            @inline(__always) func finish(_ value: Vector, _ oy: Int, _ ox: Int) -> Vector {
                guard average else { return value }
                let divisor = Vector(repeating: divisors[oy]) * ActivationMath.load(columnDivisors + ox)
                return (value / divisor).replacing(with: 0, where: divisor .<= 0)
            }
            let identity = Vector(repeating: R.identity)
            let source = UnsafePointer(scratch), rowStep = geometry.stride.h * layout.rowStride
            PlaneVectors.forEach(
                rows: placement.outputH, columns: placement.outputW, source: source, rowStep: rowStep,
                output: output,
                block: { window, oy, ox in
                    var a = identity, b = identity, c = identity, d = identity
                    for t in 0..<taps {
                        let tap = window + offsets[t]
                        a = R.combine(a, ActivationMath.load(tap))
                        b = R.combine(b, ActivationMath.load(tap + 8))
                        c = R.combine(c, ActivationMath.load(tap + 16))
                        d = R.combine(d, ActivationMath.load(tap + 24))
                    }
                    return (finish(a, oy, ox), finish(b, oy, ox + 8), finish(c, oy, ox + 16), finish(d, oy, ox + 24))
                },
                vector: { window, oy, ox in
                    var value = identity
                    for t in 0..<taps { value = R.combine(value, ActivationMath.load(window + offsets[t])) }
                    return finish(value, oy, ox)
                })
        }
    }

    /// Each output reduces its window row by row (rows that span the whole input width merge into one run).
    private func spans<R: PoolReduction>(_: R.Type, _ input: UnsafePointer<Float>,
                                        _ output: UnsafeMutablePointer<Float>, _ divisors: UnsafePointer<Float>) {
        let (kh, kw) = geometry.kernel, (sh, sw) = geometry.stride, dh = geometry.dilation.h
        for oy in 0..<placement.outputH {
            let y0 = oy * sh - placement.padTop
            // The window's rows inside the input: y0 + ky * dh for ky in firstRow..<endRow.
            let firstRow = y0 >= 0 ? 0 : (-y0 + dh - 1) / dh
            let endRow = max(firstRow, min(kh, y0 < height ? (height - y0 + dh - 1) / dh : 0))
            for ox in 0..<placement.outputW {
                let x0 = ox * sw - placement.padLeft
                let start = max(x0, 0), end = min(x0 + kw, width)
                var value = R.identity
                if start < end && firstRow < endRow {
                    if start == 0 && end == width && dh == 1 {
                        let rows = input + (y0 + firstRow) * width
                        value = R.reduce(rows, count: (endRow - firstRow) * width, into: value)
                    } else {
                        for ky in firstRow..<endRow {
                            value = R.reduce(input + (y0 + ky * dh) * width + start, count: end - start, into: value)
                        }
                    }
                }
                if kind == .average {
                    let divisor = divisors[oy] * divisors[placement.outputH + ox]
                    value = divisor > 0 ? value / divisor : 0
                }
                output[oy * placement.outputW + ox] = value
            }
        }
    }
}

/// How a pool combines the values of a window: the value of an empty window, and one step.
protocol PoolReduction {
    static var identity: Float { get }
    static func combine(_ accumulated: SIMD8<Float>, _ value: SIMD8<Float>) -> SIMD8<Float>
    static func combine(_ accumulated: Float, _ value: Float) -> Float
}

extension PoolReduction {
    /// Folds `count` consecutive floats into `accumulated`: sixteen lanes at a time (each lane starting from
    /// the identity, so a NaN is ignored as by the scalar step), the lanes in order, then the tail.
    @inline(__always)
    static func reduce(_ values: UnsafePointer<Float>, count: Int, into accumulated: Float) -> Float {
        var result = accumulated, i = 0
        if count >= 16 {
            var lanes = SIMD8<Float>(repeating: identity), more = lanes
            while i + 16 <= count {
                lanes = combine(lanes, ActivationMath.load(values + i))
                more = combine(more, ActivationMath.load(values + i + 8))
                i += 16
            }
            lanes = combine(lanes, more)
            for lane in 0..<8 { result = combine(result, lanes[lane]) }
        }
        while i < count {
            result = combine(result, values[i])
            i += 1
        }
        return result
    }
}

/// `Swift.max(best, value)` lane by lane: the later of equal values, and NaN never replaces a number.
/// (x86's maxps would save an instruction per tap but keeps the earlier of +0 and -0; no measurable gain.)
enum Maximum: PoolReduction {
    static var identity: Float { -.infinity }
    @inline(__always) static func combine(_ accumulated: SIMD8<Float>, _ value: SIMD8<Float>) -> SIMD8<Float> {
        accumulated.replacing(with: value, where: value .>= accumulated)
    }
    @inline(__always) static func combine(_ accumulated: Float, _ value: Float) -> Float {
        Swift.max(accumulated, value)
    }
}

enum Sum: PoolReduction {
    static var identity: Float { 0 }
    @inline(__always) static func combine(_ accumulated: SIMD8<Float>, _ value: SIMD8<Float>) -> SIMD8<Float> {
        accumulated + value
    }
    @inline(__always) static func combine(_ accumulated: Float, _ value: Float) -> Float { accumulated + value }
}
