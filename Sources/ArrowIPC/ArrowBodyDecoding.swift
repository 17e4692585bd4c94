/// Turns a RecordBatch's FieldNodes, Buffers and body bytes into columns.
///
/// The IPC body layout is a depth-first walk of the schema: each array takes
/// the next FieldNode and a type-dependent number of buffers, then its
/// children do the same. Every size, null count and offset is checked here,
/// once, so that the accessors can read without further checks.
struct BodyDecoder {
    private let layout: RecordBatchLayout
    private let body: ArraySlice<UInt8>
    private var nextNode = 0
    private var nextBuffer = 0

    static func decode(_ layout: RecordBatchLayout, body: ArraySlice<UInt8>,
                       schema: ArrowSchema) throws(ArrowError) -> ArrowRecordBatch {
        let expected = schema.fields.reduce((nodes: 0, buffers: 0)) { total, field in
            let counts = Self.counts(of: field.type)
            return (total.nodes + counts.nodes, total.buffers + counts.buffers)
        }
        guard expected.nodes == layout.nodes.count else {
            throw .nodeCountMismatch(expected: expected.nodes, actual: layout.nodes.count)
        }
        guard expected.buffers == layout.buffers.count else {
            throw .bufferCountMismatch(expected: expected.buffers, actual: layout.buffers.count)
        }
        var decoder = BodyDecoder(layout: layout, body: body)
        let length = Int(layout.length)
        var columns: [ArrowArray] = []
        for field in schema.fields {
            let column = try decoder.readArray(field)
            guard column.length == length else {
                throw .columnLengthMismatch(field: field.name, expected: length, actual: column.length)
            }
            columns.append(column)
        }
        return ArrowRecordBatch(length: length, columns: columns)
    }

    /// FieldNodes and buffers an array of `type` occupies, children included.
    static func counts(of type: ArrowType) -> (nodes: Int, buffers: Int) {
        let own: Int
        switch type {
        case .null: own = 0                              // no buffers at all (V5)
        case .structure, .fixedSizeList: own = 1         // validity
        case .utf8, .binary, .largeUtf8, .largeBinary: own = 3  // validity, offsets, data
        default: own = 2                                 // validity + values (or list offsets)
        }
        return type.children.reduce((nodes: 1, buffers: own)) { total, child in
            let counts = Self.counts(of: child.type)
            return (total.nodes + counts.nodes, total.buffers + counts.buffers)
        }
    }

    private mutating func readArray(_ field: ArrowField) throws(ArrowError) -> ArrowArray {
        let node = layout.nodes[nextNode]
        nextNode += 1
        guard node.length >= 0, node.nullCount >= 0, node.nullCount <= node.length else {
            throw .invalidArray(field: field.name,
                                reason: "field node has length \(node.length) and null count \(node.nullCount)")
        }
        let length = Int(node.length)
        if case .null = field.type {
            return ArrowArray(field: field, length: length, nullCount: length, validity: nil, buffers: [], children: [])
        }
        let validity = try readValidity(field, length: length, nullCount: Int(node.nullCount))
        var buffers: [ArrowBuffer] = []
        var children: [ArrowArray] = []

        switch field.type {
        case .bool:
            buffers = [try readBuffer(field, "values", minimum: bitmapByteCount(length))]
        case .utf8, .binary, .largeUtf8, .largeBinary:
            let width = field.type == .utf8 || field.type == .binary ? 4 : 8
            let offsets = try readOffsets(field, length: length, width: width)
            let data = try readBuffer(field, "data", minimum: 0)
            try checkOffsets(field, offsets, length: length, width: width, limit: data.count, of: "data bytes")
            buffers = [offsets, data]
        case let .list(item), let .largeList(item):
            let width = if case .list = field.type { 4 } else { 8 }
            let offsets = try readOffsets(field, length: length, width: width)
            let child = try readArray(item)
            try checkOffsets(field, offsets, length: length, width: width, limit: child.length, of: "child slots")
            buffers = [offsets]
            children = [child]
        case let .fixedSizeList(item, size):
            let child = try readArray(item)
            let needed = try byteCount(field, length, size)
            guard child.length >= needed else {
                throw .invalidArray(field: field.name, reason: "child has \(child.length) slots, needs \(needed)")
            }
            children = [child]
        case let .structure(members):
            for member in members {
                let child = try readArray(member)
                guard child.length >= length else {
                    throw .invalidArray(field: field.name,
                                        reason: "member '\(member.name)' has \(child.length) slots, needs \(length)")
                }
                children.append(child)
            }
        default:
            let width = field.type.byteWidth ?? 1  // every remaining type is fixed-width
            buffers = [try readBuffer(field, "values", minimum: try byteCount(field, length, width))]
        }
        return ArrowArray(field: field, length: length, nullCount: validity == nil ? 0 : Int(node.nullCount),
                          validity: validity, buffers: buffers, children: children)
    }

