/// 3×3, stride-1 convolution by Winograd's minimal filtering F(2×2, 3×3): each 2×2 output tile costs 16
/// multiplications per input channel instead of 36, which turns most of ResNet-style networks' arithmetic
/// into 16 GEMMs that are 2.25 times smaller than im2col's. The transform matrices hold only 0, ±1 and ½,
/// so results stay as accurate as the direct method in float32.
///
/// Layout: tiles are numbered row by row over the whole batch; a block of whole tile rows is transformed into
/// V[ξ][c][t] (ξ = the 16 transform positions), multiplied by the pre-transformed weights U[ξ][o][c] into
/// M[ξ][o][t], and transformed back into 2×2 outputs, so the working set stays bounded for any batch.
struct WinogradConvolution: Sendable {
    let outChannels: Int
    let inChannels: Int
    /// U[ξ][o][c] = (G g Gᵀ)[ξ] for the kernel g of output o and input c.
    let transformedWeights: Tensor

    /// Whether a convolution of this shape takes the Winograd path (enough channels for the GEMMs to pay off).
    static func applies(kernel: (h: Int, w: Int), stride: (h: Int, w: Int), dilation: (h: Int, w: Int),
                        groups: Int, inChannels: Int, outChannels: Int) -> Bool {
        kernel == (3, 3) && stride == (1, 1) && dilation == (1, 1) && groups == 1
            && inChannels >= 16 && outChannels >= 16
    }

    init(weights: Tensor) {
        outChannels = weights.shape[0]
        inChannels = weights.shape[1]
        let pairs = outChannels * inChannels
        transformedWeights = Tensor(zeros: .float32, shape: [16, outChannels, inChannels])
        let g = weights.floats, u = transformedWeights.floats
        for pair in 0..<pairs {
            let k = g + pair * 9
            // G g (4×3), then (G g) Gᵀ (4×4); G = [[1,0,0], [½,½,½], [½,-½,½], [0,0,1]].
            var rows = [Float](repeating: 0, count: 12)
            for column in 0..<3 {
                let a = k[column], b = k[3 + column], c = k[6 + column]
                rows[column] = a
                rows[3 + column] = (a + b + c) / 2
                rows[6 + column] = (a - b + c) / 2
                rows[9 + column] = c
            }
            for row in 0..<4 {
                let a = rows[row * 3], b = rows[row * 3 + 1], c = rows[row * 3 + 2]
                let values = [a, (a + b + c) / 2, (a - b + c) / 2, c]
                for column in 0..<4 { u[(row * 4 + column) * pairs + pair] = values[column] }
            }
        }
    }

