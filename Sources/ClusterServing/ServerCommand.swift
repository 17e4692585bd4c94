import ArgumentParser
import Dispatch
import Foundation
import Logging
import NIOPosix
import RESPServer
import Store

/// `cluster-serving server`: runs the store server alone.
struct ServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Run the Redis-compatible store server (RESP2/RESP3, persisted in LMDB)."
    )

    @Option(help: "TCP port to listen on.")
    var port: Int = 6379

    @Option(help: "Address to bind (loopback by default).")
    var bind: String = "127.0.0.1"

    @Option(help: "Data directory (one LMDB environment).")
    var dir: String = "./cluster-serving-data"

    @Option(help: "When writes reach the disk: always, everysec or no.")
    var appendfsync: String = "everysec"

    @Option(help: "Password clients must AUTH with.")
    var requirepass: String?

    @Option(help: "Refuse writes that grow data past this many bytes (0 = no limit; units like 4gb accepted).")
    var maxmemory: String = "0"

    @Option(help: "Event-loop threads (default: half the cores, at least one; the store's writer has its own thread).")
    var threads: Int = max(1, ProcessInfo.processInfo.activeProcessorCount / 2)

    func validate() throws {
        guard Durability(rawValue: appendfsync) != nil else {
            throw ValidationError("--appendfsync must be always, everysec or no (got '\(appendfsync)')")
        }
        guard ServerConfigValues.memory(maxmemory) != nil else {
            throw ValidationError("--maxmemory must be a byte count such as 1073741824 or 1gb (got '\(maxmemory)')")
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0-65535 (got \(port))") }
    }

    func run() throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .notice
            return handler
        }
        let logger = Logger(label: "cluster-serving")
        // SIGINT and SIGTERM are taken by `sigwait` below; blocked before any thread starts so that all inherit it.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        let durability = Durability(rawValue: appendfsync)!
        let store = try Store(options: .init(directory: dir, durability: durability), logger: logger)
        var overrides = ["appendfsync": appendfsync, "port": String(port), "bind": bind,
                         "dir": (dir as NSString).standardizingPath,
                         "maxmemory": String(ServerConfigValues.memory(maxmemory)!)]
        if let requirepass { overrides["requirepass"] = requirepass }
        let config = ServerConfig(overrides: overrides)
        let context = ServerContext(store: store, config: config, logger: logger)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        let server = RESPServer(context: context, group: group)
        // SHUTDOWN takes the same path as a signal.
        context.onShutdown { _ in kill(getpid(), SIGTERM) }
        try server.start(host: bind, port: port)

        var received: Int32 = 0
        sigwait(&signals, &received)
        logger.notice("shutting down on signal \(received): closing connections and syncing the store")
        server.stop()
        store.shutdown()
        try? group.syncShutdownGracefully()
        logger.notice("bye")
    }
}

/// Memory values in Redis's units, for the command line.
enum ServerConfigValues {
    static func memory(_ text: String) -> Int64? { ServerConfig.parseMemory(text) }
}
