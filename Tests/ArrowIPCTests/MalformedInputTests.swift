import ArrowIPC
import Testing

/// Corrupt input must always end in a thrown `ArrowError`, never a trap, an
/// out-of-bounds read or a huge allocation.
struct MalformedInputTests {
    static let payloads = ["result_two_outputs", "client_zoo_sparse", "client_bigdl_image", "client_zoo_multi",
                           "pyarrow_all_types", "pyarrow_legacy_framing", "pyarrow_list_offsets_not_starting_at_zero"]

    /// Reads `bytes` and, if that succeeds, touches every accessor so that
    /// any inconsistency that slipped past validation would surface here.
    static func readAndExercise(_ bytes: [UInt8]) -> Result<Void, ArrowError> {
        Result { () throws(ArrowError) in
            for batch in try ArrowStreamReader.read(bytes).batches {
                for column in batch.columns { try exercise(column, depth: 0) }
            }
        }
    }

    static func exercise(_ array: ArrowArray, depth: Int) throws(ArrowError) {
        let slots = 0..<min(array.length, 64)
        for slot in slots { _ = array.isValid(slot) }
        switch array.type {
        case .null: break
        case let type where type.isInteger: _ = try array.int64s(); _ = try array.floats()
        case .bool, .float16, .float32, .float64: _ = try array.floats()
        case .utf8, .largeUtf8: for slot in slots { _ = try array.string(at: slot) }
        case .binary, .largeBinary: for slot in slots { _ = try array.bytes(at: slot) }
        case .list, .largeList, .fixedSizeList:
            for slot in slots { _ = try array.listRange(at: slot) }
            try exercise(try array.flattenedValues(), depth: depth + 1)
        case let .structure(fields):
            for field in fields { if let child = array.child(named: field.name) { try exercise(child, depth: depth + 1) } }
        default: break
        }
    }

    @Test(arguments: payloads)
    func everyTruncationThrowsOrDecodesAWholeMessagePrefix(name: String) throws {
        let bytes = try Fixtures.bytes(name)
        let boundaries = Set(MessageSpan.split(bytes).map(\.body.upperBound))
        let step = max(1, bytes.count / 1500)
        for length in stride(from: 0, to: bytes.count, by: step) {
            let result = Self.readAndExercise(Array(bytes.prefix(length)))
            if case .success = result {
                // Only a cut exactly after a complete message (or inside the end marker) may succeed.
                #expect(boundaries.contains(length) || length > bytes.count - 8, "prefix \(length) of \(name)")
            }
        }
        #expect(throws: Never.self) { try Self.readAndExercise(bytes).get() }
    }

    @Test func randomMutationsThrowOrDecodeButNeverTrap() throws {
        let outcomes = try Self.mutate(rounds: 1200, seed: 0xA770_1BC)
        #expect(outcomes.decoded + outcomes.refused == 1200)
        #expect(outcomes.refused > 300)
        #expect(outcomes.decoded > 100)
    }

