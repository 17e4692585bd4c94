/// Bounds-checked little-endian loads. Arrow IPC and flatbuffers are both
/// little-endian and make no alignment promises we rely on, so every load is
/// unaligned and checked; callers turn `nil` into a specific `ArrowError`.
enum LittleEndian {
    static func load<T: FixedWidthInteger>(_: T.Type, from bytes: ArraySlice<UInt8>, at index: Int) -> T? {
        let size = MemoryLayout<T>.size
        guard index >= bytes.startIndex, index <= bytes.endIndex - size else { return nil }
        return bytes.withUnsafeBytes { raw in
            T(littleEndian: raw.loadUnaligned(fromByteOffset: index - bytes.startIndex, as: T.self))
        }
    }

    /// Appends `value` in little-endian order.
    static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}

/// `count * width` without trapping: nil when it overflows, so corrupt
/// lengths become "needs too many bytes" errors instead of crashes.
func checkedByteCount(_ count: Int, _ width: Int) -> Int? {
    let (product, overflow) = count.multipliedReportingOverflow(by: width)
    return overflow ? nil : product
}

/// Bytes needed for a bitmap of `bits` bits (no `+ 7` so huge counts cannot overflow).
func bitmapByteCount(_ bits: Int) -> Int { bits / 8 + (bits % 8 == 0 ? 0 : 1) }

/// One Arrow buffer: a window onto the payload (no copy) or onto builder output.
///
/// Indices are element indices from the buffer start; the array decoder checks
/// sizes once, and the preconditions here only turn a logic error into a trap
/// rather than an out-of-bounds read.
struct ArrowBuffer: Sendable {
    let bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }
    init(_ bytes: [UInt8]) { self.bytes = bytes[...] }

    var count: Int { bytes.count }

    /// The `index`-th value of width `T`.
    func load<T: FixedWidthInteger>(_: T.Type, at index: Int) -> T {
        let byteIndex = bytes.startIndex + index * MemoryLayout<T>.size
        guard let value = LittleEndian.load(T.self, from: bytes, at: byteIndex) else {
            preconditionFailure("ArrowBuffer read past its end (validation bug)")
        }
        return value
    }

    /// Bit `index` of a bitmap, least-significant bit first (Arrow bit order).
    func bit(_ index: Int) -> Bool {
        precondition(index >= 0 && index / 8 < bytes.count, "ArrowBuffer bit past its end (validation bug)")
        return bytes[bytes.startIndex + index / 8] & (1 << UInt8(index % 8)) != 0
    }

    /// Reads `count` consecutive values starting at element `start` in one pass.
    func map<T: FixedWidthInteger, R>(_: T.Type, start: Int, count: Int, _ transform: (T) -> R) -> [R] {
        let width = MemoryLayout<T>.size
        precondition(start >= 0 && count >= 0 && (start + count) * width <= bytes.count,
                     "ArrowBuffer range past its end (validation bug)")
        return bytes.withUnsafeBytes { raw in
            (0..<count).map { i in
                transform(T(littleEndian: raw.loadUnaligned(fromByteOffset: (start + i) * width, as: T.self)))
            }
        }
    }
}

/// Packs booleans into an Arrow bitmap (LSB first), as validity and bool buffers need.
func packBits(_ count: Int, _ bit: (Int) -> Bool) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: bitmapByteCount(count))
    for i in 0..<count where bit(i) { bytes[i / 8] |= 1 << UInt8(i % 8) }
    return bytes
}

/// IEEE 754 half -> single. Written out (rather than using `Float16`) because
/// `Float16` is unavailable on some platforms we build for.
func halfToFloat(_ bits: UInt16) -> Float {
    let negative = bits & 0x8000 != 0
    let exponent = Int((bits >> 10) & 0x1F)
    let mantissa = UInt32(bits & 0x3FF)
    let magnitude: Float
    switch exponent {
    case 0: magnitude = Float(sign: .plus, exponent: -24, significand: Float(mantissa))
    case 31: magnitude = mantissa == 0 ? .infinity : .nan
    default: magnitude = Float(bitPattern: UInt32(exponent - 15 + 127) << 23 | mantissa << 13)
    }
    return negative ? -magnitude : magnitude
}
