import Store

/// Where a command runs, by what it needs from the store.
enum StoreAccess: Sendable {
    /// Touches no data: runs on the connection's event loop (PING, CLIENT, CONFIG, PUBLISH, ...).
    case none
    /// Reads only: runs in a read transaction on the event loop, never waiting for the writer.
    case read
    /// Changes data: runs on the store's writer thread, batched with the other writes that arrive together.
    case write
}

/// Redis's command flags, as COMMAND INFO reports them; some also steer dispatch.
struct CommandFlags: OptionSet, Sendable {
    let rawValue: UInt32

    static let write = Self(rawValue: 1 << 0)
    static let readonly = Self(rawValue: 1 << 1)
    /// Refused with -OOM when used memory is over maxmemory.
    static let denyoom = Self(rawValue: 1 << 2)
    static let admin = Self(rawValue: 1 << 3)
    static let pubsub = Self(rawValue: 1 << 4)
    static let noscript = Self(rawValue: 1 << 5)
    static let blocking = Self(rawValue: 1 << 6)
    static let loading = Self(rawValue: 1 << 7)
    static let stale = Self(rawValue: 1 << 8)
    static let fast = Self(rawValue: 1 << 9)
    /// Allowed before AUTH.
    static let noauth = Self(rawValue: 1 << 10)
    /// Refused inside MULTI.
    static let nomulti = Self(rawValue: 1 << 11)
    static let allowBusy = Self(rawValue: 1 << 12)
    static let movableKeys = Self(rawValue: 1 << 13)

    var names: [String] {
        let all: [(Self, String)] = [
            (.write, "write"), (.readonly, "readonly"), (.denyoom, "denyoom"), (.admin, "admin"),
            (.pubsub, "pubsub"), (.noscript, "noscript"), (.blocking, "blocking"), (.loading, "loading"),
            (.stale, "stale"), (.fast, "fast"), (.noauth, "no_auth"), (.nomulti, "no_multi"),
            (.allowBusy, "allow_busy"), (.movableKeys, "movablekeys"),
        ]
        return all.filter { contains($0.0) }.map(\.1)
    }
}

/// The outcome of a blocking command's first attempt.
enum BlockingOutcome {
    case reply(Reply)
    /// Nothing to serve yet: wait on `keys` until `retry` returns a reply or `timeout` (ms, nil = forever)
    /// passes, then answer `timeoutReply`.
    case block(keys: [[UInt8]], timeoutMilliseconds: Int64?, timeoutReply: Reply, retry: BlockedRetry)
}

/// Tries a blocked command again in the writer's transaction; nil means "keep waiting".
typealias BlockedRetry = (Keyspace) throws -> Reply?

/// One command: its name, arity, flags and key positions (what COMMAND reports), and its implementation.
/// A class, so that passing a command around costs one reference, not a copy of every field.
final class CommandSpec: Sendable {
    typealias Handler = @Sendable (inout Call) throws -> Reply
    typealias BlockingHandler = @Sendable (inout Call) throws -> BlockingOutcome

    let name: String
    /// Redis arity: N means exactly N words including the name, -N at least N.
    let arity: Int
    let flags: CommandFlags
    let firstKey: Int
    let lastKey: Int
    let keyStep: Int
    let access: StoreAccess
    let group: String
    let summary: String
    let since: String
    /// For container commands (CLIENT, CONFIG, XGROUP, ...): the subcommands and their arities.
    let subcommands: [Subcommand]
    let handler: Handler?
    let blockingHandler: BlockingHandler?
    /// INFO commandstats for this command.
    let counters = CommandCounters()
    /// The name as bytes, for `CommandTable.lookup`.
    let nameBytes: [UInt8]

    init(_ name: String, arity: Int, flags: CommandFlags, keys: (Int, Int, Int) = (0, 0, 0), access: StoreAccess,
         group: String, summary: String, since: String = "1.0.0", subcommands: [Subcommand] = [],
         handler: @escaping Handler) {
        self.name = name
        self.nameBytes = Array(name.utf8)
        self.arity = arity
        self.flags = flags
        (firstKey, lastKey, keyStep) = keys
        self.access = access
        self.group = group
        self.summary = summary
        self.since = since
        self.subcommands = subcommands
        self.handler = handler
        self.blockingHandler = nil
    }

    /// A blocking command: always runs on the writer thread, so that checking for data and starting to wait
    /// happen with no write in between.
    init(_ name: String, arity: Int, flags: CommandFlags, keys: (Int, Int, Int), group: String, summary: String,
         since: String, blocking: @escaping BlockingHandler) {
        self.name = name
        self.nameBytes = Array(name.utf8)
        self.arity = arity
        self.flags = flags.union(.blocking)
        (firstKey, lastKey, keyStep) = keys
        self.access = .write
        self.group = group
        self.summary = summary
        self.since = since
        self.subcommands = []
        self.handler = nil
        self.blockingHandler = blocking
    }

    func arityMatches(_ count: Int) -> Bool {
        arity >= 0 ? count == arity : count >= -arity
    }

    /// Why `request` cannot reach the handler (wrong arity, unknown subcommand or its wrong arity), or nil. Handlers
    /// index their arguments on the strength of this check.
    func shapeError(_ request: [[UInt8]]) -> CommandError? {
        guard arityMatches(request.count) else { return .wrongArity(name) }
        guard !subcommands.isEmpty && request.count >= 2 else { return nil }
        guard let sub = subcommand(request[1]) else { return .unknownSubcommand(request[1], name) }
        guard sub.arityMatches(request.count) else { return .wrongArity(fullName(request)) }
        return nil
    }

    /// The subcommand `request` runs, if this is a container command and it names a known one.
    func subcommand(of request: [[UInt8]]) -> Subcommand? {
        subcommands.isEmpty || request.count < 2 ? nil : subcommand(request[1])
    }

    /// Redis's full name of what `request` runs, as its errors and CLIENT LIST name it: 'config|get'.
    func fullName(_ request: [[UInt8]]) -> String {
        subcommand(of: request).map { "\(name)|\($0.name)" } ?? name
    }

    /// The subcommand named by `word`, in any letter case.
    func subcommand(_ word: [UInt8]) -> Subcommand? {
        let name = String(decoding: word, as: UTF8.self).lowercased()
        return subcommands.first { $0.name == name }
    }
}

/// A subcommand of a container command, checked (name, arity, OOM) before the command runs.
struct Subcommand: Sendable {
    let name: String
    let arity: Int
    /// Refused with -OOM over maxmemory (XGROUP CREATE, CREATECONSUMER).
    let denyoom: Bool

    init(_ name: String, _ arity: Int, denyoom: Bool = false) {
        self.name = name
        self.arity = arity
        self.denyoom = denyoom
    }

    func arityMatches(_ count: Int) -> Bool {
        arity >= 0 ? count == arity : count >= -arity
    }
}
