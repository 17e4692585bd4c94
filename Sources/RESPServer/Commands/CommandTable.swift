/// All commands by name. Each family file contributes its list (`Commands+Strings.swift`, ...).
///
/// Looked up once per command, so the table is a small open-addressing hash over the name folded to lower
/// case as it is read: no allocation and no SipHash on the hot path.
struct CommandTable: Sendable {
    private let slots: [CommandSpec?]
    private let mask: Int
    let all: [CommandSpec]

    init(_ specs: [CommandSpec]) {
        var size = 16
        while size < specs.count * 4 { size <<= 1 }
        var slots = [CommandSpec?](repeating: nil, count: size)
        for spec in specs {
            let name = Array(spec.name.utf8)
            var i = Self.hash(name) & (size - 1)
            while let taken = slots[i] {
                precondition(taken.name != spec.name, "command \(spec.name) defined twice")
                i = (i + 1) & (size - 1)
            }
            slots[i] = spec
        }
        self.slots = slots
        self.mask = size - 1
        self.all = specs.sorted { $0.name < $1.name }
    }

    static let standard = CommandTable(
        CommandFamilies.connection + CommandFamilies.server + CommandFamilies.introspection
            + CommandFamilies.keys + CommandFamilies.strings + CommandFamilies.hashes + CommandFamilies.lists
            + CommandFamilies.streams + CommandFamilies.streamGroups + CommandFamilies.transactions
            + CommandFamilies.pubsub
    )

    /// The command named by `word`, in any letter case.
    func lookup(_ word: [UInt8]) -> CommandSpec? {
        guard word.count <= 32 else { return nil }
        var i = Self.hash(word) & mask
        while let spec = slots[i] {
            if Self.equalFoldingCase(spec.nameBytes, word) { return spec }
            i = (i + 1) & mask
        }
        return nil
    }

    @inline(__always)
    private static func lower(_ c: UInt8) -> UInt8 { c >= 65 && c <= 90 ? c + 32 : c }

    /// FNV-1a over the lower-cased bytes.
    private static func hash(_ bytes: [UInt8]) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for c in bytes { h = (h ^ UInt64(lower(c))) &* 0x0000_0100_0000_01B3 }
        return Int(truncatingIfNeeded: h ^ (h >> 32))
    }

    private static func equalFoldingCase(_ name: [UInt8], _ word: [UInt8]) -> Bool {
        guard name.count == word.count else { return false }
        for i in name.indices where name[i] != lower(word[i]) { return false }
        return true
    }
}

/// Namespace for the per-family command lists.
enum CommandFamilies {}
