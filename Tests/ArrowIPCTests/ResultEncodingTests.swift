import ArrowIPC
import Foundation
import Testing

/// The server's result payload: our bytes versus pyarrow's, and what
/// pyarrow and the stock clients make of ours.
struct ResultEncodingTests {
    /// pyarrow's stream for output [0.25, 0.75] with shape [2] (from the spec).
    static let specExample = """
        /////7AAAAAQAAAAAAAKAAwABgAFAAgACgAAAAABBAAMAAAACAAIAAAABAAIAAAABAAAAAIAAABQAAAABAAAAMj///8AAAECEAAAACAAAAAE\
        AAAAAAAAAAUAAABzaGFwZQAAAAgADAAIAAcACAAAAAAAAAEgAAAAEAAUAAgABgAHAAwAAAAQABAAAAAAAAEDEAAAABwAAAAEAAAAAAAAAAQA\
        AABkYXRhAAAGAAgABgAGAAAAAAABAP////+4AAAAFAAAAAAAAAAMABYABgAFAAgADAAMAAAAAAMEABgAAAAYAAAAAAAAAAAACgAYAAwABAAI\
        AAoAAABcAAAAEAAAAAIAAAAAAAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAIAAAAAAAAAAgAAAAAAAAAAQAAAAAAAAAQAAAA\
        AAAAAAgAAAAAAAAAAAAAAAIAAAACAAAAAAAAAAAAAAAAAAAAAgAAAAAAAAABAAAAAAAAAAAAgD4AAEA/AQAAAAAAAAACAAAAAAAAAP////8A\
        AAAA
        """

    static let resultFixtures = Fixtures.names("result_")

    @Test func resultEncodingIsByteIdenticalToPyArrowForTheSpecExample() throws {
        let expected = [UInt8](try #require(Data(base64Encoded: Self.specExample)))
        #expect(ArrowResultEncoding.encode(outputs: [(values: [0.25, 0.75], shape: [2])]) == expected)
    }

    @Test(arguments: resultFixtures)
    func resultEncodingIsByteIdenticalToPyArrowFixtures(name: String) throws {
        let outputs = try Fixtures.expected(name)["outputs"]?.array ?? []
        let encoded = ArrowResultEncoding.encode(outputs: outputs.map {
            (values: $0["values"]?.floats ?? [], shape: $0["shape"]?.ints ?? [])
        })
        #expect(encoded == (try Fixtures.bytes(name)))
    }

    @Test(arguments: resultFixtures)
    func resultDecodingFollowsThePythonClientShapeRule(name: String) throws {
        let decoded = try ArrowResultEncoding.decode(try Fixtures.bytes(name))
        let expected = try Fixtures.expected(name)["outputs"]?.array ?? []
        #expect(decoded.map(\.values) == expected.map { $0["values"]?.floats ?? [] })
        #expect(decoded.map(\.shape) == expected.map { $0["shape"]?.ints ?? [] })
    }

    @Test func shapeColumnIsCutToTheElementCountLikeTheOriginalServer() throws {
        let bytes = ArrowResultEncoding.encode(outputs: [(values: [42], shape: [1, 1, 1, 1])])
        #expect(bytes == (try Fixtures.bytes("result_fewer_elements_than_dims")))
        let shape = try #require(try ArrowStreamReader.read(bytes).batches.first?.column(named: "shape"))
        #expect(shape.length == 1)
        #expect(try shape.int64s() == [1])
    }

    @Test func shapeColumnHasDimsFirstThenNulls() throws {
        let batch = ArrowResultEncoding.batch(values: [1, 2, 3, 4, 5, 6], shape: [2, 3])
        let shape = try #require(batch.column(named: "shape"))
        #expect(shape.nullCount == 4)
        #expect((0..<6).map { shape.isValid($0) } == [true, true, false, false, false, false])
        #expect(try shape.int64s().prefix(2) == [2, 3])
    }

    @Test func ourResultPayloadsDecodeIdenticallyInPyArrowAndTheStockClients() throws {
        let outputs: [(values: [Float], shape: [Int])] = [
            (values: (0..<24).map { Float($0) / 8 }, shape: [2, 3, 4]),
            (values: [-1.5, 3.25e10], shape: [1, 2]),
            (values: [7], shape: [1, 1, 1]),
        ]
        let checked = try PyArrowChecker.check(ArrowResultEncoding.encode(outputs: outputs), mode: "result")
        for client in ["zoo", "bigdl"] {
            let decoded = checked[client]?.array ?? []
            #expect(decoded.map { $0["values"]?.floats ?? [] } == outputs.map(\.values), "\(client) values")
            #expect(decoded.map { $0["shape"]?.ints ?? [] } == [[2, 3, 4], [1, 2], [1]], "\(client) shapes")
        }
        let firstBatch = checked["batches"]?.array.first
        #expect(firstBatch?["columns"]?.array.last?.array.prefix(4) == [.integer(2), .integer(3), .integer(4), .null])
    }
}
