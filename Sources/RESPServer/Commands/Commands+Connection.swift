import Store

/// PING, ECHO, QUIT, HELLO, AUTH, SELECT, RESET.
extension CommandFamilies {
    static let connection: [CommandSpec] = [
        CommandSpec("ping", arity: -1, flags: [.fast, .stale], access: .none, group: "connection",
                    summary: "Ping the server") { call in
            guard call.args.count <= 2 else { throw CommandError.wrongArity("ping") }
            let subscribed = call.client.map { !$0.channels.isEmpty || !$0.patterns.isEmpty } ?? false
            if subscribed && call.session.protocolVersion == 2 {
                return .array([.bulk("pong"), .bulk(call.args.count == 2 ? call.args[1] : [])])
            }
            return call.args.count == 2 ? .bulk(call.args[1]) : .simple("PONG")
        },
        CommandSpec("echo", arity: 2, flags: [.fast], access: .none, group: "connection",
                    summary: "Echo the given string") { call in .bulk(call.args[1]) },
        CommandSpec("quit", arity: -1, flags: [.noauth, .allowBusy, .fast, .stale, .loading], access: .none,
                    group: "connection", summary: "Close the connection") { call in
            call.session.closeAfterReply = true
            return .ok
        },
        CommandSpec("select", arity: 2, flags: [.loading, .stale, .fast], access: .none, group: "connection",
                    summary: "Change the selected database for the current connection") { call in
            guard let db = Keyspace.parseInteger(call.args[1]) else { throw CommandError.notInteger }
            guard Int64(Int32.min)...Int64(Int32.max) ~= db else {
                throw CommandError("ERR value is out of range, value must between -2147483648 and 2147483647")
            }
            guard db >= 0 && db < Keyspace.databaseCount else { throw CommandError("ERR DB index is out of range") }
            call.session.db = Int(db)
            return .ok
        },
        CommandSpec("auth", arity: -2, flags: [.noscript, .loading, .stale, .fast, .noauth, .allowBusy],
                    access: .none, group: "connection", summary: "Authenticate to the server") { call in
            guard call.args.count <= 3 else { throw CommandError.syntax }
            try authenticate(&call, user: call.args.count == 3 ? call.args[1] : nil, password: call.args.last!)
            return .ok
        },
        CommandSpec("hello", arity: -1, flags: [.noscript, .loading, .stale, .fast, .noauth, .allowBusy],
                    access: .none, group: "connection", summary: "Handshake with Redis", since: "6.0.0") { call in
            try hello(&call)
        },
        CommandSpec("reset", arity: 1, flags: [.noscript, .loading, .stale, .fast, .noauth, .allowBusy],
                    access: .none, group: "connection", summary: "Reset the connection", since: "6.2.0") { call in
            let requirePass = call.server.config.requirePass
            call.client?.resetState()
            call.client?.info.withLockedValue { $0.name = "" }
            call.session = Session(clientID: call.session.clientID, authenticated: requirePass == nil)
            return .simple("RESET")
        },
    ]

    /// AUTH and HELLO's AUTH: the only user is `default`.
    static func authenticate(_ call: inout Call, user: [UInt8]?, password: [UInt8]) throws {
        guard let required = call.server.config.requirePass else {
            if user == nil {
                throw CommandError("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
            }
            guard user == Array("default".utf8) else { throw CommandError.wrongPass }
            call.session.authenticated = true
            return
        }
        guard user == nil || user == Array("default".utf8), password == Array(required.utf8) else {
            throw CommandError.wrongPass
        }
        call.session.authenticated = true
    }

    /// HELLO [protover [AUTH username password] [SETNAME clientname]]
    static func hello(_ call: inout Call) throws -> Reply {
        var version = call.session.protocolVersion
        var options = OptionReader(call, from: 1)
        if !options.atEnd {
            guard let v = Keyspace.parseInteger(call.args[1]) else {
                throw CommandError("ERR Protocol version is not an integer or out of range")
            }
            guard v == 2 || v == 3 else { throw CommandError("NOPROTO unsupported protocol version") }
            version = Int(v)
            options.index = 2
        }
        var name: [UInt8]?
        while !options.atEnd {
            let option = options.nextOption()
            if option == "AUTH" && options.remaining >= 2 {
                let user = try options.value()
                try authenticate(&call, user: user, password: try options.value())
            } else if option == "SETNAME" && options.remaining >= 1 {
                let value = try options.value()
                try ClientCommand.validateName(value)
                name = value
            } else {
                throw CommandError("ERR Syntax error in HELLO option '\(call.string(options.index - 1))'")
            }
        }
        guard call.session.authenticated else {
            throw CommandError("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
        }
        if let name { call.client?.info.withLockedValue { $0.name = String(decoding: name, as: UTF8.self) } }
        call.session.protocolVersion = version
        return .map([
            (.bulk("server"), .bulk("redis")),
            (.bulk("version"), .bulk(ServerInfo.redisVersion)),
            (.bulk("proto"), .integer(version)),
            (.bulk("id"), .integer(call.session.clientID)),
            (.bulk("mode"), .bulk("standalone")),
            (.bulk("role"), .bulk("master")),
            (.bulk("modules"), .array([])),
        ])
    }
}
