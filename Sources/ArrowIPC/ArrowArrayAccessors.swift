/// Typed reads — the server's view of a column. Each accessor checks the
/// column type and throws `typeMismatch` instead of reinterpreting bytes.
extension ArrowArray {
    // MARK: Numbers

    /// Every slot as `Float`, for any numeric column (ints, half/single/double
    /// floats, bool as 0/1). Null slots are included with whatever value the
    /// buffer holds (0 in practice) so positions line up with tensor elements;
    /// check `isValid(_:)` if nulls matter.
    public func floats() throws(ArrowError) -> [Float] {
        guard let values = numericSlots({ Float($0) }, { Float($0) }, { Float($0) }) else {
            throw .typeMismatch(field: name, expected: "a numeric type", actual: type.description)
        }
        return values
    }

    /// Like `floats()` but as `Double`: exact for double columns and for ints up to 2^53.
    public func doubles() throws(ArrowError) -> [Double] {
        guard let values = numericSlots({ $0 }, { Double($0) }, { Double($0) }) else {
            throw .typeMismatch(field: name, expected: "a numeric type", actual: type.description)
        }
        return values
    }

    /// Every slot as `Int64`, for integer columns only (null slots included,
    /// as in `floats()`). A uint64 value above `Int64.max` throws.
    public func int64s() throws(ArrowError) -> [Int64] {
        guard type.isInteger else {
            throw .typeMismatch(field: name, expected: "an integer type", actual: type.description)
        }
        var tooLarge = false
        let values = numericSlots({ Int64($0) }, { $0 }, { value in
            if value > UInt64(Int64.max) { tooLarge = true }
            return Int64(truncatingIfNeeded: value)
        }) ?? []
        if tooLarge { throw .valueOutOfRange(field: name, reason: "uint64 value above Int64.max") }
        return values
    }

    /// One pass over a numeric column, converting through the closure that
    /// matches the storage kind; nil for non-numeric types.
    private func numericSlots<R>(_ fromDouble: (Double) -> R, _ fromInt: (Int64) -> R,
                                 _ fromUInt: (UInt64) -> R) -> [R]? {
        let values = buffers.first
        switch type {
        case .bool: return (0..<length).map { fromInt(values!.bit(offset + $0) ? 1 : 0) }
        case .int8: return values!.map(Int8.self, start: offset, count: length) { fromInt(Int64($0)) }
        case .int16: return values!.map(Int16.self, start: offset, count: length) { fromInt(Int64($0)) }
        case .int32: return values!.map(Int32.self, start: offset, count: length) { fromInt(Int64($0)) }
        case .int64: return values!.map(Int64.self, start: offset, count: length) { fromInt($0) }
        case .uint8: return values!.map(UInt8.self, start: offset, count: length) { fromUInt(UInt64($0)) }
        case .uint16: return values!.map(UInt16.self, start: offset, count: length) { fromUInt(UInt64($0)) }
        case .uint32: return values!.map(UInt32.self, start: offset, count: length) { fromUInt(UInt64($0)) }
        case .uint64: return values!.map(UInt64.self, start: offset, count: length) { fromUInt($0) }
        case .float16:
            return values!.map(UInt16.self, start: offset, count: length) { fromDouble(Double(halfToFloat($0))) }
        case .float32:
            return values!.map(UInt32.self, start: offset, count: length) { fromDouble(Double(Float(bitPattern: $0))) }
        case .float64:
            return values!.map(UInt64.self, start: offset, count: length) { fromDouble(Double(bitPattern: $0)) }
        default: return nil
        }
    }

    // MARK: Strings and bytes

    /// The UTF-8 string in slot `index`, nil for a null slot. Invalid UTF-8 is
    /// repaired with U+FFFD rather than rejected (the server only forwards it).
    public func string(at index: Int) throws(ArrowError) -> String? {
        guard type == .utf8 || type == .largeUtf8 else {
            throw .typeMismatch(field: name, expected: "string", actual: type.description)
        }
        return try bytes(at: index).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The raw bytes in slot `index` of a utf8/binary column, nil for a null slot.
    public func bytes(at index: Int) throws(ArrowError) -> [UInt8]? {
        switch type {
        case .utf8, .binary, .largeUtf8, .largeBinary: break
        default: throw .typeMismatch(field: name, expected: "string or binary", actual: type.description)
        }
        try checkIndex(index)
        guard isValid(index) else { return nil }
        let range = variableRange(index)
        let data = buffers[1].bytes
        return Array(data[(data.startIndex + range.lowerBound)..<(data.startIndex + range.upperBound)])
    }

    // MARK: Lists

    /// The child array of a list / large list / fixed-size list; nil for other types.
    public var values: ArrowArray? {
        switch type {
        case .list, .largeList, .fixedSizeList: return children.first
        default: return nil
        }
    }

    /// Slots of `values` that list slot `index` covers. A null slot usually
    /// has an empty range; check `isValid(_:)` to tell null from empty.
    public func listRange(at index: Int) throws(ArrowError) -> Range<Int> {
        try checkIndex(index)
        switch type {
        case .list, .largeList:
            return variableRange(index)
        case let .fixedSizeList(_, size):
            return (offset + index) * size..<(offset + index + 1) * size
        default:
            throw .typeMismatch(field: name, expected: "a list type", actual: type.description)
        }
    }

    /// The part of `values` that this list's slots reference: from the first
    /// slot's start offset to the last slot's end offset. For the stock
    /// client's tensor struct this is exactly the tensor data, whichever row holds it.
    public func flattenedValues() throws(ArrowError) -> ArrowArray {
        guard let child = values else {
            throw .typeMismatch(field: name, expected: "a list type", actual: type.description)
        }
        let range: Range<Int>
        switch type {
        case let .fixedSizeList(_, size):
            range = offset * size..<(offset + length) * size
        default:
            range = valueOffset(0)..<valueOffset(length)
        }
        return child.sliced(range.lowerBound, range.count)
    }

    // MARK: Structs

    /// The struct member called `name`, aligned with this array's slots; nil
    /// when there is no such member or this is not a struct.
    public func child(named name: String) -> ArrowArray? {
        guard case let .structure(fields) = type,
              let position = fields.firstIndex(where: { $0.name == name }) else { return nil }
        return children[position].sliced(offset, length)
    }

    private func checkIndex(_ index: Int) throws(ArrowError) {
        guard index >= 0, index < length else {
            throw .indexOutOfRange(field: name, index: index, length: length)
        }
    }
}
