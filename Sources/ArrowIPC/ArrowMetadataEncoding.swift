/// Schema / record batch layout -> flatbuffer `Message` bytes.
///
/// Objects are created and fields added in the same order as Arrow C++
/// (children, type table, name, children vector, then the Field table;
/// scalar fields largest first as flatc's `CreateX` helpers do), so together
/// with `FlatBufferBuilder` the metadata matches pyarrow byte for byte.
/// Field ids are the declaration order in Schema.fbs / Message.fbs.
enum MetadataEncoder {
    /// MetadataVersion V5 — what current pyarrow writes.
    static let version: Int16 = 4

    static func schemaMessage(_ schema: ArrowSchema) -> [UInt8] {
        var builder = FlatBufferBuilder()
        var fields: [Int] = []
        for field in schema.fields { fields.append(encodeField(field, &builder)) }
        let fieldVector = builder.createVector(references: fields)
        builder.startTable()
        builder.addReference(1, to: fieldVector)  // Schema.fields; endianness Little is the default
        let schemaTable = builder.endTable()
        return finishMessage(&builder, headerType: 1, header: schemaTable, bodyLength: 0)
    }

    static func recordBatchMessage(length: Int, nodes: [(length: Int, nullCount: Int)],
                                   buffers: [(offset: Int, length: Int)], bodyLength: Int) -> [UInt8] {
        var builder = FlatBufferBuilder()
        let nodeVector = builder.createVector(structBytes: pairBytes(nodes.map { ($0.length, $0.nullCount) }),
                                              count: nodes.count, alignment: 8)
        let bufferVector = builder.createVector(structBytes: pairBytes(buffers.map { ($0.offset, $0.length) }),
                                                count: buffers.count, alignment: 8)
        builder.startTable()
        builder.add(0, Int64(length))              // RecordBatch.length
        builder.addReference(2, to: bufferVector)  // RecordBatch.buffers
        builder.addReference(1, to: nodeVector)    // RecordBatch.nodes
        let batch = builder.endTable()
        return finishMessage(&builder, headerType: 3, header: batch, bodyLength: bodyLength)
    }

    /// Message: 0 version, 1 header_type, 2 header, 3 bodyLength.
    private static func finishMessage(_ builder: inout FlatBufferBuilder, headerType: UInt8, header: Int,
                                      bodyLength: Int) -> [UInt8] {
        builder.startTable()
        builder.add(3, Int64(bodyLength))
        builder.addReference(2, to: header)
        builder.add(0, version)
        builder.add(1, headerType)
        let message = builder.endTable()
        return builder.finish(root: message)
    }

    /// Field: 0 name, 1 nullable, 2 type_type, 3 type, 5 children.
    private static func encodeField(_ field: ArrowField, _ builder: inout FlatBufferBuilder) -> Int {
        var children: [Int] = []
        for child in field.type.children { children.append(encodeField(child, &builder)) }
        let (typeID, typeTable) = encodeType(field.type, &builder)
        let name = builder.createString(field.name)
        let childVector = builder.createVector(references: children)
        builder.startTable()
        builder.addReference(5, to: childVector)
        builder.addReference(3, to: typeTable)
        builder.addReference(0, to: name)
        builder.add(2, typeID)
        builder.add(1, UInt8(field.nullable ? 1 : 0))
        return builder.endTable()
    }

    /// The `Type` union member id and its table.
    private static func encodeType(_ type: ArrowType, _ builder: inout FlatBufferBuilder) -> (UInt8, Int) {
        builder.startTable()
        let id: UInt8
        switch type {
        case .null: id = 1
        case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64:
            id = 2
            builder.add(0, Int32((type.byteWidth ?? 0) * 8))  // Int.bitWidth
            let signed = [.int8, .int16, .int32, .int64].contains(type)
            builder.add(1, UInt8(signed ? 1 : 0))          // Int.is_signed
        case .float16, .float32, .float64:
            id = 3
            builder.add(0, Int16(type == .float16 ? 0 : type == .float32 ? 1 : 2))  // FloatingPoint.precision
        case .binary: id = 4
        case .utf8: id = 5
        case .bool: id = 6
        case .list: id = 12
        case .structure: id = 13
        case let .fixedSizeList(_, size):
            id = 16
            builder.add(0, Int32(size))  // FixedSizeList.listSize
        case .largeBinary: id = 19
        case .largeUtf8: id = 20
        case .largeList: id = 21
        }
        return (id, builder.endTable())
    }

    /// FieldNode / Buffer structs: two little-endian int64s each.
    private static func pairBytes(_ pairs: [(Int, Int)]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(pairs.count * 16)
        for (first, second) in pairs {
            LittleEndian.append(Int64(first), to: &bytes)
            LittleEndian.append(Int64(second), to: &bytes)
        }
        return bytes
    }
}
