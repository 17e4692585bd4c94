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
            var clients = call.server.clients.all
            if argc > 2 {
                var options = OptionReader(call, from: 2)
                while !options.atEnd {
                    switch options.nextOption() {
                    case "TYPE":
                        let type = String(decoding: try options.value(), as: UTF8.self).lowercased()
                        guard ["normal", "master", "replica", "slave", "pubsub"].contains(type) else {
                            throw CommandError("ERR Unknown client type '\(type)'")
                        }
                        clients = clients.filter { client in
                            let subscribed = client.info.withLockedValue { $0.subscriptions + $0.patternSubscriptions } > 0
                            return type == "pubsub" ? subscribed : type == "normal" ? !subscribed : false
                        }
                    case "ID":
                        var ids: Set<Int64> = []
                        while !options.atEnd {
                            guard let id = Keyspace.parseInteger(try options.value()), id > 0 else {
                                throw CommandError("ERR Invalid client ID")
                            }
                            ids.insert(id)
                        }
                        clients = clients.filter { ids.contains($0.id) }
                    default:
                        throw CommandError.syntax
                    }
                }
            }
            return .verbatim(clients.map { line($0, call: call) + "\n" }.joined())
        case "INFO" where argc == 2:
            guard let client = call.client else { return .verbatim("") }
            return .verbatim(line(client, call: call) + "\n")
        case "KILL":
            return try kill(&call)
        case "UNBLOCK" where argc == 3 || argc == 4:
            guard let id = Keyspace.parseInteger(call.args[2]) else { throw CommandError.notInteger }
            var reply: Reply?
            if argc == 4 {
                switch call.option(3) {
                case "TIMEOUT": reply = nil
                case "ERROR": reply = .error("UNBLOCKED client unblocked via CLIENT UNBLOCK")
                default: throw CommandError("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
                }
            }
            return .bool(call.server.blocking.unblock(client: id, with: reply))
        case "HELP" where argc == 2:
            return .array(help.map { .simple($0) })
        default:
            throw CommandError.unknownSubcommand(call.args[1], "client")
        }
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

    /// CLIENT KILL ip:port, or CLIENT KILL with filters (ID, ADDR, LADDR, USER, SKIPME).
    static func kill(_ call: inout Call) throws -> Reply {
        let clients = call.server.clients.all
        if call.args.count == 3 {
            let address = call.string(2)
            guard let target = clients.first(where: { $0.remoteAddress == address }) else {
                throw CommandError("ERR No such client")
            }
            target.kill()
            return .ok
        }
        guard call.args.count >= 4 && call.args.count % 2 == 0 else { throw CommandError.syntax }
        var matches = clients
        var skipMe = true
        var options = OptionReader(call, from: 2)
        while !options.atEnd {
            let option = options.nextOption()
            let value = String(decoding: try options.value(), as: UTF8.self)
            switch option {
            case "ID":
                guard let id = Keyspace.parseInteger(value.utf8), id > 0 else {
                    throw CommandError("ERR client-id should be greater than 0")
                }
                matches = matches.filter { $0.id == id }
            case "ADDR": matches = matches.filter { $0.remoteAddress == value }
            case "LADDR": matches = matches.filter { $0.localAddress == value }
            case "USER": if value != "default" { matches = [] }
            case "SKIPME":
                switch value.lowercased() {
                case "yes": skipMe = true
                case "no": skipMe = false
                default: throw CommandError.syntax
                }
            case "MAXAGE":
                guard Keyspace.parseInteger(value.utf8) != nil else { throw CommandError.notInteger }
            case "TYPE":
                continue
            default:
                throw CommandError.syntax
            }
        }
        if skipMe { matches.removeAll { $0.id == call.session.clientID } }
        for client in matches { client.kill() }
        return .integer(matches.count)
    }
}
