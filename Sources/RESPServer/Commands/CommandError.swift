import Store

/// An error reply with Redis's exact text (code word included), thrown by command handlers.
struct CommandError: Error, Equatable, Sendable {
    let message: String

    init(_ message: String) { self.message = message }

    static let syntax = Self("ERR syntax error")
    static let notInteger = Self("ERR value is not an integer or out of range")
    static let notFloat = Self("ERR value is not a valid float")
    static let wrongType = Self("WRONGTYPE Operation against a key holding the wrong kind of value")
    static let noSuchKey = Self("ERR no such key")
    static let indexOutOfRange = Self("ERR index out of range")
    static let overflow = Self("ERR increment or decrement would overflow")
    static let outOfRangePositive = Self("ERR value is out of range, must be positive")
    static let invalidStreamID = Self("ERR Invalid stream ID specified as stream command argument")
    static let oom = Self("OOM command not allowed when used memory > 'maxmemory'.")
    static let noAuth = Self("NOAUTH Authentication required.")
    static let wrongPass = Self("WRONGPASS invalid username-password pair or user is disabled.")
    static let timeoutNegative = Self("ERR timeout is negative")
    static let timeoutNotFloat = Self("ERR timeout is not a float or out of range")

    static func wrongArity(_ name: String) -> Self {
        Self("ERR wrong number of arguments for '\(name)' command")
    }

    static func unknownSubcommand(_ sub: [UInt8], _ command: String) -> Self {
        Self("ERR unknown subcommand '\(String(decoding: sub.prefix(128), as: UTF8.self))'. Try \(command.uppercased()) HELP.")
    }

    /// A known subcommand with the wrong words after it, when the command itself checks them (PUBSUB CHANNELS
    /// a b): Redis's `addReplySubcommandSyntaxError`.
    static func subcommandSyntax(_ sub: [UInt8], _ command: String) -> Self {
        Self("ERR unknown subcommand or wrong number of arguments for '\(String(decoding: sub.prefix(128), as: UTF8.self))'. Try \(command.uppercased()) HELP.")
    }

    /// Redis's text for an unknown command: the name and the first arguments, each cut to 128 bytes.
    static func unknownCommand(_ args: [[UInt8]]) -> Self {
        var text = "ERR unknown command '\(String(decoding: args[0].prefix(128), as: UTF8.self))', with args beginning with: "
        for arg in args.dropFirst() {
            let piece = "'\(String(decoding: arg.prefix(128), as: UTF8.self))' "
            if text.utf8.count + piece.utf8.count > 1024 { break }
            text += piece
        }
        return Self(text)
    }

    /// The reply text for a store error.
    init(_ error: StoreError, command: String) {
        switch error {
        case .wrongType: self = .wrongType
        case .noSuchKey: self = .noSuchKey
        case .notAnInteger: self = .notInteger
        case .overflow: self = .overflow
        case .notAFloat: self = .notFloat
        case .nanOrInfinity: self.init("ERR increment would produce NaN or Infinity")
        case .indexOutOfRange: self = .indexOutOfRange
        case .stringTooLong: self.init("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
        case .corrupt(let what): self.init("ERR corrupt \(what) in the store")
        case .stream(let e): self.init(e, command: command)
        }
    }

    init(_ error: StreamError, command: String) {
        switch error {
        case .idMustBeGreaterThanZero: self.init("ERR The ID specified in XADD must be greater than 0-0")
        case .idNotGreaterThanTop: self.init("ERR The ID specified in XADD is equal or smaller than the target stream top item")
        case .idSpaceExhausted: self.init("ERR The stream has exhausted the last possible ID, unable to add more items")
        case .setIDSmallerThanTop: self.init("ERR The ID specified in XSETID is smaller than the target stream top item")
        case .setIDEntriesAddedSmallerThanLength:
            self.init("ERR The entries_added specified in XSETID is smaller than the target stream length")
        case .setIDMaxDeletedGreaterThanID:
            self.init("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id")
        case .noGroup(let key, let group):
            self.init("NOGROUP No such key '\(String(decoding: key, as: UTF8.self))' or consumer group '\(String(decoding: group, as: UTF8.self))' in \(command.uppercased()) command")
        case .groupExists: self.init("BUSYGROUP Consumer Group name already exists")
        case .groupNeedsStream:
            self.init("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.")
        case .noSuchKey: self = .noSuchKey
        }
    }
}
