/// Every way reading, writing or interpreting an Arrow stream can fail.
///
/// Typed (`throws(ArrowError)`) so the server can turn any malformed request
/// into a clear client error; each description names what is wrong and where.
public enum ArrowError: Error, Equatable, Sendable, CustomStringConvertible {
    // MARK: Stream framing
    /// Fewer bytes remain than the next structure needs.
    case truncated(at: Int, needed: Int, available: Int, what: String)
    /// A negative length prefix that is not the 0xFFFFFFFF continuation marker.
    case badContinuation(at: Int, value: UInt32)
    /// The metadata length prefix points past the end of the input.
    case metadataPastEnd(at: Int, length: Int, available: Int)
    /// The message body (bodyLength) extends past the end of the input.
    case bodyPastEnd(at: Int, length: Int64, available: Int)

    // MARK: Message metadata
    /// An offset, vtable or vector inside the flatbuffer metadata is invalid.
    case badFlatbuffer(String)
    /// The Message.header_type is not one of the known MessageHeader values.
    case unknownMessageHeader(UInt8)
    /// A known message kind this reader does not handle (Tensor, SparseTensor).
    case unsupportedMessage(String)
    /// Metadata versions before V4 use a different layout.
    case unsupportedMetadataVersion(Int16)
    /// Compression, big-endian data and similar optional features.
    case unsupportedFeature(String)
    /// Dictionary-encoded field (`field` set) or a DictionaryBatch message.
    case dictionaryUnsupported(field: String?)
    /// A field whose type this reader does not support; `type` is the Arrow type name.
    case unsupportedType(field: String, type: String)
    /// The schema is structurally wrong (e.g. a list without exactly one child).
    case invalidSchema(String)
    /// Nested types deeper than the reader's limit (guards against cyclic metadata).
    case nestingTooDeep(field: String, limit: Int)

    // MARK: Stream structure
    /// A record batch arrived before any schema message.
    case recordBatchBeforeSchema(at: Int)
    /// The stream ended (or was empty) without a schema message.
    case missingSchema
    /// A second schema message; a stream has exactly one.
    case duplicateSchema(at: Int)

    // MARK: Record batch body
    /// The batch has a different number of FieldNodes than its schema implies.
    case nodeCountMismatch(expected: Int, actual: Int)
    /// The batch has a different number of Buffers than its schema implies.
    case bufferCountMismatch(expected: Int, actual: Int)
    /// A Buffer's offset/length lies outside the message body.
    case bufferOutOfBounds(index: Int, offset: Int64, length: Int64, bodyLength: Int)
    /// A top-level column's length differs from the batch length.
    case columnLengthMismatch(field: String, expected: Int, actual: Int)
    /// A column's buffers do not match its declared length, null count or offsets.
    case invalidArray(field: String, reason: String)

    // MARK: Accessors and payload interpretation
    /// A typed accessor was used on a column of another type.
    case typeMismatch(field: String, expected: String, actual: String)
    /// A slot index (or slice) outside the column.
    case indexOutOfRange(field: String, index: Int, length: Int)
    /// A value that does not fit the requested representation.
    case valueOutOfRange(field: String, reason: String)
    /// A valid Arrow stream that is not the serving payload we expected.
    case unexpectedPayload(String)

    public var description: String {
        switch self {
        case let .truncated(at, needed, available, what):
            return "truncated at byte \(at): \(what) needs \(needed) bytes, only \(available) left"
        case let .badContinuation(at, value):
            return "bad continuation at byte \(at): expected 0xFFFFFFFF or a non-negative length, found 0x\(String(value, radix: 16, uppercase: true))"
        case let .metadataPastEnd(at, length, available):
            return "metadata length \(length) at byte \(at) runs past the end of the data (\(available) bytes left)"
        case let .bodyPastEnd(at, length, available):
            return "message body of \(length) bytes at byte \(at) runs past the end of the data (\(available) bytes left)"
        case let .badFlatbuffer(detail):
            return "bad flatbuffer: \(detail)"
        case let .unknownMessageHeader(type):
            return "unknown message header type \(type)"
        case let .unsupportedMessage(kind):
            return "unsupported message kind \(kind)"
        case let .unsupportedMetadataVersion(version):
            return "unsupported metadata version V\(Int(version) + 1) (need V4 or V5)"
        case let .unsupportedFeature(feature):
            return "unsupported feature: \(feature)"
        case let .dictionaryUnsupported(field):
            if let field { return "field '\(field)' is dictionary-encoded; dictionaries are not supported" }
            return "DictionaryBatch message found; dictionaries are not supported"
        case let .unsupportedType(field, type):
            return "field '\(field)' has unsupported type \(type)"
        case let .invalidSchema(detail):
            return "invalid schema: \(detail)"
        case let .nestingTooDeep(field, limit):
            return "field '\(field)' nests types deeper than \(limit) levels"
        case let .recordBatchBeforeSchema(at):
            return "schema missing before the record batch at byte \(at)"
        case .missingSchema:
            return "stream ended without a schema message"
        case let .duplicateSchema(at):
            return "second schema message at byte \(at)"
        case let .nodeCountMismatch(expected, actual):
            return "node count mismatch: schema needs \(expected) field nodes, batch has \(actual)"
        case let .bufferCountMismatch(expected, actual):
            return "buffer count mismatch: schema needs \(expected) buffers, batch has \(actual)"
        case let .bufferOutOfBounds(index, offset, length, bodyLength):
            return "buffer \(index) out of bounds: offset \(offset) length \(length) in a body of \(bodyLength) bytes"
        case let .columnLengthMismatch(field, expected, actual):
            return "column '\(field)' has length \(actual) but the batch has \(expected) rows"
        case let .invalidArray(field, reason):
            return "invalid column '\(field)': \(reason)"
        case let .typeMismatch(field, expected, actual):
            return "column '\(field)' is \(actual), expected \(expected)"
        case let .indexOutOfRange(field, index, length):
            return "index \(index) out of range for column '\(field)' of length \(length)"
        case let .valueOutOfRange(field, reason):
            return "value out of range in column '\(field)': \(reason)"
        case let .unexpectedPayload(detail):
            return "unexpected payload: \(detail)"
        }
    }
}
