import Testing
import ServingConfig

/// Threads per copy and copies from the engine keys of each generation.
@Suite struct EngineSettingsTests {
    private func settings(_ yaml: String, cores: Int, openVINO: Bool = false) throws -> EngineSettings {
        try Sandbox().parse(yaml).0.engineSettings(availableCores: cores, openVINO: openVINO)
    }

    @Test func noEngineKeysGiveOneSingleThreadedCopyPerCore() throws {
        #expect(try settings("modelPath: model\n", cores: 8) == EngineSettings(threadsPerCopy: 1, copies: 8))
        #expect(try settings("modelPath: model\n", cores: 0) == EngineSettings(threadsPerCopy: 1, copies: 1))
    }

    @Test func noEngineKeysGiveAnOpenVINOModelOneCopyUsingEveryCore() throws {
        #expect(try settings("modelPath: model\n", cores: 8, openVINO: true) == EngineSettings(threadsPerCopy: 8, copies: 1))
    }

    @Test func coreNumberAloneFollowsTheOriginalsRule() throws {
        let yaml = "modelPath: model\ncoreNumberPerMachine: 4\n"
        #expect(try settings(yaml, cores: 64) == EngineSettings(threadsPerCopy: 1, copies: 4))
        #expect(try settings(yaml, cores: 64, openVINO: true) == EngineSettings(threadsPerCopy: 4, copies: 1))
    }

    @Test func flatCoresAreSharedBetweenCopies() throws {
        let yaml = "modelPath: model\ncoreNumberPerMachine: 4\nmodelParallelism: 2\n"
        #expect(try settings(yaml, cores: 64) == EngineSettings(threadsPerCopy: 2, copies: 2))
    }

    @Test func flatThreadPerModelIsTakenAsIs() throws {
        let yaml = "modelPath: model\nmodelParallelism: 3\nthreadPerModel: 5\n"
        #expect(try settings(yaml, cores: 4) == EngineSettings(threadsPerCopy: 5, copies: 3))
    }

    @Test func moreCopiesThanCoresStillGetOneThreadEach() throws {
        let yaml = "modelPath: model\nmodelParallelism: 8\n"
        #expect(try settings(yaml, cores: 2) == EngineSettings(threadsPerCopy: 1, copies: 8))
    }

    @Test func nestedParamsSetCoresAndCopies() throws {
        let yaml = "model:\n  path: model\nparams:\n  core_number: 6\n  model_number: 3\n"
        #expect(try settings(yaml, cores: 32) == EngineSettings(threadsPerCopy: 2, copies: 3))
    }

    @Test func sparkLocalNSetsTheCores() throws {
        let yaml = "model:\n  path: model\nspark:\n  master: local[6]\n"
        #expect(try settings(yaml, cores: 32) == EngineSettings(threadsPerCopy: 1, copies: 6))
    }

    @Test func sparkLocalStarUsesEveryCore() throws {
        let yaml = "model:\n  path: model\nspark:\n  master: local[*]\n"
        #expect(try settings(yaml, cores: 12, openVINO: true) == EngineSettings(threadsPerCopy: 12, copies: 1))
    }

    @Test func sparkExecutorsGiveThreadsAndCopies() throws {
        let yaml = """
            model:
              path: model
            spark:
              master: local[*]
              executor_cores: 4
              total_executor_cores: 12
            """
        #expect(try settings(yaml, cores: 16) == EngineSettings(threadsPerCopy: 4, copies: 3))
    }

    @Test func explicitFlatKeysWinOverSparkKeys() throws {
        let yaml = """
            modelPath: model
            coreNumberPerMachine: 2
            modelParallelism: 1
            spark:
              master: local[8]
              executor_cores: 4
              total_executor_cores: 8
            """
        // copies from modelParallelism; threads from Spark's executor_cores, since threadPerModel is not set
        #expect(try settings(yaml, cores: 16) == EngineSettings(threadsPerCopy: 4, copies: 1))
        #expect(try settings(yaml + "\nthreadPerModel: 2\n", cores: 16) == EngineSettings(threadsPerCopy: 2, copies: 1))
    }
}
