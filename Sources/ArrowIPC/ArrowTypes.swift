/// The logical types this module reads and writes.
///
/// Descriptions deliberately match pyarrow's `str(type)` ("float",
/// "list<item: int32>", ...) so fixtures and error messages read the same on
/// both sides.
public indirect enum ArrowType: Sendable, Equatable, CustomStringConvertible {
    case null
    case bool
    case int8, int16, int32, int64
    case uint8, uint16, uint32, uint64
    case float16, float32, float64
    case utf8, binary, largeUtf8, largeBinary
    case list(ArrowField)
    case largeList(ArrowField)
    case fixedSizeList(ArrowField, size: Int)
    case structure([ArrowField])

    /// Bytes per value for fixed-width numeric types; nil for everything else
    /// (bool is bit-packed, so it has no byte width).
    public var byteWidth: Int? {
        switch self {
        case .int8, .uint8: return 1
        case .int16, .uint16, .float16: return 2
        case .int32, .uint32, .float32: return 4
        case .int64, .uint64, .float64: return 8
        default: return nil
        }
    }

    public var isInteger: Bool {
        switch self {
        case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64: return true
        default: return false
        }
    }

    /// Numeric in the sense of `ArrowArray.floats()`: ints, floats and bool.
    public var isNumeric: Bool { byteWidth != nil || self == .bool }

    /// Child fields of nested types (list item, struct members); empty otherwise.
    public var children: [ArrowField] {
        switch self {
        case let .list(item), let .largeList(item), let .fixedSizeList(item, _): return [item]
        case let .structure(fields): return fields
        default: return []
        }
    }

    public var description: String {
        switch self {
        case .null: return "null"
        case .bool: return "bool"
        case .int8: return "int8"
        case .int16: return "int16"
        case .int32: return "int32"
        case .int64: return "int64"
        case .uint8: return "uint8"
        case .uint16: return "uint16"
        case .uint32: return "uint32"
        case .uint64: return "uint64"
        case .float16: return "halffloat"
        case .float32: return "float"
        case .float64: return "double"
        case .utf8: return "string"
        case .binary: return "binary"
        case .largeUtf8: return "large_string"
        case .largeBinary: return "large_binary"
        case let .list(item): return "list<\(item)>"
        case let .largeList(item): return "large_list<\(item)>"
        case let .fixedSizeList(item, size): return "fixed_size_list<\(item)>[\(size)]"
        case let .structure(fields): return "struct<" + fields.map(\.description).joined(separator: ", ") + ">"
        }
    }
}

/// A named, typed column slot. Nullability is carried because pyarrow
/// round-trips it and the stock client marks every field nullable.
public struct ArrowField: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var type: ArrowType
    public var nullable: Bool

    public init(_ name: String, _ type: ArrowType, nullable: Bool = true) {
        self.name = name
        self.type = type
        self.nullable = nullable
    }

    /// pyarrow style: "name: type", plus " not null" when not nullable.
    public var description: String { "\(name): \(type)" + (nullable ? "" : " not null") }
}

/// The ordered top-level fields of a stream.
public struct ArrowSchema: Sendable, Equatable {
    public var fields: [ArrowField]

    public init(_ fields: [ArrowField]) { self.fields = fields }

    public func field(named name: String) -> ArrowField? { fields.first { $0.name == name } }
}
