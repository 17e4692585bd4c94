/// One column (or nested child column) of a record batch.
///
/// Arrays decoded from IPC start at slot 0 (FieldNodes carry no offset);
/// `offset` only becomes non-zero through `slice(_:)` / `flattenedValues()`,
/// and every accessor respects it. Buffers are windows onto the original
/// payload, so decoding does not copy column data.
///
/// Buffer layout per type (validity is kept separately in `validity`):
///   null: none · bool: [bits] · ints/floats: [values]
///   utf8/binary (large): [offsets, data] · list (large): [offsets] + child
///   fixedSizeList: child only · struct: children only
public struct ArrowArray: Sendable {
    public let field: ArrowField
    /// Number of slots.
    public let length: Int
    /// Number of null slots (for the null type: `length`).
    public let nullCount: Int
    /// First slot inside the buffers; 0 unless this array is a slice.
    public let offset: Int
    /// Physical children: the values of a list, the members of a struct.
    /// Use `values` / `child(named:)` for the logical (offset-adjusted) view.
    public let children: [ArrowArray]
    /// Validity bitmap; nil means every slot is valid.
    let validity: ArrowBuffer?
    /// Type-specific buffers, in IPC order, validity excluded.
    let buffers: [ArrowBuffer]

    /// Trusted initializer: callers (decoder, builders) have checked sizes.
    init(field: ArrowField, length: Int, nullCount: Int, offset: Int = 0,
         validity: ArrowBuffer?, buffers: [ArrowBuffer], children: [ArrowArray]) {
        self.field = field
        self.length = length
        self.nullCount = nullCount
        self.offset = offset
        self.validity = validity
        self.buffers = buffers
        self.children = children
    }

    public var type: ArrowType { field.type }
    public var name: String { field.name }

    /// Whether slot `index` holds a value. Out-of-range indices are reported
    /// as not valid rather than trapping.
    public func isValid(_ index: Int) -> Bool {
        guard index >= 0, index < length else { return false }
        if case .null = field.type { return false }
        guard let validity else { return true }
        return validity.bit(offset + index)
    }

    /// The slots in `range` as a new array sharing the same buffers.
    public func slice(_ range: Range<Int>) throws(ArrowError) -> ArrowArray {
        guard range.lowerBound >= 0, range.upperBound <= length else {
            throw .indexOutOfRange(field: name, index: range.lowerBound < 0 ? range.lowerBound : range.upperBound,
                                   length: length)
        }
        return sliced(range.lowerBound, range.count)
    }

    /// Slice without range checks; `start + count` must be within `length`
    /// (guaranteed by validated offsets in the decoder and the writer).
    func sliced(_ start: Int, _ count: Int) -> ArrowArray {
        if start == 0 && count == length { return self }
        let newOffset = offset + start
        let nulls: Int
        if case .null = field.type {
            nulls = count
        } else if let validity {
            nulls = (newOffset..<newOffset + count).reduce(0) { $0 + (validity.bit($1) ? 0 : 1) }
        } else {
            nulls = 0
        }
        return ArrowArray(field: field, length: count, nullCount: nulls, offset: newOffset,
                          validity: nulls == 0 ? nil : validity, buffers: buffers, children: children)
    }

    /// Entry `index` (0...length) of the offsets buffer of a utf8/binary/list
    /// array: where slot `index` starts in the data bytes or child slots.
    func valueOffset(_ index: Int) -> Int {
        switch field.type {
        case .utf8, .binary, .list:
            return Int(buffers[0].load(Int32.self, at: offset + index))
        case .largeUtf8, .largeBinary, .largeList:
            return Int(buffers[0].load(Int64.self, at: offset + index))
        default:
            preconditionFailure("valueOffset on \(field.type)")
        }
    }

    /// Data bytes or child slots covered by slot `index` of a variable-size layout.
    func variableRange(_ index: Int) -> Range<Int> { valueOffset(index)..<valueOffset(index + 1) }
}
