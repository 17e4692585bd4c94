import Foundation
import Store

/// INFO, CONFIG, DBSIZE, FLUSHDB, FLUSHALL, TIME, LASTSAVE, SAVE, BGSAVE, SHUTDOWN, MONITOR, CLIENT.
extension CommandFamilies {
    static let server: [CommandSpec] = [
        ClientCommand.spec,
        CommandSpec("info", arity: -1, flags: [.loading, .stale], access: .none, group: "server",
                    summary: "Get information and statistics about the server") { call in
            .verbatim(ServerInfo.render(call))
        },
        CommandSpec("config", arity: -2, flags: [.admin, .noscript, .loading, .stale], access: .none, group: "server",
                    summary: "A container for server configuration commands", since: "2.0.0",
                    subcommands: [.init("get", -3), .init("set", -4), .init("resetstat", 2), .init("rewrite", 2), .init("help", 2)]) { call in
            try config(&call)
        },
        CommandSpec("dbsize", arity: 1, flags: [.readonly, .fast], access: .none, group: "server",
                    summary: "Return the number of keys in the selected database") { call in
            .integer(call.server.store.keyCount(db: call.session.db).keys)
        },
        CommandSpec("flushdb", arity: -1, flags: [.write], access: .write, group: "server",
                    summary: "Remove all keys from the current database") { call in
            try flushMode(call)
            try call.keyspace.flush()
            return .ok
        },
        CommandSpec("flushall", arity: -1, flags: [.write], access: .write, group: "server",
                    summary: "Remove all keys from all databases") { call in
            try flushMode(call)
            for db in 0..<Keyspace.databaseCount { try call.txn!.keyspace(db).flush() }
            return .ok
        },
        CommandSpec("time", arity: 1, flags: [.loading, .stale, .fast], access: .none, group: "server",
                    summary: "Return the current server time", since: "2.6.0") { _ in
            var ts = timespec()
            clock_gettime(CLOCK_REALTIME, &ts)
            return .array([.bulk(String(ts.tv_sec)), .bulk(String(ts.tv_nsec / 1000))])
        },
        CommandSpec("lastsave", arity: 1, flags: [.loading, .stale, .fast], access: .none, group: "server",
                    summary: "Get the UNIX time stamp of the last successful save to disk") { call in
            .integer(call.server.store.lastSyncTime)
        },
        CommandSpec("save", arity: 1, flags: [.admin, .noscript, .nomulti], access: .none, group: "server",
                    summary: "Synchronously save the dataset to disk") { call in
            try call.server.store.sync()
            return .ok
        },
        CommandSpec("bgsave", arity: -1, flags: [.admin, .noscript], access: .none, group: "server",
                    summary: "Asynchronously save the dataset to disk") { call in
            // SCHEDULE (wait for a running rewrite) is the one option; no rewrite ever runs here.
            guard call.args.count == 1 || (call.args.count == 2 && call.option(1) == "SCHEDULE") else {
                throw CommandError.syntax
            }
            try call.server.store.sync()
            return .simple("Background saving started")
        },
        CommandSpec("shutdown", arity: -1, flags: [.admin, .noscript, .loading, .stale, .nomulti, .allowBusy],
                    access: .none, group: "server", summary: "Synchronously save the dataset to disk and then shut down the server") { call in
            var save = true
            for i in 1..<call.args.count {
                switch call.option(i) {
                case "NOSAVE": save = false
                case "SAVE", "NOW", "FORCE": break
                case "ABORT": throw CommandError("ERR No shutdown in progress.")
                default: throw CommandError.syntax
                }
            }
            call.server.logger.notice("SHUTDOWN requested by client \(call.session.clientID)")
            call.server.requestShutdown(save: save)
            return .noReply
        },
        CommandSpec("monitor", arity: 1, flags: [.admin, .noscript, .loading, .stale, .nomulti], access: .none,
                    group: "server", summary: "Listen for all requests received by the server in real time") { call in
            guard let client = call.client else { return .ok }
            client.isMonitor = true
            client.info.withLockedValue { $0.flags = "O" }
            call.server.monitors.add(client)
            return .ok
        },
    ]

    private static func flushMode(_ call: Call) throws {
        guard call.args.count <= 2 else { throw CommandError.syntax }
        if call.args.count == 2 && !["ASYNC", "SYNC"].contains(call.option(1)) { throw CommandError.syntax }
    }

    static func config(_ call: inout Call) throws -> Reply {
        let config = call.server.config
        switch call.option(1) {
        case "GET" where call.args.count >= 3:
            var pairs: [(String, String)] = []
            var seen = Set<String>()
            for i in 2..<call.args.count {
                for (name, value) in config.matching(call.args[i]) where seen.insert(name).inserted {
                    pairs.append((name, value))
                }
            }
            return .map(pairs.map { (.bulk($0.0), .bulk($0.1)) })
        case "SET" where call.args.count >= 4:
            // Words must come in name-value pairs (the subcommand's arity only asks for one pair).
            guard call.args.count % 2 == 0 else { throw CommandError.syntax }
            let pairs = stride(from: 2, to: call.args.count, by: 2).map { (name: call.string($0), value: call.string($0 + 1)) }
            do {
                try config.set(pairs)
            } catch ServerConfig.SetError.unknown(let name) {
                throw CommandError("ERR Unknown option or number of arguments for CONFIG SET - '\(name)'")
            } catch ServerConfig.SetError.invalid(let param, let reason) {
                throw CommandError("ERR CONFIG SET failed (possibly related to argument '\(param)') - \(reason)")
            }
            return .ok
        case "RESETSTAT" where call.args.count == 2:
            call.server.stats.reset(call.server.commands)
            return .ok
        case "REWRITE" where call.args.count == 2:
            throw CommandError("ERR The server is running without a config file")
        case "HELP" where call.args.count == 2:
            return .array([
                "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
                "SET <directive> <value>", "    Set the configuration <directive> to <value>.",
                "RESETSTAT", "    Reset statistics reported by the INFO command.",
                "REWRITE", "    Rewrite the configuration file.",
                "HELP", "    Print this help.",
            ].map { .simple($0) })
        default:
            if ["GET", "SET", "RESETSTAT", "REWRITE", "HELP"].contains(call.option(1)) {
                throw CommandError("ERR wrong number of arguments for 'config|\(call.string(1).lowercased())' command")
            }
            throw CommandError.unknownSubcommand(call.args[1], "config")
        }
    }
}
