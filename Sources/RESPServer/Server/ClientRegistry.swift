import Atomics
import NIOConcurrencyHelpers

/// The connected clients, for CLIENT LIST/KILL, INFO clients and maxclients.
final class ClientRegistry: Sendable {
    private let clients = NIOLockedValueBox([Int64: ClientConnection]())
    private let nextID = ManagedAtomic<Int64>(0)

    func makeID() -> Int64 { nextID.wrappingIncrementThenLoad(ordering: .relaxed) }

    func add(_ client: ClientConnection) { clients.withLockedValue { $0[client.id] = client } }
    func remove(_ id: Int64) { clients.withLockedValue { $0[id] = nil } }

    var count: Int { clients.withLockedValue { $0.count } }

    /// All clients in id order.
    var all: [ClientConnection] { clients.withLockedValue { $0.values.sorted { $0.id < $1.id } } }

    func client(_ id: Int64) -> ClientConnection? { clients.withLockedValue { $0[id] } }
}
