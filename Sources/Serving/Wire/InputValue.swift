/// One named input of a record, as the client sent it (spec 3.2-3.3), before it meets the model.
enum InputValue: Sendable {
    /// A dense tensor: row-major values and dims.
    case tensor(values: [Float], shape: [Int])
    /// A sparse tensor: `indices[d][k]` is the coordinate along dimension d of the k-th value.
    case sparse(indices: [[Int]], values: [Float], shape: [Int])
    /// Encoded image bytes (JPEG or PNG), already base64-decoded.
    case image([UInt8])
    /// A string tensor (`a|b|c` on the wire).
    case strings([String])

    var kind: String {
        switch self {
        case .tensor: "tensor"
        case .sparse: "sparse tensor"
        case .image: "image"
        case .strings: "string tensor"
        }
    }
}

/// A record's inputs with their names (column names; the server matches them to the model by position).
struct RecordInputs: Sendable {
    var names: [String]
    var values: [InputValue]
}
