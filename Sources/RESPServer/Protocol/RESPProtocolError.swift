/// A malformed request. The server answers `-ERR Protocol error: <message>` and closes the connection, as Redis does.
public struct RESPProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }

    public static let invalidMultibulkLength = Self("invalid multibulk length")
    public static let invalidBulkLength = Self("invalid bulk length")
    public static let tooBigInlineRequest = Self("too big inline request")
    public static let tooBigMultibulkCount = Self("too big mbulk count string")
    public static let tooBigBulkCount = Self("too big bulk count string")
    public static let unbalancedQuotes = Self("unbalanced quotes in request")
    public static let unauthenticatedMultibulkLength = Self("unauthenticated multibulk length")
    public static let unauthenticatedBulkLength = Self("unauthenticated bulk length")
    /// Not sent to the client: the request outgrew `client-query-buffer-limit` and the connection is closed.
    public static let queryBufferLimit = Self("query buffer limit reached")

    public static func expectedDollar(got byte: UInt8) -> Self {
        Self("expected '$', got '\(Character(Unicode.Scalar(byte)))'")
    }

    public var description: String { "Protocol error: \(message)" }
}
