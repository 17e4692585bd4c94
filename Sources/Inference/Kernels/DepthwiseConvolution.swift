/// Depthwise convolution (one input channel per group) computed directly: it has too little arithmetic per
/// byte for a GEMM to pay off.
///
/// Each input plane is first copied into a zero-padded plane split into `strideW` column phases (phase p holds
/// padded columns p, p + s, p + 2s, ...). Every kernel tap then reads a contiguous run of one phase, so
/// eight outputs at a time accumulate all taps in SIMD registers with no bounds checks.
enum DepthwiseConvolution {
    /// Floats of scratch one worker needs for planes of this size.
    static func scratchSize(height: Int, width: Int, geometry: WindowGeometry,
                            placement: WindowGeometry.Placement) -> Int {
        let layout = PhaseLayout(height: height, width: width, geometry: geometry, placement: placement)
        // Slack after the last row: the final partial chunk of a row loads a full SIMD8 vector.
        return layout.phases * layout.paddedHeight * layout.phaseWidth + 8
    }

    /// One output plane from one input plane and one kernel (kh × kw weights).
    static func plane(
        input: UnsafePointer<Float>, height: Int, width: Int, weights: UnsafePointer<Float>,
        geometry: WindowGeometry, placement: WindowGeometry.Placement, output: UnsafeMutablePointer<Float>,
        scratch: UnsafeMutablePointer<Float>
    ) {
        let layout = PhaseLayout(height: height, width: width, geometry: geometry, placement: placement)
        layout.fill(scratch, from: input, height: height, width: width, top: placement.padTop, left: placement.padLeft)

        let (kh, kw) = geometry.kernel
        let (sh, _) = geometry.stride
        let (dh, dw) = geometry.dilation
        let sw = geometry.stride.w
        let ow = placement.outputW
        let planeSize = layout.paddedHeight * layout.phaseWidth
        // Where each tap reads, relative to the output row's first input row: (phase plane + row + column).
        var tapOffsets = [Int](repeating: 0, count: kh * kw)
        for ky in 0..<kh {
            for kx in 0..<kw {
                let column = kx * dw
                tapOffsets[ky * kw + kx] = (column % sw) * planeSize + ky * dh * layout.phaseWidth + column / sw
            }
        }
        tapOffsets.withUnsafeBufferPointer { taps in
            for oy in 0..<placement.outputH {
                let base = UnsafePointer(scratch) + oy * sh * layout.phaseWidth
                let line = output + oy * ow
                var ox = 0
                while ox + 8 <= ow {
                    var sum = SIMD8<Float>()
                    for t in 0..<taps.count {
                        let values = UnsafeRawPointer(base + taps[t] + ox).loadUnaligned(as: SIMD8<Float>.self)
                        sum.addProduct(values, SIMD8(repeating: weights[t]))
                    }
                    UnsafeMutableRawPointer(line + ox).storeBytes(of: sum, as: SIMD8<Float>.self)
                    ox += 8
                }
                if ox < ow {
                    // The last few outputs: a full vector over the slack, keeping only the lanes that exist.
                    var sum = SIMD8<Float>()
                    for t in 0..<taps.count {
                        let values = UnsafeRawPointer(base + taps[t] + ox).loadUnaligned(as: SIMD8<Float>.self)
                        sum.addProduct(values, SIMD8(repeating: weights[t]))
                    }
                    for lane in 0..<(ow - ox) { line[ox + lane] = sum[lane] }
                }
            }
        }
    }

    /// The padded, phase-split copy of one input plane.
    private struct PhaseLayout {
        let phases: Int, paddedHeight: Int, phaseWidth: Int

        init(height: Int, width: Int, geometry: WindowGeometry, placement: WindowGeometry.Placement) {
            phases = geometry.stride.w
            // Rows and columns the windows reach: at least the padded input, and far enough for the last window.
            let rowsNeeded = (placement.outputH - 1) * geometry.stride.h + (geometry.kernel.h - 1) * geometry.dilation.h + 1
            paddedHeight = max(rowsNeeded, height + placement.padTop)
            let columnsNeeded = (placement.outputW - 1) * geometry.stride.w + (geometry.kernel.w - 1) * geometry.dilation.w + 1
            let paddedWidth = max(columnsNeeded, width + placement.padLeft)
            phaseWidth = (paddedWidth + phases - 1) / phases
        }

        func fill(_ scratch: UnsafeMutablePointer<Float>, from input: UnsafePointer<Float>, height: Int, width: Int,
                  top: Int, left: Int) {
            scratch.update(repeating: 0, count: phases * paddedHeight * phaseWidth)
            let planeSize = paddedHeight * phaseWidth
            for y in 0..<min(height, paddedHeight - top) {
                let source = input + y * width
                let row = scratch + (y + top) * phaseWidth
                if phases == 1 {
                    (row + left).update(from: source, count: min(width, phaseWidth - left))
                } else {
                    // Phase p takes the input columns x with (x + left) % phases == p, in order.
                    for phase in 0..<phases {
                        var x = ((phase - left) % phases + phases) % phases
                        var target = row + phase * planeSize + (x + left) / phases
                        while x < width {
                            target.pointee = source[x]
                            target += 1
                            x += phases
                        }
                    }
                }
            }
        }
    }
}
