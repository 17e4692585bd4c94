import Store

/// XINFO STREAM [FULL [COUNT n]], GROUPS, CONSUMERS and HELP, with Redis 7.0's fields in Redis's order.
enum XInfo {
    static func run(_ call: Call) throws -> Reply {
        let sub = call.option(1)
        let argc = call.args.count
        if sub == "HELP" && argc == 2 {
            return .array([
                "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "CONSUMERS <key> <groupname>", "    Show consumers of <groupname>.",
                "GROUPS <key>", "    Show the stream consumer groups.",
                "STREAM <key> [FULL [COUNT <count>]", "    Show information about the stream.",
                "HELP", "    Prints this help.",
            ].map { .simple($0) })
        }
        guard argc >= 3 else { throw CommandError.subcommandSyntax(call.args[1], "xinfo") }
        let ks = call.keyspace
        let key = call.args[2]
        // Redis looks the key up before it reads the subcommand's other words.
        guard let meta = try ks.streamMeta(key) else { throw CommandError.noSuchKey }
        switch sub {
        case "CONSUMERS" where argc == 4:
            guard try ks.groupExists(key, call.args[3]) else {
                throw CommandFamilies.noGroupForKey(call, group: call.args[3], key: key)
            }
            return .array(try ks.consumerRecords(key, group: call.args[3]).map { c in
                .map([(.bulk("name"), .bulk(c.name)), (.bulk("pending"), .integer(Int64(c.pending))),
                      (.bulk("idle"), .integer(ks.idleTime(since: c.seenTime)))])
            })
        case "GROUPS" where argc == 3:
            let groups = try ks.groupSummaries(key) ?? []
            return .array(groups.map(groupFields))
        case "STREAM":
            var full = false
            var count = 10
            if argc > 3 {
                guard call.option(3) == "FULL", argc == 4 || (argc == 6 && call.option(4) == "COUNT") else {
                    throw CommandError.subcommandSyntax(call.args[1], "xinfo")
                }
                full = true
                if argc == 6 {
                    let n = try call.integer(5)
                    count = n < 0 ? 10 : Int(min(n, Int64(Int32.max)))  // a negative COUNT is Redis's default
                }
            }
            return full ? try stream(ks, key, meta, fullCount: count) : try stream(ks, key, meta, fullCount: nil)
        default:
            throw CommandError.subcommandSyntax(call.args[1], "xinfo")
        }
    }

    private static func groupFields(_ g: Keyspace.GroupSummary) -> Reply {
        .map([
            (.bulk("name"), .bulk(g.record.name)),
            (.bulk("consumers"), .integer(g.consumers)),
            (.bulk("pending"), .integer(Int64(g.record.pending))),
            (.bulk("last-delivered-id"), .bulk(g.record.lastID.bytes)),
            (.bulk("entries-read"), g.record.entriesRead == -1 ? .null : .integer(g.record.entriesRead)),
            (.bulk("lag"), g.lag.map { .integer($0) } ?? .null),
        ])
    }

    /// XINFO STREAM, or with `fullCount` the FULL form (0 = everything).
    private static func stream(_ ks: Keyspace, _ key: [UInt8], _ meta: StreamMeta, fullCount: Int?) throws -> Reply {
        // Our entries are not in radix-tree nodes; report what Redis would for nodes of 100 entries.
        let nodes = (Int(meta.length) + 99) / 100
        var fields: [(Reply, Reply)] = [
            (.bulk("length"), .integer(Int64(bitPattern: meta.length))),
            (.bulk("radix-tree-keys"), .integer(nodes)),
            (.bulk("radix-tree-nodes"), .integer(nodes + 1)),
            (.bulk("last-generated-id"), .bulk(meta.lastID.bytes)),
            (.bulk("max-deleted-entry-id"), .bulk(meta.maxDeletedID.bytes)),
            (.bulk("entries-added"), .integer(Int64(bitPattern: meta.entriesAdded))),  // Redis prints it signed
            (.bulk("recorded-first-entry-id"), .bulk(meta.firstID.bytes)),
        ]
        guard let count = fullCount else {
            let first = try ks.streamRange(key, from: .zero, to: .max, count: 1).first
            let last = try ks.streamLastEntry(key)
            fields.append((.bulk("groups"), .integer(try ks.groupCount(key))))
            fields.append((.bulk("first-entry"), first.map(StreamArguments.entry) ?? .null))
            fields.append((.bulk("last-entry"), last.map(StreamArguments.entry) ?? .null))
            return .map(fields)
        }
        let entries = try ks.streamRange(key, from: .zero, to: .max, count: count == 0 ? nil : count)
        fields.append((.bulk("entries"), StreamArguments.entries(entries)))
        let groups = try ks.groupDetails(key, count: count).map { detail -> Reply in
            let g = detail.summary
            return .map([
                (.bulk("name"), .bulk(g.record.name)),
                (.bulk("last-delivered-id"), .bulk(g.record.lastID.bytes)),
                (.bulk("entries-read"), g.record.entriesRead == -1 ? .null : .integer(g.record.entriesRead)),
                (.bulk("lag"), g.lag.map { .integer($0) } ?? .null),
                (.bulk("pel-count"), .integer(Int64(g.record.pending))),
                (.bulk("pending"), .array(detail.pending.map { p in
                    .array([.bulk(p.id.bytes), .bulk(p.consumer), .integer(p.deliveryTime),
                            .integer(Int64(bitPattern: p.deliveryCount))])
                })),
                (.bulk("consumers"), .array(detail.consumers.map { consumer, own in
                    .map([
                        (.bulk("name"), .bulk(consumer.name)),
                        (.bulk("seen-time"), .integer(consumer.seenTime)),
                        (.bulk("pel-count"), .integer(Int64(consumer.pending))),
                        (.bulk("pending"), .array(own.map { p in
                            .array([.bulk(p.id.bytes), .integer(p.deliveryTime), .integer(Int64(bitPattern: p.deliveryCount))])
                        })),
                    ])
                })),
            ])
        }
        fields.append((.bulk("groups"), .array(groups)))
        return .map(fields)
    }
}
