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
    private let commands: [(CommandSpec, [[UInt8]])]
    private let kind: Kind
    private let initialSession: Session
    private var session: Session
    private var replies: [Reply] = []
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
            for (spec, request) in commands {
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
                let replies = self.replies
                if kind == .exec { client.server.watches.unwatchAll(client: client.id) }
                client.mailbox.post { client.jobFinished(session: session, replies: replies) }
            }
        }
    }
}
