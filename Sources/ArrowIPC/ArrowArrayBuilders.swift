/// Convenience constructors for the columns the server and its tests write.
///
/// Builders take Swift values and produce offset-0 arrays whose buffers are
/// exactly what pyarrow would hold: null slots keep the value passed in (use
/// 0), and a validity bitmap exists only when some slot is null. Mismatched
/// argument counts are programmer errors and trap.
extension ArrowArray {
    public static func float32(_ values: [Float], validity: [Bool]? = nil, name: String,
                               nullable: Bool = true) -> ArrowArray {
        fixedWidth(.float32, values.map(\.bitPattern), validity, name, nullable)
    }

    public static func float64(_ values: [Double], validity: [Bool]? = nil, name: String,
                               nullable: Bool = true) -> ArrowArray {
        fixedWidth(.float64, values.map(\.bitPattern), validity, name, nullable)
    }

    public static func int32(_ values: [Int32], validity: [Bool]? = nil, name: String,
                             nullable: Bool = true) -> ArrowArray {
        fixedWidth(.int32, values, validity, name, nullable)
    }

    public static func int64(_ values: [Int64], validity: [Bool]? = nil, name: String,
                             nullable: Bool = true) -> ArrowArray {
        fixedWidth(.int64, values, validity, name, nullable)
    }

    public static func bool(_ values: [Bool], validity: [Bool]? = nil, name: String,
                            nullable: Bool = true) -> ArrowArray {
        let (bitmap, nulls) = validityBitmap(validity, count: values.count)
        return ArrowArray(field: ArrowField(name, .bool, nullable: nullable), length: values.count,
                          nullCount: nulls, validity: bitmap,
                          buffers: [ArrowBuffer(packBits(values.count) { values[$0] })], children: [])
    }

    /// A column of the null type: `count` slots, no buffers.
    public static func nulls(_ count: Int, name: String) -> ArrowArray {
        ArrowArray(field: ArrowField(name, .null), length: count, nullCount: count,
                   validity: nil, buffers: [], children: [])
    }

    /// A utf8 column; `nil` entries become null slots.
    public static func utf8(_ values: [String?], name: String, nullable: Bool = true) -> ArrowArray {
        variableWidth(.utf8, values.map { $0.map { Array($0.utf8) } }, name, nullable)
    }

    /// A binary column; `nil` entries become null slots.
    public static func binary(_ values: [[UInt8]?], name: String, nullable: Bool = true) -> ArrowArray {
        variableWidth(.binary, values, name, nullable)
    }

    /// A list column over an existing child array. `offsets` has one entry
    /// per slot plus one, non-decreasing, within `values` (it need not start at 0).
    public static func list(_ values: ArrowArray, offsets: [Int32], validity: [Bool]? = nil,
                            name: String, nullable: Bool = true) -> ArrowArray {
        precondition(!offsets.isEmpty && offsets[0] >= 0 && Int(offsets[offsets.count - 1]) <= values.length
                     && zip(offsets, offsets.dropFirst()).allSatisfy { $0 <= $1 },
                     "list offsets must be non-decreasing and within the child")
        let length = offsets.count - 1
        let (bitmap, nulls) = validityBitmap(validity, count: length)
        return ArrowArray(field: ArrowField(name, .list(values.field), nullable: nullable), length: length,
                          nullCount: nulls, validity: bitmap,
                          buffers: [ArrowBuffer(littleEndianBytes(offsets))], children: [values])
    }

    /// A `list<item: int32>` column, one Swift array per slot; `nil` rows are null.
    public static func int32List(_ rows: [[Int32]?], name: String, nullable: Bool = true) -> ArrowArray {
        listOfRows(rows, name, nullable) { .int32($0, name: "item") }
    }

    /// A `list<item: float>` column, one Swift array per slot; `nil` rows are null.
    public static func float32List(_ rows: [[Float]?], name: String, nullable: Bool = true) -> ArrowArray {
        listOfRows(rows, name, nullable) { .float32($0, name: "item") }
    }

    /// A struct column whose members are `children` (their names become the
    /// member names); all children must have the same length.
    public static func structArray(_ children: [ArrowArray], validity: [Bool]? = nil, name: String,
                                   nullable: Bool = true) -> ArrowArray {
        let length = children.first?.length ?? validity?.count ?? 0
        precondition(children.allSatisfy { $0.length == length }, "struct children must have equal lengths")
        let (bitmap, nulls) = validityBitmap(validity, count: length)
        return ArrowArray(field: ArrowField(name, .structure(children.map(\.field)), nullable: nullable),
                          length: length, nullCount: nulls, validity: bitmap, buffers: [], children: children)
    }

    // MARK: Shared helpers

    private static func fixedWidth<T: FixedWidthInteger>(_ type: ArrowType, _ raw: [T], _ validity: [Bool]?,
                                                         _ name: String, _ nullable: Bool) -> ArrowArray {
        let (bitmap, nulls) = validityBitmap(validity, count: raw.count)
        return ArrowArray(field: ArrowField(name, type, nullable: nullable), length: raw.count,
                          nullCount: nulls, validity: bitmap,
                          buffers: [ArrowBuffer(littleEndianBytes(raw))], children: [])
    }

    private static func variableWidth(_ type: ArrowType, _ items: [[UInt8]?], _ name: String,
                                      _ nullable: Bool) -> ArrowArray {
        var offsets: [Int32] = [0]
        var data: [UInt8] = []
        for item in items {
            data += item ?? []
            precondition(data.count <= Int(Int32.max), "utf8/binary column larger than 2 GiB")
            offsets.append(Int32(data.count))
        }
        let (bitmap, nulls) = validityBitmap(items.map { $0 != nil }, count: items.count)
        return ArrowArray(field: ArrowField(name, type, nullable: nullable), length: items.count,
                          nullCount: nulls, validity: bitmap,
                          buffers: [ArrowBuffer(littleEndianBytes(offsets)), ArrowBuffer(data)], children: [])
    }

    private static func listOfRows<T>(_ rows: [[T]?], _ name: String, _ nullable: Bool,
                                      _ makeValues: ([T]) -> ArrowArray) -> ArrowArray {
        var offsets: [Int32] = [0]
        var flat: [T] = []
        for row in rows {
            flat += row ?? []
            offsets.append(Int32(flat.count))
        }
        return list(makeValues(flat), offsets: offsets, validity: rows.map { $0 != nil },
                    name: name, nullable: nullable)
    }

    /// Bitmap + null count for optional validity flags; no bitmap when nothing is null.
    private static func validityBitmap(_ validity: [Bool]?, count: Int) -> (ArrowBuffer?, Int) {
        guard let validity else { return (nil, 0) }
        precondition(validity.count == count, "validity has \(validity.count) entries for \(count) values")
        let nulls = validity.reduce(0) { $0 + ($1 ? 0 : 1) }
        return nulls == 0 ? (nil, 0) : (ArrowBuffer(packBits(count) { validity[$0] }), nulls)
    }
}

/// The little-endian bytes of `values`, in one copy.
func littleEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    values.map(\.littleEndian).withUnsafeBytes { Array($0) }
}
