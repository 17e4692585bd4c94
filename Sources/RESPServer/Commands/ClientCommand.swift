import Foundation
import Store

/// CLIENT and its subcommands.
enum ClientCommand {
    static let spec = CommandSpec(
        "client", arity: -2, flags: [.admin, .noscript, .loading, .stale], access: .none, group: "connection",
        summary: "A container for client connection commands", since: "2.4.0",
        subcommands: [.init("id", 2), .init("setname", 3), .init("getname", 2), .init("list", -2), .init("info", 2),
                      .init("kill", -3), .init("setinfo", 4), .init("no-evict", 3), .init("reply", 3), .init("unblock", -3),
                      .init("help", 2)]
    ) { call in try run(&call) }

    static func validateName(_ name: [UInt8]) throws {
        if name.contains(where: { $0 < 33 || $0 > 126 }) {
            throw CommandError("ERR Client names cannot contain spaces, newlines or special characters.")
        }
    }

    static func run(_ call: inout Call) throws -> Reply {
        let sub = call.option(1)
        let argc = call.args.count
        switch sub {
        case "ID" where argc == 2:
            return .integer(call.session.clientID)
        case "GETNAME" where argc == 2:
            let name = call.client?.info.withLockedValue { $0.name } ?? ""
            return name.isEmpty ? .null : .bulk(name)
        case "SETNAME" where argc == 3:
            try validateName(call.args[2])
            call.client?.info.withLockedValue { $0.name = call.string(2) }
            return .ok
        case "SETINFO" where argc == 4:
            let value = call.string(3)
            if value.contains(where: { $0 == " " || $0 == "\n" }) {
                throw CommandError("ERR \(call.option(2).lowercased()) cannot contain spaces, newlines or special characters.")
            }
            switch call.option(2) {
            case "LIB-NAME": call.client?.info.withLockedValue { $0.libName = value }
            case "LIB-VER": call.client?.info.withLockedValue { $0.libVersion = value }
            default: throw CommandError("ERR Unrecognized option '\(call.string(2))'")
            }
            return .ok
        case "NO-EVICT" where argc == 3:
            switch call.option(2) {
            case "ON": call.session.noEvict = true
            case "OFF": call.session.noEvict = false
            default: throw CommandError.syntax
            }
            return .ok
        case "REPLY" where argc == 3:
            switch call.option(2) {
            case "ON":
                call.session.replyMode = .on
                return .ok
            case "OFF":
                call.session.replyMode = .off
            case "SKIP":
                if call.session.replyMode != .off { call.session.replyMode = .skipNext }
            default:
                throw CommandError.syntax
            }
            return .noReply
        case "LIST":
            return .verbatim(try listed(call).map { line($0, call: call) + "\n" }.joined())
        case "INFO" where argc == 2:
            guard let client = call.client else { return .verbatim("") }
            return .verbatim(line(client, call: call) + "\n")
        case "KILL":
            return try kill(&call)
        case "UNBLOCK" where argc == 3 || argc == 4:
            // The reason word is checked before the ID, as Redis 7.0.
            var reply: Reply?
            if argc == 4 {
                switch call.option(3) {
                case "TIMEOUT": reply = nil
                case "ERROR": reply = .error("UNBLOCKED client unblocked via CLIENT UNBLOCK")
                default: throw CommandError("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
                }
            }
            guard let id = Keyspace.parseInteger(call.args[2]) else { throw CommandError.notInteger }
            return .bool(call.server.blocking.unblock(client: id, with: reply))
        case "HELP" where argc == 2:
            return .array(help.map { .simple($0) })
        default:
            // A known subcommand with a count of words its arity allows but it does not take (UNBLOCK id a b).
            if spec.subcommand(call.args[1]) != nil { throw CommandError.subcommandSyntax(call.args[1], "client") }
            throw CommandError.unknownSubcommand(call.args[1], "client")
        }
    }

    /// The client types CLIENT LIST and CLIENT KILL filter by, as Redis names them.
    enum ClientType {
        case normal, replica, master, pubsub

        init(_ word: [UInt8]) throws {
            switch String(decoding: word, as: UTF8.self).lowercased() {
            case "normal": self = .normal
            case "replica", "slave": self = .replica
            case "master": self = .master
            case "pubsub": self = .pubsub
            default: throw CommandError("ERR Unknown client type '\(String(decoding: word, as: UTF8.self))'")
            }
        }

        /// A subscribed client is a pubsub client, every other one normal (we have no replication).
        static func of(_ client: ClientConnection) -> Self {
            client.info.withLockedValue { $0.subscriptions + $0.patternSubscriptions } > 0 ? .pubsub : .normal
        }
    }

    /// CLIENT LIST [TYPE type | ID id ...]: Redis 7.0 takes one filter, TYPE with exactly one word after it; IDs
    /// that name no client (0, negative) list nothing, and an ID given twice lists its client twice.
    static func listed(_ call: Call) throws -> [ClientConnection] {
        let argc = call.args.count
        let clients = call.server.clients.all
        if argc == 4 && call.option(2) == "TYPE" {
            let type = try ClientType(call.args[3])
            return clients.filter { ClientType.of($0) == type }
        }
        if argc > 3 && call.option(2) == "ID" {
            let byID = Dictionary(clients.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            return try call.args[3...].compactMap { word in
                guard let id = Keyspace.parseInteger(word) else { throw CommandError("ERR Invalid client ID") }
                return byID[id]
            }
        }
        guard argc == 2 else { throw CommandError.syntax }
        return clients
    }

    static let help = [
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ID", "    Return the ID of the current connection.",
        "GETNAME", "    Return the name of the current connection.",
        "SETNAME <name>", "    Assign the name <name> to the current connection.",
        "SETINFO <option> <value>", "    Set client meta attr. Options are: LIB-NAME, LIB-VER.",
        "LIST [options ...]", "    Return information about client connections.",
        "INFO", "    Return information about the current client connection.",
        "KILL <ip:port>", "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]", "    Kill connections. Options are: ID, ADDR, LADDR, SKIPME.",
        "NO-EVICT (ON|OFF)", "    Protect current client connection from eviction.",
        "REPLY (ON|OFF|SKIP)", "    Control the replies sent to the current connection.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]", "    Unblock the specified blocked client.",
        "HELP", "    Print this help.",
    ]

    /// One CLIENT LIST line, with Redis's fields.
    static func line(_ client: ClientConnection, call: Call) -> String {
        let info = client.info.withLockedValue { $0 }
        let age = Int(Date().timeIntervalSince(client.createdAt))
        let idle = Int(Date().timeIntervalSince(info.lastActive))
        let isSelf = client.id == call.session.clientID
        let session = isSelf ? call.session : nil
        let name = info.name
        let db = session?.db ?? info.db
        let resp = session?.protocolVersion ?? info.protocolVersion
        let command = isSelf ? "client|\(call.option(1).lowercased())" : info.lastCommand
        return "id=\(client.id) addr=\(client.remoteAddress) laddr=\(client.localAddress) fd=8 name=\(name) age=\(age) "
            + "idle=\(idle) flags=\(info.flags) db=\(db) sub=\(info.subscriptions) psub=\(info.patternSubscriptions) ssub=0 "
            + "multi=\(info.multi) qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 "
            + "tot-mem=0 events=r cmd=\(command) user=default redir=-1 resp=\(resp) "
            + "lib-name=\(info.libName) lib-ver=\(info.libVersion)"
    }

    /// CLIENT KILL ip:port, or CLIENT KILL with filters (ID, TYPE, ADDR, LADDR, USER, SKIPME), read in order as
    /// Redis 7.0 reads them: the first bad one is the error, and a filter given twice keeps its last value.
    static func kill(_ call: inout Call) throws -> Reply {
        let clients = call.server.clients.all
        let argc = call.args.count
        if argc == 3 {
            let address = call.string(2)
            guard let target = clients.first(where: { $0.remoteAddress == address }) else {
                throw CommandError("ERR No such client")
            }
            target.kill()
            return .ok
        }
        var id: Int64?
        var type: ClientType?
        var address: String?
        var localAddress: String?
        var skipMe = true
        var i = 2
        while i < argc {
            let hasValue = i + 1 < argc
            let value = hasValue ? call.args[i + 1] : []
            switch call.option(i) {
            case "ID" where hasValue:
                guard let n = Keyspace.parseInteger(value), n > 0 else {
                    throw CommandError("ERR client-id should be greater than 0")
                }
                id = n
            case "TYPE" where hasValue:
                type = try ClientType(value)
            case "ADDR" where hasValue:
                address = String(decoding: value, as: UTF8.self)
            case "LADDR" where hasValue:
                localAddress = String(decoding: value, as: UTF8.self)
            case "USER" where hasValue:
                // Every connection is the default user's; there are no others.
                guard value == Array("default".utf8) else {
                    throw CommandError("ERR No such user '\(String(decoding: value, as: UTF8.self))'")
                }
            case "SKIPME" where hasValue:
                switch String(decoding: value, as: UTF8.self).lowercased() {
                case "yes": skipMe = true
                case "no": skipMe = false
                default: throw CommandError.syntax
                }
            default:
                throw CommandError.syntax
            }
            i += 2
        }
        let matches = clients.filter { client in
            (address.map { client.remoteAddress == $0 } ?? true)
                && (localAddress.map { client.localAddress == $0 } ?? true)
                && (type.map { ClientType.of(client) == $0 } ?? true)
                && (id.map { client.id == $0 } ?? true)
                && !(skipMe && client.id == call.session.clientID)
        }
        for client in matches { client.kill() }
        return .integer(Int64(matches.count))
    }
}
