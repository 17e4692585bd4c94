/// Lays columns out as IPC FieldNodes, Buffers and one message body.
///
/// Output is normalised the way pyarrow writes it, so readers never see our
/// slicing: a validity bitmap only when there are nulls, slices written from
/// slot 0, list/string offsets rebased to start at 0, children trimmed to
/// the slots actually referenced, and every buffer padded to 8 bytes.
struct BodyEncoder {
    private(set) var nodes: [(length: Int, nullCount: Int)] = []
    private(set) var buffers: [(offset: Int, length: Int)] = []
    private(set) var body: [UInt8] = []

    /// Appends `array` and (depth-first) its children.
    mutating func append(_ array: ArrowArray) {
        nodes.append((array.length, array.nullCount))
        if case .null = array.type { return }  // the null type has no buffers
        appendBuffer(array.nullCount > 0 ? packBits(array.length, array.isValid) : [])

        switch array.type {
        case .null:
            break
        case .bool:
            let bits = array.buffers[0]
            appendBuffer(packBits(array.length) { bits.bit(array.offset + $0) })
        case .utf8, .binary, .largeUtf8, .largeBinary:
            appendRebasedOffsets(array)
            let data = array.buffers[1].bytes
            let start = data.startIndex + array.valueOffset(0)
            appendBuffer(data[start..<data.startIndex + array.valueOffset(array.length)])
        case .list, .largeList:
            appendRebasedOffsets(array)
            let first = array.valueOffset(0)
            append(array.children[0].sliced(first, array.valueOffset(array.length) - first))
        case let .fixedSizeList(_, size):
            append(array.children[0].sliced(array.offset * size, array.length * size))
        case .structure:
            for child in array.children { append(child.sliced(array.offset, array.length)) }
        case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64, .float16, .float32, .float64:
            let width = array.type.byteWidth ?? 0
            let values = array.buffers[0].bytes
            let start = values.startIndex + array.offset * width
            appendBuffer(values[start..<start + array.length * width])
        }
    }

    /// Offsets of a utf8/binary/list array shifted so the first is 0.
    private mutating func appendRebasedOffsets(_ array: ArrowArray) {
        let base = array.valueOffset(0)
        var bytes: [UInt8] = []
        switch array.type {
        case .largeUtf8, .largeBinary, .largeList:
            for index in 0...array.length { LittleEndian.append(Int64(array.valueOffset(index) - base), to: &bytes) }
        default:
            for index in 0...array.length { LittleEndian.append(Int32(array.valueOffset(index) - base), to: &bytes) }
        }
        appendBuffer(bytes)
    }

    /// Records the buffer at the current body offset, then pads to 8 bytes.
    private mutating func appendBuffer(_ bytes: some Collection<UInt8>) {
        buffers.append((body.count, bytes.count))
        body.append(contentsOf: bytes)
        body.append(contentsOf: repeatElement(0, count: (8 - body.count % 8) % 8))
    }
}
