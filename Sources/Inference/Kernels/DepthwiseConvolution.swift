#if arch(x86_64)
import _Builtin_intrinsics.intel  // maxps / minps (the package compiles for Haswell-class CPUs on x86-64)
#endif

/// Depthwise convolution (one input channel per group) computed directly: it has too little arithmetic per
/// byte for a GEMM to pay off.
///
/// Each input plane is first copied into a `PaddedPhasePlane` (zero padding, columns split by stride phase),
/// so every kernel tap reads a contiguous run and eight outputs at a time accumulate all taps in SIMD
/// registers with no bounds checks. 3×3 kernels (nearly all of them in practice) have their taps and weights
/// unrolled into registers; other kernels loop over their taps for four vectors at a time.
enum DepthwiseConvolution {
    typealias Vector = SIMD8<Float>

    /// Floats of scratch one worker needs for planes of this size.
    static func scratchSize(height: Int, width: Int, geometry: WindowGeometry,
                            placement: WindowGeometry.Placement) -> Int {
        PaddedPhasePlane(height: height, width: width, geometry: geometry, placement: placement).floatCount
    }

    /// One output plane with the epilogue fused: activation(convolution + bias + residual), written once.
    /// The bias is the accumulators' starting value; Relu and Clip run on the registers before the store.
    static func plane(
        input: UnsafePointer<Float>, height: Int, width: Int, weights: UnsafePointer<Float>,
        geometry: WindowGeometry, placement: WindowGeometry.Placement, output: UnsafeMutablePointer<Float>,
        scratch: UnsafeMutablePointer<Float>, epilogue: Epilogue, bias: Float, residual: UnsafePointer<Float>?
    ) {
        guard placement.outputH > 0 && placement.outputW > 0 else { return }
        let layout = PaddedPhasePlane(height: height, width: width, geometry: geometry, placement: placement)
        layout.fill(scratch, from: input, height: height, width: width, padding: 0)
        let job = Job(source: UnsafePointer(scratch), layout: layout, geometry: geometry, placement: placement,
                      weights: weights, bias: bias, output: output)
        switch (residual, epilogue.activation) {
        case (nil, nil): job.run(PassThrough())
        case (nil, .relu?): job.run(Clamp(lower: 0, upper: .infinity))
        case (nil, .clip(let lower, let upper)?): job.run(Clamp(lower: lower, upper: upper))
        default:
            // The residual comes before the activation: a second pass over the plane, still in cache.
            job.run(PassThrough())
            epilogue.apply(output, count: placement.outputH * placement.outputW, bias: 0, residual: residual)
        }
    }

    /// The identity, for planes whose activation (if any) runs after the residual.
    struct PassThrough: ActivationVectorFunction {
        @inline(__always) func callAsFunction(_ x: Vector) -> Vector { x }
    }

    /// Relu and Clip as ONNX define them: `lower > x ? lower : x`, then `upper < that ? upper : that` (NaN stays
    /// NaN; lower > upper gives upper). On x86-64 that is exactly maxps(lower, x) then minps(upper, ·), one
    /// instruction each; the compiler does not find them itself (the selects differ from IEEE max on signed
    /// zeros in general) and emits compare-and-blend pairs.
    struct Clamp: ActivationVectorFunction {
        let lower: Vector, upper: Vector
        init(lower: Float, upper: Float) {
            self.lower = Vector(repeating: lower)
            self.upper = Vector(repeating: upper)
        }
        @inline(__always) func callAsFunction(_ x: Vector) -> Vector {
            #if arch(x86_64)
            return _mm256_min_ps(upper, _mm256_max_ps(lower, x))
            #else
            let raised = x.replacing(with: lower, where: lower .> x)
            return raised.replacing(with: upper, where: upper .< raised)
            #endif
        }
    }

