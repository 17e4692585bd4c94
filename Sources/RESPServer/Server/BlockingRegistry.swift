import NIOConcurrencyHelpers
import NIOCore
import Store

/// Clients blocked in BLPOP, BLMOVE, XREAD BLOCK or XREADGROUP BLOCK, by the keys they wait on.
///
/// The rules:
/// - A command starts waiting from the writer thread right after the commit in which it found nothing, so
///   no write can slip between its check and its wait.
/// - After every commit, the waiters on the keys it touched (FLUSHDB and FLUSHALL touch every key) are tried
///   again, in the order they started waiting, in one write job; each try runs the command against the
///   current data, and a waiter that still finds nothing keeps its place.
/// - A waiter ends exactly once: served, timed out (`timeoutReply`), or cancelled because its client left.
///   While a try is running, a timeout or disconnect is only noted, and applied when the try finishes.
final class BlockingRegistry: Sendable {
    final class Waiter: Sendable {
        enum State { case waiting, trying, done }

        let client: ClientConnection
        let db: Int
        let keys: [TouchedKey]
        let timeoutReply: Reply
        nonisolated(unsafe) let retry: BlockedRetry
        /// Guarded by the registry's lock.
        nonisolated(unsafe) var state = State.waiting
        nonisolated(unsafe) var timedOut = false
        nonisolated(unsafe) var cancelled = false
        nonisolated(unsafe) var timer: Scheduled<Void>?
        let sequence: Int

        init(client: ClientConnection, db: Int, keys: [TouchedKey], timeoutReply: Reply, retry: @escaping BlockedRetry,
             sequence: Int) {
            self.client = client
            self.db = db
            self.keys = keys
            self.timeoutReply = timeoutReply
            self.retry = retry
            self.sequence = sequence
        }
    }

    private struct State {
        var byKey: [TouchedKey: [Waiter]] = [:]
        var byClient: [Int64: Waiter] = [:]
        var nextSequence = 0
    }

    private let state = NIOLockedValueBox(State())
    private let store: Store

    init(store: Store) {
        self.store = store
    }

    /// Starts a wait. Call on the writer thread, after the commit of the attempt that found nothing.
    func block(client: ClientConnection, db: Int, keys: [[UInt8]], timeoutMilliseconds: Int64?, timeoutReply: Reply,
               retry: @escaping BlockedRetry) {
        let waiter = state.withLockedValue { s -> Waiter in
            s.nextSequence += 1
            let w = Waiter(client: client, db: db, keys: keys.map { TouchedKey(db: db, key: $0) },
                           timeoutReply: timeoutReply, retry: retry, sequence: s.nextSequence)
            for key in w.keys { s.byKey[key, default: []].append(w) }
            s.byClient[client.id] = w
            return w
        }
        // A timeout past what a TimeAmount holds (about 292 years) never fires: no timer, as for 0.
        if let ms = timeoutMilliseconds, ms > 0, ms <= Int64.max / 1_000_000 {
            let timer = client.eventLoop.scheduleTask(in: .milliseconds(ms)) { [weak self] () -> Void in
                self?.timeOut(waiter)
            }
            state.withLockedValue { _ in waiter.timer = timer }
        }
    }

    private func remove(_ w: Waiter, from s: inout State) {
        w.state = .done
        w.timer?.cancel()
        for key in w.keys {
            s.byKey[key]?.removeAll { $0 === w }
            if s.byKey[key]?.isEmpty == true { s.byKey[key] = nil }
        }
        if s.byClient[w.client.id] === w { s.byClient[w.client.id] = nil }
    }

    private func timeOut(_ w: Waiter) {
        let reply = state.withLockedValue { s -> Reply? in
            switch w.state {
            case .waiting:
                remove(w, from: &s)
                return w.timeoutReply
            case .trying:
                w.timedOut = true
                return nil
            case .done:
                return nil
            }
        }
        if let reply { w.client.completeBlocked(reply) }
    }

    /// The client left: its wait ends without a reply.
    func cancel(client id: Int64) {
        state.withLockedValue { s in
            guard let w = s.byClient[id] else { return }
            if w.state == .trying { w.cancelled = true } else { remove(w, from: &s) }
        }
    }

    /// Ends a client's wait with the timeout reply now (CLIENT UNBLOCK).
    func unblock(client id: Int64, with reply: Reply?) -> Bool {
        let found = state.withLockedValue { s -> Waiter? in
            guard let w = s.byClient[id], w.state == .waiting else { return nil }
            remove(w, from: &s)
            return w
        }
        guard let found else { return false }
        found.client.completeBlocked(reply ?? found.timeoutReply)
        return true
    }

    var blockedCount: Int { state.withLockedValue { $0.byClient.count } }

    func isBlocked(_ client: Int64) -> Bool { state.withLockedValue { $0.byClient[client] != nil } }

    /// After a commit: queue a try for the waiters on `touched` keys.
    func keysChanged(_ touched: [TouchedKey]) {
        let waiters = state.withLockedValue { s -> [Waiter] in
            guard !s.byKey.isEmpty else { return [] }
            var found: [Int: Waiter] = [:]
            for key in touched { for w in s.byKey[key] ?? [] where w.state == .waiting { found[w.sequence] = w } }
            let ordered = found.keys.sorted().map { found[$0]! }
            for w in ordered { w.state = .trying }
            return ordered
        }
        if !waiters.isEmpty { store.submit(RetryJob(registry: self, waiters: waiters)) }
    }

    /// Tries waiters again in one transaction; replies go out after the commit.
    private final class RetryJob: WriteJob, @unchecked Sendable {
        let registry: BlockingRegistry
        let waiters: [Waiter]
        var replies: [Reply?] = []

        init(registry: BlockingRegistry, waiters: [Waiter]) {
            self.registry = registry
            self.waiters = waiters
        }

        func run(_ txn: WriteTransaction) throws {
            replies = []
            for w in waiters {
                do {
                    replies.append(w.cancelled ? nil : try w.retry(txn.keyspace(w.db)))
                } catch let e as LMDBError {
                    throw e
                } catch let e as CommandError {
                    replies.append(.error(e.message))
                } catch let e as StoreError {
                    replies.append(.error(CommandError(e, command: "xreadgroup").message))
                }
            }
        }

        func finish(_ result: Result<Void, any Error>) {
            if case .failure = result { replies = waiters.map { _ in nil } }
            var deliveries: [(ClientConnection, Reply)] = []
            registry.state.withLockedValue { s in
                for (w, reply) in zip(waiters, replies) {
                    if let reply, !w.cancelled {
                        registry.remove(w, from: &s)
                        deliveries.append((w.client, reply))
                    } else if w.cancelled {
                        registry.remove(w, from: &s)
                    } else if w.timedOut {
                        registry.remove(w, from: &s)
                        deliveries.append((w.client, w.timeoutReply))
                    } else {
                        w.state = .waiting
                    }
                }
            }
            for (client, reply) in deliveries { client.completeBlocked(reply) }
        }
    }
}
