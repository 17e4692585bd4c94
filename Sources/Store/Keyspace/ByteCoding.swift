/// Fixed-width big-endian integers, so that byte order equals numeric order in LMDB keys,
/// and a little reader for the records the store writes.
extension Array where Element == UInt8 {
    @inline(__always)
    mutating func appendBigEndian(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    @inline(__always)
    mutating func appendBigEndian(_ value: Int64) { appendBigEndian(UInt64(bitPattern: value)) }

    @inline(__always)
    mutating func appendBigEndian(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    /// Appends a 32-bit length and then the bytes.
    @inline(__always)
    mutating func appendLengthPrefixed(_ bytes: Bytes) {
        appendBigEndian(UInt32(bytes.count))
        append(contentsOf: bytes)
    }
}

/// Reads the fields of a record written with the helpers above. Reading past the end is a corrupt record.
struct ByteReader {
    let bytes: Bytes
    var offset: Int

    init(_ bytes: Bytes, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    mutating func readUInt64() -> UInt64 {
        precondition(remaining >= 8, "corrupt record")
        var v: UInt64 = 0
        for i in 0..<8 { v = (v << 8) | UInt64(bytes[offset + i]) }
        offset += 8
        return v
    }

    mutating func readInt64() -> Int64 { Int64(bitPattern: readUInt64()) }

    mutating func readUInt32() -> UInt32 {
        precondition(remaining >= 4, "corrupt record")
        var v: UInt32 = 0
        for i in 0..<4 { v = (v << 8) | UInt32(bytes[offset + i]) }
        offset += 4
        return v
    }

    mutating func readUInt8() -> UInt8 {
        precondition(remaining >= 1, "corrupt record")
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readBytes(_ count: Int) -> Bytes {
        precondition(remaining >= count, "corrupt record")
        defer { offset += count }
        return Bytes(bytes[offset..<offset + count])
    }

    mutating func readLengthPrefixed() -> Bytes { readBytes(Int(readUInt32())) }

    mutating func readRest() -> Bytes { readBytes(remaining) }
}

/// Builds a big-endian key from parts.
@inline(__always)
func bigEndianKey(_ value: UInt64) -> Bytes {
    var b = Bytes()
    b.reserveCapacity(8)
    b.appendBigEndian(value)
    return b
}
