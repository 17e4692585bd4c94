/// Unfolds the windows of one image's channels into columns, so that a convolution becomes one GEMM:
/// row (c, ky, kx) of the result holds, for every output position, the input pixel that kernel tap reads
/// (zero where the window hangs over the padding).
enum Im2col {
    static func unfold(
        input: UnsafePointer<Float>, channels: Int, height: Int, width: Int,
        geometry: WindowGeometry, placement: WindowGeometry.Placement,
        into columns: UnsafeMutablePointer<Float>, context: ExecutionContext
    ) {
        let (kh, kw) = geometry.kernel
        let (sh, sw) = geometry.stride
        let (dh, dw) = geometry.dilation
        let oh = placement.outputH, ow = placement.outputW
        let top = placement.padTop, left = placement.padLeft
        let rows = channels * kh * kw
        context.parallelRanges(rows, minimumPerWorker: 8) { range in
            for row in range {
                let kx = row % kw, ky = (row / kw) % kh, c = row / (kw * kh)
                let plane = input + c * height * width
                let out = columns + row * oh * ow
                // Output columns whose input column is inside the image, for this kx.
                let xOffset = kx * dw - left
                let firstX = xOffset >= 0 ? 0 : min(ow, (-xOffset + sw - 1) / sw)
                let lastX = max(firstX, min(ow, (width - 1 - xOffset) >= 0 ? (width - 1 - xOffset) / sw + 1 : 0))
                for oy in 0..<oh {
                    let iy = oy * sh - top + ky * dh
                    let line = out + oy * ow
                    guard iy >= 0 && iy < height else {
                        line.update(repeating: 0, count: ow)
                        continue
                    }
                    let source = plane + iy * width + xOffset
                    if firstX > 0 { line.update(repeating: 0, count: firstX) }
                    if sw == 1 {
                        (line + firstX).update(from: source + firstX, count: lastX - firstX)
                    } else {
                        for ox in firstX..<lastX { line[ox] = source[ox * sw] }
                    }
                    if lastX < ow { (line + lastX).update(repeating: 0, count: ow - lastX) }
                }
            }
        }
    }
}
