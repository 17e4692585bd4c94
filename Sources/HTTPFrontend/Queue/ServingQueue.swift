/// What the frontend needs from the queue: append inputs, read and remove results, and know the models. Two
/// kinds: `StoreQueue` (embedded in `cluster-serving start`, in-process) and `RESPQueue` (`cluster-serving http`,
/// a RESP client of our store or of a real redis-server).
public protocol ServingQueue: Sendable {
    /// Appends the entries (XADD `*`), all or none.
    func add(_ entries: [QueueEntry]) async throws(QueueError)
    /// The result hashes among `keys` that exist, field by field.
    func results(_ keys: [String]) async throws(QueueError) -> [String: [String: [UInt8]]]
    /// Deletes keys (results read, or late results of requests that timed out).
    func delete(_ keys: [String]) async
    /// The serving jobs, for /models, KServe metadata and readiness; nil when the queue cannot tell (a real
    /// redis-server).
    func models() async -> [ModelInfo]?
    /// Whether the queue answers at all (readiness).
    func isReachable() async -> Bool
    /// Set by the frontend: called with the result keys just written. Queues that cannot tell never call it (the
    /// frontend polls them).
    func onResults(_ wake: @escaping @Sendable ([String]) -> Void)
    /// The same as `results`, answered on the calling thread when the queue can (in-process), else nil.
    func resultsNow(_ keys: [String]) -> [String: [String: [UInt8]]]?
}

extension ServingQueue {
    public func resultsNow(_ keys: [String]) -> [String: [String: [UInt8]]]? { nil }
}

/// One XADD: stream key and field-value pairs.
public struct QueueEntry: Sendable {
    public let stream: String
    public let fields: [(String, [UInt8])]

    public init(stream: String, fields: [(String, [UInt8])]) {
        self.stream = stream
        self.fields = fields
    }
}

public enum QueueError: Error, CustomStringConvertible, Equatable {
    /// maxmemory reached: the queue refuses inputs until results are taken.
    case full
    case unavailable(String)

    public var description: String {
        switch self {
        case .full: "the queue is full (maxmemory reached): retry after results have been taken"
        case .unavailable(let why): "the queue is unavailable: \(why)"
        }
    }
}

/// A serving job as the model APIs describe it.
public struct ModelInfo: Sendable, Equatable {
    public struct Tensor: Sendable, Equatable {
        public let name: String
        /// KServe datatype: FP32, INT64, INT32, BOOL.
        public let datatype: String
        /// -1 for a dimension the model leaves free; nil when the model does not declare it.
        public let shape: [Int]?

        public init(name: String, datatype: String, shape: [Int]?) {
            self.name = name
            self.datatype = datatype
            self.shape = shape
        }
    }

    public let name: String
    public let state: String
    public let modelPath: String
    public let format: String
    public let inputs: [Tensor]
    public let outputs: [Tensor]
    /// The job's figures (queue depth, records, batch sizes, decode and inference ms, ...), by name.
    public let stats: [String: Double]

    public init(name: String, state: String, modelPath: String, format: String, inputs: [Tensor], outputs: [Tensor],
                stats: [String: Double] = [:]) {
        self.name = name
        self.state = state
        self.modelPath = modelPath
        self.format = format
        self.inputs = inputs
        self.outputs = outputs
        self.stats = stats
    }

    public var ready: Bool { state == "serving" }
}
