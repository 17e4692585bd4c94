/// One aligned block of memory behind one or more tensors.
///
/// Reshape-like operators hand out new `Tensor` values over the same storage, so "is this buffer free?" is
/// answered by ARC: a storage that only the buffer pool references can be reused (see `BufferPool`).
public final class TensorStorage: @unchecked Sendable {
    /// 64-byte alignment: a cache line, and enough for any SIMD width the kernels use.
    static let alignment = 64

    public let bytes: UnsafeMutableRawPointer
    public let byteCapacity: Int

    init(byteCapacity: Int) {
        self.byteCapacity = byteCapacity
        // Zero-sized tensors still get a valid pointer.
        self.bytes = UnsafeMutableRawPointer.allocate(byteCount: max(byteCapacity, 1), alignment: Self.alignment)
    }

    deinit { bytes.deallocate() }
}
