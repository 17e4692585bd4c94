import Foundation
import HTTPFrontend
import Logging
import NIOPosix
import RESPServer
import Serving
import ServingConfig
import Store

/// The serving process: the store server on the config's port plus a job manager, with its first job from the
/// config. Runs until SIGINT/SIGTERM, redis-cli SHUTDOWN or `SERVING SHUTDOWN` (which may also wipe the data).
enum ServingProcess {
    /// Runs in this process; returns the exit status. `foreground` echoes the logs on the terminal.
    static func run(_ config: ServingConfiguration, warnings: [String], foreground: Bool) throws -> Int32 {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &signals, nil)

        let storeLog = FileLogHandler.Sink(path: config.storeLogPath)
        let terminal = FileLogHandler.Sink(standardError: ())
        LoggingSystem.bootstrap { label in
            var handler = FileLogHandler(label: label, sinks: foreground ? [storeLog, terminal] : [storeLog])
            handler.logLevel = .notice
            return handler
        }
        let logger = Logger(label: "store")
        let durability = Durability(rawValue: config.appendfsync) ?? .everysec
        let store = try Store(options: .init(directory: config.storeDirectory, durability: durability), logger: logger)
        var overrides = ["appendfsync": config.appendfsync, "port": String(config.redisPort), "bind": config.bind,
                         "dir": config.storeDirectory, "maxmemory": String(config.redisMaxMemory)]
        if let password = config.requirepass { overrides["requirepass"] = password }
        let manager = JobManager(store: store)
        let wipe = SharedFlag()
        let description = ServerDescription(pid: getpid(), port: config.redisPort, storeDirectory: config.storeDirectory,
                                            storeLogPath: config.storeLogPath)
        let control = ServingCommand.make(manager: manager, server: description) { wipeData in
            wipe.set(wipeData)
            kill(getpid(), SIGTERM)
        }
        let context = ServerContext(store: store, config: ServerConfig(overrides: overrides), logger: logger,
                                    extensions: [control])
        context.onShutdown { _ in kill(getpid(), SIGTERM) }
        // The HTTP frontend (on by default, `frontend: enabled: false` turns it off) talks to the store in-process.
        let frontendOptions = try config.frontendOptions()
        var frontend: FrontendServer?
        if frontendOptions.enabled {
            let queue = StoreQueue(store: store, jobs: manager, maxMemory: config.redisMaxMemory)
            let http = FrontendServer(frontend: Frontend(options: frontendOptions, queue: queue), logger: logger)
            do {
                try http.start()
            } catch {
                store.shutdown()
                throw CLIError("\(error); set frontend: port: in \(config.file), or frontend: enabled: false")
            }
            frontend = http
            logger.notice("HTTP frontend on \(frontendOptions.interface):\(http.boundPorts.map(String.init).joined(separator: ", https "))")
        }
        // The job is registered before the RESP port opens, so that `start --detach` finds it on its first look.
        let job = try manager.add(config, echo: foreground)
        for warning in warnings { job.logger.warning("\(warning)") }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = RESPServer(context: context, group: group)
        do {
            try server.start(host: config.bind, port: config.redisPort)
        } catch {
            frontend?.stop()
            manager.stopAll()
            store.shutdown()
            try? group.syncShutdownGracefully()
            throw CLIError("cannot listen on \(config.bind):\(config.redisPort): \(error)")
        }
        logger.notice("store server listening on \(config.bind):\(config.redisPort), data in \(config.storeDirectory) (pid \(getpid()))")

        // A first job that cannot load stops the process: nothing would serve.
        let failed = SharedFlag()
        Thread.detachNewThread {
            while job.state == .loading { usleep(20_000) }
            if case .failed = job.state {
                failed.set(true)
                kill(getpid(), SIGTERM)
            }
        }

        var received: Int32 = 0
        sigwait(&signals, &received)
        logger.notice("stopping: jobs first (their read batches are answered), then the store")
        frontend?.stop()
        manager.stopAll(timeout: 60)
        server.stop()
        store.shutdown()
        try? group.syncShutdownGracefully()
        if wipe.value {
            try? FileManager.default.removeItem(atPath: config.storeDirectory)
            logger.notice("store data in \(config.storeDirectory) wiped")
        }
        logger.notice("bye")
        return failed.value ? 1 : 0
    }
}

/// A flag set from another thread (the SERVING SHUTDOWN handler, the job watcher).
final class SharedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    func set(_ value: Bool) { lock.withLock { flag = value } }
    var value: Bool { lock.withLock { flag } }
}

/// A message for the user, printed as it is, with a non-zero exit.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
