/// C = A · B for a constant A (weights, M × K) and a row-major B (activations, K × N) read where it lies.
///
/// OpenBLAS packs both operands on every call; for convolutions with few channels that copy costs as much as
/// the arithmetic. Here A is packed once at load into panels of six rows (panel[k][r] = A[6p + r][k]), and the
/// kernel streams B directly: each step loads 16 columns of one B row and multiplies them into 6 × 16
/// accumulators held in twelve SIMD8 registers (AVX2 + FMA on x86-64).
public struct PackedWeights: Sendable {
    static let rowsPerPanel = 6
    let rows: Int, depth: Int
    let panels: Tensor

    /// Packs `rows` × `depth` weights stored row-major at `weights` with leading dimension `lda`.
    public init(_ weights: UnsafePointer<Float>, rows: Int, depth: Int, lda: Int) {
        self.rows = rows
        self.depth = depth
        let panelCount = (rows + Self.rowsPerPanel - 1) / Self.rowsPerPanel
        panels = Tensor(zeros: .float32, shape: [panelCount * depth * Self.rowsPerPanel])
        let target = panels.floats
        for row in 0..<rows {
            let panel = row / Self.rowsPerPanel, lane = row % Self.rowsPerPanel
            for k in 0..<depth {
                target[(panel * depth + k) * Self.rowsPerPanel + lane] = weights[row * lda + k]
            }
        }
    }
}

public enum PackedGemm {
    /// C[rows × n] = A · B, splitting the columns over the context's workers.
    public static func multiply(_ a: PackedWeights, b: UnsafePointer<Float>, ldb: Int, n: Int,
                                c: UnsafeMutablePointer<Float>, ldc: Int, context: ExecutionContext) {
        let blocks = (n + 15) / 16
        let workers = a.rows * n * a.depth >= 1 << 19 ? context.workerCount(blocks) : 1
        if workers <= 1 {
            multiply(a, b: b, ldb: ldb, columns: 0..<n, c: c, ldc: ldc)
            return
        }
        context.parallelFor(workers) { worker in
            let first = worker * blocks / workers * 16
            let last = min(n, (worker + 1) * blocks / workers * 16)
            if first < last { multiply(a, b: b, ldb: ldb, columns: first..<last, c: c, ldc: ldc) }
        }
    }

    /// One worker's share: whole 16-column blocks straight from B, then a zero-padded copy for the tail.
    static func multiply(_ a: PackedWeights, b: UnsafePointer<Float>, ldb: Int, columns: Range<Int>,
                         c: UnsafeMutablePointer<Float>, ldc: Int) {
        let panelCount = (a.rows + 5) / 6
        // Chunks of 256 columns: the chunk of B stays in cache across the panels, and each panel writes
        // six runs of C that are long enough to stream (one C row per page would thrash the TLB).
        var column = columns.lowerBound
        let whole = columns.lowerBound + (columns.count / 16) * 16
        while column < whole {
            let chunkEnd = min(whole, column + 256)
            for panel in 0..<panelCount {
                var block = column
                while block < chunkEnd {
                    kernel(a, panel: panel, b: b + block, ldb: ldb, c: c + block, ldc: ldc, columns: 16)
                    block += 16
                }
            }
            column = chunkEnd
        }
        let remaining = columns.upperBound - column
        guard remaining > 0 else { return }
        // The tail: its columns copied into a 16-wide zero-padded strip so the kernel loads whole vectors.
        let strip = UnsafeMutablePointer<Float>.allocate(capacity: a.depth * 16)
        defer { strip.deallocate() }
        strip.initialize(repeating: 0, count: a.depth * 16)
        for k in 0..<a.depth { (strip + k * 16).update(from: b + k * ldb + column, count: remaining) }
        for panel in 0..<panelCount {
            kernel(a, panel: panel, b: UnsafePointer(strip), ldb: 16, c: c + column, ldc: ldc, columns: remaining)
        }
    }

    /// Six rows of C (one panel) × 16 columns; when `columns` < 16 only that many are stored.
    @inline(__always)
    private static func kernel(_ a: PackedWeights, panel: Int, b: UnsafePointer<Float>, ldb: Int,
                               c: UnsafeMutablePointer<Float>, ldc: Int, columns: Int) {
        var c00 = SIMD8<Float>(), c01 = SIMD8<Float>(), c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
        var c20 = SIMD8<Float>(), c21 = SIMD8<Float>(), c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
        var c40 = SIMD8<Float>(), c41 = SIMD8<Float>(), c50 = SIMD8<Float>(), c51 = SIMD8<Float>()
        var weights = UnsafePointer(a.panels.floats) + panel * a.depth * 6
        var row = UnsafeRawPointer(b)
        let rowBytes = ldb * 4
        for _ in 0..<a.depth {
            let b0 = row.loadUnaligned(as: SIMD8<Float>.self)
            let b1 = row.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
            var w = SIMD8<Float>(repeating: weights[0])
            c00.addProduct(w, b0)
            c01.addProduct(w, b1)
            w = SIMD8(repeating: weights[1])
            c10.addProduct(w, b0)
            c11.addProduct(w, b1)
            w = SIMD8(repeating: weights[2])
            c20.addProduct(w, b0)
            c21.addProduct(w, b1)
            w = SIMD8(repeating: weights[3])
            c30.addProduct(w, b0)
            c31.addProduct(w, b1)
            w = SIMD8(repeating: weights[4])
            c40.addProduct(w, b0)
            c41.addProduct(w, b1)
            w = SIMD8(repeating: weights[5])
            c50.addProduct(w, b0)
            c51.addProduct(w, b1)
            weights += 6
            row += rowBytes
        }
        let firstRow = panel * 6, validRows = min(6, a.rows - firstRow)
        func store(_ r: Int, _ low: SIMD8<Float>, _ high: SIMD8<Float>) {
            guard r < validRows else { return }
            let line = c + (firstRow + r) * ldc
            if columns == 16 {
                UnsafeMutableRawPointer(line).storeBytes(of: low, as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(line + 8).storeBytes(of: high, as: SIMD8<Float>.self)
            } else {
                for i in 0..<columns { line[i] = i < 8 ? low[i] : high[i - 8] }
            }
        }
        store(0, c00, c01)
        store(1, c10, c11)
        store(2, c20, c21)
        store(3, c30, c31)
        store(4, c40, c41)
        store(5, c50, c51)
    }
}
