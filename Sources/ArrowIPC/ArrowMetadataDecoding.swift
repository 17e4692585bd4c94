/// What one IPC message's metadata says, before its body is interpreted.
enum MessageHeader {
    case schema(ArrowSchema)
    case recordBatch(RecordBatchLayout)
}

/// A decoded Message table: its header plus how many body bytes follow.
struct DecodedMessage {
    var header: MessageHeader
    var bodyLength: Int64
}

/// A RecordBatch message: one FieldNode per array (depth-first) and the
/// body-relative location of each buffer, in schema order.
struct RecordBatchLayout {
    var length: Int64
    var nodes: [(length: Int64, nullCount: Int64)]
    var buffers: [(offset: Int64, length: Int64)]
}

/// Flatbuffer Message -> Swift values, following Message.fbs and Schema.fbs.
/// Field ids below are the declaration order in those files.
enum MetadataDecoder {
    /// Deeper nesting is refused; real schemas are a few levels deep, and the
    /// limit stops cyclic metadata from recursing forever.
    static let maxNesting = 64

    /// Names of the Schema.fbs `Type` union members, indexed by type id, for
    /// "unsupported type" errors.
    static let typeNames = [
        "NONE", "Null", "Int", "FloatingPoint", "Binary", "Utf8", "Bool", "Decimal", "Date", "Time",
        "Timestamp", "Interval", "List", "Struct_", "Union", "FixedSizeBinary", "FixedSizeList", "Map",
        "Duration", "LargeBinary", "LargeUtf8", "LargeList", "RunEndEncoded", "BinaryView", "Utf8View",
        "ListView", "LargeListView",
    ]

    static func decodeMessage(_ metadata: [UInt8]) throws(ArrowError) -> DecodedMessage {
        let message = try FlatBuffer(bytes: metadata).rootTable("Message")
        // MetadataVersion: V1 = 0 ... V4 = 3, V5 = 4.
        let version: Int16 = try message.scalar(0, "version", default: 0)
        guard version == 3 || version == 4 else { throw .unsupportedMetadataVersion(version) }
        let headerType: UInt8 = try message.scalar(1, "header_type", default: 0)
        let bodyLength: Int64 = try message.scalar(3, "bodyLength", default: 0)
        guard bodyLength >= 0 else { throw .badFlatbuffer("negative Message.bodyLength \(bodyLength)") }

        // MessageHeader union: 1 Schema, 2 DictionaryBatch, 3 RecordBatch, 4 Tensor, 5 SparseTensor.
        let header: MessageHeader
        switch headerType {
        case 1:
            var budget = metadata.count / 4
            header = .schema(try decodeSchema(try requiredHeader(message, "Schema"), budget: &budget))
        case 2:
            throw .dictionaryUnsupported(field: nil)
        case 3:
            header = .recordBatch(try decodeRecordBatch(try requiredHeader(message, "RecordBatch")))
        case 4:
            throw .unsupportedMessage("Tensor")
        case 5:
            throw .unsupportedMessage("SparseTensor")
        default:
            throw .unknownMessageHeader(headerType)
        }
        return DecodedMessage(header: header, bodyLength: bodyLength)
    }

    private static func requiredHeader(_ message: FlatTable, _ name: String) throws(ArrowError) -> FlatTable {
        guard let header = try message.table(2, "header", name) else {
            throw .badFlatbuffer("Message says \(name) but has no header table")
        }
        return header
    }

    // MARK: Schema

    /// `budget` caps the total number of Field tables decoded: each real field
    /// needs its own bytes, so more fields than bytes/4 means shared (possibly
    /// exponential) subtables in corrupt metadata.
    private static func decodeSchema(_ schema: FlatTable, budget: inout Int) throws(ArrowError) -> ArrowSchema {
        let endianness: Int16 = try schema.scalar(0, "endianness", default: 0)
        guard endianness == 0 else { throw .unsupportedFeature("big-endian data") }
        var fields: [ArrowField] = []
        for table in try schema.tables(1, "fields", "Field") ?? [] {
            fields.append(try decodeField(table, depth: 0, budget: &budget))
        }
        return ArrowSchema(fields)
    }

