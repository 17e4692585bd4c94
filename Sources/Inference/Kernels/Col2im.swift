/// The inverse of `Im2col` for transposed convolutions: row (c, ky, kx) of `products` holds, for every input
/// pixel, its contribution through that kernel tap; each is added into the output pixel the tap lands on.
enum Col2im {
    struct Layout: Sendable {
        var height: Int, width: Int
        var outputH: Int, outputW: Int
        var kernel: (h: Int, w: Int)
        var stride: (h: Int, w: Int)
        var dilation: (h: Int, w: Int)
        /// How far the full (unpadded) output's origin sits before the kept output's.
        var padTop: Int, padLeft: Int
    }

    /// Overwrites `channels` output planes with the sums; channels are split over the context's workers.
    static func accumulate(_ products: UnsafePointer<Float>, channels: Int, layout: Layout,
                           into output: UnsafeMutablePointer<Float>, context: ExecutionContext) {
        let (kh, kw) = layout.kernel
        let (sh, sw) = layout.stride
        let plane = layout.height * layout.width, outputPlane = layout.outputH * layout.outputW
        context.parallelRanges(channels, minimumPerWorker: 1) { range in
            for c in range {
                let target = output + c * outputPlane
                target.update(repeating: 0, count: outputPlane)
                for ky in 0..<kh {
                    for kx in 0..<kw {
                        let row = products + ((c * kh + ky) * kw + kx) * plane
                        // Input columns whose output column is inside the kept output, for this kx.
                        let xOffset = kx * layout.dilation.w - layout.padLeft
                        let firstX = xOffset >= 0 ? 0 : min(layout.width, (-xOffset + sw - 1) / sw)
                        let lastX = layout.outputW - 1 - xOffset >= 0
                            ? min(layout.width, (layout.outputW - 1 - xOffset) / sw + 1) : 0
                        guard firstX < lastX else { continue }
                        for iy in 0..<layout.height {
                            let oy = iy * sh - layout.padTop + ky * layout.dilation.h
                            guard oy >= 0 && oy < layout.outputH else { continue }
                            let source = row + iy * layout.width
                            let line = target + oy * layout.outputW + xOffset
                            if sw == 1 {
                                for ix in firstX..<lastX { line[ix] += source[ix] }
                            } else {
                                for ix in firstX..<lastX { line[ix * sw] += source[ix] }
                            }
                        }
                    }
                }
            }
        }
    }
}
