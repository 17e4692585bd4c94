import Testing
import ServingConfig

/// How keys are matched, and what is said about keys that match nothing.
@Suite struct KeyTests {
    @Test(arguments: ["modelPath", "ModelPath", "modelpath", "MODELPATH"])
    func flatKeysIgnoreCase(_ key: String) throws {
        let box = Sandbox()
        let (config, warnings) = try box.parse("\(key): model\nBATCHSIZE: 9\nRedisUrl: host:1\n")
        #expect(config.modelPath == box.directory + "/model")
        #expect(config.batchSize == 9)
        #expect(config.redisHost == "host")
        #expect(warnings == [])
    }

    @Test func modelTypeIsKeptAsWrittenAndAbsentByDefault() throws {
        let (config, warnings) = try Sandbox().parse("modelPath: model\nmodelType: tf.frozenModel\n")
        #expect(config.modelType == "tf.frozenModel")
        #expect(warnings == [])
        #expect(try Sandbox().parse("modelPath: model\n").0.modelType == nil)
    }

    @Test func modelSignatureIsKeptAsWrittenAndAbsentByDefault() throws {
        let (config, warnings) = try Sandbox().parse("modelPath: model\nModelSignature: scores_only\n")
        #expect(config.modelSignature == "scores_only")
        #expect(warnings == [])
        #expect(try Sandbox().parse("modelPath: model\n").0.modelSignature == nil)
    }

    @Test func templateSpellingRedisMaxmemoryIsAccepted() throws {
        let (config, warnings) = try Sandbox().parse("modelPath: model\nredisMaxmemory: 1gb\n")
        #expect(config.redisMaxMemory == 1 << 30)
        #expect(warnings == [])
    }

    @Test func nestedSectionsAndKeysIgnoreCase() throws {
        let box = Sandbox()
        let (config, warnings) = try box.parse("""
            MODEL:
              Path: model
            Params:
              BATCH_SIZE: 8
            """)
        #expect(config.generation == .nested)
        #expect(config.modelPath == box.directory + "/model")
        #expect(config.batchSize == 8)
        #expect(warnings == [])
    }

    @Test func unknownFlatKeyWarnsWithTheClosestKnownKey() throws {
        let box = Sandbox()
        let (_, warnings) = try box.parse("modelPath: model\nmodelPth: other\nbatchSise: 3\ncolour: red\n")
        #expect(warnings == [
            "\(box.configPath): unknown key 'modelPth' ignored (did you mean 'modelPath'?)",
            "\(box.configPath): unknown key 'batchSise' ignored (did you mean 'batchSize'?)",
            "\(box.configPath): unknown key 'colour' ignored",
        ])
    }

    @Test func unknownNestedKeyWarnsWithTheClosestKeyOfItsSection() throws {
        let box = Sandbox()
        let (_, warnings) = try box.parse("""
            model:
              path: model
            params:
              batchsize: 4
            parms:
              top_n: 1
            """)
        #expect(warnings == [
            "\(box.configPath): unknown key 'params.batchsize' ignored (did you mean 'params.batch_size'?)",
            "\(box.configPath): unknown key 'parms' ignored (did you mean 'params'?)",
        ])
    }

    @Test func keysOfTheOriginalWithNoMeaningHereAreAcceptedAndIgnored() throws {
        let box = Sandbox()
        let (config, warnings) = try box.parse("""
            modelPath: model
            flinkRestUrl: localhost:8081
            kafkaUrl: localhost:9092
            performance_mode: "OFF"
            secureEnabled: true
            model:
              inputs: input:0
              outputs: output:0
              mode: single
            """)
        #expect(config.redisSecureEnabled == false)
        let file = box.configPath
        #expect(warnings == [
            "\(file): flinkRestUrl: accepted and ignored: there is no Flink cluster; the server runs the job itself",
            "\(file): kafkaUrl: accepted and ignored: Kafka is not supported; this server is its own Redis-compatible queue",
            "\(file): performance_mode: accepted and ignored: the Spark-era numactl mode; there is nothing to switch here",
            "\(file): secureEnabled: accepted and ignored: the original never read this 0.10.0 template name; use redisSecureEnabled",
            "\(file): model.inputs: accepted and ignored: input and output names come from the model file",
            "\(file): model.outputs: accepted and ignored: input and output names come from the model file",
            "\(file): model.mode: accepted and ignored: there is a single inference mode",
        ])
    }

    @Test func clusterSparkMasterIsAcceptedAndIgnored() throws {
        let box = Sandbox()
        let (config, warnings) = try box.parse("model:\n  path: model\nspark:\n  master: yarn\n")
        #expect(config.engineSettings(availableCores: 4) == EngineSettings(threadsPerCopy: 1, copies: 4))
        #expect(warnings == [
            "\(box.configPath): spark.master: yarn accepted and ignored: only local[N] names this machine's cores",
        ])
    }

    @Test func repeatedSpellingOfOneKeyKeepsTheLaterValue() throws {
        let box = Sandbox()
        let (config, warnings) = try box.parse("modelPath: model\nbatchSize: 2\nBatchSize: 3\n")
        #expect(config.batchSize == 3)
        #expect(warnings == ["\(box.configPath): 'BatchSize' repeats 'batchSize'; the later value is used"])
    }

    @Test func sectionNameWithAScalarValueIsIgnoredWithAWarning() throws {
        let box = Sandbox()
        let (_, warnings) = try box.parse("modelPath: model\nspark: local\nlog:\n")
        #expect(warnings == [
            "\(box.configPath): 'spark' ignored: a section of the nested format needs keys under it",
        ])
    }
}
