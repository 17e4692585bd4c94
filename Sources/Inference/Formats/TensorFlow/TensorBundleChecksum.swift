/// CRC-32C (Castagnoli), the checksum TensorFlow's checkpoint files carry: on every block of the `.index` table
/// and on every tensor's bytes in the data shards.
///
/// Written here, table-driven, because no package the project may depend on provides CRC-32C (Foundation and
/// zlib have the IEEE CRC-32 only, with a different polynomial).
enum CRC32C {
    /// The reflected Castagnoli polynomial 0x1EDC6F41.
    private static let polynomial: UInt32 = 0x82F6_3B78

    private static let table: [UInt32] = (0..<256).map { byte in
        var crc = UInt32(byte)
        for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ polynomial : crc >> 1 }
        return crc
    }

    /// The checksum of `bytes`, continuing from `crc` (the checksum of the bytes before them; 0 to start).
    static func checksum(_ bytes: UnsafeRawBufferPointer, extending crc: UInt32 = 0) -> UInt32 {
        var value = ~crc
        table.withUnsafeBufferPointer { table in
            for byte in bytes { value = table[Int((value ^ UInt32(byte)) & 0xFF)] ^ (value >> 8) }
        }
        return ~value
    }

    static func checksum(_ bytes: [UInt8], extending crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, extending: crc) }
    }

    /// LevelDB and TensorFlow store checksums "masked" (rotated and offset) so that a checksum of data that
    /// itself holds checksums stays well distributed; `unmask(mask(c)) == c`.
    static func mask(_ crc: UInt32) -> UInt32 {
        ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }

    static func unmask(_ masked: UInt32) -> UInt32 {
        let rotated = masked &- 0xA282_EAD8
        return (rotated >> 17) | (rotated << 15)
    }
}
