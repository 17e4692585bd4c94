/// Errors of the data model. The RESP layer turns each into Redis's exact reply text.
public enum StoreError: Error, Equatable, Sendable {
    /// The key holds another type than the command works on.
    case wrongType
    /// The key does not exist where it must (RENAME, LSET, ...).
    case noSuchKey
    /// A string is not an integer, or the result would overflow.
    case notAnInteger
    case overflow
    case notAFloat
    /// The result of a float operation is NaN or infinite.
    case nanOrInfinity
    case indexOutOfRange
    /// A string would grow past the 512 MB limit.
    case stringTooLong
    /// Stream and consumer-group rules; see `Stream.swift` and `ConsumerGroups.swift`.
    case stream(StreamError)
    /// A record on disk could not be decoded.
    case corrupt(String)
}
