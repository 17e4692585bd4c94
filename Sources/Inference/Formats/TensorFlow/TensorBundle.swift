import Foundation
import SwiftProtobuf

/// A TensorFlow checkpoint in the "tensor bundle" format (what `tf.saved_model.save` writes to `variables/`):
/// `<prefix>.index`, a sorted string table whose "" key holds a `BundleHeaderProto` and whose other keys are
/// checkpoint keys mapped to `BundleEntryProto`s, and `<prefix>.data-NNNNN-of-NNNNN` shards holding the bytes.
///
/// Every entry is checked against its shard when it is read: the shard exists and is long enough, the byte count
/// fits the dtype and shape, and the CRC-32C matches.
struct TensorBundle {
    /// The path without suffix, e.g. `model/variables/variables`.
    let prefix: String
    let shardCount: Int
    /// Checkpoint key → where its tensor lies. The header's "" key is not among them, nor are slices.
    let entries: [String: Tensorflow_BundleEntryProto]
    /// The slices of variables saved in parts, by their binary keys (which begin with a 0 byte; see
    /// TensorBundle+Slices.swift).
    let sliceEntries: [[UInt8]: Tensorflow_BundleEntryProto]
    private let shards: [Data]

    var indexFile: String { prefix + ".index" }

    func shardFile(_ shard: Int) -> String {
        prefix + ".data-" + Self.fiveDigits(shard) + "-of-" + Self.fiveDigits(shardCount)
    }

    /// Reads the index and maps every data shard (a missing or unreadable one is refused here).
    init(prefix: String) throws {
        self.prefix = prefix
        let indexFile = prefix + ".index"
        guard FileManager.default.fileExists(atPath: indexFile) else {
            throw InferenceError.malformedModel(
                file: indexFile, reason: "the checkpoint index is missing: a SavedModel keeps its weights in "
                    + "variables/variables.index and variables/variables.data-NNNNN-of-NNNNN")
        }
        let index = try ModelFiles.read(indexFile, describing: "checkpoint index")
        let table = SortedStringTable(file: indexFile, bytes: Array(index))

        var header: Tensorflow_BundleHeaderProto?
        var entries: [String: Tensorflow_BundleEntryProto] = [:]
        var sliceEntries: [[UInt8]: Tensorflow_BundleEntryProto] = [:]
        for (key, value) in try table.entries() {
            let name = String(decoding: key, as: UTF8.self)
            do {
                if key.isEmpty {
                    header = try Tensorflow_BundleHeaderProto(serializedBytes: value)
                } else if key.first == 0 {
                    sliceEntries[key] = try Tensorflow_BundleEntryProto(serializedBytes: value)
                } else {
                    entries[name] = try Tensorflow_BundleEntryProto(serializedBytes: value)
                }
            } catch {
                throw InferenceError.malformedModel(
                    file: indexFile, reason: "the entry for '\(name)' is not a valid bundle entry (\(error))")
            }
        }
        guard let header else {
            throw InferenceError.malformedModel(file: indexFile, reason: "the checkpoint index has no header entry")
        }
        guard header.endianness == .little else {
            throw InferenceError.malformedModel(
                file: indexFile, reason: "the checkpoint was written on a big-endian machine; only little-endian "
                    + "checkpoints are read")
        }
        // TensorFlow names shards with five digits; a count beyond that is damage, not a real checkpoint.
        guard header.numShards >= 1, header.numShards <= 99_999 else {
            throw InferenceError.malformedModel(
                file: indexFile, reason: "the checkpoint header claims \(header.numShards) data shards")
        }
        shardCount = Int(header.numShards)
        self.entries = entries
        self.sliceEntries = sliceEntries

        var shards: [Data] = []
        for shard in 0..<shardCount {
            let file = prefix + ".data-" + Self.fiveDigits(shard) + "-of-" + Self.fiveDigits(shardCount)
            guard FileManager.default.fileExists(atPath: file) else {
                throw InferenceError.malformedModel(
                    file: file, reason: "the checkpoint data shard \(shard + 1) of \(shardCount) is missing")
            }
            shards.append(try ModelFiles.read(file, describing: "checkpoint data shard"))
        }
        self.shards = shards
    }

    /// The tensor stored under `key`, converted to an engine element type (as for ONNX initializers).
    func tensor(_ key: String) throws -> Tensor {
        guard let entry = entries[key] else {
            throw InferenceError.malformedModel(file: indexFile, reason: "the checkpoint has no entry '\(key)'")
        }
        return entry.slices.isEmpty ? try tensor(of: entry, key: key) : try assembled(key, entry: entry)
    }

    /// The tensor of one whole entry (a variable, or one slice of one); `key` names it in errors.
    func tensor(of entry: Tensorflow_BundleEntryProto, key: String) throws -> Tensor {
        let count = try elementCount(entry, key: key)
        guard let type = Self.storedType(entry.dtype), let engineType = type.engineType,
              let width = type.storedWidth else {
            throw refusal(key, "holds \(entry.dtype) values, which the engine does not compute with")
        }
        let shape = entry.shape.dim.map { Int($0.size) }
        guard entry.size == Int64(count * width) else {
            throw refusal(key, "holds \(entry.size) bytes, but its shape \(shape) of \(entry.dtype) needs "
                          + "\(count * width)")
        }
        let tensor = Tensor(zeros: engineType, shape: shape)
        try withBytes(of: entry, key: key) { bytes, file in
            // TensorFlow stores the checksum of a tensor's bytes masked, as LevelDB does its block checksums.
            guard CRC32C.checksum(bytes) == CRC32C.unmask(entry.crc32C) else { throw damaged(key, file) }
            ONNXTensorReader.convert(raw: bytes, type: type, count: count, into: tensor.storage.bytes)
        }
        return tensor
    }

