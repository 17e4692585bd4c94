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

    /// One output plane from one input plane and one kernel (kh × kw weights), without bias or activation.
    static func plane(
        input: UnsafePointer<Float>, height: Int, width: Int, weights: UnsafePointer<Float>,
        geometry: WindowGeometry, placement: WindowGeometry.Placement, output: UnsafeMutablePointer<Float>,
        scratch: UnsafeMutablePointer<Float>
    ) {
        plane(input: input, height: height, width: width, weights: weights, geometry: geometry,
              placement: placement, output: output, scratch: scratch,
              epilogue: Epilogue(activation: nil), bias: 0, residual: nil)
    }

    /// One output plane with the epilogue fused: activation(convolution + bias + residual), written once.
    /// Bias is the accumulators' starting value; Relu and Clip run on the registers before the store.
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
        case (nil, .relu?): job.run(ActivationMath.Relu())
        case (nil, .clip(let lower, let upper)?): job.run(ActivationMath.Clamp(lower: lower, upper: upper))
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

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(pointer).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    static func store(_ vector: Vector, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: vector, as: Vector.self)
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

        /// Calls `vector(window, ox)` for every eight outputs of every row (window: where the row's first window
        /// starts in the padded plane) and stores the results. A row of at least eight ends with a vector that
        /// overlaps the previous one (recomputing a few outputs) rather than a partial one.
        @inline(__always)
        func forEachVector(_ vector: (UnsafePointer<Float>, Int) -> Vector) {
            let ow = placement.outputW, rowStep = geometry.stride.h * layout.rowStride
            for oy in 0..<placement.outputH {
                let window = source + oy * rowStep, line = output + oy * ow
                guard ow >= 8 else {
                    let values = vector(window, 0)
                    for lane in 0..<ow { line[lane] = values[lane] }
                    continue
                }
                var ox = 0
                while ox + 8 <= ow {
                    store(vector(window, ox), line + ox)
                    ox += 8
                }
                if ox < ow { store(vector(window, ow - 8), line + ow - 8) }
            }
        }

        /// Nine weights in registers, nine loads per eight outputs, three short accumulation chains.
        func run3x3<Post: ActivationVectorFunction>(_ post: Post) {
            @inline(__always) func weight(_ t: Int) -> Vector { Vector(repeating: weights[t]) }
            let (w0, w1, w2, w3, w4, w5) = (weight(0), weight(1), weight(2), weight(3), weight(4), weight(5))
            let (w6, w7, w8) = (weight(6), weight(7), weight(8))
            let c1 = layout.tapOffset(ky: 0, kx: 1, geometry: geometry)
            let c2 = layout.tapOffset(ky: 0, kx: 2, geometry: geometry)
            let r1 = layout.tapOffset(ky: 1, kx: 0, geometry: geometry)
            let r2 = layout.tapOffset(ky: 2, kx: 0, geometry: geometry)
            let start = Vector(repeating: bias)
            forEachVector { window, ox in
                let top = window + ox, middle = top + r1, bottom = top + r2
                var a = start, b = load(middle) * w3, c = load(bottom) * w6
                a.addProduct(load(top), w0)
                b.addProduct(load(middle + c1), w4)
                c.addProduct(load(bottom + c1), w7)
                a.addProduct(load(top + c1), w1)
                b.addProduct(load(middle + c2), w5)
                c.addProduct(load(bottom + c2), w8)
                a.addProduct(load(top + c2), w2)
                return post(a + b + c)
            }
        }

        /// Any kernel: the taps' offsets and weights in a small table, four vectors per pass over it.
        func runAnyKernel<Post: ActivationVectorFunction>(_ post: Post) {
            let (kh, kw) = geometry.kernel
            withUnsafeTemporaryAllocation(of: Int.self, capacity: kh * kw) { offsets in
                for ky in 0..<kh {
                    for kx in 0..<kw { offsets[ky * kw + kx] = layout.tapOffset(ky: ky, kx: kx, geometry: geometry) }
                }
                let taps = kh * kw, ow = placement.outputW, rowStep = geometry.stride.h * layout.rowStride
                let start = Vector(repeating: bias)
                for oy in 0..<placement.outputH {
                    let window = source + oy * rowStep, line = output + oy * ow
                    var ox = 0
                    while ox + 32 <= ow {
                        var a = start, b = start, c = start, d = start
                        for t in 0..<taps {
                            let weight = Vector(repeating: weights[t]), tap = window + offsets[t] + ox
                            a.addProduct(load(tap), weight)
                            b.addProduct(load(tap + 8), weight)
                            c.addProduct(load(tap + 16), weight)
                            d.addProduct(load(tap + 24), weight)
                        }
                        store(post(a), line + ox)
                        store(post(b), line + ox + 8)
                        store(post(c), line + ox + 16)
                        store(post(d), line + ox + 24)
                        ox += 32
                    }
                    while ox < ow {
                        // Past the last full vector of a row of at least eight, overlap the previous outputs.
                        let at = ox + 8 <= ow || ow < 8 ? ox : ow - 8
                        var sum = start
                        for t in 0..<taps { sum.addProduct(load(window + offsets[t] + at), Vector(repeating: weights[t])) }
                        let values = post(sum)
                        if at + 8 <= ow {
                            store(values, line + at)
                        } else {
                            for lane in 0..<(ow - at) { line[at + lane] = values[lane] }
                        }
                        ox = at + 8
                    }
                }
            }
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
        phaseWidth = (columns + phases - 1) / phases
    }

    /// Where tap (ky, kx) of output (0, 0)'s window lies; output (oy, ox)'s is oy * stride.h * rowStride + ox further.
    func tapOffset(ky: Int, kx: Int, geometry: WindowGeometry) -> Int {
        let column = kx * geometry.dilation.w
        return ky * geometry.dilation.h * rowStride + (column % phases) * phaseWidth + column / phases
    }

    /// How many of the padded columns phase, phase + s, phase + 2s, ... lie below `limit`.
    private func columns(below limit: Int, phase: Int) -> Int {
        limit > phase ? (limit - phase + phases - 1) / phases : 0
    }

    /// Copies `input` in, writing `padding` everywhere else (0 for sums, -infinity for maxima).
    func fill(_ scratch: UnsafeMutablePointer<Float>, from input: UnsafePointer<Float>, height: Int, width: Int,
              padding: Float) {
        scratch.update(repeating: padding, count: top * rowStride)
        let below = top + height
        (scratch + below * rowStride).update(repeating: padding, count: floatCount - below * rowStride)
        for y in 0..<height {
            let row = scratch + (top + y) * rowStride
            for phase in 0..<phases {
                let phaseRow = row + phase * phaseWidth
                let first = columns(below: left, phase: phase), end = columns(below: left + width, phase: phase)
                phaseRow.update(repeating: padding, count: first)
                (phaseRow + end).update(repeating: padding, count: phaseWidth - end)
            }
            let source = input + y * width
            switch phases {
            case 1: copyRow(source, width, to: row + left)
            case 2: splitRow(source, width, to: row)
            default: splitRowScalar(source, 0..<width, to: row)
            }
        }
    }

    private func copyRow(_ source: UnsafePointer<Float>, _ width: Int, to target: UnsafeMutablePointer<Float>) {
        guard width >= 8 else {
            target.update(from: source, count: width)
            return
        }
        var x = 0
        while x + 8 <= width {
            DepthwiseConvolution.store(DepthwiseConvolution.load(source + x), target + x)
            x += 8
        }
        if x < width { DepthwiseConvolution.store(DepthwiseConvolution.load(source + width - 8), target + width - 8) }
    }

    /// Stride 2: even and odd input columns deinterleaved sixteen at a time (the last chunk overlapping).
    private func splitRow(_ source: UnsafePointer<Float>, _ width: Int, to row: UnsafeMutablePointer<Float>) {
        @inline(__always) func chunk16(at x: Int) {
            let values = UnsafeRawPointer(source + x).loadUnaligned(as: SIMD16<Float>.self)
            let column = x + left
            UnsafeMutableRawPointer(row + (column & 1) * phaseWidth + column >> 1)
                .storeBytes(of: values.evenHalf, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(row + ((column + 1) & 1) * phaseWidth + (column + 1) >> 1)
                .storeBytes(of: values.oddHalf, as: SIMD8<Float>.self)
        }
        @inline(__always) func chunk8(at x: Int) {
            let values = UnsafeRawPointer(source + x).loadUnaligned(as: SIMD8<Float>.self)
            let column = x + left
            UnsafeMutableRawPointer(row + (column & 1) * phaseWidth + column >> 1)
                .storeBytes(of: values.evenHalf, as: SIMD4<Float>.self)
            UnsafeMutableRawPointer(row + ((column + 1) & 1) * phaseWidth + (column + 1) >> 1)
                .storeBytes(of: values.oddHalf, as: SIMD4<Float>.self)
        }
        if width >= 16 {
            var x = 0
            while x + 16 <= width {
                chunk16(at: x)
                x += 16
            }
            if x < width { chunk16(at: width - 16) }
        } else if width >= 8 {
            chunk8(at: 0)
            chunk8(at: width - 8)
        } else {
            splitRowScalar(source, 0..<width, to: row)
        }
    }

    private func splitRowScalar(_ source: UnsafePointer<Float>, _ columns: Range<Int>,
                                to row: UnsafeMutablePointer<Float>) {
        var phase = (columns.lowerBound + left) % phases, index = (columns.lowerBound + left) / phases
        for x in columns {
            row[phase * phaseWidth + index] = source[x]
            phase += 1
            if phase == phases {
                phase = 0
                index += 1
            }
        }
    }
}
