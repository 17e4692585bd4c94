import Foundation

/// Variables saved in slices (a sharding policy that splits a large variable across data shards, or a
/// partitioned variable): the variable's own entry lists the slices' extents, and each slice is an entry of its
/// own under a binary key made with TensorFlow's "ordered code": the number 0, the variable's name as an escaped
/// string, the rank, then each dimension's start and length as signed numbers (a whole dimension is start 0,
/// length -1).
extension TensorBundle {
    /// The variable under `key`, put together from its slices.
    func assembled(_ key: String, entry: Tensorflow_BundleEntryProto) throws -> Tensor {
        _ = try elementCount(entry, key: key)
        let shape = entry.shape.dim.map { Int($0.size) }
        guard let type = Self.storedType(entry.dtype), let engineType = type.engineType else {
            throw refusal(key, "holds \(entry.dtype) values, which the engine does not compute with")
        }
        let result = Tensor(zeros: engineType, shape: shape)
        for (number, slice) in entry.slices.enumerated() {
            guard slice.extent.count == shape.count else {
                throw refusal(key, "has a slice of \(slice.extent.count) dimensions for its \(shape.count)")
            }
            var starts: [Int] = []
            var lengths: [Int] = []
            var encoded: [(start: Int64, length: Int64)] = []
            for (extent, size) in zip(slice.extent, shape) {
                guard case .length(let length)? = extent.hasLength_p else {
                    starts.append(0)
                    lengths.append(size)
                    encoded.append((0, -1))
                    continue
                }
                let (end, overflow) = extent.start.addingReportingOverflow(length)
                guard extent.start >= 0, length >= 0, !overflow, end <= Int64(size) else {
                    throw refusal(key, "has a slice (\(extent.start), length \(length)) outside its shape \(shape)")
                }
                starts.append(Int(extent.start))
                lengths.append(Int(length))
                encoded.append((extent.start, length))
            }
            guard let sliceKey = Self.sliceKey(name: key, extents: encoded),
                  let sliceEntry = sliceEntries[sliceKey] else {
                throw refusal(key, "is saved in slices, but slice \(number + 1) of \(entry.slices.count) "
                              + "(starts \(starts), lengths \(lengths)) is missing from the checkpoint")
            }
            let part = try tensor(of: sliceEntry, key: "\(key) (slice \(number + 1))")
            guard part.shape == lengths, part.elementType == engineType else {
                throw refusal(key, "has a slice holding shape \(part.shape) where its extents say \(lengths)")
            }
            Self.copy(part, into: result, at: starts)
        }
        return result
    }

    /// Copies `part` into `whole` with its first element at index `starts`, one innermost row at a time.
    private static func copy(_ part: Tensor, into whole: Tensor, at starts: [Int]) {
        let width = whole.elementType.byteWidth
        guard let inner = part.shape.last else {
            whole.storage.bytes.copyMemory(from: part.storage.bytes, byteCount: width)
            return
        }
        guard inner > 0, part.count > 0 else { return }
        var strides = [Int](repeating: 1, count: whole.rank)
        for d in stride(from: whole.rank - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * whole.shape[d + 1] }
        for row in 0..<(part.count / inner) {
            var remainder = row
            var offset = starts[whole.rank - 1]
            for d in stride(from: whole.rank - 2, through: 0, by: -1) {
                offset += (starts[d] + remainder % part.shape[d]) * strides[d]
                remainder /= part.shape[d]
            }
            (whole.storage.bytes + offset * width)
                .copyMemory(from: part.storage.bytes + row * inner * width, byteCount: inner * width)
        }
    }

    // MARK: Slice keys

    /// The key TensorFlow stores the slice of `name` with these extents under; nil for extents too large to
    /// encode in 8 bytes (no real tensor has them).
    static func sliceKey(name: String, extents: [(start: Int64, length: Int64)]) -> [UInt8]? {
        var key = orderedUnsigned(0)
        for byte in Array(name.utf8) {
            switch byte {
            case 0x00: key += [0x00, 0xFF]
            case 0xFF: key += [0xFF, 0x00]
            default: key.append(byte)
            }
        }
        key += [0x00, 0x01]
        key += orderedUnsigned(UInt64(extents.count))
        for extent in extents {
            guard let start = orderedSigned(extent.start), let length = orderedSigned(extent.length) else { return nil }
            key += start + length
        }
        return key
    }

    /// A length byte, then the value big-endian without leading zero bytes.
    static func orderedUnsigned(_ value: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        var rest = value
        while rest > 0 {
            bytes.insert(UInt8(rest & 0xFF), at: 0)
            rest >>= 8
        }
        return [UInt8(bytes.count)] + bytes
    }

    /// n bytes of the value in two's complement, big-endian, whose first bits (as many as there are bytes, all
    /// 1 for a number ≥ 0, inverted for a negative one) give the length: n bytes hold [-2^(7n-1), 2^(7n-1)).
    static func orderedSigned(_ value: Int64) -> [UInt8]? {
        let magnitude = value < 0 ? ~value : value
        let bits = magnitude == 0 ? 0 : 64 - magnitude.leadingZeroBitCount
        let length = (bits + 7) / 7
        guard length <= 8 else { return nil }
        let pattern = UInt64(bitPattern: value)
        var bytes = (0..<length).map { UInt8(truncatingIfNeeded: pattern >> (8 * UInt64(length - 1 - $0))) }
        bytes[0] ^= UInt8(truncatingIfNeeded: 0xFF00 >> length)
        return bytes
    }
}
