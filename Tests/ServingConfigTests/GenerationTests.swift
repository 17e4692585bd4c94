import Testing
import ServingConfig

/// Whole files of each generation, as users of each release wrote them.
@Suite struct GenerationTests {
    @Test func flatFileSetsEveryKey() throws {
        let box = Sandbox(models: ["models/resnet"])
        let (config, warnings) = try box.load(fixture: "flat-full.yaml")
        #expect(warnings == [])
        #expect(config.generation == .flat)
        #expect(config.file == box.configPath)
        #expect(config.modelPath == box.directory + "/models/resnet")
        #expect(config.jobName == "resnet_job")
        #expect(config.postProcessing == .topN(5))
        #expect(config.imageResize == ImageSize(width: 448, height: 224))
        #expect(config.imageShape == nil)
        #expect(config.inputAlreadyBatched)
        #expect(config.coreNumberPerMachine == 8)
        #expect(config.modelParallelism == 2)
        #expect(config.threadPerModel == 3)
        #expect(config.redisHost == "10.0.0.5")
        #expect(config.redisPort == 6380)
        #expect(config.redisMaxMemory == 512 << 20)
        #expect(config.redisTimeoutMilliseconds == 3000)
        #expect(config.redisSecureEnabled)
        #expect(config.redisSecureTrustStorePath == "keys/keystore.jks")
        #expect(config.redisSecureTrustStorePassword == "1234qwer")
        #expect(!config.modelEncrypted)
        #expect(!config.recordEncrypted)
        #expect(config.queueUsed == "redis")
        #expect(config.batchSize == 16)
        #expect(config.batchWindowMilliseconds == 5)
        #expect(config.storeDirectory == "/var/lib/cluster-serving")
        #expect(config.appendfsync == "always")
        #expect(config.bind == "0.0.0.0")
        #expect(config.requirepass == "s3cret")
        #expect(!config.logErrors)
        #expect(config.logSummary)
        #expect(config.servingLogPath == box.directory + "/logs/serving.log")
        #expect(config.errorLogPath == "/var/log/serving-errors.log")
        #expect(config.storeLogPath == box.directory + "/logs/store.log")
    }

    @Test func nested09FileMapsItsSectionsAndWarnsAboutFlinkKeys() throws {
        let box = Sandbox(models: ["models/resnet"])
        let (config, warnings) = try box.load(fixture: "nested-0.9.yaml")
        #expect(config.generation == .nested)
        #expect(config.modelPath == box.directory + "/models/resnet")
        #expect(config.jobName == "resnet_job")
        #expect(config.postProcessing == nil)  // 0.9 had no default filter
        #expect(config.imageShape == [3, 224, 224])
        #expect(config.inputAlreadyBatched)
        #expect(config.coreNumberPerMachine == 6)
        #expect(config.modelParallelism == 3)
        #expect(config.redisHost == "localhost")
        #expect(config.redisPort == 6380)
        #expect(config.redisMaxMemory == 8 << 30)
        #expect(config.redisTimeoutMilliseconds == 7000)
        #expect(!config.redisSecureEnabled)
        #expect(config.redisSecureTrustStorePath == "keys/keystore.jks")
        #expect(config.redisSecureTrustStorePassword == "1234qwer")
        #expect(config.batchSize == 4)
        #expect(warnings == [
            "\(box.configPath): data.type: accepted and ignored: the input type is read from each request",
            "\(box.configPath): data.resize: accepted and ignored: images are resized only when imageResize is set",
            "\(box.configPath): flink.rest: accepted and ignored: there is no Flink cluster; the server runs the job itself",
        ])
    }

    @Test func sparkEraFileDefaultsToTopN1AndMapsSparkKeys() throws {
        let box = Sandbox(models: ["models/resnet"])
        let (config, warnings) = try box.load(fixture: "nested-0.8-spark.yaml")
        #expect(config.generation == .nested)
        #expect(config.postProcessing == .topN(1))
        #expect(config.imageShape == [1, 28, 28])
        #expect(config.batchSize == 8)
        #expect(config.logErrors)
        #expect(!config.logSummary)
        #expect(config.redisMaxMemory == 8_000_000_000)  // Redis reads 8G as 8 * 10^9
        #expect(config.engineSettings(availableCores: 16) == EngineSettings(threadsPerCopy: 2, copies: 2))
        let ignored = warnings.map { $0.replacingOccurrences(of: box.configPath + ": ", with: "") }
        #expect(ignored.allSatisfy { $0.contains(": accepted and ignored: ") })
        #expect(ignored.map { String($0.prefix { $0 != ":" }) } == [
            "params.engine_type", "params.performance_mode",
            "spark.driver_memory", "spark.executor_memory", "spark.num_executors",
        ])
    }

    @Test func mixedFileUsesFlatKeyOnConflictAndWarns() throws {
        let box = Sandbox(models: ["a", "b"])
        let (config, warnings) = try box.parse("""
            modelPath: a
            batchSize: 8
            model:
              path: b
            params:
              batch_size: 2
              model_number: 3
            """)
        #expect(config.generation == .flat)
        #expect(config.modelPath == box.directory + "/a")
        #expect(config.batchSize == 8)
        #expect(config.modelParallelism == 3)
        #expect(warnings == [
            "\(box.configPath): 'modelPath' and 'model.path' are both set; using 'modelPath'",
            "\(box.configPath): 'batchSize' and 'params.batch_size' are both set; using 'batchSize'",
        ])
    }

    @Test func emptyFlatKeyLeavesTheNestedValueInPlace() throws {
        let box = Sandbox()
        let (config, warnings) = try box.parse("""
            modelPath:
            model:
              path: model
            """)
        #expect(config.modelPath == box.directory + "/model")
        #expect(warnings == [])
    }
}