    // Field: 0 name, 1 nullable, 2 type_type, 3 type, 4 dictionary, 5 children, 6 custom_metadata.
    private static func decodeField(_ table: FlatTable, depth: Int, budget: inout Int) throws(ArrowError) -> ArrowField {
        budget -= 1
        guard budget >= 0 else {
            throw .badFlatbuffer("more Field tables than the metadata can hold (shared or cyclic offsets)")
        }
        let name = try table.string(0, "name") ?? ""
        guard depth < maxNesting else { throw .nestingTooDeep(field: name, limit: maxNesting) }
        let nullable: UInt8 = try table.scalar(1, "nullable", default: 0)
        if try table.fieldPosition(4) != nil { throw .dictionaryUnsupported(field: name) }

        let typeID: UInt8 = try table.scalar(2, "type_type", default: 0)
        let supported: Set<UInt8> = [1, 2, 3, 4, 5, 6, 12, 13, 16, 19, 20, 21]
        guard supported.contains(typeID) else {
            let typeName = Int(typeID) < typeNames.count ? typeNames[Int(typeID)] : "Type#\(typeID)"
            throw .unsupportedType(field: name, type: typeName)
        }
        var children: [ArrowField] = []
        for child in try table.tables(5, "children", "Field") ?? [] {
            children.append(try decodeField(child, depth: depth + 1, budget: &budget))
        }
        let type = try decodeType(typeID, try table.table(3, "type", typeNames[Int(typeID)]), children, name)
        return ArrowField(name, type, nullable: nullable != 0)
    }

    private static func decodeType(_ typeID: UInt8, _ table: FlatTable?, _ children: [ArrowField],
                                   _ name: String) throws(ArrowError) -> ArrowType {
        func parameters() throws(ArrowError) -> FlatTable {
            guard let table else { throw .badFlatbuffer("field '\(name)' lacks its \(typeNames[Int(typeID)]) type table") }
            return table
        }
        func onlyChild() throws(ArrowError) -> ArrowField {
            guard children.count == 1 else {
                throw .invalidSchema("field '\(name)' of type \(typeNames[Int(typeID)]) needs 1 child, has \(children.count)")
            }
            return children[0]
        }
        switch typeID {
        case 1: return .null
        case 2:
            let bitWidth: Int32 = try parameters().scalar(0, "bitWidth", default: 0)
            let signed: UInt8 = try parameters().scalar(1, "is_signed", default: 0)
            switch (bitWidth, signed != 0) {
            case (8, true): return .int8
            case (16, true): return .int16
            case (32, true): return .int32
            case (64, true): return .int64
            case (8, false): return .uint8
            case (16, false): return .uint16
            case (32, false): return .uint32
            case (64, false): return .uint64
            default: throw .unsupportedType(field: name, type: "Int(bitWidth: \(bitWidth))")
            }
        case 3:
            // Precision: HALF = 0, SINGLE = 1, DOUBLE = 2.
            let precision: Int16 = try parameters().scalar(0, "precision", default: 0)
            switch precision {
            case 0: return .float16
            case 1: return .float32
            case 2: return .float64
            default: throw .unsupportedType(field: name, type: "FloatingPoint(precision: \(precision))")
            }
        case 4: return .binary
        case 5: return .utf8
        case 6: return .bool
        case 12: return .list(try onlyChild())
        case 13: return .structure(children)
        case 16:
            let size: Int32 = try parameters().scalar(0, "listSize", default: 0)
            guard size >= 0 else { throw .invalidSchema("field '\(name)' has negative list size \(size)") }
            return .fixedSizeList(try onlyChild(), size: Int(size))
        case 19: return .largeBinary
        case 20: return .largeUtf8
        default: return .largeList(try onlyChild())  // 21, the last supported id
        }
    }

    // MARK: Record batch

    // RecordBatch: 0 length, 1 nodes [FieldNode], 2 buffers [Buffer], 3 compression.
    // FieldNode and Buffer are both structs of two int64s (16 bytes).
    private static func decodeRecordBatch(_ batch: FlatTable) throws(ArrowError) -> RecordBatchLayout {
        if try batch.fieldPosition(3) != nil { throw .unsupportedFeature("body compression") }
        let length: Int64 = try batch.scalar(0, "length", default: 0)
        guard length >= 0 else { throw .badFlatbuffer("negative RecordBatch.length \(length)") }
        let pairs = { (id: Int, field: String) throws(ArrowError) -> [(Int64, Int64)] in
            guard let (start, count) = try batch.structs(id, field, size: 16) else { return [] }
            var result: [(Int64, Int64)] = []
            result.reserveCapacity(count)
            for index in 0..<count {
                let position = start + 16 * index
                result.append((try batch.buffer.load(Int64.self, at: position, "\(field)[\(index)]"),
                               try batch.buffer.load(Int64.self, at: position + 8, "\(field)[\(index)]")))
            }
            return result
        }
        return RecordBatchLayout(length: length,
                                 nodes: try pairs(1, "nodes").map { (length: $0.0, nullCount: $0.1) },
                                 buffers: try pairs(2, "buffers").map { (offset: $0.0, length: $0.1) })
    }
}
