/// Where a key's value goes. Keys of both generations that mean the same thing map to the same setting.
enum Setting: Sendable, Hashable, CaseIterable {
    case modelPath, modelType, modelSignature, jobName, postProcessing, topN, imageResize, imageShape
    case inputAlreadyBatched
    case coreNumberPerMachine, modelParallelism, threadPerModel, batchSize, batchWindow
    case redisUrl, redisMaxMemory, redisTimeout
    case redisSecureEnabled, redisSecureTrustStorePath, redisSecureTrustStorePassword
    case modelEncrypted, recordEncrypted, queueUsed
    case storeDir, appendfsync, bind, requirepass
    case logErrors, logSummary, servingLog, errorLog, storeLog
    case sparkMaster, sparkExecutorCores, sparkTotalExecutorCores
}

/// The keys of both generations (spec §4), in their canonical spelling. Lookups ignore case, as the original's
/// Jackson parser did for the flat file (ACCEPT_CASE_INSENSITIVE_PROPERTIES).
enum KeyTable {
    /// Flat generation (AZ 0.10+, BigDL 2.x) followed by our own keys.
    static let flat: [(key: String, setting: Setting)] = [
        ("modelPath", .modelPath),
        ("modelType", .modelType),
        ("jobName", .jobName),
        ("postProcessing", .postProcessing),
        ("imageResize", .imageResize),
        ("inputAlreadyBatched", .inputAlreadyBatched),
        ("coreNumberPerMachine", .coreNumberPerMachine),
        ("modelParallelism", .modelParallelism),
        ("threadPerModel", .threadPerModel),
        ("redisUrl", .redisUrl),
        ("redisMaxMemory", .redisMaxMemory),  // also matches the template's `redisMaxmemory`
        ("redisTimeout", .redisTimeout),
        ("redisSecureEnabled", .redisSecureEnabled),
        ("redisSecureTrustStorePath", .redisSecureTrustStorePath),
        ("redisSecureTrustStorePassword", .redisSecureTrustStorePassword),
        ("modelEncrypted", .modelEncrypted),
        ("recordEncrypted", .recordEncrypted),
        ("queueUsed", .queueUsed),
        // ours
        ("modelSignature", .modelSignature),
        ("batchSize", .batchSize),
        ("batchWindow", .batchWindow),
        ("storeDir", .storeDir),
        ("appendfsync", .appendfsync),
        ("bind", .bind),
        ("requirepass", .requirepass),
        ("logErrors", .logErrors),
        ("logSummary", .logSummary),
        ("servingLog", .servingLog),
        ("errorLog", .errorLog),
        ("storeLog", .storeLog),
    ]

    /// Nested generation (AZ 0.7-0.9): section → keys. A section counts only when its value is a mapping.
    static let nested: [(section: String, keys: [(key: String, setting: Setting)])] = [
        ("model", [("path", .modelPath), ("name", .jobName)]),
        ("data", [
            ("src", .redisUrl), ("filter", .postProcessing), ("shape", .imageShape),
            ("image_shape", .imageShape), ("batched", .inputAlreadyBatched),
        ]),
        ("params", [
            ("batch_size", .batchSize), ("top_n", .topN),
            ("core_number", .coreNumberPerMachine), ("model_number", .modelParallelism),
        ]),
        ("log", [("error", .logErrors), ("summary", .logSummary)]),
        ("spark", [
            ("master", .sparkMaster), ("executor_cores", .sparkExecutorCores),
            ("total_executor_cores", .sparkTotalExecutorCores),
        ]),
        ("redis", [("maxmem", .redisMaxMemory), ("timeout", .redisTimeout)]),
        ("secure", [
            ("secure_enabled", .redisSecureEnabled),
            ("secure_trust_store_path", .redisSecureTrustStorePath),
            ("secure_struct_store_password", .redisSecureTrustStorePassword),  // sic, as the original
            ("secure_trust_store_password", .redisSecureTrustStorePassword),
            ("model_encrypted", .modelEncrypted),
            ("record_encrypted", .recordEncrypted),
        ]),
        ("flink", []),
    ]

    /// Flat keys of the original that mean nothing here, with the reason shown to the user.
    static let ignoredFlat: [(key: String, why: String)] = [
        ("flinkRestUrl", noFlink),
        ("performance_mode", noNumactl),
        ("kafkaUrl", "Kafka is not supported; this server is its own Redis-compatible queue"),
        // AZ 0.10.0's template spelled these wrongly and the original never read them (spec §4.1).
        ("secureEnabled", "the original never read this 0.10.0 template name; use redisSecureEnabled"),
        ("secureTrustStorePath", "the original never read this 0.10.0 template name; use redisSecureTrustStorePath"),
        ("secureStructStorePassword",
         "the original never read this 0.10.0 template name; use redisSecureTrustStorePassword"),
    ]

    /// Nested keys of the original that mean nothing here, as `section.key`.
    static let ignoredNested: [(key: String, why: String)] = [
        ("model.inputs", "input and output names come from the model file"),
        ("model.outputs", "input and output names come from the model file"),
        ("model.mode", "there is a single inference mode"),
        ("data.type", "the input type is read from each request"),
        ("data.resize", "images are resized only when imageResize is set"),
        ("params.performance_mode", noNumactl),
        ("params.engine_type", "the Spark-era BLAS switch; there is one inference engine here"),
        ("spark.driver_memory", noJVM),
        ("spark.executor_memory", noJVM),
        ("spark.num_executors", "there are no Spark executors; modelParallelism sets the model copies"),
        ("flink.rest", noFlink),
    ]

    private static let noFlink = "there is no Flink cluster; the server runs the job itself"
    private static let noNumactl = "the Spark-era numactl mode; there is nothing to switch here"
    private static let noJVM = "there is no JVM here; memory is not reserved up front"

    // MARK: Lookups (case-insensitive)

    static func flatSetting(_ key: String) -> Setting? {
        flat.first { $0.key.lowercased() == key.lowercased() }?.setting
    }

    /// The canonical section name, or nil.
    static func section(_ name: String) -> String? {
        nested.first { $0.section == name.lowercased() }?.section
    }

    static func nestedSetting(section: String, key: String) -> Setting? {
        nested.first { $0.section == section }?.keys.first { $0.key == key.lowercased() }?.setting
    }

    static func ignoredFlatReason(_ key: String) -> String? {
        ignoredFlat.first { $0.key.lowercased() == key.lowercased() }?.why
    }

    static func ignoredNestedReason(section: String, key: String) -> String? {
        ignoredNested.first { $0.key == section + "." + key.lowercased() }?.why
    }

    /// Known names a misspelt top-level key may have meant.
    static var topLevelNames: [String] { flat.map(\.key) + nested.map(\.section) }

    /// Known keys of `section`.
    static func names(inSection section: String) -> [String] {
        (nested.first { $0.section == section }?.keys ?? []).map(\.key)
    }

    // MARK: Suggestions

    /// The candidate closest to `key` by edit distance (ignoring case), if close enough to be a likely typo.
    static func suggestion(for key: String, among candidates: [String]) -> String? {
        let typed = Array(key.lowercased())
        let limit = min(3, max(1, typed.count / 3))
        var best: (name: String, distance: Int)?
        for name in candidates {
            let distance = editDistance(typed, Array(name.lowercased()))
            if distance <= limit, distance < (best?.distance ?? .max) {
                best = (name, distance)
            }
        }
        return best?.name
    }

    /// Levenshtein distance, one row at a time.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            previous = current
        }
        return previous[b.count]
    }
}