    /// Runs the convolution of `input` (N × Cin × H × W) into `output` (N × Cout × H' × W') with the given
    /// placement (the 3×3 window's padding), then the epilogue on every output row.
    func run(input: UnsafePointer<Float>, batch: Int, height: Int, width: Int,
             placement: WindowGeometry.Placement, output: UnsafeMutablePointer<Float>,
             bias: [Float]?, residual: UnsafePointer<Float>?, epilogue: Epilogue, context: ExecutionContext) {
        let tiles = TileGrid(outputH: placement.outputH, outputW: placement.outputW)
        let totalRows = batch * tiles.rows
        // Tile rows per block: about 2^20 floats of transformed input, and at least 64 tiles for the GEMMs.
        let rowsPerBlock = max(1, min(totalRows, max(64, (1 << 20) / (16 * inChannels)) / tiles.columns))
        let blockTiles = rowsPerBlock * tiles.columns
        let transformed = context.scratchFloats(16 * inChannels * blockTiles)
        let products = context.scratchFloats(16 * outChannels * blockTiles)
        let rowScratchSize = 4 * 2 * tiles.phaseWidth
        let rowScratch = context.scratchFloats(rowScratchSize * context.workerCount(inChannels))
        var firstRow = 0
        while firstRow < totalRows {
            let rowCount = min(rowsPerBlock, totalRows - firstRow)
            let count = rowCount * tiles.columns
            let block = Block(firstRow: firstRow, rowCount: rowCount, tiles: tiles, stride: count)
            // 1. V[ξ][c][t] = Bᵀ d B for every input channel and tile of the block.
            context.parallelWorkers(inChannels) { worker, channels in
                let rows = rowScratch.floats + worker * rowScratchSize
                for c in channels {
                    transformInput(input, channel: c, height: height, width: width, placement: placement,
                                   block: block, rows: rows, into: transformed.floats + c * count)
                }
            }
            // 2. M[ξ] = U[ξ] · V[ξ]: sixteen independent Cout × count × Cin products, shared out whole among the
            //    workers (splitting each one would pack its operands once per worker).
            context.parallelFor(16) { position in
                Sgemm.single(transposeA: false, transposeB: false, m: outChannels, n: count, k: inChannels, alpha: 1,
                             a: transformedWeights.floats + position * outChannels * inChannels, lda: inChannels,
                             b: transformed.floats + position * inChannels * count, ldb: count, beta: 0,
                             c: products.floats + position * outChannels * count, ldc: count)
            }
            // 3. Y = Aᵀ M A into the output, then bias, residual and activation.
            context.parallelRanges(outChannels) { channels in
                for o in channels {
                    transformOutput(products.floats + o * count, channel: o, block: block, placement: placement,
                                    output: output, bias: bias?[o] ?? 0, residual: residual, epilogue: epilogue)
                }
            }
            firstRow += rowCount
        }
    }

    /// How a layer's outputs split into 2×2 tiles; `phaseWidth` is the width of one even/odd column phase of a
    /// padded input row (tiles + 1 columns, plus slack so that a row's last SIMD8 load stays inside).
    struct TileGrid {
        let rows: Int, columns: Int, phaseWidth: Int
        init(outputH: Int, outputW: Int) {
            rows = (outputH + 1) / 2
            columns = (outputW + 1) / 2
            phaseWidth = columns + 1 + 8
        }
    }

    /// A run of whole tile rows (numbered over the batch: image × tile rows + tile row).
    struct Block {
        let firstRow: Int, rowCount: Int, tiles: TileGrid
        /// Distance between two transform positions' matrices, in floats per channel row (= tiles in the block).
        let stride: Int
    }

