import Foundation
import Yams

/// Checking and applying the collected values, in the order of `ServingConfiguration`'s properties,
/// so the first problem in that order is the one reported.
extension ConfigLoader {
    mutating func build(_ settings: [Setting: Entry], generation: ServingConfiguration.Generation)
        throws(ConfigError) -> ServingConfiguration
    {
        let path = try modelPath(settings[.modelPath], generation: generation)
        var c = ServingConfiguration(file: file, modelPath: path, generation: generation)

        // Model and job
        c.modelType = try value(settings[.modelType], Self.verbatim)
        c.modelSignature = try value(settings[.modelSignature], Self.verbatim)
        if let name = try value(settings[.jobName], Self.verbatim) { c.jobName = name }
        c.postProcessing = try postProcessing(settings)
        c.imageResize = try node(settings[.imageResize], Values.imageSize)
        c.imageShape = try node(settings[.imageShape], Values.imageShape) ?? (generation == .nested ? [3, 224, 224] : nil)
        c.inputAlreadyBatched = try value(settings[.inputAlreadyBatched], Values.bool) ?? c.inputAlreadyBatched

        // Engine
        c.coreNumberPerMachine = try value(settings[.coreNumberPerMachine], Self.coreCount) ?? nil
        c.modelParallelism = try value(settings[.modelParallelism], Values.int(1...4096))
        c.threadPerModel = try value(settings[.threadPerModel], Values.int(1...4096))
        c.batchSize = try value(settings[.batchSize], Values.int(1...4096)) ?? c.batchSize
        c.batchWindowMilliseconds = try value(settings[.batchWindow], Values.int(0...10_000)) ?? c.batchWindowMilliseconds

        // Store
        if let (host, port) = try value(settings[.redisUrl], Values.hostPort) {
            c.redisHost = host
            c.redisPort = port
        }
        c.redisMaxMemory = try value(settings[.redisMaxMemory], Values.memorySize) ?? c.redisMaxMemory
        c.redisTimeoutMilliseconds = try value(settings[.redisTimeout], Values.int(0...3_600_000))
            ?? c.redisTimeoutMilliseconds
        c.redisSecureEnabled = try value(settings[.redisSecureEnabled], Values.bool) ?? c.redisSecureEnabled
        c.redisSecureTrustStorePath = try value(settings[.redisSecureTrustStorePath], Self.verbatim)
        c.redisSecureTrustStorePassword = try value(settings[.redisSecureTrustStorePassword], Self.verbatim)
        c.modelEncrypted = try value(settings[.modelEncrypted], Self.mustBeFalse("encrypted models are not supported"))
            ?? false
        c.recordEncrypted = try value(settings[.recordEncrypted], Self.mustBeFalse("encrypted records are not supported"))
            ?? false
        c.queueUsed = try value(settings[.queueUsed], Self.queue) ?? c.queueUsed
        c.storeDirectory = try value(settings[.storeDir], localPath) ?? c.storeDirectory
        c.appendfsync = try value(settings[.appendfsync], Self.fsyncPolicy) ?? c.appendfsync
        c.bind = try value(settings[.bind], Self.verbatim) ?? c.bind
        c.requirepass = try value(settings[.requirepass], Self.verbatim)

        // Logs
        c.logErrors = try value(settings[.logErrors], Values.bool) ?? c.logErrors
        c.logSummary = try value(settings[.logSummary], Values.bool) ?? c.logSummary
        c.servingLogPath = try value(settings[.servingLog], localPath) ?? c.servingLogPath
        c.errorLogPath = try value(settings[.errorLog], localPath) ?? c.errorLogPath
        c.storeLogPath = try value(settings[.storeLog], localPath) ?? c.storeLogPath

        // Spark era
        if let entry = settings[.sparkMaster], let cores = try value(entry, Values.sparkCores) {
            c.sparkMasterCores = cores
            if cores == nil {
                warn("\(entry.key): \(Values.render(entry.node)) accepted and ignored: only local[N] names this machine's cores")
            }
        }
        c.sparkExecutorCores = try value(settings[.sparkExecutorCores], Values.int(1...4096))
        c.sparkTotalExecutorCores = try value(settings[.sparkTotalExecutorCores], Values.int(1...4096))
        return c
    }

    // MARK: Helpers

    /// Parses an entry's scalar text. nil when the key is absent or its value empty, which means "default".
    func value<T>(_ entry: Entry?, _ parse: (String) throws(ValueProblem) -> T) throws(ConfigError) -> T? {
        guard let entry else { return nil }
        guard case .scalar = entry.node else { throw refusal(entry, "must be a single value, not a list or a mapping") }
        guard let text = Values.text(entry.node), !text.isEmpty else { return nil }
        do {
            return try parse(text)
        } catch {
            throw refusal(entry, error.reason)
        }
    }

