import CBLAS

/// Row-major single-precision GEMM: C = alpha · op(A) · op(B) + beta · C, with op(X) = X or Xᵀ.
/// Every matrix product of the engine (convolutions, Gemm, MatMul) goes through here, to OpenBLAS.
///
/// OpenBLAS runs single-threaded (`BLAS.setThreads(1)`); the product is split here over the context's
/// workers instead, by column blocks when C is wide and by row blocks when it is tall. OpenBLAS's own pool
/// would spin-wait between calls and starve the engine's other parallel loops (im2col, depthwise, pools).
enum Sgemm {
    static func multiply(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, context: ExecutionContext
    ) {
        // Below ~1 MFLOP a split costs more in wake-ups than it saves.
        let workers = m * n * k >= 1 << 19 ? context.workerCount(max(m, n) / 16) : 1
        guard workers > 1 else {
            single(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                   a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        if n >= m {
            // Column blocks of C take column blocks of op(B); multiples of 16 keep OpenBLAS's panels whole.
            let step = ((n + workers - 1) / workers + 15) / 16 * 16
            context.parallelFor(workers) { worker in
                let first = worker * step, count = min(n, first + step) - first
                guard count > 0 else { return }
                let bOffset = transposeB ? first * ldb : first
                single(transposeA: transposeA, transposeB: transposeB, m: m, n: count, k: k, alpha: alpha,
                       a: a, lda: lda, b: b + bOffset, ldb: ldb, beta: beta, c: c + first, ldc: ldc)
            }
        } else {
            let step = ((m + workers - 1) / workers + 15) / 16 * 16
            context.parallelFor(workers) { worker in
                let first = worker * step, count = min(m, first + step) - first
                guard count > 0 else { return }
                let aOffset = transposeA ? first : first * lda
                single(transposeA: transposeA, transposeB: transposeB, m: count, n: n, k: k, alpha: alpha,
                       a: a + aOffset, lda: lda, b: b, ldb: ldb, beta: beta, c: c + first * ldc, ldc: ldc)
            }
        }
    }

    /// The product on the calling thread only (for callers that run several products in parallel).
    static func single(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0 && n > 0 else { return }
        guard k > 0 else {
            // An empty inner dimension: the product is zero, so only the beta term remains.
            for row in 0..<m {
                let line = c + row * ldc
                for column in 0..<n { line[column] = beta == 0 ? 0 : beta * line[column] }
            }
            return
        }
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
