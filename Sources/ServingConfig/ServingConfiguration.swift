/// The settings of one Cluster Serving job, read from the user's `config.yaml`.
///
/// Both generations of the original file are accepted (spec §4): the flat one of Analytics Zoo 0.10+ and BigDL 2.x
/// (`modelPath: ...`) and the nested one of AZ 0.7-0.9 (`model: {path: ...}`). The comment on each property names
/// the key of each generation; keys marked "ours" exist only in this reimplementation.
/// After `load`, every path is absolute (relative paths resolve against the config file's directory).
public struct ServingConfiguration: Sendable, Equatable {
    /// Which key style the file used. A file that mixes both counts as `.flat` (flat keys win on conflicts).
    public enum Generation: String, Sendable {
        case flat, nested, empty
    }

    /// Absolute path of the config file.
    public var file: String
    public var generation: Generation

    // MARK: Model and job

    /// Directory holding the model. Flat `modelPath` | nested `model.path`. Required.
    public var modelPath: String
    /// The model's format when detection by file name is not wanted (the servable manager's `modelType`:
    /// `tf.frozenModel`, `tf.savedModel`, `Caffe`, `BigDL`, `OpenVINO`, and `ONNX`). Flat `modelType`. Checked
    /// when the model is located (`ModelType.configured`).
    public var modelType: String?
    /// The signature a TensorFlow SavedModel is served by; nil = `serving_default`. Flat `modelSignature` (ours).
    /// Checked when the model is located: only a SavedModel has signatures.
    public var modelSignature: String?
    /// Input stream name and result-key prefix. Flat `jobName` | nested `model.name`.
    public var jobName: String = "serving_stream"
    /// Output filter. Flat `postProcessing` | nested `data.filter` | nested `params.top_n` (0.7).
    /// nil = no filter (results are Arrow tensors).
    public var postProcessing: PostProcessing?
    /// Resize decoded images to this size. Flat `imageResize: "a,b"` (AZ 0.11+/BD).
    public var imageResize: ImageSize?
    /// Expected image tensor shape [C, H, W]. Nested `data.shape` | `data.image_shape`;
    /// [3, 224, 224] for nested files, nil for flat ones.
    public var imageShape: [Int]?
    /// Inputs already carry their batch dimension. Flat `inputAlreadyBatched` | nested `data.batched`.
    public var inputAlreadyBatched: Bool = false

    // MARK: Engine

    /// Cores to use on this machine; nil = all. Flat `coreNumberPerMachine` (-1 = all) | nested `params.core_number`.
    public var coreNumberPerMachine: Int?
    /// Number of model copies running in parallel. Flat `modelParallelism` | nested `params.model_number`.
    public var modelParallelism: Int?
    /// Threads per model copy. Flat `threadPerModel`.
    public var threadPerModel: Int?
    /// Most records predicted together. Ours `batchSize` | nested `params.batch_size` (0.7/0.8). 1...4096.
    public var batchSize: Int = 4
    /// How long a partial batch waits for more records, ms. Ours `batchWindow`. 0...10000.
    public var batchWindowMilliseconds: Int = 2

    // MARK: Store (the embedded Redis-compatible server)