    /// One plane's pointers and geometry, with the kernels that walk it.
    private struct Job {
        let source: UnsafePointer<Float>
        let layout: PaddedPhasePlane
        let geometry: WindowGeometry
        let placement: WindowGeometry.Placement
        let weights: UnsafePointer<Float>
        let bias: Float
        let output: UnsafeMutablePointer<Float>

        func run<Post: ActivationVectorFunction>(_ post: Post) {
            if geometry.kernel == (3, 3) { run3x3(post) } else { runAnyKernel(post) }
        }

        /// Nine weights in registers, nine loads per eight outputs, three short accumulation chains.
        func run3x3<Post: ActivationVectorFunction>(_ post: Post) {
            @inline(__always) func weight(_ t: Int) -> Vector { Vector(repeating: weights[t]) }
            let (w0, w1, w2, w3, w4, w5) = (weight(0), weight(1), weight(2), weight(3), weight(4), weight(5))
            let (w6, w7, w8) = (weight(6), weight(7), weight(8))
            let c1 = layout.tapOffset(ky: 0, kx: 1, dilation: geometry.dilation)
            let c2 = layout.tapOffset(ky: 0, kx: 2, dilation: geometry.dilation)
            let r1 = layout.tapOffset(ky: 1, kx: 0, dilation: geometry.dilation)
            let r2 = layout.tapOffset(ky: 2, kx: 0, dilation: geometry.dilation)
            let start = Vector(repeating: bias)
            PlaneVectors.forEach(rows: placement.outputH, columns: placement.outputW, source: source,
                                 rowStep: geometry.stride.h * layout.rowStride, output: output) { window, _, _ in
                let middle = window + r1, bottom = window + r2
                var a = start, b = ActivationMath.load(middle) * w3, c = ActivationMath.load(bottom) * w6
                a.addProduct(ActivationMath.load(window), w0)
                b.addProduct(ActivationMath.load(middle + c1), w4)
                c.addProduct(ActivationMath.load(bottom + c1), w7)
                a.addProduct(ActivationMath.load(window + c1), w1)
                b.addProduct(ActivationMath.load(middle + c2), w5)
                c.addProduct(ActivationMath.load(bottom + c2), w8)
                a.addProduct(ActivationMath.load(window + c2), w2)
                return post(a + b + c)
            }
        }

        /// Any kernel: the taps' offsets in a small table, four vectors per pass over it where the row allows.
        func runAnyKernel<Post: ActivationVectorFunction>(_ post: Post) {
            let (kh, kw) = geometry.kernel, taps = kh * kw
            withUnsafeTemporaryAllocation(of: Int.self, capacity: taps) { offsets in
                for ky in 0..<kh {
                    for kx in 0..<kw {
                        offsets[ky * kw + kx] = layout.tapOffset(ky: ky, kx: kx, dilation: geometry.dilation)
                    }
                }
                let start = Vector(repeating: bias)
                PlaneVectors.forEach(
                    rows: placement.outputH, columns: placement.outputW, source: source,
                    rowStep: geometry.stride.h * layout.rowStride, output: output,
                    block: { window, _, _ in
                        var a = start, b = start, c = start, d = start
                        for t in 0..<taps {
                            let weight = Vector(repeating: weights[t]), tap = window + offsets[t]
                            a.addProduct(ActivationMath.load(tap), weight)
                            b.addProduct(ActivationMath.load(tap + 8), weight)
                            c.addProduct(ActivationMath.load(tap + 16), weight)
                            d.addProduct(ActivationMath.load(tap + 24), weight)
                        }
                        return (post(a), post(b), post(c), post(d))
                    },
                    vector: { window, _, _ in
                        var sum = start
                        for t in 0..<taps {
                            sum.addProduct(ActivationMath.load(window + offsets[t]), Vector(repeating: weights[t]))
                        }
                        return post(sum)
                    })
            }
        }
    }
}

/// Walks the outputs of a plane computed from a `PaddedPhasePlane` eight at a time (shared by the depthwise
/// and pooling kernels).
enum PlaneVectors {
    typealias Vector = SIMD8<Float>

