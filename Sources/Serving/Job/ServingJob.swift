import Foundation
import Inference
import Logging
import ServingConfig
import Store

/// One serving job: a model answering the records of one stream (`jobName`).
///
/// Each model copy has a worker made of two threads joined by a one-slot `Handoff`: the feeder reads a batch
/// (dynamic batching: up to `batchSize` entries, waiting at most `batchWindow` for more) and decodes it, while the
/// runner infers the previous batch, encodes the results and queues their write. So decoding and encoding overlap
/// inference, and the engine is not left idle while work is queued.
public final class ServingJob: @unchecked Sendable {
    public enum State: Sendable, Equatable, CustomStringConvertible {
        case loading, serving, stopping, stopped
        case failed(String)

        public var description: String {
            switch self {
            case .loading: "loading"
            case .serving: "serving"
            case .stopping: "stopping"
            case .stopped: "stopped"
            case .failed(let reason): "failed: \(reason)"
            }
        }
    }

    public let id: Int
    public let config: ServingConfiguration
    public let metrics = JobMetrics()
    public let logger: Logger
    public private(set) var modelFile = ""
    public private(set) var model: Model?

    private let store: Store
    private let source: StreamSource
    private let sink: ResultSink
    private let stateLock = NSLock()
    private var _state = State.loading
    private var running = false
    private let workersDone = DispatchGroup()

    public var state: State { stateLock.withLock { _state } }

    /// Entries waiting in the job's stream (not yet answered).
    public var queueDepth: UInt64 {
        let stream = source.stream
        return (try? store.read { txn in try txn.keyspace(0).streamMeta(stream)?.length }) ?? 0
    }

    init(id: Int, config: ServingConfiguration, store: Store, logger: Logger) {
        self.id = id
        self.config = config
        self.store = store
        self.logger = logger
        self.source = StreamSource(store: store, stream: config.jobName)
        self.sink = ResultSink(store: store, jobName: config.jobName)
    }

    /// Loads the model and starts the workers; on failure the state says why. Blocks while the model loads.
    func start(availableCores: Int) {
        do {
            let type = try ModelType.configured(config.modelType)
            let loadOptions = ModelLoadOptions(signature: config.modelSignature)
            let located = try ModelFormats.locate(config.modelPath, type: type, options: loadOptions)
            modelFile = located.file
            let engine = config.engineSettings(availableCores: availableCores, openVINO: located.format.name == "OpenVINO IR")
            let options = ModelOptions(threads: engine.threadsPerCopy, copies: engine.copies)
            let loaded: Model
            do {
                // The model located above, read once: no second directory scan.
                loaded = try Model(graph: located.format.load(file: located.file, options: loadOptions), options: options)
            } catch {
                throw ServingError.modelLoadFailed(path: located.file, reason: "\(error)")
            }
            model = loaded
            let waiting = try source.prepare()
            let preparer = RecordPreparer(model: loaded, config: config)
            let runner = BatchRunner(model: loaded, inputAlreadyBatched: config.inputAlreadyBatched)
            let encoder = ResultEncoder(postProcessing: config.postProcessing)
            let started = stateLock.withLock { () -> Bool in
                guard _state == .loading else { return false }  // cancelled while loading
                _state = .serving
                running = true
                return true
            }
            guard started else { return finishStopping() }
            metrics.servingStarted()
            logger.info("""
                job \(config.jobName) (id \(id)) serving \(located.file) (\(located.format.name)) with \(engine.copies) \
                cop\(engine.copies == 1 ? "y" : "ies") × \(engine.threadsPerCopy) thread(s), batch \(config.batchSize), \
                window \(config.batchWindowMilliseconds) ms; \(waiting) entr\(waiting == 1 ? "y" : "ies") already waiting
                """)
            for worker in 0..<engine.copies {
                startWorker(worker, preparer: preparer, runner: runner, encoder: encoder)
            }
        } catch {
            let reason = "\(error)"
            stateLock.withLock { _state = .failed(reason) }
            logger.error("job \(config.jobName) could not start: \(reason)")
        }
    }

    /// Hears the store's commits (wakes the readers when the stream changes).
    func keysChanged(_ keys: [TouchedKey]) { source.keysChanged(keys) }

