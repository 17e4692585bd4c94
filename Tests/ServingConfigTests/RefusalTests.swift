import Foundation
import Testing
import ServingConfig

/// Every refusal is one error naming the file, the key as written and the value.
@Suite struct RefusalTests {
    /// (the file's text, the expected description after "<file>: "); `<dir>` is the config file's directory.
    @Test(arguments: [
        ("", "modelPath (or model.path) is required"),
        ("# only a comment\n", "modelPath (or model.path) is required"),
        ("jobName: x\n", "modelPath (or model.path) is required"),
        ("model:\n  name: x\n", "modelPath (or model.path) is required"),
        ("modelPath: missing\n", "modelPath: missing is not valid: no such file or directory: <dir>/missing"),
        ("model:\n  path: sub/../missing\n",
         "model.path: sub/../missing is not valid: no such file or directory: <dir>/missing"),
        ("modelPath: hdfs://namenode:9000/models/resnet\n",
         "modelPath: hdfs://namenode:9000/models/resnet is not valid: remote model paths are not supported here"),
        ("modelPath: s3://bucket/model\n",
         "modelPath: s3://bucket/model is not valid: remote model paths are not supported here"),
        ("modelPath: model\nbatchSize: -3\n", "batchSize: -3 is not valid: must be an integer from 1 to 4096"),
        ("modelPath: model\nbatchSize: four\n", "batchSize: four is not valid: must be an integer from 1 to 4096"),
        ("modelPath: model\nbatchSize: 4.5\n", "batchSize: 4.5 is not valid: must be an integer from 1 to 4096"),
        ("model:\n  path: model\nparams:\n  batch_size: 0\n",
         "params.batch_size: 0 is not valid: must be an integer from 1 to 4096"),
        ("modelPath: model\nbatchWindow: 10001\n",
         "batchWindow: 10001 is not valid: must be an integer from 0 to 10000"),
        ("modelPath: model\nmodelParallelism: 0\n",
         "modelParallelism: 0 is not valid: must be an integer from 1 to 4096"),
        ("modelPath: model\ncoreNumberPerMachine: 0\n",
         "coreNumberPerMachine: 0 is not valid: must be -1 (all cores) or an integer from 1 to 4096"),
        ("modelPath: model\nbatchSize: [1, 2]\n",
         "batchSize: [1, 2] is not valid: must be a single value, not a list or a mapping"),
        ("model:\n  path: model\ndata:\n  shape: 3,224\n",
         "data.shape: 3,224 is not valid: must be three positive integers C,H,W (e.g. 3,224,224)"),
        ("model:\n  path: model\ndata:\n  shape: [[1,2],[3,224,224]]\n",
         "data.shape: [[1, 2], [3, 224, 224]] is not valid: must be three positive integers C,H,W (e.g. 3,224,224)"),
        ("model:\n  path: model\ndata:\n  image_shape: 4,224,224\n",
         "data.image_shape: 4,224,224 is not valid: the channel count C must be 1 or 3"),
        ("modelPath: model\nimageResize: 224\n",
         "imageResize: 224 is not valid: must be two positive integers \"width,height\" (e.g. 224,224)"),
        ("modelPath: model\npostProcessing: best(3)\n",
         "postProcessing: best(3) is not valid: unknown filter 'best'; known filters: topN(n), pickTopN(n)"),
        ("modelPath: model\npostProcessing: topN\n",
         "postProcessing: topN is not valid: must be a filter written name(n); known filters: topN(n), pickTopN(n)"),
        ("modelPath: model\npostProcessing: topN((2)\n",
         "postProcessing: topN((2) is not valid: must be a filter written name(n); known filters: topN(n), pickTopN(n)"),
        ("modelPath: model\npostProcessing: topN(0)\n",
         "postProcessing: topN(0) is not valid: the filter's n must be an integer of at least 1"),
        ("model:\n  path: model\nparams:\n  top_n: 0\n", "params.top_n: 0 is not valid: must be an integer of at least 1"),
        ("modelPath: model\nredisUrl: localhost:99999\n",
         "redisUrl: localhost:99999 is not valid: the port must be an integer from 1 to 65535"),
        ("modelPath: model\nredisUrl: http://localhost:6379\n",
         "redisUrl: http://localhost:6379 is not valid: must be host:port (or redis://host:port)"),
        ("model:\n  path: model\ndata:\n  src: a:b:c\n", "data.src: a:b:c is not valid: must be host:port (or redis://host:port)"),
        ("modelPath: model\nredisMaxMemory: 4tb\n",
         "redisMaxMemory: 4tb is not valid: must be a byte count with an optional unit k, kb, m, mb, g or gb (e.g. 4gb); 0 means no limit"),
        ("modelPath: model\nredisMaxMemory: -1\n",
         "redisMaxMemory: -1 is not valid: must be a byte count with an optional unit k, kb, m, mb, g or gb (e.g. 4gb); 0 means no limit"),
        ("modelPath: model\nredisTimeout: soon\n",
         "redisTimeout: soon is not valid: must be an integer from 0 to 3600000"),
        ("modelPath: model\nredisSecureEnabled: maybe\n",
         "redisSecureEnabled: maybe is not valid: must be true or false (yes/no and y/n are accepted too)"),
        ("modelPath: model\nappendfsync: sometimes\n",
         "appendfsync: sometimes is not valid: must be always, everysec or no"),
        ("modelPath: model\nqueueUsed: kafka\n",
         "queueUsed: kafka is not valid: kafka is not supported; this server is its own Redis-compatible queue"),
        ("modelPath: model\nqueueUsed: rabbitmq\n", "queueUsed: rabbitmq is not valid: must be redis"),
        ("modelPath: model\nmodelEncrypted: true\n",
         "modelEncrypted: true is not valid: encrypted models are not supported"),
        ("model:\n  path: model\nsecure:\n  record_encrypted: yes\n",
         "secure.record_encrypted: yes is not valid: encrypted records are not supported"),
        ("model:\n  path: model\nspark:\n  master: local[0]\n",
         "spark.master: local[0] is not valid: must be local[N] with N of at least 1, or local[*]"),
        ("- modelPath: model\n", "the top level must be a mapping of keys to values"),
        ("just text\n", "the top level must be a mapping of keys to values"),
        ("modelPath: model\nbatchSize: 4\nbatchSize: 5\n", "key 'batchSize' appears more than once"),
        ("modelPath: [model\n",
         "not valid YAML at line 2, column 1: did not find expected ',' or ']'"),
    ])
    func refusalNamesFileKeyAndValue(_ yaml: String, _ expected: String) {
        let box = Sandbox()
        let error = box.refusal(yaml)
        #expect(error?.description == box.configPath + ": " + box.expand(expected))
        #expect(error?.file == box.configPath)
    }

