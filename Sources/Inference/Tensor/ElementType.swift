/// The element types a tensor holds at run time. Model files may store other types (float16 weights, for one);
/// loaders convert those to one of these when they read the file.
public enum ElementType: String, Sendable, Hashable, CustomStringConvertible {
    case float32
    case int64
    case int32
    case bool

    /// Bytes one element takes in memory.
    public var byteWidth: Int {
        switch self {
        case .float32, .int32: return 4
        case .int64: return 8
        case .bool: return 1
        }
    }

    public var description: String { rawValue }
}
