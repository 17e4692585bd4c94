import Store

/// COMMAND: COUNT, INFO, DOCS, LIST, GETKEYS (redis-cli 7 asks for COMMAND DOCS to show its hints).
extension CommandFamilies {
    static let introspection: [CommandSpec] = [
        CommandSpec("command", arity: -1, flags: [.loading, .stale], access: .none, group: "server",
                    summary: "Get array of Redis command details", since: "2.8.13",
                    subcommands: [.init("count", 2), .init("info", -2), .init("docs", -2), .init("list", -2), .init("getkeys", -4),
                                  .init("help", 2)]) { call in
            let table = call.server.commands
            if call.args.count == 1 { return .array(table.all.map(info)) }
            switch call.option(1) {
            case "COUNT" where call.args.count == 2:
                return .integer(table.all.count)
            case "INFO":
                if call.args.count == 2 { return .array(table.all.map(info)) }
                return .array((2..<call.args.count).map { i in table.lookup(call.args[i]).map(info) ?? .nullArray })
            case "DOCS":
                let specs = call.args.count == 2 ? table.all : (2..<call.args.count).compactMap { table.lookup(call.args[$0]) }
                return .map(specs.map { (.bulk($0.name), docs($0)) })
            case "LIST":
                var names = table.all.map(\.name)
                if call.args.count == 5 && call.option(2) == "FILTERBY" {
                    let value = call.args[4]
                    switch call.option(3) {
                    case "PATTERN": names = names.filter { GlobPattern(value, caseInsensitive: true).matches(Array($0.utf8)) }
                    case "ACLCAT", "MODULE": names = call.option(3) == "MODULE" ? [] : names
                    default: throw CommandError.syntax
                    }
                } else if call.args.count != 2 {
                    throw CommandError.syntax
                }
                return .array(names.map { .bulk($0) })
            case "GETKEYS" where call.args.count >= 4:
                let words = Array(call.args[2...])
                guard let spec = table.lookup(words[0]) else { throw CommandError("ERR Invalid command specified") }
                let movable = spec.flags.contains(.movableKeys)
                guard spec.firstKey > 0 || movable else { throw CommandError("ERR The command has no key arguments") }
                guard spec.arityMatches(words.count) else { throw CommandError("ERR Invalid number of arguments specified for command") }
                let positions = movable ? streamsKeyPositions(words) : keyPositions(spec, count: words.count)
                if positions.isEmpty { throw CommandError("ERR Invalid arguments specified for command") }
                return .array(positions.map { Reply.bulk(words[$0]) })
            case "HELP" where call.args.count == 2:
                return .array(["COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                               "(no subcommand)", "    Return details about all Redis commands.",
                               "COUNT", "    Return the total number of commands in this Redis server.",
                               "LIST", "    Return a list of all commands in this Redis server.",
                               "INFO [<command-name> ...]", "    Return details about multiple Redis commands.",
                               "DOCS [<command-name> ...]", "    Return documentation details about multiple Redis commands.",
                               "GETKEYS <full-command>", "    Return the keys from a full Redis command.",
                               "HELP", "    Print this help."].map { .simple($0) })
            default:
                throw CommandError.unknownSubcommand(call.args[1], "command")
            }
        },
    ]

    /// Positions of the key arguments by the spec's first/last/step.
    static func keyPositions(_ spec: CommandSpec, count: Int) -> [Int] {
        guard spec.firstKey > 0 else { return [] }
        let last = spec.lastKey < 0 ? count + spec.lastKey : spec.lastKey
        guard last >= spec.firstKey else { return [] }
        return Array(stride(from: spec.firstKey, through: min(last, count - 1), by: max(spec.keyStep, 1)))
    }

    /// XREAD and XREADGROUP (our only commands with movable keys): as Redis, the keys are the first half of the
    /// words after the first STREAMS (an odd word over is dropped).
    static func streamsKeyPositions(_ words: [[UInt8]]) -> [Int] {
        guard let streams = words.indices.dropFirst().first(where: {
            String(decoding: words[$0], as: UTF8.self).uppercased() == "STREAMS"
        }) else { return [] }
        let count = (words.count - streams - 1) / 2
        return Array((streams + 1)..<(streams + 1 + count))
    }

    static func info(_ spec: CommandSpec) -> Reply {
        .array([
            .bulk(spec.name), .integer(spec.arity), .set(spec.flags.names.map { .simple($0) }),
            .integer(spec.firstKey), .integer(spec.lastKey), .integer(spec.keyStep),
            .set(["@\(spec.group)"].map { .simple($0) }), .array([]), .array([]),
            .array(spec.subcommands.map { sub in
                .array([.bulk("\(spec.name)|\(sub.name)"), .integer(sub.arity), .set([]), .integer(0), .integer(0), .integer(0),
                        .set([]), .array([]), .array([]), .array([])])
            }),
        ])
    }

    static func docs(_ spec: CommandSpec) -> Reply {
        var fields: [(Reply, Reply)] = [
            (.bulk("summary"), .bulk(spec.summary)),
            (.bulk("since"), .bulk(spec.since)),
            (.bulk("group"), .bulk(spec.group)),
        ]
        if let syntax = CommandSyntax.table[spec.name], !syntax.isEmpty {
            fields.append((.bulk("arguments"), CommandSyntax.arguments(syntax)))
        }
        if !spec.subcommands.isEmpty {
            fields.append((.bulk("subcommands"), .map(spec.subcommands.map { sub in
                (.bulk("\(spec.name)|\(sub.name)"), .map([(.bulk("summary"), .bulk("")), (.bulk("since"), .bulk(spec.since)),
                                                      (.bulk("group"), .bulk(spec.group))]))
            })))
        }
        return .map(fields)
    }
}
