import Foundation

/// Reads the sorted string table (LevelDB's table format, which TensorFlow's `tensorflow/core/lib/io/table`
/// writes) that a checkpoint's `.index` file is.
///
/// Layout, from the end of the file: a 48-byte footer holds the block handles (varint64 offset and size) of the
/// metaindex block and of the index block, zero padding, and the magic number 0xdb4775248b80fb57. The index
/// block maps a separator key to the handle of each data block; data blocks hold the entries. Every block is
/// followed by a 1-byte compression type and the masked CRC-32C of the block and that byte. In a block, entries
/// are prefix-compressed against the previous key: varint32 shared length, unshared length and value length,
/// then the unshared key bytes and the value. A block ends with its restart offsets (uint32 each) and their
/// count, which a full scan does not need.
///
/// The whole table is read at once: a checkpoint index holds one small entry per variable.
struct SortedStringTable {
    let file: String
    let bytes: [UInt8]

    static let footerLength = 48
    static let magic: UInt64 = 0xDB47_7524_8B80_FB57

    /// The entries in file order (sorted by key), keys as the bytes the table holds.
    func entries() throws -> [(key: [UInt8], value: [UInt8])] {
        guard bytes.count >= Self.footerLength else {
            throw malformed("the file is \(bytes.count) bytes long, shorter than a table's \(Self.footerLength)-byte "
                            + "footer: it is truncated or not a checkpoint index")
        }
        let footerStart = bytes.count - Self.footerLength
        guard readFixed64(at: bytes.count - 8) == Self.magic else {
            throw malformed("the file does not end with the table magic number: it is truncated, damaged or not a "
                            + "checkpoint index")
        }
        var cursor = footerStart
        _ = try readHandle(&cursor, limit: bytes.count - 8, what: "the footer's metaindex handle")
        let indexHandle = try readHandle(&cursor, limit: bytes.count - 8, what: "the footer's index handle")
        let index = try block(indexHandle, what: "the index block")

        var result: [(key: [UInt8], value: [UInt8])] = []
        for (number, entry) in try blockEntries(index, what: "the index block").enumerated() {
            var handleCursor = 0
            guard let handle = BlockHandle(entry.value, cursor: &handleCursor) else {
                throw malformed("index entry \(number) does not hold a valid block handle")
            }
            let data = try block(handle, what: "data block \(number)")
            result += try blockEntries(data, what: "data block \(number)")
        }
        return result
    }

    // MARK: Blocks

    struct BlockHandle {
        var offset: Int
        var size: Int

        /// Reads two varint64s from `bytes` at `cursor`; nil when they run past the end or do not fit an Int.
        init?(_ bytes: [UInt8], cursor: inout Int) {
            guard let offset = SortedStringTable.varint(bytes, &cursor, maxBytes: 10),
                  let size = SortedStringTable.varint(bytes, &cursor, maxBytes: 10),
                  let offsetInt = Int(exactly: offset), let sizeInt = Int(exactly: size) else { return nil }
            self.offset = offsetInt
            self.size = sizeInt
        }
    }

    private func readHandle(_ cursor: inout Int, limit: Int, what: String) throws -> BlockHandle {
        let slice = Array(bytes[cursor..<limit])
        var local = 0
        guard let handle = BlockHandle(slice, cursor: &local) else { throw malformed("\(what) is not valid") }
        cursor += local
        return handle
    }

    /// The contents of the block at `handle`, after checking that it and its 5-byte trailer lie in the file,
    /// that it is stored uncompressed, and its checksum.
    private func block(_ handle: BlockHandle, what: String) throws -> ArraySlice<UInt8> {
        let (end, overflow) = handle.offset.addingReportingOverflow(handle.size)
        guard !overflow, end <= bytes.count - Self.footerLength - 5 else {
            throw malformed("\(what) (bytes \(handle.offset) to \(end) and its trailer) lies past the end of the "
                            + "\(bytes.count)-byte file: the file is truncated or damaged")
        }
        let compression = bytes[end]
        guard compression == 0 else {
            let kind = compression == 1 ? "Snappy-compressed" : "compressed (type \(compression))"
            throw malformed("\(what) is \(kind); only uncompressed checkpoint indexes are read (TensorFlow writes "
                            + "them uncompressed)")
        }
        let stored = UInt32(readFixed32(at: end + 1))
        let actual = bytes.withUnsafeBytes { raw in
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[handle.offset...end]))
        }
        guard CRC32C.unmask(stored) == actual else {
            throw malformed("\(what) fails its checksum: the file is damaged")
        }
        return bytes[handle.offset..<end]
    }

    /// Every entry of a block, keys reassembled from their shared prefixes.
    private func blockEntries(_ block: ArraySlice<UInt8>, what: String) throws -> [(key: [UInt8], value: [UInt8])] {
        let contents = Array(block)
        guard contents.count >= 4 else { throw malformed("\(what) is too short to hold its restart count") }
        let restartCount = Int(Self.fixed32(contents, at: contents.count - 4))
        let (restartBytes, overflow) = restartCount.multipliedReportingOverflow(by: 4)
        guard !overflow, restartBytes <= contents.count - 4 else {
            throw malformed("\(what) claims \(restartCount) restart points, more than it can hold")
        }
        let entriesEnd = contents.count - 4 - restartBytes

        var entries: [(key: [UInt8], value: [UInt8])] = []
        var cursor = 0
        var key: [UInt8] = []
        while cursor < entriesEnd {
            guard let shared = Self.varint(contents, &cursor, maxBytes: 5, limit: entriesEnd),
                  let unshared = Self.varint(contents, &cursor, maxBytes: 5, limit: entriesEnd),
                  let valueLength = Self.varint(contents, &cursor, maxBytes: 5, limit: entriesEnd),
                  shared <= UInt64(key.count),
                  UInt64(entriesEnd - cursor) >= unshared,
                  UInt64(entriesEnd - cursor) - unshared >= valueLength else {
                throw malformed("\(what) holds a damaged entry after \(entries.count) good ones")
            }
            let keyEnd = cursor + Int(unshared)
            key = Array(key[0..<Int(shared)]) + contents[cursor..<keyEnd]
            let valueEnd = keyEnd + Int(valueLength)
            entries.append((key, Array(contents[keyEnd..<valueEnd])))
            cursor = valueEnd
        }
        return entries
    }

    // MARK: Integers

    /// A little-endian base-128 varint of at most `maxBytes` bytes ending before `limit`; nil if it does not.
    static func varint(_ bytes: [UInt8], _ cursor: inout Int, maxBytes: Int, limit: Int? = nil) -> UInt64? {
        let end = min(limit ?? bytes.count, bytes.count)
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var position = cursor
        while position < end, position - cursor < maxBytes {
            let byte = bytes[position]
            position += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                cursor = position
                return value
            }
            shift += 7
        }
        return nil
    }

    static func fixed32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }

    private func readFixed32(at offset: Int) -> UInt32 { Self.fixed32(bytes, at: offset) }

    private func readFixed64(at offset: Int) -> UInt64 {
        UInt64(readFixed32(at: offset)) | UInt64(readFixed32(at: offset + 4)) << 32
    }

    private func malformed(_ reason: String) -> InferenceError {
        InferenceError.malformedModel(file: file, reason: reason)
    }
}
