import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Store

/// The RESP server: a SwiftNIO listener whose connections run `ClientConnection`.
public final class RESPServer: Sendable {
    public let context: ServerContext
    private let group: any EventLoopGroup
    private let channel = NIOLockedValueBox<(any Channel)?>(nil)

    public init(context: ServerContext, group: any EventLoopGroup) {
        self.context = context
        self.group = group
    }

    /// Binds and starts accepting; returns the port (useful with port 0).
    @discardableResult
    public func start(host: String, port: Int) throws -> Int {
        let context = self.context
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 511)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if context.clients.count >= context.config.maxClients {
                        context.stats.rejectedConnections.wrappingIncrement(ordering: .relaxed)
                        var buffer = channel.allocator.buffer(capacity: 64)
                        buffer.writeString("-ERR max number of clients reached\r\n")
                        channel.writeAndFlush(buffer).whenComplete { _ in channel.close(promise: nil) }
                        return
                    }
                    try channel.pipeline.syncOperations.addHandler(ClientConnection(server: context, channel: channel))
                }
            }
        let server = try bootstrap.bind(host: host, port: port).wait()
        channel.withLockedValue { $0 = server }
        // CONFIG `timeout`: close clients idle longer than that many seconds (not blocked, subscribed or MONITOR).
        let sweep = group.next().scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
            Self.closeIdleClients(context)
        }
        server.closeFuture.whenComplete { _ in sweep.cancel() }
        let bound = server.localAddress?.port ?? port
        context.port.withLockedValue { $0 = bound }
        context.logger.notice("Ready to accept connections on \(host):\(bound)")
        return bound
    }

    private static func closeIdleClients(_ context: ServerContext) {
        let limit = context.config.idleTimeout
        guard limit > 0 else { return }
        let now = Date()
        for client in context.clients.all {
            let info = client.info.withLockedValue { $0 }
            guard info.subscriptions + info.patternSubscriptions == 0, info.flags != "O",
                  !context.blocking.isBlocked(client.id),
                  now.timeIntervalSince(info.lastActive) > Double(limit) else { continue }
            client.kill()
        }
    }

    /// Stops accepting and closes every connection.
    public func stop() {
        channel.withLockedValue { $0 }?.close(promise: nil)
        for client in context.clients.all { client.kill() }
    }

    /// Waits until the listener is closed.
    public func waitUntilClosed() throws {
        try channel.withLockedValue { $0 }?.closeFuture.wait()
    }
}

