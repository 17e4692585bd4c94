import Atomics
import NIOConcurrencyHelpers
import Store

/// WATCH: which clients watch which keys, and which of them saw a watched key change (their EXEC fails).
///
/// Keys are marked on the writer thread as each write touches them, so an EXEC later in the same batch
/// already sees the change.
final class WatchRegistry: Sendable {
    private struct State {
        var watchers: [TouchedKey: Set<Int64>] = [:]
        var watched: [Int64: [TouchedKey]] = [:]
        var dirty: Set<Int64> = []
    }

    private let state = NIOLockedValueBox(State())
    /// Keys watched by anyone: writes skip the lock while nobody watches.
    private let watchedKeys = ManagedAtomic<Int>(0)

    func watch(client: Int64, key: TouchedKey) {
        state.withLockedValue { s in
            s.watchers[key, default: []].insert(client)
            s.watched[client, default: []].append(key)
            watchedKeys.store(s.watchers.count, ordering: .relaxed)
        }
    }

    /// Forgets the client's watches and its dirty mark (UNWATCH, EXEC, DISCARD, disconnect).
    func unwatchAll(client: Int64) {
        state.withLockedValue { s in
            for key in s.watched.removeValue(forKey: client) ?? [] {
                s.watchers[key]?.remove(client)
                if s.watchers[key]?.isEmpty == true { s.watchers[key] = nil }
            }
            s.dirty.remove(client)
            watchedKeys.store(s.watchers.count, ordering: .relaxed)
        }
    }

    func touched(_ key: TouchedKey) {
        guard watchedKeys.load(ordering: .relaxed) > 0 else { return }
        state.withLockedValue { s in
            guard let clients = s.watchers[key] else { return }
            s.dirty.formUnion(clients)
        }
    }

    func isDirty(client: Int64) -> Bool { state.withLockedValue { $0.dirty.contains(client) } }

    func isWatching(client: Int64) -> Bool { state.withLockedValue { $0.watched[client] != nil } }

    var watchedKeyCount: Int { state.withLockedValue { $0.watchers.count } }
}