    /// Stores the first `count` (< 8) lanes. Constant lane indices only: a variable one makes the compiler
    /// scalarise the computation of `vector`, and a round trip through memory stalls store forwarding.
    @inline(__always)
    static func storePartial(_ vector: Vector, count: Int, to pointer: UnsafeMutablePointer<Float>) {
        let low = vector.lowHalf, high = vector.highHalf
        if count >= 4 {
            UnsafeMutableRawPointer(pointer).storeBytes(of: low, as: SIMD4<Float>.self)
            if count > 4 { pointer[4] = high[0] }
            if count > 5 { pointer[5] = high[1] }
            if count > 6 { pointer[6] = high[2] }
        } else {
            if count > 0 { pointer[0] = low[0] }
            if count > 1 { pointer[1] = low[1] }
            if count > 2 { pointer[2] = low[2] }
        }
    }

    /// Stores `vector(window, oy, ox)` for every eight outputs (oy, ox ..< ox + 8) of a `rows` × `columns`
    /// plane; `window` is where output (oy, ox)'s window starts: `source + oy * rowStep + ox`. A row of at
    /// least eight ends with a vector overlapping the previous one (recomputing a few outputs); narrower rows
    /// store all eight lanes, the surplus overwritten by the rows after, except the last few rows, which store
    /// only theirs.
    @inline(__always)
    static func forEach(rows: Int, columns: Int, source: UnsafePointer<Float>, rowStep: Int,
                        output: UnsafeMutablePointer<Float>, vector: (UnsafePointer<Float>, Int, Int) -> Vector) {
        // (Vector by vector: a kernel keeping many values in registers would spill them with four at once.)
        forEach(rows: rows, columns: columns, source: source, rowStep: rowStep, output: output, blocks: false,
                block: { window, oy, ox in (vector(window, oy, ox), .zero, .zero, .zero) }, vector: vector)
    }

    /// As above; `block` computes 32 outputs at once (four vectors from one pass over the taps).
    @inline(__always)
    static func forEach(rows: Int, columns: Int, source: UnsafePointer<Float>, rowStep: Int,
                        output: UnsafeMutablePointer<Float>,
                        block: (UnsafePointer<Float>, Int, Int) -> (Vector, Vector, Vector, Vector),
                        vector: (UnsafePointer<Float>, Int, Int) -> Vector) {
        forEach(rows: rows, columns: columns, source: source, rowStep: rowStep, output: output, blocks: true,
                block: block, vector: vector)
    }

    @inline(__always)
    private static func forEach(rows: Int, columns: Int, source: UnsafePointer<Float>, rowStep: Int,
                                output: UnsafeMutablePointer<Float>, blocks: Bool,
                                block: (UnsafePointer<Float>, Int, Int) -> (Vector, Vector, Vector, Vector),
                                vector: (UnsafePointer<Float>, Int, Int) -> Vector) {
        if columns < 8 {
            // Full stores while they end inside the plane (each spill is overwritten by the rows after it).
            let fullRows = rows * columns >= 8 ? (rows * columns - 8) / columns + 1 : 0
            for oy in 0..<fullRows { ActivationMath.store(vector(source + oy * rowStep, oy, 0), output + oy * columns) }
            for oy in fullRows..<rows {
                storePartial(vector(source + oy * rowStep, oy, 0), count: columns, to: output + oy * columns)
            }
            return
        }
        for oy in 0..<rows {
            let window = source + oy * rowStep, line = output + oy * columns
            var ox = 0
            while blocks && ox + 32 <= columns {
                let (a, b, c, d) = block(window + ox, oy, ox)
                ActivationMath.store(a, line + ox)
                ActivationMath.store(b, line + ox + 8)
                ActivationMath.store(c, line + ox + 16)
                ActivationMath.store(d, line + ox + 24)
                ox += 32
            }
            while ox + 8 <= columns {
                ActivationMath.store(vector(window + ox, oy, ox), line + ox)
                ox += 8
            }
            if ox < columns { ActivationMath.store(vector(window + columns - 8, oy, columns - 8), line + columns - 8) }
        }
    }
}

