import Foundation
import NIOPosix
import Serving

/// The queue over RESP (`cluster-serving http`): our store on another host or process, or a real redis-server
/// with a job of ours consuming from it. Blocking connections from a small pool, run on NIO's thread pool so
/// that no Swift concurrency thread waits on a socket.
public final class RESPQueue: ServingQueue, @unchecked Sendable {
    private let host: String
    private let port: Int
    private let password: String?
    private let lock = NSLock()
    private var idle: [RESPConnection] = []
    private let threads: NIOThreadPool

    public init(host: String, port: Int, password: String? = nil, threads: Int = 8) {
        self.host = host
        self.port = port
        self.password = password
        self.threads = NIOThreadPool(numberOfThreads: threads)
        self.threads.start()
    }

    deinit { try? threads.syncShutdownGracefully() }

    public func onResults(_ wake: @escaping @Sendable ([String]) -> Void) {}  // polled

    public func add(_ entries: [QueueEntry]) async throws(QueueError) {
        // MULTI/EXEC: the entries of one window go in together, as the original's frontend wrote them.
        let commands = [[Array("MULTI".utf8)]]
            + entries.map { entry in [Array("XADD".utf8), Array(entry.stream.utf8), Array("*".utf8)]
                + entry.fields.flatMap { [Array($0.0.utf8), $0.1] } }
            + [[Array("EXEC".utf8)]]
        let replies = try await run { try $0.pipeline(commands) }
        for reply in replies {
            if case .error(let message) = reply {
                if message.hasPrefix("OOM") { throw .full }
                throw .unavailable(message)
            }
        }
        if case .array(let results?) = replies.last {
            for result in results {
                if case .error(let message) = result { throw message.hasPrefix("OOM") ? .full : .unavailable(message) }
            }
        }
    }

    public func results(_ keys: [String]) async throws(QueueError) -> [String: [String: [UInt8]]] {
        guard !keys.isEmpty else { return [:] }
        let replies = try await run { try $0.pipeline(keys.map { [Array("HGETALL".utf8), Array($0.utf8)] }) }
        var found: [String: [String: [UInt8]]] = [:]
        for (key, reply) in zip(keys, replies) {
            guard case .array(let items?) = reply, !items.isEmpty else { continue }
            var fields: [String: [UInt8]] = [:]
            var i = 0
            while i + 1 < items.count {
                if let name = items[i].string, case .bulk(let value?) = items[i + 1] { fields[name] = value }
                i += 2
            }
            found[key] = fields
        }
        return found
    }

    public func delete(_ keys: [String]) async {
        guard !keys.isEmpty else { return }
        _ = try? await run { try $0.pipeline([[Array("DEL".utf8)] + keys.map { Array($0.utf8) }]) }
    }

    public func models() async -> [ModelInfo]? {
        // Our store knows its jobs; a real redis-server answers SERVING with an error.
        guard let reply = try? await run({ try $0.call(["SERVING", "LIST"]) }), case .array(let jobs?) = reply else {
            return nil
        }
        var models: [ModelInfo] = []
        for job in jobs {
            let fields = job.fields
            guard let name = fields["name"] else { continue }
            let metadata = (try? await run({ try $0.call(["SERVING", "METADATA", name]) }))?.string
            models.append(ModelInfo.decode(name: name, state: fields["state"] ?? "", path: fields["model"] ?? "",
                                           metadata: metadata.flatMap { try? JSONValue.parse(Array($0.utf8)) },
                                           stats: fields.compactMapValues(Double.init)))
        }
        return models
    }

    public func isReachable() async -> Bool {
        guard let reply = try? await run({ try $0.call(["PING"]) }) else { return false }
        if case .simple("PONG") = reply { return true }
        return false
    }

    /// Runs `body` with a pooled connection on the thread pool; a connection that failed is dropped.
    private func run<T: Sendable>(_ body: @escaping @Sendable (RESPConnection) throws -> T) async throws(QueueError) -> T {
        do {
            return try await threads.runIfActive { [self] in
                let connection = try lock.withLock { idle.popLast() } ?? connect()
                do {
                    let result = try body(connection)
                    lock.withLock { idle.append(connection) }
                    return result
                } catch {
                    throw error  // the connection is dropped: its state is unknown
                }
            }
        } catch {
            throw .unavailable("\(host):\(port): \(error)")
        }
    }

    private func connect() throws -> RESPConnection {
        let connection = try RESPConnection(host: host, port: port)
        if let password, case .error(let message) = try connection.call(["AUTH", password]) {
            throw RESPConnection.Failure(description: "AUTH refused: \(message)")
        }
        return connection
    }
}
