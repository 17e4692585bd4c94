import CBLAS
import Dispatch
import Synchronization

/// How a model runs. In the original's terms: `threads` is threadPerModel (workers inside one run), `copies`
/// is modelParallelism (runs at once; weights are shared, each run has its own buffers).
public struct ModelOptions: Sendable {
    public var threads: Int
    public var copies: Int
    public var optimize: Bool

    public init(threads: Int = 1, copies: Int = 1, optimize: Bool = true) {
        self.threads = max(1, threads)
        self.copies = max(1, copies)
        self.optimize = optimize
    }

    /// The original's settings: `coreNumberPerMachine` cores shared by `modelParallelism` copies, each with
    /// `threadPerModel` threads or, when that is not set, an equal share of the cores.
    public static func cluster(coreNumberPerMachine: Int?, modelParallelism: Int?, threadPerModel: Int?,
                               availableCores: Int) -> ModelOptions {
        let cores = max(1, coreNumberPerMachine ?? availableCores)
        let copies = max(1, modelParallelism ?? 1)
        return ModelOptions(threads: threadPerModel ?? max(1, cores / copies), copies: copies)
    }
}

/// What a model takes and gives, for `inspect`, for the serving job's decoders and for the HTTP frontend.
public struct ModelMetadata: Sendable {
    public let file: String
    public let format: String
    public let inputs: [ValueInfo]
    public let outputs: [ValueInfo]
    /// Operator counts of the graph as the file has it (before optimisation), by op type.
    public let operatorCounts: [String: Int]
    /// Operator counts after optimisation (what actually runs).
    public let optimizedOperatorCounts: [String: Int]

    /// "NHWC" or "NCHW" for a 4-D input (`ValueInfo.isChannelsLast` tells which), nil otherwise.
    public func layout(of input: ValueInfo) -> String? {
        guard input.shape?.count == 4 else { return nil }
        return input.isChannelsLast ? "NHWC" : "NCHW"
    }
}

/// A loaded, compiled model. Thread-safe: concurrent `run` calls each take their own execution context.
public final class Model: Sendable {
    public let metadata: ModelMetadata
    public let options: ModelOptions
    private let program: Program
    private let idleContexts = Mutex<[ExecutionContext]>([])
    /// Admits at most `options.copies` runs at once; the others wait their turn.
    private let admission: DispatchSemaphore

    /// Loads the model at `path` (a model file, or a directory holding one model); `type` (config `modelType`)
    /// overrides detection by file name, `loadOptions` go to the reader (config `modelSignature`).
    public convenience init(path: String, type: ModelType? = nil, loadOptions: ModelLoadOptions = ModelLoadOptions(),
                            options: ModelOptions = ModelOptions()) throws {
        try self.init(graph: ModelFormats.load(path, type: type, options: loadOptions), options: options)
    }

    public init(graph: Graph, options: ModelOptions = ModelOptions()) throws {
        BLAS.setThreads(1)
        let optimized = options.optimize ? try GraphOptimizer.optimize(graph) : graph
        self.program = try Program(graph: optimized)
        self.options = options
        self.admission = DispatchSemaphore(value: options.copies)
        self.metadata = ModelMetadata(
            file: graph.sourceFile, format: graph.format, inputs: graph.inputs, outputs: graph.outputs,
            operatorCounts: graph.nodes.reduce(into: [:]) { $0[$1.opType, default: 0] += 1 },
            optimizedOperatorCounts: optimized.nodes.reduce(into: [:]) { $0[$1.opType, default: 0] += 1 })
    }

    /// Runs one batch. `inputs` are in the order of `metadata.inputs`; outputs in the order of `metadata.outputs`.
    public func run(_ inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == metadata.inputs.count else {
            throw InferenceError.invalidInput(
                reason: "the model takes \(metadata.inputs.count) input(s) "
                    + "(\(metadata.inputs.map(\.name).joined(separator: ", "))), got \(inputs.count)")
        }
        for (declared, given) in zip(metadata.inputs, inputs) { try Model.check(given, against: declared) }
        admission.wait()
        defer { admission.signal() }
        let context = idleContexts.withLock { $0.popLast() } ?? ExecutionContext(threads: options.threads)
        defer { idleContexts.withLock { $0.append(context) } }
        return try program.run(inputs: inputs, context: context)
    }

    /// Runs the batch `runs` times and reports where the time went, by operator.
    public func profile(_ inputs: [Tensor], runs: Int) throws -> OperatorProfile {
        let context = ExecutionContext(threads: options.threads)
        _ = try program.run(inputs: inputs, context: context)  // warm-up: buffers and caches
        context.profile = OperatorProfile()
        for _ in 0..<max(1, runs) { _ = try program.run(inputs: inputs, context: context) }
        return context.profile ?? OperatorProfile()
    }

    /// Runs one batch with inputs by name; returns every output by name.
    public func run(named inputs: [String: Tensor]) throws -> [String: Tensor] {
        let ordered = try metadata.inputs.map { declared in
            guard let tensor = inputs[declared.name] else {
                throw InferenceError.invalidInput(reason: "input '\(declared.name)' is missing")
            }
            return tensor
        }
        if let unknown = inputs.keys.first(where: { name in !metadata.inputs.contains { $0.name == name } }) {
            throw InferenceError.invalidInput(
                reason: "the model has no input '\(unknown)'; its inputs are "
                    + metadata.inputs.map(\.name).joined(separator: ", "))
        }
        let outputs = try run(ordered)
        return Dictionary(uniqueKeysWithValues: zip(metadata.outputs.map(\.name), outputs))
    }

    private static func check(_ tensor: Tensor, against declared: ValueInfo) throws {
        guard tensor.elementType == declared.elementType else {
            throw InferenceError.invalidInput(
                reason: "input '\(declared.name)' should be \(declared.elementType), got \(tensor.elementType)")
        }
        guard let dimensions = declared.shape else { return }
        let fits = dimensions.count == tensor.rank
            && zip(dimensions, tensor.shape).allSatisfy { $0.value == nil || $0.value == $1 }
        guard fits else {
            throw InferenceError.invalidInput(
                reason: "input '\(declared.name)' should have shape [\(dimensions.map(\.description).joined(separator: ","))]"
                    + ", got \(tensor.shape)")
        }
    }
}

/// OpenBLAS's own thread pool is process-wide and spin-waits between calls; the engine keeps it at one thread
/// and splits matrix products over its own workers (`Sgemm`), so BLAS threads fight neither the event loops
/// nor the engine's other parallel loops.
public enum BLAS {
    public static func setThreads(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }
}
