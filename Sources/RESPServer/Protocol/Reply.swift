/// A reply, independent of the protocol version; `ReplyEncoder` writes it as RESP2 or RESP3.
public enum Reply: Sendable, Equatable {
    /// `+OK`
    case simple(String)
    /// `-ERR ...`: the text includes the code word (ERR, WRONGTYPE, NOGROUP, ...).
    case error(String)
    case integer(Int64)
    case bulk([UInt8])
    /// RESP2 `$-1`, RESP3 `_`.
    case null
    /// RESP2 `*-1`, RESP3 `_`.
    case nullArray
    case array([Reply])
    /// RESP3 map; RESP2 flat array of keys and values.
    case map([(Reply, Reply)])
    /// RESP3 set; RESP2 array.
    case set([Reply])
    /// RESP3 double; RESP2 bulk string.
    case double(Double)
    /// RESP3 boolean; RESP2 integer 1 or 0.
    case boolean(Bool)
    /// RESP3 verbatim string (`=` with a format); RESP2 bulk string.
    case verbatim(String)
    /// RESP3 push; RESP2 array (pub/sub messages).
    case push([Reply])
    /// Nothing is sent (CLIENT REPLY OFF and SKIP answer nothing).
    case noReply
    /// Several replies to one command, written one after the other (SUBSCRIBE a b c).
    case sequence([Reply])
    /// Bytes already encoded for the connection's protocol (replies built once and reused).
    case raw([UInt8])

    public static let ok = Reply.simple("OK")
    public static let queued = Reply.simple("QUEUED")
    public static let zero = Reply.integer(0)
    public static let one = Reply.integer(1)
    public static let emptyArray = Reply.array([])

    public static func bulk(_ s: String) -> Reply { .bulk(Array(s.utf8)) }
    public static func bulkOrNull(_ b: [UInt8]?) -> Reply { b.map(Reply.bulk) ?? .null }
    public static func integer(_ i: Int) -> Reply { .integer(Int64(i)) }
    public static func bool(_ b: Bool) -> Reply { .integer(b ? 1 : 0) }

    public var isError: Bool {
        if case .error = self { return true }
        return false
    }

    public static func == (a: Reply, b: Reply) -> Bool {
        switch (a, b) {
        case let (.simple(x), .simple(y)), let (.error(x), .error(y)), let (.verbatim(x), .verbatim(y)): x == y
        case let (.integer(x), .integer(y)): x == y
        case let (.bulk(x), .bulk(y)), let (.raw(x), .raw(y)): x == y
        case (.null, .null), (.nullArray, .nullArray), (.noReply, .noReply): true
        case let (.array(x), .array(y)), let (.set(x), .set(y)), let (.push(x), .push(y)), let (.sequence(x), .sequence(y)):
            x == y
        case let (.map(x), .map(y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case let (.double(x), .double(y)): x == y
        case let (.boolean(x), .boolean(y)): x == y
        default: false
        }
    }
}
