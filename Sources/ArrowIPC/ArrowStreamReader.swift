/// Reads an Arrow IPC stream held in memory.
///
/// Each message is framed as: the 0xFFFFFFFF continuation marker, an int32
/// metadata length (the flatbuffer plus padding to 8 bytes), the flatbuffer
/// `Message`, then `bodyLength` body bytes. Streams written before Arrow 0.15
/// ("legacy" framing) omit the marker. A metadata length of 0 is the
/// end-of-stream marker; running out of data right after a complete message
/// also ends the stream (some writers never write the marker).
public enum ArrowStreamReader {
    public static func read(_ bytes: [UInt8]) throws(ArrowError) -> ArrowStream {
        var position = 0
        var schema: ArrowSchema?
        var batches: [ArrowRecordBatch] = []

        while position < bytes.count {
            let messageStart = position
            guard let metadataLength = try readLengthPrefix(bytes, &position) else { break }
            guard metadataLength <= bytes.count - position else {
                throw .metadataPastEnd(at: position, length: metadataLength, available: bytes.count - position)
            }
            let message = try MetadataDecoder.decodeMessage(Array(bytes[position..<position + metadataLength]))
            position += metadataLength

            guard message.bodyLength <= Int64(bytes.count - position) else {
                throw .bodyPastEnd(at: position, length: message.bodyLength, available: bytes.count - position)
            }
            let body = bytes[position..<position + Int(message.bodyLength)]
            position += body.count

            switch message.header {
            case let .schema(decoded):
                guard schema == nil else { throw .duplicateSchema(at: messageStart) }
                schema = decoded
            case let .recordBatch(layout):
                guard let schema else { throw .recordBatchBeforeSchema(at: messageStart) }
                batches.append(try BodyDecoder.decode(layout, body: body, schema: schema))
            }
        }
        guard let schema else { throw .missingSchema }
        return ArrowStream(schema: schema, batches: batches)
    }

    /// Consumes the optional continuation marker and the metadata length.
    /// Returns nil for the end-of-stream marker (length 0).
    private static func readLengthPrefix(_ bytes: [UInt8], _ position: inout Int) throws(ArrowError) -> Int? {
        var word = try loadUInt32(bytes, at: position, "message length prefix")
        position += 4
        if word == 0xFFFF_FFFF {
            word = try loadUInt32(bytes, at: position, "metadata length after the continuation marker")
            position += 4
        }
        let length = Int32(bitPattern: word)
        guard length >= 0 else { throw .badContinuation(at: position - 4, value: word) }
        return length == 0 ? nil : Int(length)
    }

    private static func loadUInt32(_ bytes: [UInt8], at position: Int, _ what: String) throws(ArrowError) -> UInt32 {
        guard let value = LittleEndian.load(UInt32.self, from: bytes[...], at: position) else {
            throw .truncated(at: position, needed: 4, available: bytes.count - position, what: what)
        }
        return value
    }
}
