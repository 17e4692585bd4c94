import Store

/// Commands of one connection run on the writer thread: a batch of reads and writes, an EXEC, or a
/// blocking command's first attempt. Replies go back to the connection's event loop after the commit.
final class CommandJob: WriteJob, @unchecked Sendable {
    enum Kind {
        case batch
        case exec
        case blocking
    }

    private let client: ClientConnection
    /// The requests, decoded on the event loop; handed back there to be freed (`finish`).
    private var commands: [(CommandSpec, [[UInt8]])]
    private let kind: Kind
    private let initialSession: Session
    private var session: Session
    private var replies: [Reply] = []
    /// Inside EXEC: positions of commands that must run on the connection's event loop (SUBSCRIBE and kin).
    private var deferred: [(index: Int, spec: CommandSpec, request: [[UInt8]])] = []
    private var blockedOn: (keys: [[UInt8]], timeout: Int64?, timeoutReply: Reply, retry: BlockedRetry)?

    init(client: ClientConnection, commands: [(CommandSpec, [[UInt8]])], session: Session, kind: Kind) {
        self.client = client
        self.commands = commands
        self.kind = kind
        self.initialSession = session
        self.session = session
    }

    func run(_ txn: WriteTransaction) throws {
        session = initialSession
        replies = []
        blockedOn = nil
        let server = client.server
        switch kind {
        case .batch:
            for (spec, request) in commands {
                replies.append(try CommandRunner.run(spec, request, session: &session, txn: txn, client: client, server: server))
            }
        case .exec:
            if server.watches.isDirty(client: client.id) {
                replies = [.nullArray]
                return
            }
            var results: [Reply] = []
            deferred = []
            for (spec, request) in commands {
                if spec.flags.contains(.pubsub) && spec.name.hasSuffix("subscribe") {
                    deferred.append((results.count, spec, request))
                    results.append(.noReply)
                    continue
                }
                results.append(try CommandRunner.run(spec, request, session: &session, txn: txn, client: client, server: server))
            }
            replies = [.array(results)]
        case .blocking:
            let (spec, request) = commands[0]
            switch try CommandRunner.runBlocking(spec, request, session: &session, txn: txn, client: client, server: server) {
            case .reply(let reply):
                replies = [reply]
            case .block(let keys, let timeout, let timeoutReply, let retry):
                blockedOn = (keys, timeout, timeoutReply, retry)
            }
        }
    }

    func finish(_ result: Result<Void, any Error>) {
        let client = self.client
        // The request buffers were allocated on the event loop: free them there too, so that the writer does not
        // contend for the allocator's lock with the loop (a measurable share of pipelined writes).
        let requests = commands
        commands = []
        client.mailbox.post { _ = requests }
        let session = self.session
        switch result {
        case .failure(let error):
            let reply = Reply.error("ERR the store could not commit the write: \(error)")
            let failed = kind == .batch ? commands.map { _ in reply } : [reply]
            let before = initialSession
            client.mailbox.post { client.jobFinished(session: before, replies: failed) }
        case .success:
            if let blocked = blockedOn {
                // Registered right after the commit, before any later batch can write to these keys.
                client.server.blocking.block(client: client, db: session.db, keys: blocked.keys,
                                             timeoutMilliseconds: blocked.timeout, timeoutReply: blocked.timeoutReply,
                                             retry: blocked.retry)
                client.mailbox.post { client.jobFinished(session: session, replies: nil) }
            } else {
                let computed = self.replies
                let deferred = self.deferred
                if kind == .exec { client.server.watches.unwatchAll(client: client.id) }
                client.mailbox.post {
                    var replies = computed
                    if !deferred.isEmpty, case .array(var results) = replies.first {
                        for item in deferred { results[item.index] = client.runDeferred(item.spec, item.request) }
                        // A command that answered several times (SUBSCRIBE a b) adds each answer to the array.
                        replies = [.array(results.flatMap { reply -> [Reply] in
                            if case .sequence(let parts) = reply { return parts }
                            return [reply]
                        })]
                    }
                    client.jobFinished(session: session, replies: replies)
                }
            }
        }
    }
}