    /// The elements of the string tensor stored under `key`. Strings are stored as one varint64 length per
    /// element, the masked CRC-32C of those lengths (each taken as 4 little-endian bytes, 8 beyond 4 GB), then the
    /// bytes; the entry's checksum covers the lengths (taken so again), the length checksum and the bytes.
    func strings(_ key: String) throws -> [[UInt8]] {
        guard let entry = entries[key] else {
            throw InferenceError.malformedModel(file: indexFile, reason: "the checkpoint has no entry '\(key)'")
        }
        guard entry.slices.isEmpty else { throw refusal(key, "is a string tensor saved in slices") }
        let count = try elementCount(entry, key: key)
        guard entry.dtype == .dtString else { throw refusal(key, "holds \(entry.dtype) values, not strings") }
        return try withBytes(of: entry, key: key) { raw, file in
            let bytes = Array(raw)
            var cursor = 0
            var lengths: [Int] = []
            var crc: UInt32 = 0
            for _ in 0..<count {
                guard let length = SortedStringTable.varint(bytes, &cursor, maxBytes: 10),
                      length <= UInt64(bytes.count) else { throw damaged(key, file) }
                let width: UInt64 = length <= UInt64(UInt32.max) ? 4 : 8
                crc = CRC32C.checksum((0..<width).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) }, extending: crc)
                lengths.append(Int(length))
            }
            guard bytes.count - cursor >= 4 else { throw damaged(key, file) }
            let lengthChecksum = Array(bytes[cursor..<cursor + 4])
            cursor += 4
            crc = CRC32C.checksum(lengthChecksum, extending: crc)
            let stringsStart = cursor
            var strings: [[UInt8]] = []
            for length in lengths {
                guard bytes.count - cursor >= length else { throw damaged(key, file) }
                strings.append(Array(bytes[cursor..<cursor + length]))
                cursor += length
            }
            crc = CRC32C.checksum(Array(bytes[stringsStart..<cursor]), extending: crc)
            guard cursor == bytes.count, crc == CRC32C.unmask(entry.crc32C) else { throw damaged(key, file) }
            return strings
        }
    }

    /// The element count of `entry`'s shape, checked to be sane.
    func elementCount(_ entry: Tensorflow_BundleEntryProto, key: String) throws -> Int {
        guard !entry.shape.unknownRank else { throw refusal(key, "has no shape") }
        var count = 1
        for dim in entry.shape.dim {
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(clamping: dim.size))
            guard dim.size >= 0, !overflow, product <= Int.max / 16 else {
                throw refusal(key, "has an impossible shape \(entry.shape.dim.map(\.size))")
            }
            count = product
        }
        return count
    }

    /// Runs `body` on the bytes of `entry` in its shard, after checking that they lie inside the shard.
    private func withBytes<Result>(of entry: Tensorflow_BundleEntryProto, key: String,
                                   _ body: (UnsafeRawBufferPointer, String) throws -> Result) throws -> Result {
        guard entry.shardID >= 0, Int(entry.shardID) < shardCount else {
            throw refusal(key, "lies in data shard \(entry.shardID), but the checkpoint has \(shardCount)")
        }
        let shard = Int(entry.shardID)
        let data = shards[shard]
        let (end, overflow) = entry.offset.addingReportingOverflow(entry.size)
        guard entry.offset >= 0, entry.size >= 0, !overflow, end <= Int64(data.count) else {
            throw InferenceError.malformedModel(
                file: shardFile(shard), reason: "the bytes of checkpoint entry '\(key)' (\(entry.offset) to \(end)) "
                    + "lie past the end of the \(data.count)-byte file: it is truncated")
        }
        let range = Int(entry.offset)..<Int(end)
        return try data.withUnsafeBytes { raw in
            try body(UnsafeRawBufferPointer(rebasing: raw[range]), shardFile(shard))
        }
    }

    func refusal(_ key: String, _ reason: String) -> InferenceError {
        InferenceError.malformedModel(file: indexFile, reason: "checkpoint entry '\(key)' \(reason)")
    }

    private func damaged(_ key: String, _ file: String) -> InferenceError {
        InferenceError.malformedModel(
            file: file, reason: "the bytes of checkpoint entry '\(key)' fail their checksum: the file is damaged")
    }

    /// The ONNX element type with the same byte layout as a TensorFlow dtype: the ONNX reader's conversions to
    /// engine types then apply unchanged. nil for strings, resources and other types with no such layout.
    static func storedType(_ type: Tensorflow_DataType) -> ONNXDataType? {
        switch type {
        case .dtFloat: return .float
        case .dtDouble: return .double
        case .dtInt32: return .int32
        case .dtUint8: return .uint8
        case .dtInt16: return .int16
        case .dtInt8: return .int8
        case .dtInt64: return .int64
        case .dtBool: return .bool
        case .dtBfloat16: return .bfloat16
        case .dtUint16: return .uint16
        case .dtHalf: return .float16
        case .dtUint32: return .uint32
        case .dtUint64: return .uint64
        default: return nil
        }
    }

    private static func fiveDigits(_ value: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }
}