    private func transformInput(_ input: UnsafePointer<Float>, channel: Int, height: Int, width: Int,
                                placement: WindowGeometry.Placement, block: Block,
                                rows: UnsafeMutablePointer<Float>, into target: UnsafeMutablePointer<Float>) {
        let tiles = block.tiles, phaseWidth = tiles.phaseWidth
        let positionStride = inChannels * block.stride
        for blockRow in 0..<block.rowCount {
            let row = block.firstRow + blockRow
            let image = row / tiles.rows, tileRow = row % tiles.rows
            let plane = input + (image * inChannels + channel) * height * width
            // The four padded input rows this tile row reads, split into even and odd columns.
            rows.update(repeating: 0, count: 8 * phaseWidth)
            for r in 0..<4 {
                let y = tileRow * 2 + r - placement.padTop
                guard y >= 0 && y < height else { continue }
                let source = plane + y * width
                let even = rows + r * 2 * phaseWidth, odd = even + phaseWidth
                for x in 0..<width {
                    let column = x + placement.padLeft
                    guard column < 2 * (tiles.columns + 1) else { break }
                    if column & 1 == 0 { even[column >> 1] = source[x] } else { odd[column >> 1] = source[x] }
                }
            }
            var column = 0
            while column < tiles.columns {
                let lanes = min(8, tiles.columns - column)
                let offset = blockRow * tiles.columns + column
                // d B for each padded row r: columns 2t + j are even[t], odd[t], even[t + 1], odd[t + 1].
                func rowTransform(_ r: Int) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
                    let even = UnsafeRawPointer(rows + r * 2 * phaseWidth + column)
                    let odd = UnsafeRawPointer(rows + (r * 2 + 1) * phaseWidth + column)
                    let d0 = even.loadUnaligned(as: SIMD8<Float>.self), d1 = odd.loadUnaligned(as: SIMD8<Float>.self)
                    let d2 = even.loadUnaligned(fromByteOffset: 4, as: SIMD8<Float>.self)
                    let d3 = odd.loadUnaligned(fromByteOffset: 4, as: SIMD8<Float>.self)
                    return (d0 - d2, d1 + d2, d2 - d1, d1 - d3)
                }
                func store(_ value: SIMD8<Float>, _ position: Int) {
                    let destination = target + position * positionStride + offset
                    if lanes == 8 {
                        UnsafeMutableRawPointer(destination).storeBytes(of: value, as: SIMD8<Float>.self)
                    } else {
                        for lane in 0..<lanes { destination[lane] = value[lane] }
                    }
                }
                let w0 = rowTransform(0), w1 = rowTransform(1), w2 = rowTransform(2), w3 = rowTransform(3)
                // Bᵀ (d B): the same combination across rows.
                store(w0.0 - w2.0, 0); store(w0.1 - w2.1, 1); store(w0.2 - w2.2, 2); store(w0.3 - w2.3, 3)
                store(w1.0 + w2.0, 4); store(w1.1 + w2.1, 5); store(w1.2 + w2.2, 6); store(w1.3 + w2.3, 7)
                store(w2.0 - w1.0, 8); store(w2.1 - w1.1, 9); store(w2.2 - w1.2, 10); store(w2.3 - w1.3, 11)
                store(w1.0 - w3.0, 12); store(w1.1 - w3.1, 13); store(w1.2 - w3.2, 14); store(w1.3 - w3.3, 15)
                column += 8
            }
        }
    }

    private func transformOutput(_ products: UnsafePointer<Float>, channel: Int, block: Block,
                                 placement: WindowGeometry.Placement, output: UnsafeMutablePointer<Float>,
                                 bias: Float, residual: UnsafePointer<Float>?, epilogue: Epilogue) {
        let tiles = block.tiles, oh = placement.outputH, ow = placement.outputW
        let positionStride = outChannels * block.stride
        for blockRow in 0..<block.rowCount {
            let row = block.firstRow + blockRow
            let image = row / tiles.rows, tileRow = row % tiles.rows
            let planeOffset = (image * outChannels + channel) * oh * ow
            let plane = output + planeOffset
            var column = 0
            while column < tiles.columns {
                let offset = blockRow * tiles.columns + column
                func load(_ position: Int) -> SIMD8<Float> {
                    UnsafeRawPointer(products + position * positionStride + offset).loadUnaligned(as: SIMD8<Float>.self)
                }
                // Aᵀ m: rows (m0 + m1 + m2, m1 − m2 − m3) for each column j; then the same across columns.
                func rows(_ j: Int) -> (SIMD8<Float>, SIMD8<Float>) {
                    let m0 = load(j), m1 = load(4 + j), m2 = load(8 + j), m3 = load(12 + j)
                    return (m0 + m1 + m2, m1 - m2 - m3)
                }
                let r0 = rows(0), r1 = rows(1), r2 = rows(2), r3 = rows(3)
                let y = (r0.0 + r1.0 + r2.0, r1.0 - r2.0 - r3.0, r0.1 + r1.1 + r2.1, r1.1 - r2.1 - r3.1)
                let lanes = min(8, tiles.columns - column)
                for i in 0..<2 {
                    let outRow = tileRow * 2 + i
                    guard outRow < oh else { continue }
                    let line = plane + outRow * ow
                    let left = i == 0 ? y.0 : y.2, right = i == 0 ? y.1 : y.3
                    for lane in 0..<lanes {
                        let x = (column + lane) * 2
                        line[x] = left[lane]
                        if x + 1 < ow { line[x + 1] = right[lane] }
                    }
                }
                column += 8
            }
            for i in 0..<2 where tileRow * 2 + i < oh {
                let offset = planeOffset + (tileRow * 2 + i) * ow
                epilogue.apply(output + offset, count: ow, bias: bias, residual: residual.map { $0 + offset })
            }
        }
    }
}
