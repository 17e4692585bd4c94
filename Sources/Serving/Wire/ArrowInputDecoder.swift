import ArrowIPC
import Foundation

/// The stock client's payload (spec 3.2): base64 of an Arrow IPC stream whose first record batch has one column
/// per named input.
///
/// - `utf8` with a `|`: a string tensor; any other `utf8` (or `binary`): a base64 image.
/// - A struct: its children are read by name and flattened (rows do not matter): `data`, `shape`, and for sparse
///   tensors `indiceData` cut into `indiceShape[0]` rows of `indiceShape[1]` (one row of indices per dimension).
/// - A plain numeric column: its first value, as a tensor of shape [1].
enum ArrowInputDecoder {
    static func decode(base64 payload: [UInt8]) throws(RecordError) -> RecordInputs {
        guard let raw = Data(base64Encoded: Data(payload)) else {
            throw RecordError("the data field is not base64 (the stock client sends a base64 Arrow IPC stream)")
        }
        let stream: ArrowStream
        do { stream = try ArrowStreamReader.read(Array(raw)) } catch {
            throw RecordError("the data field is not a readable Arrow IPC stream: \(error)")
        }
        guard let batch = stream.batches.first else { throw RecordError("the Arrow stream holds no record batch") }
        var inputs = RecordInputs(names: [], values: [])
        for column in batch.columns {
            inputs.names.append(column.name)
            do {
                inputs.values.append(try value(of: column))
            } catch let error as RecordError {
                throw error
            } catch {
                throw RecordError("input '\(column.name)' cannot be read: \(error)")
            }
        }
        return inputs
    }

    private static func value(of column: ArrowArray) throws -> InputValue {
        guard column.length > 0 else { throw RecordError("input '\(column.name)' has no rows") }
        switch column.type {
        case .utf8, .largeUtf8:
            // Bytes, not String: Foundation's String search bridges to CFString, which costs more than the JPEG decode.
            let raw = try column.bytes(at: 0) ?? []
            if raw.contains(UInt8(ascii: "|")) {
                return .strings(raw.split(separator: UInt8(ascii: "|"), omittingEmptySubsequences: false)
                    .map { String(decoding: $0, as: UTF8.self) })
            }
            guard let bytes = Data(base64Encoded: Data(raw), options: .ignoreUnknownCharacters), !bytes.isEmpty else {
                throw RecordError("input '\(column.name)' is a string but neither base64 image data nor a '|'-joined string tensor")
            }
            return .image(Array(bytes))
        case .binary, .largeBinary:
            return .image(try column.bytes(at: 0) ?? [])
        case .structure:
            return try tensor(column)
        default:
            guard column.type.isNumeric else {
                throw RecordError("input '\(column.name)' has Arrow type \(column.type), which is not an input the server reads")
            }
            return .tensor(values: [try column.floats()[0]], shape: [1])
        }
    }

    private static func tensor(_ column: ArrowArray) throws -> InputValue {
        func flat(_ name: String) throws -> ArrowArray? {
            guard let child = column.child(named: name) else { return nil }
            return try child.flattenedValues()
        }
        guard let data = try flat("data"), let shapeValues = try flat("shape") else {
            throw RecordError("input '\(column.name)' is a struct without 'data' and 'shape' lists")
        }
        let values = try data.floats()
        let shape = try shapeValues.int64s().map { Int($0) }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw RecordError("input '\(column.name)' has a negative dimension in \(shape)") }
        let indexShape = try flat("indiceShape")?.int64s().map { Int($0) } ?? []
        guard !indexShape.isEmpty else { return .tensor(values: values, shape: shape) }
        let flatIndices = try flat("indiceData")?.int64s().map { Int($0) } ?? []
        // One row of indices per dimension ([ndim, nnz]), holding exactly the indices sent.
        guard indexShape.count == 2, indexShape[0] == shape.count,
              (try? TensorShape.elementCount(indexShape)) == flatIndices.count else {
            throw RecordError("sparse input '\(column.name)': indiceShape \(indexShape) does not fit \(flatIndices.count) indices "
                + "in one row per dimension of shape \(shape)")
        }
        let rowLength = indexShape[1]
        let indices = (0..<indexShape[0]).map { Array(flatIndices[($0 * rowLength)..<(($0 + 1) * rowLength)]) }
        return .sparse(indices: indices, values: values, shape: shape)
    }
}
