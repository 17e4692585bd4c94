/// Checked navigation of one flatbuffer — an IPC message's metadata.
///
/// A flatbuffer is a graph of offsets; corrupt input can point anywhere, so
/// every offset is checked against the buffer before it is followed and each
/// failure becomes `.badFlatbuffer` naming the table and field involved.
/// Layout facts (from the flatbuffers spec): the buffer starts with a uint32
/// offset to the root table; a table starts with an int32 `soffset` so that
/// `vtable = table - soffset`; a vtable is uint16 [vtable size, table size,
/// field offsets...], where 0 means "absent, use the default"; vectors and
/// strings are a uint32 count followed by the elements.
struct FlatBuffer {
    let bytes: [UInt8]

    func load<T: FixedWidthInteger>(_: T.Type, at position: Int, _ what: String) throws(ArrowError) -> T {
        guard let value = LittleEndian.load(T.self, from: bytes[...], at: position) else {
            throw .badFlatbuffer("offset points outside the metadata: \(what) at byte \(position), metadata is \(bytes.count) bytes")
        }
        return value
    }

    func rootTable(_ name: String) throws(ArrowError) -> FlatTable {
        let root = try load(UInt32.self, at: 0, "root offset")
        return try table(at: Int(root), name)
    }

    func table(at position: Int, _ name: String) throws(ArrowError) -> FlatTable {
        let soffset = try load(Int32.self, at: position, "\(name) table")
        let vtable = position - Int(soffset)
        let vtableSize = Int(try load(UInt16.self, at: vtable, "\(name) vtable"))
        guard vtableSize >= 4, vtableSize % 2 == 0, vtable + vtableSize <= bytes.count else {
            throw .badFlatbuffer("\(name) vtable at byte \(vtable) has invalid size \(vtableSize)")
        }
        return FlatTable(buffer: self, position: position, vtable: vtable, vtableSize: vtableSize, name: name)
    }

    /// Count and first-element position of the vector at `position`, checked
    /// to fit in the buffer before anyone iterates or allocates for it.
    func vector(at position: Int, elementSize: Int, _ what: String) throws(ArrowError) -> (start: Int, count: Int) {
        let count = Int(try load(UInt32.self, at: position, "\(what) length"))
        let start = position + 4
        guard count * elementSize <= bytes.count - start else {
            throw .badFlatbuffer("\(what) claims \(count) elements at byte \(position), past the end of the metadata")
        }
        return (start, count)
    }
}

/// One table inside a `FlatBuffer`; fields are addressed by their schema id.
struct FlatTable {
    let buffer: FlatBuffer
    let position: Int
    let vtable: Int
    let vtableSize: Int
    /// Table type name for error messages ("Message", "Field", ...).
    let name: String

    /// Absolute position of field `id`, or nil when the field is absent.
    func fieldPosition(_ id: Int) throws(ArrowError) -> Int? {
        let slot = 4 + 2 * id
        guard slot + 2 <= vtableSize else { return nil }
        let relative = try buffer.load(UInt16.self, at: vtable + slot, "\(name) vtable entry \(id)")
        return relative == 0 ? nil : position + Int(relative)
    }

    func scalar<T: FixedWidthInteger>(_ id: Int, _ field: String, default value: T) throws(ArrowError) -> T {
        guard let position = try fieldPosition(id) else { return value }
        return try buffer.load(T.self, at: position, "\(name).\(field)")
    }

    /// Where the uoffset stored in field `id` points, or nil when absent.
    private func target(_ id: Int, _ field: String) throws(ArrowError) -> Int? {
        guard let position = try fieldPosition(id) else { return nil }
        return position + Int(try buffer.load(UInt32.self, at: position, "\(name).\(field) offset"))
    }

    func table(_ id: Int, _ field: String, _ tableName: String) throws(ArrowError) -> FlatTable? {
        guard let position = try target(id, field) else { return nil }
        return try buffer.table(at: position, tableName)
    }

    func string(_ id: Int, _ field: String) throws(ArrowError) -> String? {
        guard let position = try target(id, field) else { return nil }
        let (start, count) = try buffer.vector(at: position, elementSize: 1, "\(name).\(field)")
        return String(decoding: buffer.bytes[start..<start + count], as: UTF8.self)
    }

    /// A vector of tables (each element is a uoffset relative to itself).
    func tables(_ id: Int, _ field: String, _ tableName: String) throws(ArrowError) -> [FlatTable]? {
        guard let position = try target(id, field) else { return nil }
        let (start, count) = try buffer.vector(at: position, elementSize: 4, "\(name).\(field)")
        var result: [FlatTable] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            let element = start + 4 * index
            let relative = try buffer.load(UInt32.self, at: element, "\(name).\(field)[\(index)]")
            result.append(try buffer.table(at: element + Int(relative), tableName))
        }
        return result
    }

    /// A vector of fixed-size structs: where the elements start and how many.
    func structs(_ id: Int, _ field: String, size: Int) throws(ArrowError) -> (start: Int, count: Int)? {
        guard let position = try target(id, field) else { return nil }
        return try buffer.vector(at: position, elementSize: size, "\(name).\(field)")
    }
}
