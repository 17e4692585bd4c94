extension ServingConfiguration {
    /// Threads per model copy and number of copies, from the keys of either generation, for a machine with
    /// `availableCores` cores.
    ///
    /// * cores: `coreNumberPerMachine` if set (flat, or nested `params.core_number`), else Spark's `local[N]`
    ///   (`local[*]` = all), else `availableCores`.
    /// * copies: `modelParallelism` (flat, or nested `params.model_number`), else Spark's
    ///   `total_executor_cores / executor_cores` when both are set.
    /// * threads per copy: `threadPerModel`, else Spark's `executor_cores`, else `cores / copies` (at least 1).
    /// * neither given: the original's `coreNumberPerMachine` rule — an OpenVINO model gets one copy using every
    ///   core, any other model one single-threaded copy per core (for a queue of small batches, copies beat threads).
    ///
    /// Explicit engine keys win over the Spark keys.
    public func engineSettings(availableCores: Int, openVINO: Bool = false) -> EngineSettings {
        let available = max(1, availableCores)
        let sparkCores: Int? = switch sparkMasterCores {
        case .all: available
        case .count(let n): n
        case nil: nil
        }
        let cores = coreNumberPerMachine ?? sparkCores ?? available

        var sparkCopies: Int?
        if let total = sparkTotalExecutorCores, let perExecutor = sparkExecutorCores {
            sparkCopies = max(1, total / perExecutor)
        }
        let threadsGiven = threadPerModel ?? sparkExecutorCores
        guard let copies = modelParallelism ?? sparkCopies ?? (threadsGiven == nil ? nil : 1) else {
            return openVINO ? EngineSettings(threadsPerCopy: max(1, cores), copies: 1)
                : EngineSettings(threadsPerCopy: 1, copies: max(1, cores))
        }
        let threads = threadsGiven ?? max(1, cores / copies)
        return EngineSettings(threadsPerCopy: threads, copies: copies)
    }
}
