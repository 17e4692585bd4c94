/// Writes an Arrow IPC stream: the schema message, one message per record
/// batch, then the end-of-stream marker (0xFFFFFFFF 00000000).
///
/// Every message uses the continuation-marker framing with metadata padded
/// to 8 bytes, and bodies are 8-byte aligned, as current pyarrow writes; the
/// bytes match pyarrow's for the same schema and data.
public struct ArrowStreamWriter: Sendable {
    public let schema: ArrowSchema
    private var output: [UInt8] = []

    public init(schema: ArrowSchema) {
        self.schema = schema
        appendMessage(MetadataEncoder.schemaMessage(schema), body: [])
    }

    /// Appends one record batch. Its column types must be the schema's field
    /// types, in order (names and nullability come from the schema); a
    /// mismatch is a programmer error and traps.
    public mutating func append(_ batch: ArrowRecordBatch) {
        precondition(batch.columns.map(\.type) == schema.fields.map(\.type),
                     "record batch columns do not match the writer's schema")
        var encoder = BodyEncoder()
        for column in batch.columns { encoder.append(column) }
        let metadata = MetadataEncoder.recordBatchMessage(length: batch.length, nodes: encoder.nodes,
                                                          buffers: encoder.buffers, bodyLength: encoder.body.count)
        appendMessage(metadata, body: encoder.body)
    }

    /// The complete stream so far, terminated by the end-of-stream marker.
    /// The writer stays usable; later calls include later batches.
    public func finish() -> [UInt8] {
        output + [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]
    }

    /// One-shot form: schema plus batches to stream bytes.
    public static func write(schema: ArrowSchema, batches: [ArrowRecordBatch]) -> [UInt8] {
        var writer = ArrowStreamWriter(schema: schema)
        for batch in batches { writer.append(batch) }
        return writer.finish()
    }

    private mutating func appendMessage(_ metadata: [UInt8], body: [UInt8]) {
        let paddedLength = (metadata.count + 7) / 8 * 8
        LittleEndian.append(UInt32(0xFFFF_FFFF), to: &output)
        LittleEndian.append(Int32(paddedLength), to: &output)
        output += metadata
        output += repeatElement(0, count: paddedLength - metadata.count)
        output += body
    }
}