/// A padded copy of one input plane, its columns split into `phases` (the window's column stride): phase p of
/// padded row r starts at r * rowStride + p * phaseWidth and holds padded columns p, p + s, p + 2s, ...
/// Every window tap then reads consecutive floats for consecutive outputs, with no bounds checks. The rows
/// and columns cover every window (ceil_mode windows reach past the pads) and are followed by eight floats
/// of slack, so a full vector may be read for the last outputs of the plane.
struct PaddedPhasePlane {
    let phases: Int, rows: Int, phaseWidth: Int
    let top: Int, left: Int

    var rowStride: Int { phases * phaseWidth }
    var floatCount: Int { rows * rowStride + 8 }

    init(height: Int, width: Int, geometry: WindowGeometry, placement: WindowGeometry.Placement) {
        phases = geometry.stride.w
        top = placement.padTop
        left = placement.padLeft
        let spanH = (geometry.kernel.h - 1) * geometry.dilation.h + 1
        let spanW = (geometry.kernel.w - 1) * geometry.dilation.w + 1
        rows = max((placement.outputH - 1) * geometry.stride.h + spanH, height + top)
        let columns = max((placement.outputW - 1) * geometry.stride.w + spanW, width + left)
        phaseWidth = phases == 1 ? columns : (columns + phases - 1) / phases
    }

    /// Where tap (ky, kx) of output (0, 0)'s window lies; output (oy, ox)'s is oy * stride.h * rowStride + ox
    /// further.
    @inline(__always)
    func tapOffset(ky: Int, kx: Int, dilation: (h: Int, w: Int)) -> Int {
        let row = ky * dilation.h * rowStride, column = kx * dilation.w
        return phases == 1 ? row + column : row + (column % phases) * phaseWidth + column / phases
    }

    /// Copies `input` in, writing `padding` everywhere else (0 for sums, -infinity for maxima).
    ///
    /// Padding is written eight floats at a time, each run spilling up to seven floats forward: into data
    /// written after it, into rows filled later, or into the bottom padding and slack. So no store is scalar
    /// and nothing calls memset per row.
    func fill(_ scratch: UnsafeMutablePointer<Float>, from input: UnsafePointer<Float>, height: Int, width: Int,
              padding: Float) {
        let pad = SIMD8<Float>(repeating: padding)
        @inline(__always) func padRun(_ start: UnsafeMutablePointer<Float>, _ count: Int) {
            var offset = 0
            while offset < count {
                ActivationMath.store(pad, start + offset)
                offset += 8
            }
        }
        padRun(scratch, top * rowStride)
        // The bottom run ends exactly at the end of the slack (at least eight floats long).
        let bottom = (top + height) * rowStride
        padRun(scratch + bottom, floatCount - bottom - 8)
        ActivationMath.store(pad, scratch + floatCount - 8)
        guard width > 0 else {
            padRun(scratch + top * rowStride, height * rowStride)
            return
        }
        if phases == 1 {
            for y in 0..<height {
                let row = scratch + (top + y) * rowStride
                padRun(row, left)
                padRun(row + left + width, rowStride - left - width)
                copyRow(input + y * width, width, to: row + left)
            }
            return
        }
        withUnsafeTemporaryAllocation(of: (first: Int, end: Int).self, capacity: phases) { data in
            // Which columns of each phase hold input: the same in every row.
            for phase in 0..<phases {
                data[phase] = (columns(below: left, phase: phase), columns(below: left + width, phase: phase))
            }
            for y in 0..<height {
                let row = scratch + (top + y) * rowStride
                for phase in 0..<phases {
                    let phaseRow = row + phase * phaseWidth
                    padRun(phaseRow, data[phase].first)
                    padRun(phaseRow + data[phase].end, phaseWidth - data[phase].end)
                }
                if phases == 2 {
                    splitRow(input + y * width, width, to: row)
                } else {
                    splitRowScalar(input + y * width, width, to: row)
                }
            }
        }
    }

