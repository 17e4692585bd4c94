/// The result payload Cluster Serving writes for each request, and which the
/// stock Python client decodes with `OutputQueue.get_ndarray_from_b64`.
///
/// Schema `data: float, shape: int32` (both nullable, plain columns). One
/// record batch per model output, one row per tensor element: `data` is the
/// flattened tensor, `shape` holds the dims in its first rows and nulls in
/// the rest. With fewer elements than dims the shape column is cut to the
/// element count — a quirk of the original server, kept for compatibility.
public enum ArrowResultEncoding {
    public static let schema = ArrowSchema([ArrowField("data", .float32), ArrowField("shape", .int32)])

    public static func encode(outputs: [(values: [Float], shape: [Int])]) -> [UInt8] {
        ArrowStreamWriter.write(schema: schema, batches: outputs.map { batch(values: $0.values, shape: $0.shape) })
    }

    /// One output as a record batch (see the type comment for the layout).
    public static func batch(values: [Float], shape: [Int]) -> ArrowRecordBatch {
        let rows = values.indices
        let dims = rows.map { $0 < shape.count ? Int32(clamping: shape[$0]) : 0 }
        let present = rows.map { $0 < shape.count }
        return ArrowRecordBatch(columns: [.float32(values, name: "data"),
                                          .int32(dims, validity: present, name: "shape")])
    }

    /// Reads a result payload the way the Python client does: column 0 is the
    /// data, column 1 the shape, and the shape is the non-null, non-zero
    /// entries of column 1. One element per record batch (model output).
    public static func decode(_ bytes: [UInt8]) throws(ArrowError) -> [(values: [Float], shape: [Int])] {
        let stream = try ArrowStreamReader.read(bytes)
        guard stream.schema.fields.count >= 2 else {
            throw .unexpectedPayload("a result needs data and shape columns, found \(stream.schema.fields.count) column(s)")
        }
        var outputs: [(values: [Float], shape: [Int])] = []
        for batch in stream.batches {
            let shapeColumn = batch.columns[1]
            let dims = try shapeColumn.int64s()
            let shape = dims.indices.filter { shapeColumn.isValid($0) && dims[$0] != 0 }.map { Int(dims[$0]) }
            outputs.append((try batch.columns[0].floats(), shape))
        }
        return outputs
    }
}