    /// Like `value`, for settings that may be written as a list (`[3,224,224]`).
    func node<T>(_ entry: Entry?, _ parse: (Node) throws(ValueProblem) -> T) throws(ConfigError) -> T? {
        guard let entry, Values.text(entry.node) != "" else { return nil }
        do {
            return try parse(entry.node)
        } catch {
            throw refusal(entry, error.reason)
        }
    }

    func refusal(_ entry: Entry, _ reason: String) -> ConfigError {
        ConfigError(file: file, key: entry.key, value: Values.render(entry.node), reason: reason)
    }

    /// A local path made absolute against the config file's directory; a `file://` prefix is dropped.
    func localPath(_ text: String) throws(ValueProblem) -> String {
        let path = text.lowercased().hasPrefix("file://") ? String(text.dropFirst("file://".count)) : text
        guard !path.contains("://") else { throw ValueProblem("remote paths are not supported here") }
        return Paths.absolute(path, against: directory)
    }

    // MARK: Settings with their own rules

    private func modelPath(_ entry: Entry?, generation: ServingConfiguration.Generation) throws(ConfigError) -> String {
        let key = generation == .nested ? "model.path" : "modelPath"
        guard let entry, let path = try value(entry, Self.verbatim) else {
            throw ConfigError(file: file, key: key, reason: "modelPath (or model.path) is required")
        }
        // The original copied hdfs:// and s3:// models to a temp dir; here the model must already be local.
        guard let absolute = try? localPath(path) else {
            throw refusal(entry, "remote model paths are not supported here")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory) else {
            throw refusal(entry, "no such file or directory: \(absolute)")
        }
        guard isDirectory.boolValue else {
            throw refusal(entry, "not a directory: \(absolute); modelPath names the directory that holds the model")
        }
        return absolute
    }

    /// The filter. When none is set, a 0.7/0.8 (Spark-era) nested file gets that era's default `topN(1)`;
    /// 0.9 nested files and flat files had no filter by default (spec §4.2, §4.3). A quoted empty string
    /// (`postProcessing: ""`) asks for no filter explicitly.
    private mutating func postProcessing(_ settings: [Setting: Entry]) throws(ConfigError) -> PostProcessing? {
        if let entry = settings[.postProcessing] {
            if let topN = settings[.topN] { warn("'\(entry.key)' and '\(topN.key)' are both set; using '\(entry.key)'") }
            guard case .scalar = entry.node else { throw refusal(entry, "must be a single value, not a list or a mapping") }
            do {
                return try Values.postProcessing(Values.text(entry.node) ?? "")
            } catch {
                throw refusal(entry, error.reason)
            }
        }
        if let count = try value(settings[.topN], Values.int(1...Int.max)) { return .topN(count) }
        return sparkEra ? .topN(1) : nil
    }

    /// -1 (the original's default) means all cores and becomes nil.
    private static func coreCount(_ text: String) throws(ValueProblem) -> Int? {
        guard let cores = Int(text), cores == -1 || (1...4096).contains(cores) else {
            throw ValueProblem("must be -1 (all cores) or an integer from 1 to 4096")
        }
        return cores > 0 ? cores : nil
    }

    private static func verbatim(_ text: String) throws(ValueProblem) -> String { text }

    /// Accepts a boolean, refusing `true` with `reason`.
    private static func mustBeFalse(_ reason: String) -> (String) throws(ValueProblem) -> Bool {
        { text throws(ValueProblem) in
            guard try !Values.bool(text) else { throw ValueProblem(reason) }
            return false
        }
    }

    private static func queue(_ text: String) throws(ValueProblem) -> String {
        switch text.lowercased() {
        case "redis": return "redis"
        case "kafka": throw ValueProblem("kafka is not supported; this server is its own Redis-compatible queue")
        default: throw ValueProblem("must be redis")
        }
    }

    private static func fsyncPolicy(_ text: String) throws(ValueProblem) -> String {
        let policy = text.lowercased()
        guard ["always", "everysec", "no"].contains(policy) else { throw ValueProblem("must be always, everysec or no") }
        return policy
    }
}

extension Values {
    /// A parser for integers in `range`.
    static func int(_ range: ClosedRange<Int>) -> (String) throws(ValueProblem) -> Int {
        { text throws(ValueProblem) in try int(text, in: range) }
    }
}
