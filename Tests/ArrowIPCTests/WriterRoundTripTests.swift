import ArrowIPC
import Testing

/// The generic writer: re-writing decoded streams, slices and builders.
struct WriterRoundTripTests {
    /// Only the unsliced first batch: for sliced batches pyarrow keeps the
    /// untruncated tail of each buffer, whereas we write exactly `length` slots.
    @Test func rewritingAnUnslicedPyArrowBatchReproducesItsBytes() throws {
        let original = try Fixtures.bytes("pyarrow_all_types")
        let stream = try ArrowStreamReader.read(original)
        let firstBatchEnd = MessageSpan.split(original)[1].body.upperBound
        let expected = Array(original[..<firstBatchEnd]) + [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]
        #expect(ArrowStreamWriter.write(schema: stream.schema, batches: [stream.batches[0]]) == expected)
    }

    @Test(arguments: ["pyarrow_all_types", "pyarrow_list_offsets_not_starting_at_zero", "pyarrow_legacy_framing"])
    func rewrittenStreamsDecodeIdenticallyInPyArrow(name: String) throws {
        let stream = try ArrowStreamReader.read(try Fixtures.bytes(name))
        let rewritten = ArrowStreamWriter.write(schema: stream.schema, batches: stream.batches)
        let checked = try PyArrowChecker.check(rewritten, mode: "stream")
        let expected = try Fixtures.expected(name)
        #expect(checked["schema"] == expected["schema"])
        #expect(checked["batches"] == expected["batches"])
    }

    @Test func slicesAreWrittenFromSlotZeroWithRebasedOffsets() throws {
        let lists = ArrowArray.list(.int32([9, 9, 1, 2, 3, 8], name: "item"), offsets: [2, 4, 5, 6],
                                    validity: [true, false, true], name: "l")
        let words = ArrowArray.utf8(["zero", nil, "two", "three"], name: "w")
        let batch = ArrowRecordBatch(columns: [try lists.slice(1..<3), try words.slice(2..<4)])
        let bytes = ArrowStreamWriter.write(schema: batch.schema, batches: [batch])

        let decoded = try #require(try ArrowStreamReader.read(bytes).batches.first)
        #expect(try jsonColumn(decoded.columns[0]) == [.null, .array([.integer(8)])])
        #expect(try decoded.columns[0].listRange(at: 1) == 1..<2)  // the null slot before it still spans one value (3)
        #expect(try decoded.columns[1].string(at: 0) == "two")

        let checked = try PyArrowChecker.check(bytes, mode: "stream")
        #expect(checked["batches"]?.array.first?["columns"] == .array([
            .array([.null, .array([.integer(8)])]),
            .array([.string("two"), .string("three")]),
        ]))
    }

    @Test func everyBuilderWritesWhatPyArrowReadsBack() throws {
        let columns: [ArrowArray] = [
            .float32([1.5, 0, -2], validity: [true, false, true], name: "f32"),
            .float64([0.1, 2, 3], name: "f64"),
            .int32([1, -2, 3], name: "i32"),
            .int64([Int64.max, 0, -1], validity: [true, true, false], name: "i64"),
            .bool([true, false, true], validity: [true, true, false], name: "b"),
            .nulls(3, name: "n"),
            .utf8(["a", nil, ""], name: "s"),
            .binary([[1, 2], [], nil], name: "bin"),
            .int32List([[1], nil, []], name: "il"),
            .float32List([[], [0.5, 1.5], nil], name: "fl"),
            .structArray([.int32([7, 8, 9], name: "x"), .utf8(["p", "q", nil], name: "y")],
                         validity: [true, false, true], name: "st"),
        ]
        let batch = ArrowRecordBatch(columns: columns)
        let bytes = ArrowStreamWriter.write(schema: batch.schema, batches: [batch, batch])
        let ours = try describe(try ArrowStreamReader.read(bytes))
        let checked = try PyArrowChecker.check(bytes, mode: "stream")
        #expect(checked["schema"] == ours["schema"])
        #expect(checked["batches"] == ours["batches"])
        #expect(checked["schema"]?.array.map { $0["type"]?.string ?? "" } == [
            "float", "double", "int32", "int64", "bool", "null", "string", "binary",
            "list<item: int32>", "list<item: float>", "struct<x: int32, y: string>",
        ])
    }

    @Test func writerOutputEndsWithTheEndOfStreamMarker() {
        var writer = ArrowStreamWriter(schema: ArrowResultEncoding.schema)
        writer.append(ArrowResultEncoding.batch(values: [1], shape: [1]))
        let bytes = writer.finish()
        #expect(bytes.suffix(8) == [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0])
        #expect(bytes.prefix(4) == [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(MessageSpan.split(bytes).allSatisfy { $0.metadata.count % 8 == 0 && $0.body.count % 8 == 0 })
    }
}
