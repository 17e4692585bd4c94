import Foundation
import Logging
import ServingConfig
import Store

/// The jobs of one store server: several models at once, one per stream (`jobName`), the seed's "Start Multiple
/// Serving". Jobs come from the process's own config (`cluster-serving start`) or from another directory over the
/// RESP port (`SERVING ADD`, see `ServingCommand`).
public final class JobManager: @unchecked Sendable {
    public let store: Store
    private let availableCores: Int
    private let lock = NSLock()
    private var jobs: [ServingJob] = []
    private var nextID = 1
    private var logSinks: [String: FileLogHandler.Sink] = [:]
    private let terminal = FileLogHandler.Sink(standardError: ())

    public init(store: Store, availableCores: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.store = store
        self.availableCores = availableCores
        store.addCommitObserver { [weak self] keys in
            guard let self else { return }
            for job in self.lock.withLock({ self.jobs }) { job.keysChanged(keys) }
        }
    }

    /// Every job, oldest first.
    public var all: [ServingJob] { lock.withLock { jobs } }

    /// The job with this id or jobName (a live one before a stopped or failed one of the same name).
    public func job(_ idOrName: String) -> ServingJob? {
        lock.withLock {
            if let id = Int(idOrName), let job = jobs.first(where: { $0.id == id }) { return job }
            return jobs.filter { $0.config.jobName == idOrName }.sorted { Self.isLive($0) && !Self.isLive($1) }.first
        }
    }

    /// Registers a job for `config` and starts loading its model on a thread of its own; `echo` also prints its
    /// log on the terminal (a job in the foreground). Refuses a second live job with the same jobName.
    @discardableResult
    public func add(_ config: ServingConfiguration, echo: Bool = false) throws(ServingError) -> ServingJob {
        lock.lock()
        if let live = jobs.first(where: { $0.config.jobName == config.jobName && Self.isLive($0) }) {
            lock.unlock()
            throw .duplicateJob(name: config.jobName, id: live.id)
        }
        jobs.removeAll { $0.config.jobName == config.jobName }  // a stopped or failed one of the same name
        let job = ServingJob(id: nextID, config: config, store: store, logger: logger(for: config, echo: echo))
        nextID += 1
        jobs.append(job)
        lock.unlock()
        let cores = availableCores
        let loader = Thread { job.start(availableCores: cores) }
        loader.name = "load-\(config.jobName)"
        loader.stackSize = 8 << 20
        loader.start()
        return job
    }

    /// Stops a job after the batches it has read; it leaves the list once stopped.
    public func cancel(_ idOrName: String) throws(ServingError) -> ServingJob {
        guard let job = job(idOrName) else { throw .noSuchJob(idOrName) }
        job.cancel()
        DispatchQueue.global().async { [self] in
            job.waitUntilStopped(timeout: 600)
            lock.withLock { jobs.removeAll { $0 === job } }
        }
        return job
    }

    /// Stops every job and waits for them (at most `timeout` seconds); the store keeps their data.
    @discardableResult
    public func stopAll(timeout: TimeInterval = 60) -> Int {
        let all = self.all
        for job in all { job.cancel() }
        for job in all { job.waitUntilStopped(timeout: timeout) }
        lock.withLock { jobs.removeAll { job in all.contains { $0 === job } } }
        return all.count
    }

    private static func isLive(_ job: ServingJob) -> Bool {
        switch job.state {
        case .loading, .serving, .stopping: true
        case .stopped, .failed: false
        }
    }

    /// The job's logger: its serving log, errors also in its error log (log.error y), and the terminal if `echo`.
    private func logger(for config: ServingConfiguration, echo: Bool) -> Logger {
        let serving = sink(config.servingLogPath)
        let errors = config.logErrors ? [sink(config.errorLogPath)] : []
        let sinks = echo ? [serving, terminal] : [serving]
        return Logger(label: "serving.\(config.jobName)") { label in
            FileLogHandler(label: label, sinks: sinks, errorSinks: errors)
        }
    }

    private func sink(_ path: String) -> FileLogHandler.Sink {
        if let existing = logSinks[path] { return existing }
        let created = FileLogHandler.Sink(path: path)
        logSinks[path] = created
        return created
    }
}
