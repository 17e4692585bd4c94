/// A set of equal-length columns: one IPC RecordBatch message.
public struct ArrowRecordBatch: Sendable {
    /// Number of rows.
    public let length: Int
    public let columns: [ArrowArray]

    /// Columns must all have the same length (a programmer error otherwise).
    /// With no columns the batch has 0 rows.
    public init(columns: [ArrowArray]) {
        let length = columns.first?.length ?? 0
        precondition(columns.allSatisfy { $0.length == length }, "record batch columns differ in length")
        self.init(length: length, columns: columns)
    }

    /// Used by the decoder, which has already checked the lengths.
    init(length: Int, columns: [ArrowArray]) {
        self.length = length
        self.columns = columns
    }

    /// The schema these columns describe (their fields, in order).
    public var schema: ArrowSchema { ArrowSchema(columns.map(\.field)) }

    public func column(named name: String) -> ArrowArray? { columns.first { $0.name == name } }
}

/// A decoded IPC stream: its schema and every record batch, in order.
public struct ArrowStream: Sendable {
    public let schema: ArrowSchema
    public let batches: [ArrowRecordBatch]

    public init(schema: ArrowSchema, batches: [ArrowRecordBatch]) {
        self.schema = schema
        self.batches = batches
    }
}
