import Store

/// What a caller of `ServerContext.execute` keeps between commands: the selected database and protocol version
/// (a connection's `Session`, authenticated).
public struct CommandSession: Sendable {
    var session: Session

    public init(clientID: Int64 = 0) {
        session = Session(clientID: clientID, authenticated: true)
    }
}

extension ServerContext {
    /// Runs one request without a connection, on the caller's thread (a write waits for its commit): the
    /// connection's command table, shape check (`CommandSpec.shapeError`) and `CommandRunner`, in a transaction
    /// of the kind the command declares. What needs a connection answers as it does for one that cannot wait:
    /// a blocking command as on timeout, MULTI/SUBSCRIBE as no-ops, EXEC with "EXEC without MULTI".
    public func execute(_ request: [[UInt8]], in session: inout CommandSession) -> Reply {
        guard let name = request.first else { return .error("ERR empty request") }
        guard let spec = commands.lookup(name) else { return .error(CommandError.unknownCommand(request).message) }
        if let error = spec.shapeError(request) { return .error(error.message) }
        do {
            switch spec.access {
            case .none:
                return try CommandRunner.run(spec, request, session: &session.session, txn: nil, client: nil, server: self)
            case .read:
                return try store.read { txn in
                    try CommandRunner.run(spec, request, session: &session.session, txn: txn, client: nil, server: self)
                }
            case .write:
                let before = session.session
                let (reply, after) = try store.write { txn in
                    var working = before
                    let reply = try CommandRunner.run(spec, request, session: &working, txn: txn, client: nil, server: self)
                    return (reply, working)
                }
                session.session = after
                return reply
            }
        } catch {
            return .error("ERR the store failed: \(error)")
        }
    }
}
