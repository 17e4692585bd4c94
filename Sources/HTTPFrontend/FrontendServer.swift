import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

/// Runs the frontend: HTTP on `port` always, HTTPS on `securePort` too when `httpsEnabled` (PEM certificate and
/// key), until `stop`. `start` returns once both listen, or throws why they cannot (a port in use, a bad
/// certificate).
public final class FrontendServer: @unchecked Sendable {
    public let frontend: Frontend
    private let logger: Logger
    private var group: ServiceGroup?
    private var runner: Task<Void, any Error>?
    private let finished = DispatchSemaphore(value: 0)
    /// The ports actually bound (a requested 0 picks a free one).
    public private(set) var boundPorts: [Int] = []

    public init(frontend: Frontend, logger: Logger = Logger(label: "frontend")) {
        self.frontend = frontend
        self.logger = logger
    }

    public func start() throws {
        let options = frontend.options
        let router = Router()
        frontend.addOriginalRoutes(to: router)
        frontend.addKServeRoutes(to: router)
        frontend.addTFServingRoutes(to: router)
        let responder = router.buildResponder()
        let running = Running(expected: options.httpsEnabled ? 2 : 1)
        // A client that sends nothing for `idleTimeout` s is disconnected, which also frees its request's slot; the
        // header limits are NIO's (80 KB, 1000 fields).
        let http1 = HTTP1Channel.Configuration(additionalChannelHandlers: [], idleTimeout: .seconds(Int64(options.idleTimeout)))
        var services: [any Service] = [Application(
            responder: responder, server: .http1(configuration: http1),
            configuration: .init(address: .hostname(options.interface, port: options.port), serverName: "cluster-serving"),
            onServerRunning: { channel in running.up(channel.localAddress?.port) },
            logger: logger)]
        if options.httpsEnabled, let certificate = options.httpsCertificatePath, let key = options.httpsKeyPath {
            let tls: TLSConfiguration
            do {
                tls = TLSConfiguration.makeServerConfiguration(
                    certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
                    privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            } catch {
                throw FrontendOptions.Invalid(description: "HTTPS: cannot read \(certificate) / \(key): \(error)")
            }
            services.append(Application(
                responder: responder, server: try .tls(.http1(configuration: http1), tlsConfiguration: tls),
                configuration: .init(address: .hostname(options.interface, port: options.securePort), serverName: "cluster-serving"),
                onServerRunning: { channel in running.up(channel.localAddress?.port) },
                logger: logger))
        }
        let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) },
                                                      gracefulShutdownSignals: [], logger: logger))
        self.group = group
        runner = Task { [finished] in
            defer { finished.signal() }
            do { try await group.run() } catch {
                running.failed(error)
                throw error
            }
        }
        switch running.wait(timeout: 30) {
        case .success(let ports): boundPorts = ports
        case .failure(let error):
            stop()
            throw FrontendOptions.Invalid(description: "the HTTP frontend cannot listen on \(options.interface):\(options.port): \(error)")
        }
    }

    /// Stops accepting, lets requests in flight finish (their waits are bounded by predictTimeout), and returns.
    public func stop() {
        guard let group else { return }
        self.group = nil
        Task { await group.triggerGracefulShutdown() }
        _ = finished.wait(timeout: .now() + 30)
        frontend.close()
    }
}

/// Counts the listeners that came up, or the error that stopped them.
private final class Running: @unchecked Sendable {
    private let condition = NSCondition()
    private var ports: [Int] = []
    private var error: (any Error)?
    private let expected: Int

    init(expected: Int) { self.expected = expected }

    func up(_ port: Int?) {
        condition.withLock {
            ports.append(port ?? 0)
            condition.broadcast()
        }
    }

    func failed(_ error: any Error) {
        condition.withLock {
            self.error = error
            condition.broadcast()
        }
    }

    func wait(timeout: TimeInterval) -> Result<[Int], any Error> {
        condition.withLock {
            let deadline = Date(timeIntervalSinceNow: timeout)
            while ports.count < expected && error == nil {
                if !condition.wait(until: deadline) { break }
            }
            if let error { return .failure(error) }
            if ports.count < expected { return .failure(FrontendOptions.Invalid(description: "not listening after \(Int(timeout)) s")) }
            return .success(ports)
        }
    }
}