    /// The next buffer as a window onto the body, checked to lie inside it.
    private mutating func readBuffer(_ field: ArrowField, _ role: String, minimum: Int) throws(ArrowError) -> ArrowBuffer {
        let index = nextBuffer
        nextBuffer += 1
        let span = layout.buffers[index]
        let bodyLength = Int64(body.count)
        guard span.offset >= 0, span.length >= 0, span.offset <= bodyLength, span.length <= bodyLength - span.offset else {
            throw .bufferOutOfBounds(index: index, offset: span.offset, length: span.length, bodyLength: body.count)
        }
        let start = body.startIndex + Int(span.offset)
        let buffer = ArrowBuffer(body[start..<start + Int(span.length)])
        guard buffer.count >= minimum else {
            throw .invalidArray(field: field.name, reason: "\(role) buffer has \(buffer.count) bytes, needs \(minimum)")
        }
        return buffer
    }

    /// Like Arrow C++, a bitmap is only kept when the node reports nulls;
    /// with a null count of 0 every slot is valid whatever the buffer says.
    private mutating func readValidity(_ field: ArrowField, length: Int, nullCount: Int) throws(ArrowError) -> ArrowBuffer? {
        let buffer = try readBuffer(field, "validity", minimum: 0)
        guard nullCount > 0 else { return nil }
        guard buffer.count >= bitmapByteCount(length) else {
            throw .invalidArray(field: field.name, reason: "\(nullCount) nulls but the validity bitmap has "
                                + "\(buffer.count) bytes, needs \(bitmapByteCount(length))")
        }
        return buffer
    }

    /// Offsets buffer with `length + 1` entries. An empty array may omit it;
    /// we substitute a single 0 so accessors need no special case.
    private mutating func readOffsets(_ field: ArrowField, length: Int, width: Int) throws(ArrowError) -> ArrowBuffer {
        let buffer = try readBuffer(field, "offsets", minimum: 0)
        if length == 0 && buffer.count < width { return ArrowBuffer([UInt8](repeating: 0, count: width)) }
        let (entries, overflow) = length.addingReportingOverflow(1)
        let needed = overflow ? Int.max : try byteCount(field, entries, width)
        guard buffer.count >= needed else {
            throw .invalidArray(field: field.name, reason: "offsets buffer has \(buffer.count) bytes, needs \(needed)")
        }
        return buffer
    }

    /// Offsets must start at or above 0, never decrease, and stay within `limit`.
    private func checkOffsets(_ field: ArrowField, _ offsets: ArrowBuffer, length: Int, width: Int,
                              limit: Int, of what: String) throws(ArrowError) {
        var previous = 0
        for index in 0...length {
            let value = width == 4 ? Int(offsets.load(Int32.self, at: index)) : Int(offsets.load(Int64.self, at: index))
            guard value >= previous, value <= limit else {
                throw .invalidArray(field: field.name, reason: "offset[\(index)] = \(value) is outside "
                                    + "\(previous)...\(limit) (\(limit) \(what))")
            }
            previous = value
        }
    }

    private func byteCount(_ field: ArrowField, _ count: Int, _ width: Int) throws(ArrowError) -> Int {
        guard let bytes = checkedByteCount(count, width) else {
            throw .invalidArray(field: field.name, reason: "length \(count) is too large")
        }
        return bytes
    }
}
