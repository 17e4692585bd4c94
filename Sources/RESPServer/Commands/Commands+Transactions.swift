import Store

/// MULTI, EXEC, DISCARD, WATCH, UNWATCH. EXEC itself is dispatched by the connection (it runs a job).
extension CommandFamilies {
    static let transactions: [CommandSpec] = [
        CommandSpec("multi", arity: 1, flags: [.noscript, .loading, .stale, .fast, .allowBusy], access: .none,
                    group: "transactions", summary: "Mark the start of a transaction block", since: "1.2.0") { call in
            call.client?.multi() ?? .ok
        },
        CommandSpec("exec", arity: 1, flags: [.noscript, .loading, .stale], access: .none, group: "transactions",
                    summary: "Execute all commands issued after MULTI", since: "1.2.0") { _ in
            .error("ERR EXEC without MULTI")
        },
        CommandSpec("discard", arity: 1, flags: [.noscript, .loading, .stale, .fast, .allowBusy], access: .none,
                    group: "transactions", summary: "Discard all commands issued after MULTI", since: "2.0.0") { call in
            call.client?.discard() ?? .ok
        },
        // WATCH runs on the writer thread so that it is ordered after every write already acknowledged.
        CommandSpec("watch", arity: -2, flags: [.noscript, .loading, .stale, .fast, .allowBusy], keys: (1, -1, 1),
                    access: .write, group: "transactions", summary: "Watch the given keys to determine execution of the MULTI/EXEC block",
                    since: "2.2.0") { call in
            for key in call.args.dropFirst() {
                call.server.watches.watch(client: call.session.clientID, key: TouchedKey(db: call.session.db, key: key))
            }
            return .ok
        },
        CommandSpec("unwatch", arity: 1, flags: [.noscript, .loading, .stale, .fast, .allowBusy], access: .none,
                    group: "transactions", summary: "Forget about all watched keys", since: "2.2.0") { call in
            call.server.watches.unwatchAll(client: call.session.clientID)
            return .ok
        },
    ]
}