    /// How many of the padded columns phase, phase + s, phase + 2s, ... lie below `limit`.
    private func columns(below limit: Int, phase: Int) -> Int {
        limit > phase ? (limit - phase + phases - 1) / phases : 0
    }

    private func copyRow(_ source: UnsafePointer<Float>, _ width: Int, to target: UnsafeMutablePointer<Float>) {
        typealias Half = SIMD4<Float>
        if width >= 8 {
            var x = 0
            while x + 8 <= width {
                ActivationMath.store(ActivationMath.load(source + x), target + x)
                x += 8
            }
            if x < width { ActivationMath.store(ActivationMath.load(source + width - 8), target + width - 8) }
        } else if width >= 4 {
            // Two overlapping halves (a loop here would become a memcpy call).
            let head = UnsafeRawPointer(source).loadUnaligned(as: Half.self)
            let tail = UnsafeRawPointer(source + width - 4).loadUnaligned(as: Half.self)
            UnsafeMutableRawPointer(target).storeBytes(of: head, as: Half.self)
            UnsafeMutableRawPointer(target + width - 4).storeBytes(of: tail, as: Half.self)
        } else {
            for x in 0..<width { target[x] = source[x] }
        }
    }

    /// Stride 2: even and odd input columns deinterleaved sixteen (or eight) at a time, the last chunk
    /// overlapping the previous one.
    private func splitRow(_ source: UnsafePointer<Float>, _ width: Int, to row: UnsafeMutablePointer<Float>) {
        @inline(__always) func target(_ x: Int) -> UnsafeMutableRawPointer {
            let column = x + left
            return UnsafeMutableRawPointer(row + (column & 1) * phaseWidth + column >> 1)
        }
        if width >= 16 {
            @inline(__always) func chunk(at x: Int) {
                let values = UnsafeRawPointer(source + x).loadUnaligned(as: SIMD16<Float>.self)
                target(x).storeBytes(of: values.evenHalf, as: SIMD8<Float>.self)
                target(x + 1).storeBytes(of: values.oddHalf, as: SIMD8<Float>.self)
            }
            // Even source columns go to one phase, odd ones to the other: two runs of consecutive floats.
            let evens = target(0), odds = target(1)
            var x = 0
            while x + 16 <= width {
                let values = UnsafeRawPointer(source + x).loadUnaligned(as: SIMD16<Float>.self)
                evens.storeBytes(of: values.evenHalf, toByteOffset: x * 2, as: SIMD8<Float>.self)
                odds.storeBytes(of: values.oddHalf, toByteOffset: x * 2, as: SIMD8<Float>.self)
                x += 16
            }
            if x < width { chunk(at: width - 16) }
        } else if width >= 8 {
            @inline(__always) func chunk(at x: Int) {
                let values = UnsafeRawPointer(source + x).loadUnaligned(as: SIMD8<Float>.self)
                target(x).storeBytes(of: values.evenHalf, as: SIMD4<Float>.self)
                target(x + 1).storeBytes(of: values.oddHalf, as: SIMD4<Float>.self)
            }
            chunk(at: 0)
            chunk(at: width - 8)
        } else {
            splitRowScalar(source, width, to: row)
        }
    }

    private func splitRowScalar(_ source: UnsafePointer<Float>, _ width: Int, to row: UnsafeMutablePointer<Float>) {
        var phase = left % phases, index = left / phases
        for x in 0..<width {
            row[phase * phaseWidth + index] = source[x]
            phase += 1
            if phase == phases {
                phase = 0
                index += 1
            }
        }
    }
}
