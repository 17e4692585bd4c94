import Store

/// SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, PUBSUB. Messages go out as RESP3 pushes, or as
/// arrays in RESP2. The (un)subscribe commands change the connection's own state, so inside EXEC they run on
/// the connection's event loop after the rest of the transaction (`CommandJob`).
extension CommandFamilies {
    static let pubsub: [CommandSpec] = [
        CommandSpec("subscribe", arity: -2, flags: [.pubsub, .noscript, .loading, .stale], access: .none,
                    group: "pubsub", summary: "Listen for messages published to the given channels", since: "2.0.0") { call in
            guard let client = call.client else { return .noReply }
            var replies: [Reply] = []
            for channel in call.args.dropFirst() {
                if client.channels.insert(channel).inserted { call.server.pubsub.subscribe(client, channel: channel) }
                replies.append(.push([.bulk("subscribe"), .bulk(channel), .integer(client.subscriptionCount)]))
            }
            client.updateSubscriptionInfo()
            return .sequence(replies)
        },
        CommandSpec("unsubscribe", arity: -1, flags: [.pubsub, .noscript, .loading, .stale], access: .none,
                    group: "pubsub", summary: "Stop listening for messages posted to the given channels", since: "2.0.0") { call in
            guard let client = call.client else { return .noReply }
            var replies: [Reply] = []
            let channels = call.args.count > 1 ? Array(call.args.dropFirst()) : Array(client.channels)
            if channels.isEmpty {
                replies.append(.push([.bulk("unsubscribe"), .null, .integer(client.subscriptionCount)]))
            }
            for channel in channels {
                if client.channels.remove(channel) != nil { call.server.pubsub.unsubscribe(client, channel: channel) }
                replies.append(.push([.bulk("unsubscribe"), .bulk(channel), .integer(client.subscriptionCount)]))
            }
            client.updateSubscriptionInfo()
            return .sequence(replies)
        },
        CommandSpec("psubscribe", arity: -2, flags: [.pubsub, .noscript, .loading, .stale], access: .none,
                    group: "pubsub", summary: "Listen for messages published to channels matching the given patterns",
                    since: "2.0.0") { call in
            guard let client = call.client else { return .noReply }
            var replies: [Reply] = []
            for pattern in call.args.dropFirst() {
                if client.patterns.insert(pattern).inserted { call.server.pubsub.psubscribe(client, pattern: pattern) }
                replies.append(.push([.bulk("psubscribe"), .bulk(pattern), .integer(client.subscriptionCount)]))
            }
            client.updateSubscriptionInfo()
            return .sequence(replies)
        },
        CommandSpec("punsubscribe", arity: -1, flags: [.pubsub, .noscript, .loading, .stale], access: .none,
                    group: "pubsub", summary: "Stop listening for messages posted to channels matching the given patterns",
                    since: "2.0.0") { call in
            guard let client = call.client else { return .noReply }
            var replies: [Reply] = []
            let patterns = call.args.count > 1 ? Array(call.args.dropFirst()) : Array(client.patterns)
            if patterns.isEmpty {
                replies.append(.push([.bulk("punsubscribe"), .null, .integer(client.subscriptionCount)]))
            }
            for pattern in patterns {
                if client.patterns.remove(pattern) != nil { call.server.pubsub.punsubscribe(client, pattern: pattern) }
                replies.append(.push([.bulk("punsubscribe"), .bulk(pattern), .integer(client.subscriptionCount)]))
            }
            client.updateSubscriptionInfo()
            return .sequence(replies)
        },
        CommandSpec("publish", arity: 3, flags: [.pubsub, .loading, .stale, .fast], access: .none, group: "pubsub",
                    summary: "Post a message to a channel", since: "2.0.0") { call in
            .integer(call.server.pubsub.publish(channel: call.args[1], message: call.args[2]))
        },
        CommandSpec("pubsub", arity: -2, flags: [.pubsub, .loading, .stale], access: .none, group: "pubsub",
                    summary: "A container for Pub/Sub commands", since: "2.8.0",
                    subcommands: [.init("channels", -2), .init("numsub", -2), .init("numpat", 2), .init("shardchannels", -2),
                                  .init("shardnumsub", -2), .init("help", 2)]) { call in
            let registry = call.server.pubsub
            switch call.option(1) {
            case "CHANNELS" where call.args.count <= 3:
                return .array(registry.channels(matching: call.args.count == 3 ? call.args[2] : nil).map(Reply.bulk))
            case "NUMSUB":
                return .array(call.args.dropFirst(2).flatMap { [Reply.bulk($0), .integer(registry.subscriberCount($0))] })
            case "NUMPAT" where call.args.count == 2:
                return .integer(registry.patternCount)
            case "SHARDCHANNELS" where call.args.count <= 3:
                return .array([])
            case "SHARDNUMSUB":
                return .array(call.args.dropFirst(2).flatMap { [Reply.bulk($0), .zero] })
            case "HELP" where call.args.count == 2:
                return .array([
                    "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                    "CHANNELS [<pattern>]", "    Return the currently active channels matching a <pattern> (default: '*').",
                    "NUMPAT", "    Return number of subscriptions to patterns.",
                    "NUMSUB [<channel> ...]", "    Return the number of subscribers for the specified channels, excluding",
                    "    pattern subscriptions(default: no channels).",
                    "HELP", "    Print this help.",
                ].map { .simple($0) })
            default:
                // Every subcommand is known here (admission checked it); only its extra words are wrong.
                throw CommandError.subcommandSyntax(call.args[1], "pubsub")
            }
        },
    ]
}
