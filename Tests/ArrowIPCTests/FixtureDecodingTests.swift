import ArrowIPC
import Testing

/// Decoding payloads written by the stock Python clients and by pyarrow
/// (see Fixtures/make_arrow_fixtures.py) and comparing with their JSON.
struct FixtureDecodingTests {
    static let decodableFixtures = Fixtures.names("client_") + Fixtures.names("pyarrow_") + Fixtures.names("result_")
    static let clientFixtures = Fixtures.names("client_")

    @Test func fixturesArePresent() {
        #expect(Self.clientFixtures.count == 18)
        #expect(Self.decodableFixtures.count == 24)
    }

    @Test(arguments: decodableFixtures)
    func everyFixtureDecodesToTheColumnsPyArrowSees(name: String) throws {
        let stream = try ArrowStreamReader.read(try Fixtures.bytes(name))
        let expected = try Fixtures.expected(name)
        let actual = try describe(stream)
        #expect(actual["schema"] == expected["schema"])
        #expect(actual["batches"] == expected["batches"])
    }

    @Test func stockClientDenseTensorDecodesToValuesAndShape() throws {
        let inputs = try ArrowClientInputEncoding.decode(try Fixtures.bytes("client_zoo_tensor_1d"))
        #expect(inputs.count == 1)
        #expect(inputs.first?.name == "my-tensor")
        #expect(inputs.first?.value == .tensor(values: [1, 2, 3], shape: [3]))
    }

    @Test(arguments: clientFixtures)
    func stockClientPayloadsDecodeToTheInputsTheClientWasGiven(name: String) throws {
        let decoded = try ArrowClientInputEncoding.decode(try Fixtures.bytes(name))
        let expected = try Fixtures.expected(name)["inputs"]?.array ?? []
        #expect(decoded.map(\.name) == expected.compactMap { $0["name"]?.string })
        for (input, want) in zip(decoded, expected) {
            #expect(input.value == clientInput(from: want), "input \(input.name)")
        }
    }

