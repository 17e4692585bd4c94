import DequeModule
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import Store

/// One client connection: decodes requests, runs them in order, and writes the replies with one flush per read.
///
/// Commands run in the order they arrive. Commands that only read run at once on this event loop; a run of
/// commands that includes a write goes to the store's writer thread as one job, and the connection waits
/// for it (and, for a blocked command, for its wake-up) before it takes the next command.
final class ClientConnection: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let id: Int64
    let server: ServerContext
    let eventLoop: any EventLoop
    let mailbox: EventLoopMailbox
    let remoteAddress: String
    let localAddress: String
    let createdAt = Date()

    // Everything below is confined to `eventLoop`.
    private var context: ChannelHandlerContext?
    private var decoder = RESPRequestDecoder()
    private var inbound: ByteBuffer?
    private var pending = Deque<[[UInt8]]>()
    /// A job is in the writer or a command is blocked: wait before taking the next command.
    private var busy = false
    private var protocolError: RESPProtocolError?
    private var output: ByteBuffer
    private var closing = false
    var session: Session
    /// Commands queued by MULTI; nil outside a transaction. `multiFailed` makes EXEC abort.
    var multiQueue: [[[UInt8]]]?
    var multiFailed = false
    var channels: Set<[UInt8]> = []
    var patterns: Set<[UInt8]> = []
    var isMonitor = false
    private var lastCommand = "NULL"
    /// Bytes written to a subscriber's socket but not yet sent.
    private var unsentBytes = 0
    private var infoIsStale = false
    private var readingPaused = false

    /// What CLIENT LIST shows, readable from any thread.
    let info: NIOLockedValueBox<ClientInfo>

    init(server: ServerContext, channel: any Channel) {
        self.server = server
        self.eventLoop = channel.eventLoop
        self.mailbox = server.mailboxes.mailbox(for: channel.eventLoop)
        self.id = server.clients.makeID()
        self.remoteAddress = Self.describe(channel.remoteAddress)
        self.localAddress = Self.describe(channel.localAddress)
        self.output = channel.allocator.buffer(capacity: 4096)
        self.session = Session(clientID: id, authenticated: server.config.requirePass == nil)
        self.info = NIOLockedValueBox(ClientInfo())
    }

    private static func describe(_ address: SocketAddress?) -> String {
        guard let address, let ip = address.ipAddress, let port = address.port else { return "?:0" }
        return "\(ip):\(port)"
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func channelActive(context: ChannelHandlerContext) {
        server.clients.add(self)
        server.stats.totalConnections.wrappingIncrement(ordering: .relaxed)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        closing = true
        server.clients.remove(id)
        server.blocking.cancel(client: id)
        server.watches.unwatchAll(client: id)
        for channel in channels { server.pubsub.unsubscribe(self, channel: channel) }
        for pattern in patterns { server.pubsub.punsubscribe(self, pattern: pattern) }
        if isMonitor { server.monitors.remove(id) }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        server.stats.inputBytes.wrappingIncrement(by: Int64(buffer.readableBytes), ordering: .relaxed)
        guard protocolError == nil, !closing else { return }
        if inbound == nil {
            inbound = buffer
        } else {
            inbound!.writeBuffer(&buffer)
        }
        decoder.limits.maxBulkLength = server.config.maxBulkLength
        decoder.limits.maxQueryBuffer = server.config.queryBufferLimit
        decoder.limits.authenticated = session.authenticated
        do {
            while let request = try decoder.decode(buffer: &inbound!) {
                pending.append(request)
                if !session.authenticated && !busy {
                    // Before AUTH, run each request as it comes: an AUTH lifts the limits for the next one.
                    processPending()
                    decoder.limits.authenticated = session.authenticated
                }
            }
        } catch let error as RESPProtocolError {
            protocolError = error
        } catch {
            protocolError = RESPProtocolError(String(describing: error))
        }
        if inbound!.readableBytes == 0 {
            inbound = nil
        } else if inbound!.readerIndex > 65536 {
            inbound!.discardReadBytes()
        }
        processPending()
        // A client that sends faster than its commands run stops being read until it catches up.
        if pending.count > Self.maxPendingRequests && !readingPaused {
            readingPaused = true
            context.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
        }
    }

    static let maxPendingRequests = 16_384

    func channelReadComplete(context: ChannelHandlerContext) {
        flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    // MARK: Running commands

    /// Takes commands from `pending` until one has to wait for the writer.
    func processPending() {
        while !busy && !closing, let request = pending.popFirst() {
            dispatch(request)
        }
        if readingPaused && pending.count < Self.maxPendingRequests / 2, let context {
            readingPaused = false
            context.channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in }
        }
        if !busy && pending.isEmpty, let error = protocolError, !closing {
            let message = "ERR \(error.description)"
            if error != .queryBufferLimit { send(.error(message)) }
            server.stats.recordError(message)
            server.logger.debug("closing client \(remoteAddress): \(error.description)")
            closeAfterFlush()
        }
    }

    /// Runs one command, or starts a job for it (and the commands after it that can share the job).
    private func dispatch(_ request: [[UInt8]]) {
        guard let spec = admit(request) else { return }
        noteCommand(spec, request)
        if server.monitors.isActive && !isMonitor {
            server.monitors.feed(args: request, db: session.db, address: remoteAddress, from: id)
        }
        if spec.blockingHandler != nil {
            if spec.flags.contains(.readonly) && !Self.asksToBlock(request) {
                runReads([(spec, request)])  // XREAD without BLOCK only reads
            } else {
                startJob(CommandJob(client: self, commands: [(spec, request)], session: session, kind: .blocking))
            }
            return
        }
        if spec.name == "exec" {
            exec()
            return
        }
        switch spec.access {
        case .none:
            send((try? run(spec, request, txn: nil)) ?? .error("ERR internal error"))
        case .read, .write:
            var batch = [(spec, request)]
            var writes = spec.access == .write
            // Commands that follow in the same read share the transaction, up to one that must run alone.
            while let next = pending.first, let nextSpec = batchable(next) {
                pending.removeFirst()
                if server.monitors.isActive { server.monitors.feed(args: next, db: session.db, address: remoteAddress, from: id) }
                batch.append((nextSpec, next))
                writes = writes || nextSpec.access == .write
            }
            if writes {
                startJob(CommandJob(client: self, commands: batch, session: session, kind: .batch))
            } else {
                runReads(batch)
            }
        }
    }

    /// Records the command for CLIENT LIST (`cmd=`); published with `publishInfo` once per round of reads.
    private func noteCommand(_ spec: CommandSpec, _ request: [[UInt8]]) {
        lastCommand = spec.fullName(request)
        infoIsStale = true
    }

    /// Copies what CLIENT LIST shows into the locked `info`, if it changed.
    private func publishInfo() {
        guard infoIsStale else { return }
        infoIsStale = false
        let (command, db, multi, resp) = (lastCommand, session.db, multiQueue?.count ?? -1, session.protocolVersion)
        info.withLockedValue {
            $0.lastCommand = command
            $0.lastActive = Date()
            $0.db = db
            $0.multi = multi
            $0.protocolVersion = resp
        }
    }

    /// Whether an XREAD has a BLOCK option (before its STREAMS list).
    static func asksToBlock(_ request: [[UInt8]]) -> Bool {
        for word in request.dropFirst() {
            let upper = String(decoding: word, as: UTF8.self).uppercased()
            if upper == "STREAMS" { return false }
            if upper == "BLOCK" { return true }
        }
        return false
    }

    /// Whether `request` can join a batch: a plain read or write command that passes every check.
    private func batchable(_ request: [[UInt8]]) -> CommandSpec? {
        guard multiQueue == nil, case .success(let spec) = check(request), spec.access != .none,
              spec.blockingHandler == nil, spec.name != "watch" else { return nil }
        return spec
    }

    private func runReads(_ batch: [(CommandSpec, [[UInt8]])]) {
        do {
            try server.store.read { txn in
                for (spec, request) in batch { send(try run(spec, request, txn: txn)) }
            }
        } catch {
            send(.error("ERR store read failed: \(error)"))
        }
    }

    /// Runs a command on this event loop with the connection's session.
    func run(_ spec: CommandSpec, _ request: [[UInt8]], txn: Transaction?) throws(LMDBError) -> Reply {
        // A copy: a PUBLISH to a channel this client listens to writes the message at once (`deliver`), which
        // reads `session` while the command runs.
        var working = session
        let reply = try CommandRunner.run(spec, request, session: &working, txn: txn, client: self, server: server)
        session = working
        return reply
    }

    func startJob(_ job: CommandJob) {
        busy = true
        mailbox.submit(job)
    }

    /// Runs a command of an EXEC that must run on this event loop; the session it changes is this one's.
    func runDeferred(_ spec: CommandSpec, _ request: [[UInt8]]) -> Reply {
        (try? run(spec, request, txn: nil)) ?? .error("ERR internal error")
    }

    /// Called on the event loop when a job finished: adopts the session it ended with and sends its replies.
    func jobFinished(session: Session, replies: [Reply]?) {
        self.session = session
        if let replies {
            for reply in replies { send(reply) }
            busy = false
        }
        if !busy {
            processPending()
            flush()
        }
    }

    /// A blocked command got its answer (data, timeout or error). Safe from any thread.
    func completeBlocked(_ reply: Reply) {
        mailbox.post {
            self.send(reply)
            self.busy = false
            self.processPending()
            self.flush()
        }
    }

    /// Sends an out-of-band reply (pub/sub message, monitor line). Safe from any thread; on this connection's
    /// own event loop it is written at once, so a client that publishes to itself gets the message first.
    func deliver(_ reply: Reply) {
        if eventLoop.inEventLoop {
            guard !closing else { return }
            ReplyEncoder.write(reply, protocolVersion: session.protocolVersion, into: &output)
            flush()
            return
        }
        eventLoop.execute { self.deliver(reply) }
    }

    // MARK: Connection state used by commands (on the event loop)

    var subscriptionCount: Int { channels.count + patterns.count }

    func updateSubscriptionInfo() {
        let (c, p) = (channels.count, patterns.count)
        info.withLockedValue {
            $0.subscriptions = c
            $0.patternSubscriptions = p
            $0.flags = c + p > 0 ? "P" : "N"
        }
    }

    /// RESET: leaves MULTI, WATCH, pub/sub and MONITOR.
    func resetState() {
        multiQueue = nil
        multiFailed = false
        server.watches.unwatchAll(client: id)
        for channel in channels { server.pubsub.unsubscribe(self, channel: channel) }
        for pattern in patterns { server.pubsub.punsubscribe(self, pattern: pattern) }
        channels = []
        patterns = []
        updateSubscriptionInfo()
        if isMonitor {
            server.monitors.remove(id)
            isMonitor = false
        }
    }

    // MARK: Output

    /// Queues a reply, honouring CLIENT REPLY OFF/SKIP.
    func send(_ reply: Reply) {
        if case .noReply = reply { return }
        switch session.replyMode {
        case .off: return
        case .skipNext:
            session.replyMode = .on
            return
        case .on: break
        }
        ReplyEncoder.write(reply, protocolVersion: session.protocolVersion, into: &output)
        if session.closeAfterReply { closeAfterFlush() }
        if output.readableBytes > 1 << 16 { writeOutput(flush: false) }
    }

    func flush() {
        publishInfo()
        writeOutput(flush: true)
    }

    private func writeOutput(flush: Bool) {
        guard let context else { return }
        if output.readableBytes > 0 {
            let size = output.readableBytes
            server.stats.outputBytes.wrappingIncrement(by: Int64(size), ordering: .relaxed)
            if channels.isEmpty && patterns.isEmpty {
                context.write(wrapOutboundOut(output), promise: nil)
            } else {
                // A subscriber that does not read must not grow our memory without bound (Redis's pub/sub output
                // limit, 32 MB): count what the socket has not taken yet.
                unsentBytes += size
                let promise = context.eventLoop.makePromise(of: Void.self)
                promise.futureResult.whenComplete { _ in self.unsentBytes -= size }
                context.write(wrapOutboundOut(output), promise: promise)
                if unsentBytes > Self.subscriberOutputLimit {
                    server.logger.warning("closing subscriber \(remoteAddress): \(unsentBytes) bytes of messages unread")
                    context.close(promise: nil)
                }
            }
            output = context.channel.allocator.buffer(capacity: 4096)
        }
        if flush { context.flush() }
    }

    static let subscriberOutputLimit = 32 << 20

    /// Writes what is queued and closes (QUIT, protocol errors, CLIENT KILL).
    func closeAfterFlush() {
        guard !closing, let context else { return }
        closing = true
        if output.readableBytes > 0 {
            context.writeAndFlush(wrapOutboundOut(output), promise: nil)
            output.clear()
        }
        context.close(promise: nil)
    }

    /// Closes the connection from any thread.
    func kill() {
        eventLoop.execute { self.closeAfterFlush() }
    }
}

/// A client as CLIENT LIST / CLIENT INFO report it, updated as it runs commands.
struct ClientInfo: Sendable {
    var name = ""
    var db = 0
    var lastCommand = "NULL"
    var lastActive = Date()
    var flags = "N"
    var subscriptions = 0
    var patternSubscriptions = 0
    var multi = -1
    var protocolVersion = 2
    var libName = ""
    var libVersion = ""
}
