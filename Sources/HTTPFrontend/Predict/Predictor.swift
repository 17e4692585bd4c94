import Foundation
import Serving

/// Why a prediction was not answered, with the HTTP status each API gives it.
enum PredictFailure: Error, CustomStringConvertible {
    case badRequest(RequestError)
    case queueFull
    case unavailable(String)
    case timeout(seconds: Double)

    var status: Int {
        switch self {
        case .badRequest(let e): e.status
        case .queueFull, .unavailable: 503
        case .timeout: 504
        }
    }

    var description: String {
        switch self {
        case .badRequest(let e): e.description
        case .queueFull: QueueError.full.description
        case .unavailable(let why): why
        case .timeout(let s): "no result within \(Int(s * 1000)) ms (predictTimeout); the late results will be deleted"
        }
    }
}

/// Runs instances through a job: one stream entry per instance (new UUID uris), then waits for every result.
final class Predictor: Sendable {
    let queue: any ServingQueue
    /// nil when `timeWindow` is 0: each request writes at once, without a hop through the batcher actor.
    let batcher: XAddBatcher?
    let waiter: ResultWaiter
    let metrics: FrontendMetrics
    let timeout: TimeInterval

    init(queue: any ServingQueue, options: FrontendOptions, metrics: FrontendMetrics) {
        self.queue = queue
        self.batcher = options.timeWindow == 0 ? nil
            : XAddBatcher(queue: queue, timeWindowMilliseconds: options.timeWindow, countWindow: options.countWindow)
        self.waiter = ResultWaiter(queue: queue)
        self.metrics = metrics
        self.timeout = Double(options.predictTimeout) / 1000
    }

    /// Instances (stream entries) one request may hold: each becomes an Arrow payload in the store and a result to
    /// wait for, so a body of tiny instances must not multiply into gigabytes.
    static let maxInstances = 65_536

    /// Each instance's result, in order. `stream` is the job's input stream, `resultPrefix` its result keys'
    /// prefix (`cluster-serving_<jobName>:`); `finiteOnly` refuses NaN and infinite numbers (KServe, TF Serving).
    func predict(_ instances: [[(String, JSONValue)]], stream: String, resultPrefix: String,
                 finiteOnly: Bool) async throws(PredictFailure) -> [ResultValue] {
        guard !instances.isEmpty else { throw .badRequest(RequestError("no instance to predict")) }
        guard instances.count <= Self.maxInstances else {
            throw .badRequest(RequestError("the request has \(instances.count) instances, more than the limit of "
                + "\(Self.maxInstances) per request"))
        }
        let uris = instances.map { _ in UUID().uuidString }
        var entries: [QueueEntry] = []
        for (uri, instance) in zip(uris, instances) {
            do {
                entries.append(try InstanceEncoding.entry(uri: uri, inputs: instance, stream: stream, finiteOnly: finiteOnly))
            } catch {
                throw .badRequest(error)
            }
        }
        let putStarted = Date()
        do {
            if let batcher { try await batcher.add(entries) } else { try await queue.add(entries) }
        } catch {
            switch error {
            case .full: throw .queueFull
            case .unavailable(let why): throw .unavailable(why)
            }
        }
        metrics.time("bigdl.serving.redis.put", seconds: Date().timeIntervalSince(putStarted))
        let waitStarted = Date()
        let keys = uris.map { resultPrefix + $0 }
        guard let found = await waiter.wait(for: keys, timeout: timeout) else { throw .timeout(seconds: timeout) }
        metrics.time("bigdl.serving.redis.wait", seconds: Date().timeIntervalSince(waitStarted))
        return keys.map { ResultValue(found[$0] ?? [:]) }
    }
}
