import ArrowIPC
import Testing

/// The client's request payload: our encoder against the stock client's bytes
/// and against pyarrow.
struct ClientInputEncodingTests {
    static let clientFixtures = Fixtures.names("client_")

    /// The inputs a fixture's client call was given, in call order.
    static func inputs(of name: String) throws -> [(name: String, value: ArrowClientInput)] {
        try Fixtures.expected(name)["inputs"]?.array.map { json in
            (name: json["name"]?.string ?? "", value: try #require(clientInput(from: json)))
        } ?? []
    }

    @Test(arguments: clientFixtures)
    func clientInputEncodingIsByteIdenticalToTheStockClient(name: String) throws {
        let encoded = try ArrowClientInputEncoding.encode(try Self.inputs(of: name))
        #expect(encoded == (try Fixtures.bytes(name)))
    }

    @Test(arguments: ["client_zoo_multi", "client_zoo_sparse", "client_zoo_image"])
    func ourClientPayloadsDecodeInPyArrowLikeTheStockClientsPayloads(name: String) throws {
        let encoded = try ArrowClientInputEncoding.encode(try Self.inputs(of: name))
        let checked = try PyArrowChecker.check(encoded, mode: "stream")
        let expected = try Fixtures.expected(name)
        #expect(checked["schema"] == expected["schema"])
        #expect(checked["batches"] == expected["batches"])
    }

    @Test func clientInputsRoundTripThroughEncodeAndDecode() throws {
        let inputs: [(name: String, value: ArrowClientInput)] = [
            (name: "x", value: .tensor(values: [1, 2, 3, 4, 5, 6], shape: [3, 2])),
            (name: "scalar", value: .tensor(values: [9], shape: [])),
            (name: "sparse", value: .sparseTensor(indices: [0, 1], indicesShape: [1, 2], values: [5], shape: [2, 2])),
        ]
        let decoded = try ArrowClientInputEncoding.decode(try ArrowClientInputEncoding.encode(inputs))
        #expect(decoded.map(\.name) == inputs.map(\.name))
        #expect(decoded.map(\.value) == inputs.map(\.value))
    }

    @Test func mixingTensorAndStringInputsIsRefusedLikeTheStockClient() {
        #expect(throws: ArrowError.self) {
            try ArrowClientInputEncoding.encode([(name: "t", value: .tensor(values: [1], shape: [1])),
                                                 (name: "s", value: .string("hello"))])
        }
    }

    @Test func nonTensorColumnsAreReportedAsUnexpectedPayload() throws {
        let bytes = ArrowResultEncoding.encode(outputs: [(values: [1], shape: [1])])
        #expect(throws: ArrowError.unexpectedPayload("input 'data' has type float; expected a tensor struct or a string")) {
            try ArrowClientInputEncoding.decode(bytes)
        }
    }
}
