/// One named input of a serving request, as the stock Python client sends it.
public enum ArrowClientInput: Sendable, Equatable {
    /// A dense ndarray, cast to float32 and flattened, with its dims.
    case tensor(values: [Float], shape: [Int])
    /// The client's `[indices, values, shape]` list: indices (flattened) and
    /// their own shape, the non-zero values, and the dense shape.
    case sparseTensor(indices: [Int], indicesShape: [Int], values: [Float], shape: [Int])
    /// A string: an image as base64, or a list of strings joined with "|".
    case string(String)
}

/// The request payload of `InputQueue.data_to_b64` (zoo / bigdl serving
/// clients): one record batch, one column per named input.
///
/// A tensor is a 4-row column of type
/// `struct<indiceData: list<int32>, indiceShape: list<int32>, data: list<float>, shape: list<int32>>`
/// where row 0 sets indiceData, row 1 indiceShape, row 2 data and row 3
/// shape, each leaving the other members null (dense tensors send empty
/// index lists). A string input is a 1-row utf8 column.
public enum ArrowClientInputEncoding {
    public static let tensorType = ArrowType.structure([
        ArrowField("indiceData", .list(ArrowField("item", .int32))),
        ArrowField("indiceShape", .list(ArrowField("item", .int32))),
        ArrowField("data", .list(ArrowField("item", .float32))),
        ArrowField("shape", .list(ArrowField("item", .int32))),
    ])

    /// Encodes like the stock client. Like it, all inputs of one request must
    /// have the same row count, so tensors and strings cannot be mixed.
    public static func encode(_ inputs: [(name: String, value: ArrowClientInput)]) throws(ArrowError) -> [UInt8] {
        let columns = inputs.map { column(name: $0.name, $0.value) }
        guard Set(columns.map(\.length)).count <= 1 else {
            throw .unexpectedPayload("tensor inputs (4 rows) and string inputs (1 row) cannot share one request")
        }
        return ArrowStreamWriter.write(schema: ArrowSchema(columns.map(\.field)),
                                       batches: [ArrowRecordBatch(columns: columns)])
    }

    /// Decodes a request payload (first record batch) into its named inputs.
    public static func decode(_ bytes: [UInt8]) throws(ArrowError) -> [(name: String, value: ArrowClientInput)] {
        let stream = try ArrowStreamReader.read(bytes)
        guard let batch = stream.batches.first else { throw .unexpectedPayload("request has no record batch") }
        var inputs: [(name: String, value: ArrowClientInput)] = []
        for column in batch.columns { inputs.append((column.name, try input(from: column))) }
        return inputs
    }

    private static func column(name: String, _ value: ArrowClientInput) -> ArrowArray {
        switch value {
        case let .string(text):
            return .utf8([text], name: name)
        case let .tensor(values, shape):
            return tensorColumn(name: name, indices: [], indicesShape: [], values: values, shape: shape)
        case let .sparseTensor(indices, indicesShape, values, shape):
            return tensorColumn(name: name, indices: indices, indicesShape: indicesShape, values: values, shape: shape)
        }
    }

    private static func tensorColumn(name: String, indices: [Int], indicesShape: [Int], values: [Float],
                                     shape: [Int]) -> ArrowArray {
        let int32s = { (ints: [Int]) in ints.map { Int32(clamping: $0) } }
        return .structArray([
            .int32List([int32s(indices), nil, nil, nil], name: "indiceData"),
            .int32List([nil, int32s(indicesShape), nil, nil], name: "indiceShape"),
            .float32List([nil, nil, values, nil], name: "data"),
            .int32List([nil, nil, nil, int32s(shape)], name: "shape"),
        ], name: name)
    }

    /// Each tensor member is read as all the values its list slots reference,
    /// so it does not matter which row carries it.
    private static func input(from column: ArrowArray) throws(ArrowError) -> ArrowClientInput {
        switch column.type {
        case .utf8, .largeUtf8:
            guard column.length > 0, let text = try column.string(at: 0) else {
                throw .unexpectedPayload("string input '\(column.name)' is empty or null")
            }
            return .string(text)
        case .structure:
            func member(_ name: String) throws(ArrowError) -> ArrowArray {
                guard let list = column.child(named: name) else {
                    throw .unexpectedPayload("tensor input '\(column.name)' has no '\(name)' member")
                }
                return try list.flattenedValues()
            }
            let ints = { (array: ArrowArray) throws(ArrowError) in try array.int64s().map { Int($0) } }
            let indices = try ints(member("indiceData"))
            let indicesShape = try ints(member("indiceShape"))
            let values = try member("data").floats()
            let shape = try ints(member("shape"))
            if indices.isEmpty && indicesShape.isEmpty { return .tensor(values: values, shape: shape) }
            return .sparseTensor(indices: indices, indicesShape: indicesShape, values: values, shape: shape)
        default:
            throw .unexpectedPayload("input '\(column.name)' has type \(column.type); expected a tensor struct or a string")
        }
    }
}
