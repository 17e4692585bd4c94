import Store

/// The checks a command passes before it runs, and MULTI/EXEC.
extension ClientConnection {
    /// Commands a RESP2 client may send while subscribed.
    private static let allowedWhileSubscribed: Set<String> = [
        "subscribe", "unsubscribe", "psubscribe", "punsubscribe", "ssubscribe", "sunsubscribe", "ping", "quit", "reset",
    ]

    /// Commands that run at once even inside MULTI.
    private static let transactionControl: Set<String> = ["exec", "discard", "multi", "watch", "quit", "reset"]

    /// The checks with no side effects: known command, arity, authentication, subscribed context, memory.
    func check(_ request: [[UInt8]]) -> Result<CommandSpec, CommandError> {
        guard let spec = server.commands.lookup(request[0]) else { return .failure(.unknownCommand(request)) }
        return check(request, spec)
    }

    func check(_ request: [[UInt8]], _ spec: CommandSpec) -> Result<CommandSpec, CommandError> {
        if let error = spec.shapeError(request) { return .failure(error) }
        let denyoom = spec.flags.contains(.denyoom) || spec.subcommand(of: request)?.denyoom == true
        // The rest in Redis 7.0's order: authentication, MULTI, memory, then the subscribed context.
        if !session.authenticated && !spec.flags.contains(.noauth) { return .failure(.noAuth) }
        if multiQueue != nil && !Self.transactionControl.contains(spec.name) && spec.flags.contains(.nomulti) {
            return .failure(CommandError("ERR Command not allowed inside a transaction"))
        }
        // Inside MULTI every queued command is refused over maxmemory, as queueing itself takes memory.
        let queueing = multiQueue != nil && !Self.transactionControl.contains(spec.name)
        if (denyoom || queueing) && server.overMemoryLimit { return .failure(.oom) }
        if session.protocolVersion == 2 && !(channels.isEmpty && patterns.isEmpty)
            && !Self.allowedWhileSubscribed.contains(spec.name) {
            return .failure(CommandError("ERR Can't execute '\(spec.fullName(request))': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"))
        }
        return .success(spec)
    }

    /// Checks a command and returns its spec to run it, or answers it: with an error, or with QUEUED inside
    /// MULTI. An error while queueing makes the EXEC abort.
    func admit(_ request: [[UInt8]]) -> CommandSpec? {
        guard let found = server.commands.lookup(request[0]) else {
            let error = CommandError.unknownCommand(request)
            if multiQueue != nil { multiFailed = true }
            server.stats.recordError(error.message)
            send(.error(error.message))
            return nil
        }
        if multiQueue != nil, found.name == "watch" {
            send(.error("ERR WATCH inside MULTI is not allowed"))
            return nil
        }
        switch check(request, found) {
        case .failure(var error):
            if found.name == "exec" {
                // EXEC refused (arity, NOAUTH, subscribed, ...) ends the transaction. Redis words the reason
                // without the generic "ERR " (its rejections are bare text) but keeps other codes (NOAUTH).
                let reason = error.message.hasPrefix("ERR ") ? error.message.dropFirst(4) : Substring(error.message)
                error = CommandError("EXECABORT Transaction discarded because of: \(reason)")
                multiQueue = nil
                multiFailed = false
                server.watches.unwatchAll(client: id)
            }
            if multiQueue != nil { multiFailed = true }
            server.stats.recordRejected(found, error: error.message)
            send(.error(error.message))
            return nil
        case .success(let spec):
            guard multiQueue != nil, !Self.transactionControl.contains(spec.name) else { return spec }
            multiQueue!.append(request)
            send(.queued)
            return nil
        }
    }

    // MARK: MULTI / EXEC / DISCARD

    func multi() -> Reply {
        if multiQueue != nil { return .error("ERR MULTI calls can not be nested") }
        multiQueue = []
        multiFailed = false
        return .ok
    }

    func discard() -> Reply {
        guard multiQueue != nil else { return .error("ERR DISCARD without MULTI") }
        multiQueue = nil
        multiFailed = false
        server.watches.unwatchAll(client: id)
        return .ok
    }

    /// Runs the queued commands as one job on the writer thread; a changed WATCHed key makes it answer nil.
    func exec() {
        guard let queued = multiQueue else {
            send(.error("ERR EXEC without MULTI"))
            return
        }
        multiQueue = nil
        if multiFailed {
            multiFailed = false
            server.watches.unwatchAll(client: id)
            send(.error("EXECABORT Transaction discarded because of previous errors."))
            return
        }
        let commands = queued.map { (server.commands.lookup($0[0])!, $0) }
        startJob(CommandJob(client: self, commands: commands, session: session, kind: .exec))
    }
}
