/// Transpose of any rank and element type.
///
/// After unit axes are dropped and axes that stay neighbours are merged, every transpose is one of two kinds:
/// - the innermost axis stays innermost (attention's [0, 2, 1, 3]): a strided copy of contiguous runs;
/// - the innermost axis moves (2-D transpose, swap of the last two axes, NCHW↔NHWC, K^T in attention): a batch
///   of 2-D transposes between the input's innermost axis and the output's innermost axis, done in square
///   tiles so that both the reads and the writes of a tile stay in L1 whatever the tensor size.
enum TransposeKernel {
    /// Tile edge in elements: 32×32 tiles of 4-byte elements are 4 KiB on each side.
    static let tile = 32

    /// Writes the transpose of `input` into `output`: output axis k is input axis `perm[k]`.
    static func transpose(_ input: Tensor, perm: [Int], into output: Tensor, context: ExecutionContext) {
        let inputStrides = input.shape.strides
        let sourceStrides = perm.map { inputStrides[$0] }
        let destinationStrides = output.shape.strides
        let width = input.elementType.byteWidth
        let source = UnsafeRawPointer(input.rawBytes), destination = output.rawBytes
        guard output.count > 0 else { return }
        var axes = StridedCopy.simplify(shape: output.shape, source: sourceStrides, destination: destinationStrides)
        guard let columns = axes.last, columns.source != 1,
              let rowAxis = axes.firstIndex(where: { $0.source == 1 }) else {
            StridedCopy.copy(from: source, strides: sourceStrides, to: destination, strides: destinationStrides,
                             shape: output.shape, width: width, context: context)
            return
        }
        let rows = axes.remove(at: rowAxis)
        axes.removeLast()
        let plane = TilePlane(rows: rows.size, rowStride: rows.destination, columns: columns.size,
                              columnStride: columns.source)
        let batch = axes
        let batchCount = batch.reduce(1) { $0 * $1.size }
        let rowTiles = (plane.rows + tile - 1) / tile
        let items = batchCount * rowTiles
        let bytesPerItem = tile * plane.columns * width
        context.parallelRanges(items, minimumPerWorker: max(1, StridedCopy.bytesPerWorker / bytesPerItem)) { range in
            for item in range {
                let (s, d) = offsets(ofFlatIndex: item / rowTiles, in: batch)
                let firstRow = (item % rowTiles) * tile
                let rowRange = firstRow..<min(firstRow + tile, plane.rows)
                switch width {
                case 4: plane.transpose4(source + s * 4, destination + d * 4, rowRange)
                case 8: plane.transpose(UInt64.self, source + s * 8, destination + d * 8, rowRange)
                default: plane.transpose(UInt8.self, source + s, destination + d, rowRange)  // bool
                }
            }
        }
    }

    /// The element offsets of one flat index of `axes` (row-major over their sizes).
    static func offsets(ofFlatIndex flat: Int, in axes: [Axis]) -> (Int, Int) {
        var rest = flat, s = 0, d = 0
        for axis in axes.reversed() {
            let i = rest % axis.size
            rest /= axis.size
            s += i * axis.source
            d += i * axis.destination
        }
        return (s, d)
    }

    typealias Axis = StridedCopy.Axis

    /// One 2-D transpose: element (row r, column c) moves from `source[r + c * columnStride]` to
    /// `destination[c + r * rowStride]` (rows are contiguous in the source, columns in the destination).
    /// Offsets use wrapping arithmetic: they are in range by construction, and overflow checks in the inner
    /// loops cost several times the copy.
    struct TilePlane {
        let rows: Int
        let rowStride: Int
        let columns: Int
        let columnStride: Int

        /// 4-byte elements: 4×4 blocks moved with SIMD loads, shuffles and stores; the ragged edges one by one.
        func transpose4(_ source: UnsafeRawPointer, _ destination: UnsafeMutableRawPointer, _ rowRange: Range<Int>) {
            let columnBytes = columnStride &* 4, rowBytes = rowStride &* 4
            var firstColumn = 0
            while firstColumn < columns {
                let lastColumn = min(firstColumn + TransposeKernel.tile, columns)
                var r = rowRange.lowerBound
                while r + 4 <= rowRange.upperBound {
                    var c = firstColumn
                    while c + 4 <= lastColumn {
                        let from = source + (r &+ c &* columnStride) &* 4
                        let a = from.loadUnaligned(as: SIMD4<UInt32>.self)
                        let b = (from + columnBytes).loadUnaligned(as: SIMD4<UInt32>.self)
                        let e = (from + 2 &* columnBytes).loadUnaligned(as: SIMD4<UInt32>.self)
                        let f = (from + 3 &* columnBytes).loadUnaligned(as: SIMD4<UInt32>.self)
                        let to = destination + (r &* rowStride &+ c) &* 4
                        to.storeBytes(of: SIMD4(a[0], b[0], e[0], f[0]), as: SIMD4<UInt32>.self)
                        (to + rowBytes).storeBytes(of: SIMD4(a[1], b[1], e[1], f[1]), as: SIMD4<UInt32>.self)
                        (to + 2 &* rowBytes).storeBytes(of: SIMD4(a[2], b[2], e[2], f[2]), as: SIMD4<UInt32>.self)
                        (to + 3 &* rowBytes).storeBytes(of: SIMD4(a[3], b[3], e[3], f[3]), as: SIMD4<UInt32>.self)
                        c += 4
                    }
                    transpose(UInt32.self, source, destination, rows: r..<(r + 4), columns: c..<lastColumn)
                    r += 4
                }
                transpose(UInt32.self, source, destination, rows: r..<rowRange.upperBound,
                          columns: firstColumn..<lastColumn)
                firstColumn = lastColumn
            }
        }

        /// Any element size, one element at a time, in column tiles.
        func transpose<T: FixedWidthInteger>(_ type: T.Type, _ source: UnsafeRawPointer,
                                             _ destination: UnsafeMutableRawPointer, _ rowRange: Range<Int>) {
            var firstColumn = 0
            while firstColumn < columns {
                let lastColumn = min(firstColumn + TransposeKernel.tile, columns)
                transpose(type, source, destination, rows: rowRange, columns: firstColumn..<lastColumn)
                firstColumn = lastColumn
            }
        }

        @inline(__always)
        func transpose<T: FixedWidthInteger>(_: T.Type, _ source: UnsafeRawPointer, _ destination: UnsafeMutableRawPointer,
                                             rows rowRange: Range<Int>, columns columnRange: Range<Int>) {
            guard !columnRange.isEmpty else { return }
            let size = MemoryLayout<T>.stride, columnBytes = columnStride &* size
            for r in rowRange {
                var from = source + (r &+ columnRange.lowerBound &* columnStride) &* size
                var to = destination + (r &* rowStride &+ columnRange.lowerBound) &* size
                for _ in columnRange {
                    to.storeBytes(of: from.loadUnaligned(as: T.self), as: T.self)
                    from += columnBytes
                    to += size
                }
            }
        }
    }
}
