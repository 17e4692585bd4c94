import Testing
import ServingConfig

/// What a file that sets only the model gets.
@Suite struct DefaultsTests {
    @Test func flatFileWithOnlyModelPathGetsEveryDefault() throws {
        let box = Sandbox()
        let (config, warnings) = try box.parse("modelPath: model\n")
        #expect(warnings == [])
        #expect(config.generation == .flat)
        #expect(config.jobName == "serving_stream")
        #expect(config.postProcessing == nil)
        #expect(config.imageResize == nil)
        #expect(config.imageShape == nil)
        #expect(config.inputAlreadyBatched == false)
        #expect(config.coreNumberPerMachine == nil)
        #expect(config.modelParallelism == nil)
        #expect(config.threadPerModel == nil)
        #expect(config.batchSize == 4)
        #expect(config.batchWindowMilliseconds == 2)
        #expect(config.redisHost == "localhost")
        #expect(config.redisPort == 6379)
        #expect(config.redisMaxMemory == 4 << 30)
        #expect(config.redisTimeoutMilliseconds == 5000)
        #expect(config.redisSecureEnabled == false)
        #expect(config.redisSecureTrustStorePath == nil)
        #expect(config.redisSecureTrustStorePassword == nil)
        #expect(config.modelEncrypted == false)
        #expect(config.recordEncrypted == false)
        #expect(config.queueUsed == "redis")
        #expect(config.storeDirectory == box.directory + "/cluster-serving-data")
        #expect(config.appendfsync == "everysec")
        #expect(config.bind == "127.0.0.1")
        #expect(config.requirepass == nil)
        #expect(config.logErrors == true)
        #expect(config.logSummary == false)
        #expect(config.servingLogPath == box.directory + "/cluster-serving.log")
        #expect(config.errorLogPath == box.directory + "/cluster-serving-error.log")
        #expect(config.storeLogPath == box.directory + "/redis.log")
        #expect(config == ServingConfiguration(file: box.configPath, modelPath: box.directory + "/model"))
    }

    @Test func nestedFileWithOnlyModelPathGetsImageShapeAndNoFilter() throws {
        let box = Sandbox()
        let (config, warnings) = try box.parse("model:\n  path: model\n")
        #expect(warnings == [])
        #expect(config.generation == .nested)
        #expect(config.imageShape == [3, 224, 224])
        #expect(config.postProcessing == nil)
        var expected = ServingConfiguration(
            file: box.configPath, modelPath: box.directory + "/model", generation: .nested)
        expected.imageShape = [3, 224, 224]
        #expect(config == expected)
    }

    /// The seed templates list keys with nothing after them; those mean "default".
    @Test func keysLeftEmptyTakeTheirDefaults() throws {
        let box = Sandbox()
        let (config, warnings) = try box.parse("""
            modelPath: model
            jobName:
            postProcessing:
            imageResize:
            coreNumberPerMachine:
            redisUrl: ~
            redisMaxmemory: null
            redisTimeout: ""
            flinkRestUrl:
            performance_mode:
            """)
        #expect(warnings == [])
        #expect(config == ServingConfiguration(file: box.configPath, modelPath: box.directory + "/model"))
    }

    @Test func minusOneCoresMeansAllCores() throws {
        let (config, _) = try Sandbox().parse("modelPath: model\ncoreNumberPerMachine: -1\n")
        #expect(config.coreNumberPerMachine == nil)
    }

    @Test func quotedEmptyFilterMeansNoFilterEvenInTheSparkEra() throws {
        let (config, _) = try Sandbox().parse("""
            model:
              path: model
            data:
              image_shape: 3,224,224
              filter: ""
            """)
        #expect(config.postProcessing == nil)
    }

    @Test(arguments: [
        ("params:\n  top_n: 3\n", PostProcessing?.some(.topN(3))),      // 0.7
        ("data:\n  image_shape: 3,224,224\n", .some(.topN(1))),          // 0.8
        ("spark:\n  master: local[*]\n", .some(.topN(1))),               // 0.7/0.8
        ("data:\n  shape: [3,224,224]\n", nil),                          // 0.9 / mid-2020
        ("params:\n  core_number: 2\n", nil),                            // 0.9
    ])
    func nestedFilterDefaultDependsOnTheEra(_ extra: String, _ expected: PostProcessing?) throws {
        let (config, _) = try Sandbox().parse("model:\n  path: model\n" + extra)
        #expect(config.postProcessing == expected)
    }

    @Test func dataFilterWinsOverTopNWithAWarning() throws {
        let box = Sandbox()
        let (config, warnings) = try box.parse("""
            model:
              path: model
            data:
              filter: pickTopN(2)
            params:
              top_n: 5
            """)
        #expect(config.postProcessing == .pickTopN(2))
        #expect(warnings == ["\(box.configPath): 'data.filter' and 'params.top_n' are both set; using 'data.filter'"])
    }
}