    /// Stops reading; the batches already read are answered first. Returns at once; `waitUntilStopped` waits.
    public func cancel() {
        let wasServing = stateLock.withLock { () -> Bool in
            switch _state {
            case .serving:
                _state = .stopping
                running = false
                return true
            case .loading:
                _state = .stopping
                return false
            default:
                return false
            }
        }
        if wasServing {
            DispatchQueue.global().async { [self] in
                workersDone.wait()
                finishStopping()
            }
        }
    }

    /// Waits until every worker has finished (at most `timeout` seconds); true if they did.
    @discardableResult
    public func waitUntilStopped(timeout: TimeInterval = 60) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline {
            switch state {
            case .stopped, .failed: return true
            default: usleep(10_000)
            }
        }
        return false
    }

    private func finishStopping() {
        stateLock.withLock { _state = .stopped }
        let done = metrics.snapshot
        logger.info("job \(config.jobName) (id \(id)) stopped after answering \(done.recordsOut) record(s), \(done.errors) error(s)")
    }

    private var isRunning: Bool { stateLock.withLock { running } }

    // MARK: Workers

    private func startWorker(_ index: Int, preparer: RecordPreparer, runner: BatchRunner, encoder: ResultEncoder) {
        let consumer = Array("\(config.jobName)/worker-\(index)".utf8)
        let handoff = Handoff<PreparedBatch>(capacity: 1)
        workersDone.enter()
        workersDone.enter()
        let feeder = Thread { [self] in
            feed(consumer: consumer, preparer: preparer, into: handoff)
            handoff.close()
            workersDone.leave()
        }
        feeder.name = "\(config.jobName)-feeder-\(index)"
        feeder.start()
        let runnerThread = Thread { [self] in
            while let batch = handoff.take() { answer(batch, runner: runner, encoder: encoder) }
            workersDone.leave()
        }
        runnerThread.name = "\(config.jobName)-runner-\(index)"
        runnerThread.stackSize = 8 << 20
        runnerThread.start()
    }

    private func feed(consumer: Bytes, preparer: RecordPreparer, into handoff: Handoff<PreparedBatch>) {
        let window = Double(config.batchWindowMilliseconds) / 1000
        var failures = 0
        while isRunning {
            let entries: [StreamEntry]
            do {
                entries = try source.next(consumer: consumer, max: config.batchSize, window: window, idleTimeout: 0.2)
                failures = 0
            } catch {
                failures += 1
                if failures == 1 || failures % 100 == 0 { logger.error("reading \(config.jobName) failed: \(error)") }
                Thread.sleep(forTimeInterval: min(1, 0.01 * Double(failures)))
                continue
            }
            guard !entries.isEmpty else { continue }
            let now = Store.nowMilliseconds()
            // A client may XADD any ID, up to 18446744073709551615-…: clamp rather than trap on it.
            let waited = entries.reduce(0.0) { $0 + Double(max(0, now - Int64(clamping: $1.id.ms))) / 1000 }
            metrics.fetched(entries.count, queueWait: waited)
            let started = DispatchTime.now()
            let batch = preparer.prepare(entries)
            metrics.decoded(seconds: Self.seconds(since: started))
            handoff.put(batch)
        }
    }

    private func answer(_ batch: PreparedBatch, runner: BatchRunner, encoder: ResultEncoder) {
        var results = batch.failures
        let runnable = batch.records
        if !runnable.isEmpty {
            let started = DispatchTime.now()
            let outputs = runner.run(runnable.map(\.record))
            metrics.inferred(batchSize: runnable.count, seconds: Self.seconds(since: started))
            for (item, output) in zip(runnable, outputs) {
                do {
                    let value = try encoder.encode(try output.get())
                    results.append(RecordResult(id: item.id, uri: item.uri, value: value, error: nil))
                } catch {
                    results.append(.failed(item.id, uri: item.uri, reason: error.description))
                }
            }
        }
        let errors = results.filter { $0.error != nil }
        for failed in errors {
            logger.error("record \(failed.uri.map { String(decoding: $0, as: UTF8.self) } ?? "(no uri)") of \(config.jobName) gets NaN: \(failed.error!)")
        }
        let writeStarted = DispatchTime.now()
        let (count, errorCount, logger) = (results.count, errors.count, self.logger)
        sink.write(results) { [metrics] outcome in
            if case .failure(let error) = outcome {
                logger.error("writing \(count) result(s) failed, the inputs stay pending: \(error)")
            } else {
                metrics.written(count, errors: errorCount, seconds: Self.seconds(since: writeStarted))
            }
        }
    }

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}