    /// Flat `redisUrl: host:port` (or `redis://host:port`) | nested `data.src`.
    public var redisHost: String = "localhost"
    public var redisPort: Int = 6379
    /// Bytes; 0 = no limit. Flat `redisMaxMemory` / `redisMaxmemory` | nested `redis.maxmem`. Redis units.
    public var redisMaxMemory: Int64 = 4 << 30
    /// Client timeout, ms; 0 = none. Flat `redisTimeout` | nested `redis.timeout`.
    public var redisTimeoutMilliseconds: Int = 5000
    /// TLS. Flat `redisSecureEnabled` | nested `secure.secure_enabled`.
    public var redisSecureEnabled: Bool = false
    /// Flat `redisSecureTrustStorePath` | nested `secure.secure_trust_store_path`. Kept as written.
    public var redisSecureTrustStorePath: String?
    /// Flat `redisSecureTrustStorePassword` | nested `secure.secure_struct_store_password` (sic). Kept as written.
    public var redisSecureTrustStorePassword: String?
    /// Flat `modelEncrypted` | nested `secure.model_encrypted`. Only `false` is accepted.
    public var modelEncrypted: Bool = false
    /// Flat `recordEncrypted` | nested `secure.record_encrypted`. Only `false` is accepted.
    public var recordEncrypted: Bool = false
    /// BigDL flat `queueUsed`. Only `redis` is accepted.
    public var queueUsed: String = "redis"
    /// Where the store keeps its data. Ours `storeDir`; default `<config dir>/cluster-serving-data`.
    public var storeDirectory: String
    /// Store fsync policy, as Redis: `always`, `everysec` or `no`. Ours `appendfsync`.
    public var appendfsync: String = "everysec"
    /// Address(es) the store listens on. Ours `bind`.
    public var bind: String = "127.0.0.1"
    /// Password clients must send with AUTH; nil = none. Ours `requirepass`.
    public var requirepass: String?

    // MARK: Logs

    /// Write failed records to the error log. Nested `log.error` | ours `logErrors`.
    public var logErrors: Bool = true
    /// Log throughput summaries (TensorBoard in 0.7/0.8). Nested `log.summary` | ours `logSummary`.
    public var logSummary: Bool = false
    /// Ours `servingLog`; default `<config dir>/cluster-serving.log`.
    public var servingLogPath: String
    /// Ours `errorLog`; default `<config dir>/cluster-serving-error.log`.
    public var errorLogPath: String
    /// Ours `storeLog`; default `<config dir>/redis.log`.
    public var storeLogPath: String

    /// The `frontend:` section (the HTTP frontend's options by their seed names, plus `enabled`), as written.
    public var frontendSettings: [String: String] = [:]

    // MARK: Spark-era engine keys (nested 0.7/0.8), used only by `engineSettings`

    /// `spark.master`: `local[N]` → N cores, `local[*]` → all cores.
    var sparkMasterCores: SparkCores?
    /// `spark.executor_cores`: threads per model copy.
    var sparkExecutorCores: Int?
    /// `spark.total_executor_cores`: with `executor_cores`, gives the number of copies.
    var sparkTotalExecutorCores: Int?

    /// A configuration with every default, for a config file at `file` (absolute).
    /// Store and log paths default to the file's directory.
    public init(file: String, modelPath: String, generation: Generation = .flat) {
        let directory = Paths.directory(of: file)
        self.file = file
        self.generation = generation
        self.modelPath = modelPath
        self.storeDirectory = Paths.join(directory, "cluster-serving-data")
        self.servingLogPath = Paths.join(directory, "cluster-serving.log")
        self.errorLogPath = Paths.join(directory, "cluster-serving-error.log")
        self.storeLogPath = Paths.join(directory, "redis.log")
    }
}

/// Target image size after `imageResize`.
///
/// The original passes "a,b" to OpenCV `Size(a, b)`, which is (width, height), while its template comment reads the
/// pair as "height, width" (spec §4.1, a quirk). We follow the code, not the comment: the first number is the width.
public struct ImageSize: Sendable, Equatable {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }
}

/// Output filter applied to each prediction (spec §7.5).
public enum PostProcessing: Sendable, Equatable {
    /// The n largest values of the flattened output, as `[[index,value],...]`.
    case topN(Int)
    /// The first n rows of a 2-D output.
    case pickTopN(Int)

    /// The filter as written in a config file, e.g. `topN(1)`.
    public var text: String {
        switch self {
        case .topN(let n): "topN(\(n))"
        case .pickTopN(let n): "pickTopN(\(n))"
        }
    }
}

/// How inference uses the CPU: `copies` model copies, each running on `threadsPerCopy` threads.
public struct EngineSettings: Sendable, Equatable {
    public var threadsPerCopy: Int
    public var copies: Int

    public init(threadsPerCopy: Int, copies: Int) {
        self.threadsPerCopy = threadsPerCopy
        self.copies = copies
    }
}

/// Cores named by a Spark master URL.
enum SparkCores: Sendable, Equatable {
    case all
    case count(Int)
}
