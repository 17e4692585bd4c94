import Testing
import ServingConfig

/// How single values are read: sizes, addresses, filters, shapes, booleans and paths.
@Suite struct ValueTests {
    private func load(_ lines: String) throws -> ServingConfiguration {
        try Sandbox(models: ["model", "models/m"]).parse("modelPath: model\n" + lines).0
    }

    @Test(arguments: [
        ("4g", Int64(4_000_000_000)), ("8G", 8_000_000_000), ("4gb", 4 << 30), ("512mb", 512 << 20),
        ("512m", 512_000_000), ("100k", 100_000), ("1kb", 1024), ("10b", 10), ("1073741824", 1 << 30),
        ("\"2GB\"", 2 << 30), ("0", 0),
    ])
    func memorySizesUseRedisUnits(_ text: String, _ bytes: Int64) throws {
        #expect(try load("redisMaxMemory: \(text)\n").redisMaxMemory == bytes)
    }

    @Test(arguments: [
        ("localhost:6379", "localhost", 6379), ("redis://10.1.2.3:7000", "10.1.2.3", 7000),
        ("redis://cache:6380/", "cache", 6380), ("myhost", "myhost", 6379), ("\"[::1]:6390\"", "::1", 6390),
    ])
    func redisUrlGivesHostAndPort(_ text: String, _ host: String, _ port: Int) throws {
        let config = try load("redisUrl: \(text)\n")
        #expect(config.redisHost == host)
        #expect(config.redisPort == port)
    }

    @Test(arguments: [
        ("topN(5)", PostProcessing.topN(5)), ("pickTopN(2)", .pickTopN(2)), ("\" topN( 3 ) \"", .topN(3)),
        ("topn(1)", .topN(1)),
    ])
    func filtersParse(_ text: String, _ filter: PostProcessing) throws {
        #expect(try load("postProcessing: \(text)\n").postProcessing == filter)
    }

    @Test func filterTextIsHowItIsWritten() {
        #expect(PostProcessing.topN(1).text == "topN(1)")
        #expect(PostProcessing.pickTopN(12).text == "pickTopN(12)")
    }

    /// OpenCV's Size(a, b) is (width, height), whatever the original's template comment says.
    @Test func imageResizeIsWidthThenHeight() throws {
        #expect(try load("imageResize: 448,224\n").imageResize == ImageSize(width: 448, height: 224))
        #expect(try load("imageResize: \"224, 112\"\n").imageResize == ImageSize(width: 224, height: 112))
    }

    @Test(arguments: ["3,224,224", "\"3, 224, 224\"", "[3,224,224]", "\"[3,224,224]\"", "\n    - 3\n    - 224\n    - 224"])
    func imageShapeAcceptsTextAndLists(_ text: String) throws {
        let (config, _) = try Sandbox().parse("model:\n  path: model\ndata:\n  shape: \(text)\n")
        #expect(config.imageShape == [3, 224, 224])
    }

    @Test(arguments: ["true", "True", "yes", "y", "Y", "on", "\"yes\""])
    func trueSpellings(_ text: String) throws {
        #expect(try load("inputAlreadyBatched: \(text)\n").inputAlreadyBatched == true)
    }

    @Test(arguments: ["false", "FALSE", "no", "n", "off", "'n'"])
    func falseSpellings(_ text: String) throws {
        #expect(try load("logErrors: \(text)\n").logErrors == false)
    }

    @Test func numbersMayBeQuoted() throws {
        let config = try load("batchSize: \"16\"\nredisTimeout: '250'\njobName: 123\nrequirepass: 007\n")
        #expect(config.batchSize == 16)
        #expect(config.redisTimeoutMilliseconds == 250)
        #expect(config.jobName == "123")
        #expect(config.requirepass == "007")  // read as written, not as the number 7
    }

    @Test func appendfsyncNoIsAPolicyNotABoolean() throws {
        #expect(try load("appendfsync: no\n").appendfsync == "no")
        #expect(try load("appendfsync: Always\n").appendfsync == "always")
    }

    @Test(arguments: [
        ("models/m", "<dir>/models/m"), ("./models/./m/", "<dir>/models/m"), ("models/../models/m", "<dir>/models/m"),
        ("file://models/m", "<dir>/models/m"), ("file://<dir>/models/m", "<dir>/models/m"), ("<dir>/model", "<dir>/model"),
    ])
    func modelPathResolvesAgainstTheConfigDirectory(_ written: String, _ resolved: String) throws {
        let box = Sandbox(models: ["model", "models/m"])
        let (config, _) = try box.parse("modelPath: \(box.expand(written))\n")
        #expect(config.modelPath == box.expand(resolved))
    }

    @Test func storeAndLogPathsResolveAgainstTheConfigDirectory() throws {
        let box = Sandbox(models: ["conf/model"])
        let file = box.directory + "/conf/config.yaml"
        let (config, _) = try ServingConfiguration.parse(yaml: """
            modelPath: model
            storeDir: ../data
            servingLog: logs/s.log
            errorLog: /var/log/e.log
            storeLog: file://r.log
            """, file: file)
        #expect(config.file == file)
        #expect(config.modelPath == box.directory + "/conf/model")
        #expect(config.storeDirectory == box.directory + "/data")
        #expect(config.servingLogPath == box.directory + "/conf/logs/s.log")
        #expect(config.errorLogPath == "/var/log/e.log")
        #expect(config.storeLogPath == box.directory + "/conf/r.log")
    }

    @Test func trustStoreSettingsAreKeptAsWritten() throws {
        let config = try load("redisSecureTrustStorePath: keys/ks.jks\nredisSecureTrustStorePassword: 1234qwer\n")
        #expect(config.redisSecureTrustStorePath == "keys/ks.jks")
        #expect(config.redisSecureTrustStorePassword == "1234qwer")
    }
}