    /// Mutates 1–4 bytes per round, half of the time inside message metadata
    /// (where most of the structure is), and reads the result.
    static func mutate(rounds: Int, seed: UInt64) throws -> (decoded: Int, refused: Int) {
        var random = SplitMix64(state: seed)
        var outcomes = (decoded: 0, refused: 0)
        let originals = try payloads.map { try Fixtures.bytes($0) }
        for round in 0..<rounds {
            var bytes = originals[round % originals.count]
            let metadata = MessageSpan.split(bytes).map(\.metadata)
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let index = Bool.random(using: &random) && !metadata.isEmpty
                    ? Int.random(in: metadata.randomElement(using: &random)!, using: &random)
                    : Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &random)
                case 1: bytes[index] ^= 1 << UInt8.random(in: 0..<8, using: &random)
                case 2: bytes[index] = 0xFF
                default: bytes[index] = 0
                }
            }
            switch readAndExercise(bytes) {
            case .success: outcomes.decoded += 1
            case let .failure(error): outcomes.refused += 1; #expect(!error.description.isEmpty)
            }
        }
        return outcomes
    }

    // MARK: Specific corruptions, each naming what is wrong

    static func result() throws -> [UInt8] { try Fixtures.bytes("result_single_output") }

    @Test func emptyInputHasNoSchema() {
        #expect(throws: ArrowError.missingSchema) { try ArrowStreamReader.read([]) }
    }

    @Test func truncatedLengthPrefixReportsTheByteOffset() {
        let error = ArrowError.truncated(at: 0, needed: 4, available: 2, what: "message length prefix")
        #expect(throws: error) { try ArrowStreamReader.read([0xFF, 0xFF]) }
        #expect(error.description.hasPrefix("truncated at byte 0"))
    }

    @Test func negativeLengthThatIsNotTheMarkerIsABadContinuation() {
        #expect(throws: ArrowError.badContinuation(at: 0, value: 0xFFFF_FFFE)) {
            try ArrowStreamReader.read([0xFE, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0])
        }
        #expect(throws: ArrowError.badContinuation(at: 4, value: 0x8000_0000)) {
            try ArrowStreamReader.read([0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0x80])
        }
    }

    @Test func metadataLengthPastTheEndIsRefused() {
        #expect(throws: ArrowError.metadataPastEnd(at: 8, length: 4096, available: 4)) {
            try ArrowStreamReader.read([0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x10, 0, 0, 1, 2, 3, 4])
        }
    }

    @Test func bodyRunningPastTheEndIsRefused() throws {
        let bytes = try Self.result()
        let batch = MessageSpan.split(bytes)[1]
        #expect(throws: ArrowError.bodyPastEnd(at: batch.body.lowerBound, length: 24, available: 10)) {
            try ArrowStreamReader.read(Array(bytes.prefix(batch.body.lowerBound + 10)))
        }
    }

    @Test func unknownMessageHeaderTypeIsNamed() throws {
        var bytes = try Self.result()
        let schema = MessageSpan.split(bytes)[0]
        let headerType = try #require(MessageSpan.messageField(bytes, schema.metadata, id: 1))
        #expect(bytes[headerType] == 1)
        bytes[headerType] = 9
        #expect(throws: ArrowError.unknownMessageHeader(9)) { try ArrowStreamReader.read(bytes) }
        bytes[headerType] = 2
        #expect(throws: ArrowError.dictionaryUnsupported(field: nil)) { try ArrowStreamReader.read(bytes) }
    }

    @Test func oldMetadataVersionsAreRefused() throws {
        var bytes = try Self.result()
        let version = try #require(MessageSpan.messageField(bytes, MessageSpan.split(bytes)[0].metadata, id: 0))
        bytes[version] = 1
        #expect(throws: ArrowError.unsupportedMetadataVersion(1)) { try ArrowStreamReader.read(bytes) }
    }

    @Test func recordBatchBeforeTheSchemaIsRefused() throws {
        let bytes = try Self.result()
        let withoutSchema = Array(bytes[MessageSpan.split(bytes)[1].start...])
        #expect(throws: ArrowError.recordBatchBeforeSchema(at: 0)) { try ArrowStreamReader.read(withoutSchema) }
    }

    @Test func secondSchemaMessageIsRefused() throws {
        let bytes = try Self.result()
        let schema = MessageSpan.split(bytes)[0]
        let doubled = Array(bytes[schema.start..<schema.body.upperBound]) + bytes
        #expect(throws: ArrowError.duplicateSchema(at: schema.body.upperBound)) { try ArrowStreamReader.read(doubled) }
    }

    @Test func batchWithFewerNodesThanTheSchemaNeedsIsRefused() throws {
        let threeColumns = ArrowSchema(ArrowResultEncoding.schema.fields + [ArrowField("extra", .int32)])
        let schemaOnly = Array(ArrowStreamWriter(schema: threeColumns).finish().dropLast(8))
        let bytes = try Self.result()
        let spliced = schemaOnly + bytes[MessageSpan.split(bytes)[1].start...]
        #expect(throws: ArrowError.nodeCountMismatch(expected: 3, actual: 2)) { try ArrowStreamReader.read(spliced) }
    }

    @Test func batchWithFewerBuffersThanTheSchemaNeedsIsRefused() throws {
        let strings = ArrowSchema([ArrowField("data", .utf8), ArrowField("shape", .int32)])
        let schemaOnly = Array(ArrowStreamWriter(schema: strings).finish().dropLast(8))
        let bytes = try Self.result()
        let spliced = schemaOnly + bytes[MessageSpan.split(bytes)[1].start...]
        #expect(throws: ArrowError.bufferCountMismatch(expected: 5, actual: 4)) { try ArrowStreamReader.read(spliced) }
    }

    @Test func bufferOutsideTheBodyIsRefused() throws {
        var bytes = try Self.result()
        // Buffers are (0,0) (0,8) (8,1) (16,8): move the last one far away.
        let lastBuffer = try #require(bytes.uniqueRange(of: int64Pair(16, 8)))
        bytes.replaceSubrange(lastBuffer, with: int64Pair(1000, 8))
        #expect(throws: ArrowError.bufferOutOfBounds(index: 3, offset: 1000, length: 8, bodyLength: 24)) {
            try ArrowStreamReader.read(bytes)
        }
    }

    @Test func valuesBufferShorterThanTheColumnIsRefused() throws {
        var bytes = try Self.result()
        let dataBuffer = try #require(bytes.uniqueRange(of: int64Pair(0, 8)))
        bytes.replaceSubrange(dataBuffer, with: int64Pair(0, 4))
        #expect(throws: ArrowError.invalidArray(field: "data", reason: "values buffer has 4 bytes, needs 8")) {
            try ArrowStreamReader.read(bytes)
        }
    }

    @Test func nullCountAboveTheLengthIsRefused() throws {
        var bytes = try Self.result()
        let shapeNode = try #require(bytes.uniqueRange(of: int64Pair(2, 1)))
        bytes.replaceSubrange(shapeNode, with: int64Pair(2, 3))
        #expect(throws: ArrowError.invalidArray(field: "shape", reason: "field node has length 2 and null count 3")) {
            try ArrowStreamReader.read(bytes)
        }
    }

    @Test func columnLengthDifferentFromTheBatchLengthIsRefused() throws {
        var bytes = try Self.result()
        let dataNode = try #require(bytes.uniqueRange(of: int64Pair(2, 0)))
        bytes.replaceSubrange(dataNode, with: int64Pair(1, 0))
        #expect(throws: ArrowError.columnLengthMismatch(field: "data", expected: 2, actual: 1)) {
            try ArrowStreamReader.read(bytes)
        }
    }

    @Test func listOffsetsPastTheChildAreRefused() throws {
        var bytes = try Fixtures.bytes("pyarrow_list_offsets_not_starting_at_zero")
        let offsets = try #require(bytes.uniqueRange(of: [2, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0]))
        bytes[offsets.upperBound - 4] = 7
        #expect(throws: ArrowError.invalidArray(field: "l", reason: "offset[3] = 7 is outside 5...6 (6 child slots)")) {
            try ArrowStreamReader.read(bytes)
        }
    }

    @Test func rootOffsetOutsideTheMetadataIsABadFlatbufferOffset() throws {
        var bytes = try Self.result()
        bytes.replaceSubrange(8..<12, with: [0xF0, 0xFF, 0xFF, 0x7F])
        #expect {
            try ArrowStreamReader.read(bytes)
        } throws: { error in
            guard let error = error as? ArrowError, case let .badFlatbuffer(detail) = error else { return false }
            return error.description.hasPrefix("bad flatbuffer: offset points outside the metadata")
                && detail.contains("Message table at byte 2147483632")
        }
    }

    @Test func hugeVectorLengthIsRejectedBeforeAllocating() throws {
        var bytes = try Self.result()
        // The nodes vector's uint32 count (2) sits right before its first node (2, 0).
        let firstNode = try #require(bytes.uniqueRange(of: int64Pair(2, 0)))
        bytes.replaceSubrange(firstNode.lowerBound - 4..<firstNode.lowerBound, with: [0xFF, 0xFF, 0xFF, 0x7F])
        #expect {
            try ArrowStreamReader.read(bytes)
        } throws: { error in
            guard case let .badFlatbuffer(detail) = error as? ArrowError else { return false }
            return detail.contains("RecordBatch.nodes claims 2147483647 elements")
        }
    }

    @Test func absurdlyDeepNestingIsRefused() {
        var field = ArrowField("leaf", .int32)
        for level in 0..<70 { field = ArrowField("level\(level)", .list(field)) }
        let bytes = ArrowStreamWriter(schema: ArrowSchema([field])).finish()
        #expect {
            try ArrowStreamReader.read(bytes)
        } throws: { error in
            guard case .nestingTooDeep(_, 64) = error as? ArrowError else { return false }
            return true
        }
    }
}