    @Test func stockClientSparseTensorKeepsIndicesTheirShapeValuesAndDenseShape() throws {
        let inputs = try ArrowClientInputEncoding.decode(try Fixtures.bytes("client_bigdl_sparse"))
        #expect(inputs.first?.value == .sparseTensor(indices: [0, 1, 2, 1, 2, 0], indicesShape: [2, 3],
                                                     values: [1.5, 2, 3.25], shape: [3, 3]))
    }

    @Test func stockClientStringListArrivesAsOnePipeJoinedString() throws {
        let inputs = try ArrowClientInputEncoding.decode(try Fixtures.bytes("client_zoo_strings"))
        #expect(inputs.first?.value == .string("a|bb|ccc"))
    }

    @Test func stockClientTensorStructHasOneMemberPerRow() throws {
        let stream = try ArrowStreamReader.read(try Fixtures.bytes("client_zoo_tensor_2d"))
        let column = try #require(stream.batches.first?.columns.first)
        #expect(column.type == ArrowClientInputEncoding.tensorType)
        let data = try #require(column.child(named: "data"))
        #expect((0..<4).map { data.isValid($0) } == [false, false, true, false])
        #expect(try data.listRange(at: 2) == 0..<6)
        #expect(try data.flattenedValues().floats() == [0, 0.5, 1, 1.5, 2, 2.5])
        #expect(try column.child(named: "shape")?.flattenedValues().int64s() == [2, 3])
    }

    @Test func legacyFramingWithoutContinuationMarkersDecodes() throws {
        let bytes = try Fixtures.bytes("pyarrow_legacy_framing")
        #expect(bytes.prefix(4) != [0xFF, 0xFF, 0xFF, 0xFF])
        let stream = try ArrowStreamReader.read(bytes)
        #expect(stream.batches.map(\.length) == [3])
    }

    @Test func streamWithoutEndMarkerEndsAfterTheLastCompleteMessage() throws {
        let bytes = try Fixtures.bytes("result_two_outputs")
        #expect(bytes.suffix(8) == [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0])
        let stream = try ArrowStreamReader.read(Array(bytes.dropLast(8)))
        #expect(stream.batches.count == 2)
    }

    @Test func listOffsetsThatDoNotStartAtZeroAreRespected() throws {
        let stream = try ArrowStreamReader.read(try Fixtures.bytes("pyarrow_list_offsets_not_starting_at_zero"))
        let lists = try #require(stream.batches.first?.columns.first)
        #expect(lists.values?.length == 6)
        #expect(try lists.listRange(at: 0) == 2..<4)
        #expect(try lists.flattenedValues().int64s() == [1, 2, 3, 8])
        let tail = try lists.slice(1..<3)
        #expect(try tail.flattenedValues().int64s() == [3, 8])
        #expect(try tail.listRange(at: 0) == 4..<5)
    }

    @Test func typedAccessorsReadEveryNumericKindAsFloats() throws {
        let batch = try #require(try ArrowStreamReader.read(try Fixtures.bytes("pyarrow_all_types")).batches.first)
        #expect(try batch.column(named: "half")?.floats().prefix(4) == [0.5, -2, 65504, 0.099975586])
        #expect(try batch.column(named: "bool")?.floats() == [1, 0, 0, 1, 0])
        #expect(try batch.column(named: "uint8")?.floats() == [0, 255, 1, 0, 2])
        #expect(try batch.column(named: "int64")?.int64s().prefix(2) == [Int64.min, Int64.max])
        #expect(try batch.column(named: "utf8")?.string(at: 1) == "héllo")
        #expect(try batch.column(named: "utf8")?.string(at: 2) == nil)
        #expect(try batch.column(named: "binary")?.bytes(at: 0) == [0x00, 0xFF])
        let structs = try #require(batch.column(named: "struct"))
        #expect(structs.nullCount == 1)
        #expect(try structs.child(named: "x")?.int64s() == [1, 0, 0, 4, 5])
        #expect(structs.child(named: "nope") == nil)
    }

    @Test func accessorsOnTheWrongTypeThrowTypeMismatch() throws {
        let batch = try #require(try ArrowStreamReader.read(try Fixtures.bytes("pyarrow_all_types")).batches.first)
        let text = try #require(batch.column(named: "utf8"))
        #expect(throws: ArrowError.typeMismatch(field: "utf8", expected: "a numeric type", actual: "string")) {
            try text.floats()
        }
        #expect(throws: ArrowError.typeMismatch(field: "float", expected: "an integer type", actual: "float")) {
            try batch.column(named: "float")?.int64s()
        }
        #expect(throws: ArrowError.indexOutOfRange(field: "utf8", index: 5, length: 5)) {
            try text.string(at: 5)
        }
        #expect(!text.isValid(-1))
    }

    @Test func dictionaryEncodedFieldsAreRefused() throws {
        #expect(throws: ArrowError.dictionaryUnsupported(field: "d")) {
            try ArrowStreamReader.read(try Fixtures.bytes("refused_dictionary"))
        }
    }

    @Test func unsupportedTypesNameTheFieldAndTheArrowType() throws {
        let expected = try Fixtures.expected("refused_decimal")
        let error = ArrowError.unsupportedType(field: try #require(expected["field"]?.string),
                                               type: try #require(expected["type"]?.string))
        #expect(throws: error) { try ArrowStreamReader.read(try Fixtures.bytes("refused_decimal")) }
        #expect(error.description == "field 'price' has unsupported type Decimal")
    }
}

/// The `inputs` entry of a client fixture as an `ArrowClientInput`.
func clientInput(from json: JSONValue) -> ArrowClientInput? {
    switch json["kind"]?.string {
    case "tensor":
        return .tensor(values: json["values"]?.floats ?? [], shape: json["shape"]?.ints ?? [])
    case "sparse":
        return .sparseTensor(indices: json["indices"]?.ints ?? [], indicesShape: json["indicesShape"]?.ints ?? [],
                             values: json["values"]?.floats ?? [], shape: json["shape"]?.ints ?? [])
    case "string":
        return json["string"]?.string.map { .string($0) }
    default:
        return nil
    }
}