    @Test func refusalCarriesKeyAndValueSeparately() throws {
        let box = Sandbox()
        let error = try #require(box.refusal("modelPath: model\nBatchSize: -3\n"))
        #expect(error.key == "BatchSize")
        #expect(error.value == "-3")
        #expect(error.reason == "must be an integer from 1 to 4096")
    }

    @Test func missingModelPathInANestedFileNamesModelPath() throws {
        let error = try #require(Sandbox().refusal("model:\n  name: x\n"))
        #expect(error.key == "model.path")
        #expect(error.value == nil)
    }

    @Test func modelPathThatIsAFileIsRefused() throws {
        let box = Sandbox()
        #expect(FileManager.default.createFile(atPath: box.directory + "/model.pb", contents: Data()))
        let error = box.refusal("modelPath: model.pb\n")
        #expect(error?.description == box.configPath
            + ": modelPath: model.pb is not valid: not a directory: \(box.directory)/model.pb;"
            + " modelPath names the directory that holds the model")
    }

    @Test func missingConfigFileIsRefused() {
        let box = Sandbox()
        #expect(throws: ConfigError(
            file: box.directory + "/nope.yaml", reason: "cannot read the config file: no such file or directory"
        )) {
            try ServingConfiguration.load(path: box.directory + "/nope.yaml")
        }
    }
}
