/// All commands by name. Each family file contributes its list (`Commands+Strings.swift`, ...).
struct CommandTable: Sendable {
    private let byName: [[UInt8]: CommandSpec]

    init(_ specs: [CommandSpec]) {
        var map: [[UInt8]: CommandSpec] = [:]
        for spec in specs {
            precondition(map[Array(spec.name.utf8)] == nil, "command \(spec.name) defined twice")
            map[Array(spec.name.utf8)] = spec
        }
        byName = map
    }

    static let standard = CommandTable(
        CommandFamilies.connection + CommandFamilies.server + CommandFamilies.introspection
            + CommandFamilies.keys + CommandFamilies.strings + CommandFamilies.hashes + CommandFamilies.lists
            + CommandFamilies.streams + CommandFamilies.streamGroups + CommandFamilies.transactions
            + CommandFamilies.pubsub
    )

    /// The command named by `word`, in any letter case.
    func lookup(_ word: [UInt8]) -> CommandSpec? {
        if let spec = byName[word] { return spec }
        var lower = word
        for i in lower.indices where lower[i] >= 65 && lower[i] <= 90 { lower[i] += 32 }
        return byName[lower]
    }

    var all: [CommandSpec] { byName.values.sorted { $0.name < $1.name } }
}

/// Namespace for the per-family command lists.
enum CommandFamilies {}
