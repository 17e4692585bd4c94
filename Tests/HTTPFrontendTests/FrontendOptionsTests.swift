import Testing

@testable import HTTPFrontend
@testable import Serving

@Suite struct FrontendOptionsTests {
    @Test func defaultsAreTheSeeds() {
        let options = FrontendOptions()
        #expect(options.interface == "0.0.0.0" && options.port == 10020 && options.redisPort == 6379)
        #expect(options.redisInputQueue == "serving_stream" && options.redisOutputQueue == "cluster-serving_serving_stream:")
        #expect(options.parallelism == 1000 && options.timeWindow == 0 && options.countWindow == 56)
        #expect(!options.tokenBucketEnabled && options.tokensPerSecond == 100 && options.tokenAcquireTimeout == 100)
        #expect(options.securePort == 10023 && !options.httpsEnabled)
    }

    @Test func bothFlagFormsAreRead() throws {
        let options = try FrontendOptions.parse(arguments: ["--port", "8080", "--redisHost=example", "--parallelism=5",
                                                            "--tokenBucketEnabled", "true"])
        #expect(options.port == 8080 && options.redisHost == "example" && options.parallelism == 5 && options.tokenBucketEnabled)
    }

    @Test func badValuesAndUnknownOptionsAreNamed() {
        do {
            _ = try FrontendOptions.parse(arguments: ["--port", "99999"])
            Issue.record("accepted")
        } catch {
            #expect(error.description.contains("port: 99999"))
        }
        #expect(throws: FrontendOptions.Invalid.self) { try FrontendOptions.parse(arguments: ["--prot", "1"]) }
        #expect(throws: FrontendOptions.Invalid.self) { try FrontendOptions.parse(arguments: ["--httpsEnabled", "true"]) }
    }
}

@Suite struct InstanceEncodingTests {
    @Test func tensorsGoAsTheStockClientsArrow() throws {
        let entry = try InstanceEncoding.entry(uri: "u", inputs: [("x", .array([.number(1), .number(2)]))], stream: "s")
        #expect(entry.fields.map(\.0) == ["uri", "data"])
        let decoded = try ArrowInputDecoder.decode(base64: entry.fields[1].1)
        guard case .tensor(let values, let shape) = decoded.values[0] else { Issue.record("not a tensor"); return }
        #expect(values == [1, 2] && shape == [2])
    }

    @Test func tensorsMixedWithStringsGoAsDirectJSON() throws {
        let entry = try InstanceEncoding.entry(uri: "u", inputs: [("x", .number(3)), ("img", .string("aGk="))], stream: "s")
        #expect(entry.fields.map(\.0) == ["uri", "data", "serde"])
        let decoded = try JSONInputDecoder.decode(entry.fields[1].1)
        #expect(decoded.names == ["x", "img"])
    }

    @Test func sparseObjectsBecomeTheClientsIndexRows() throws {
        let sparse = JSONValue.object([("shape", .array([.number(2), .number(3)])), ("data", .array([.number(5), .number(6)])),
                                       ("indices", .array([.array([.number(0), .number(1)]), .array([.number(1), .number(2)])]))])
        let entry = try InstanceEncoding.entry(uri: "u", inputs: [("s", sparse)], stream: "s")
        let decoded = try ArrowInputDecoder.decode(base64: entry.fields[1].1)
        guard case .sparse(let indices, let values, let shape) = decoded.values[0] else { Issue.record("not sparse"); return }
        #expect(indices == [[0, 1], [1, 2]] && values == [5, 6] && shape == [2, 3])
    }

    @Test func resultValuesReadArrowTextAndNaN() {
        #expect(ResultValue(["value": Array("NaN".utf8), "error": Array("bad".utf8)]).originalText == "NaN")
        #expect(ResultValue(["value": Array("[[1,0.9]]".utf8)]).originalText == "[[1,0.9]]")
    }
}

@Suite struct KServeBatchTests {
    private let model = ModelInfo(name: "m", state: "serving", modelPath: "", format: "ONNX",
                                  inputs: [.init(name: "x", datatype: "FP32", shape: [-1, 2])],
                                  outputs: [.init(name: "y", datatype: "FP32", shape: [-1, 1])])

    @Test func aBatchedTensorIsCutIntoRows() throws {
        let input = JSONValue.object([("name", .string("x")), ("shape", .array([.number(3), .number(2)])),
                                      ("datatype", .string("FP32")), ("data", .numbers([1, 2, 3, 4, 5, 6]))])
        let batch = try KServeBatch(inputs: [input], model: model)
        #expect(batch.batched && batch.rows.count == 3)
        #expect(batch.rows[2][0].1 == .numbers([5, 6]))
        let outputs = try batch.outputs([.tensors([([1], [1])]), .tensors([([2], [1])]), .tensors([([3], [1])])], names: ["y"])
        #expect(outputs[0]["shape"] == .array([.number(3), .number(1)]) && outputs[0]["data"] == .numbers([1, 2, 3]))
    }

    @Test func aFailedRowFailsTheRequestWithItsReason() throws {
        let input = JSONValue.object([("name", .string("x")), ("shape", .array([.number(1), .number(2)])),
                                      ("datatype", .string("FP32")), ("data", .numbers([1, 2]))])
        let batch = try KServeBatch(inputs: [input], model: model)
        #expect(throws: RequestError.self) { try batch.outputs([.failed("wrong shape")], names: ["y"]) }
    }
}
