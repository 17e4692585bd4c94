import Testing
import ServingConfig

@Suite struct TemplateTests {
    @Test func templateParsesWithoutWarningsToTheDefaults() throws {
        let box = Sandbox(models: ["models/digits"])
        let (config, warnings) = try box.parse(ServingConfiguration.commentedTemplate)
        #expect(warnings == [])
        #expect(config == ServingConfiguration(file: box.configPath, modelPath: box.directory + "/models/digits"))
    }

    @Test func templateCommentsEveryKey() {
        let lines = ServingConfiguration.commentedTemplate.split(separator: "\n").map { $0.drop { $0 == " " } }
        for (index, line) in lines.enumerated() where !line.hasPrefix("#") {
            #expect(lines[index - 1].hasPrefix("# "), "no comment above \(line)")
        }
        for key in ["modelPath", "modelType", "modelSignature", "jobName", "postProcessing", "imageResize",
                    "inputAlreadyBatched",
                    "coreNumberPerMachine", "modelParallelism", "threadPerModel", "redisUrl", "redisMaxMemory",
                    "redisTimeout", "redisSecureEnabled", "batchSize", "batchWindow", "storeDir", "appendfsync",
                    "bind", "requirepass", "servingLog", "errorLog", "storeLog", "frontend"] {
            #expect(lines.contains { $0.hasPrefix(key + ":") }, "missing \(key)")
        }
    }
}
