/// A command that the program embedding the server adds to the standard table, the way a Redis module does:
/// the serving job's `SERVING` namespace (job control that `redis-cli` can call too).
///
/// It runs on the connection's event loop with no store transaction, so the handler must answer quickly; work
/// that takes longer (loading a model) starts in the background and is observed by later calls.
public struct ExtensionCommand: Sendable {
    public let name: String
    /// Redis arity: N means exactly N words including the name, -N at least N.
    public let arity: Int
    public let summary: String
    /// Subcommand names and arities, when the command is a container (`SERVING LIST`, ...).
    public let subcommands: [(name: String, arity: Int)]
    public let handler: @Sendable (_ arguments: [[UInt8]]) -> Reply

    public init(name: String, arity: Int, summary: String, subcommands: [(name: String, arity: Int)] = [],
                handler: @escaping @Sendable (_ arguments: [[UInt8]]) -> Reply) {
        self.name = name.lowercased()
        self.arity = arity
        self.summary = summary
        self.subcommands = subcommands
        self.handler = handler
    }

    var spec: CommandSpec {
        let handler = self.handler
        return CommandSpec(name, arity: arity, flags: [.admin, .noscript, .loading, .stale], access: .none,
                           group: "server", summary: summary, since: "7.0.0",
                           subcommands: subcommands.map { Subcommand($0.name.lowercased(), $0.arity) }) { call in
            handler(call.args)
        }
    }
}
