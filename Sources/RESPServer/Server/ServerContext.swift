import Foundation
import Logging
import NIOConcurrencyHelpers
import Store

/// Everything the connections share: the store, configuration, statistics and the registries.
public final class ServerContext: Sendable {
    public let store: Store
    public let config: ServerConfig
    let stats = ServerStats()
    let clients = ClientRegistry()
    let pubsub = PubSubRegistry()
    let watches = WatchRegistry()
    let monitors = MonitorRegistry()
    let blocking: BlockingRegistry
    let mailboxes: MailboxRegistry
    let commands: CommandTable
    let logger: Logger
    let runID: String
    /// The port the server listens on (known after bind).
    let port = NIOLockedValueBox(0)
    /// Asked to stop the whole server (SHUTDOWN).
    private let shutdownHandler = NIOLockedValueBox<(@Sendable (Bool) -> Void)?>(nil)

    /// `extensions` are commands the embedding program adds (see `ExtensionCommand`).
    public init(store: Store, config: ServerConfig, logger: Logger, extensions: [ExtensionCommand] = []) {
        self.store = store
        self.config = config
        self.logger = logger
        self.blocking = BlockingRegistry(store: store)
        self.mailboxes = MailboxRegistry(store: store)
        self.commands = extensions.isEmpty ? CommandTable.standard : CommandTable(CommandTable.standard.all + extensions.map(\.spec))
        self.runID = (0..<40).map { _ in String("0123456789abcdef".randomElement()!) }.joined()
        let watches = self.watches
        let blocking = self.blocking
        store.observeWrites(touch: { watches.touched($0) },
                            commit: { blocking.keysChanged($0) })
        config.onChange.withLockedValue { observers in
            observers.append { name, value in
                if name == "appendfsync", let d = Durability(rawValue: value) { store.durability = d }
                if name == "stream-node-max-entries", let n = Int(value) { Keyspace.streamNodeMaxEntries = n }
            }
        }
    }

    /// Sets what SHUTDOWN does; the flag says whether to save (sync) first.
    public func onShutdown(_ handler: @escaping @Sendable (Bool) -> Void) {
        shutdownHandler.withLockedValue { $0 = handler }
    }

    /// Asks the process to stop (SHUTDOWN); `save` says whether to flush the store first.
    func requestShutdown(save: Bool) {
        shutdownHandler.withLockedValue { $0 }?(save)
    }

    /// INFO's used_memory: bytes in the store's data pages plus 1 MiB for the server itself (Redis reports about
    /// 1 MB when empty). The stock Cluster Serving client compares it with maxmemory before every XADD.
    var usedMemory: Int64 { Int64(store.usedBytes) + (1 << 20) }

    /// Whether writes that grow data are refused (used memory over maxmemory).
    var overMemoryLimit: Bool {
        let limit = config.maxMemory
        return limit > 0 && usedMemory > limit
    }
}

