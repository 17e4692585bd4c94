import Store

/// What a connection remembers between commands. A small value: a command gets a copy in its `Call` and the
/// connection adopts the copy back after the command ran (so commands may run on the writer thread). The
/// client's name and library, which only CLIENT uses, live in the connection's `ClientInfo`.
struct Session: Sendable {
    enum ReplyMode: Sendable { case on, off, skipNext }

    let clientID: Int64
    var db = 0
    var protocolVersion = 2
    var authenticated: Bool
    var replyMode = ReplyMode.on
    var noEvict = false
    /// Set by QUIT and by protocol errors: close after the pending replies are written.
    var closeAfterReply = false
}

/// One command being executed: its words, the session it runs in, and what it may use.
struct Call {
    let args: [[UInt8]]
    var session: Session
    let server: ServerContext
    /// The transaction for commands with store access; nil for the others.
    let txn: Transaction?
    /// The connection the command came from; nil for commands run in-process.
    let client: ClientConnection?

    /// The lower-case command name.
    var name: String { String(decoding: args[0], as: UTF8.self).lowercased() }

    /// The selected database.
    var keyspace: Keyspace {
        guard let txn else { preconditionFailure("command without store access used the keyspace") }
        return txn.keyspace(session.db)
    }

    /// Argument `i` as text.
    func string(_ i: Int) -> String { String(decoding: args[i], as: UTF8.self) }

    /// Argument `i`, upper-cased, for comparing with option names.
    func option(_ i: Int) -> String { String(decoding: args[i], as: UTF8.self).uppercased() }
}
