import ArrowIPC
import Foundation
import Serving

/// A request's problem, answered with 400 (or 404 for an unknown model) and a message that names it.
public struct RequestError: Error, CustomStringConvertible {
    public let status: Int
    public let description: String

    init(_ description: String, status: Int = 400) {
        self.status = status
        self.description = description
    }
}

/// One instance (named inputs) as a stream entry, the way the stock client writes it: an Arrow IPC stream with a
/// column per input (spec 3.2). An instance that mixes tensors and strings cannot be one Arrow batch (the stock
/// client fails on it too), so it goes as the original frontend's direct mode: the JSON itself with `serde=stream`.
enum InstanceEncoding {
    static func entry(uri: String, inputs: [(String, JSONValue)], stream: String) throws(RequestError) -> QueueEntry {
        var columns: [(name: String, value: ArrowClientInput)] = []
        for (name, value) in inputs { columns.append((name, try input(name, value))) }
        let hasStrings = columns.contains { if case .string = $0.value { true } else { false } }
        let hasTensors = columns.contains { if case .string = $0.value { false } else { true } }
        if hasStrings && hasTensors {
            let body = JSONValue.object([("instances", .array([.object(inputs)]))]).text
            return QueueEntry(stream: stream, fields: [("uri", Array(uri.utf8)), ("data", Array(body.utf8)),
                                                       ("serde", Array("stream".utf8))])
        }
        let arrow: [UInt8]
        do { arrow = try ArrowClientInputEncoding.encode(columns) } catch {
            throw RequestError("the instance cannot be encoded: \(error)")
        }
        return QueueEntry(stream: stream, fields: [("uri", Array(uri.utf8)),
                                                   ("data", Array(Data(arrow).base64EncodedString().utf8))])
    }

    /// A JSON value as the client's input kinds: numbers and nested arrays are tensors, a string a base64 image, a
    /// list of strings a string tensor, `{"shape", "data", "indices"}` (one index row per value) a sparse tensor.
    static func input(_ name: String, _ value: JSONValue) throws(RequestError) -> ArrowClientInput {
        switch value {
        case .string(let text):
            return .string(text)
        case .array(let items) where !items.isEmpty && items.allSatisfy({ if case .string = $0 { true } else { false } }):
            return .string(items.map { if case .string(let s) = $0 { s } else { "" } }.joined(separator: "|"))
        case .object:
            guard let (shape, _) = value["shape"]?.integerTensor, let (data, _) = value["data"]?.numericTensor,
                  let (indices, indexShape) = value["indices"]?.integerTensor, indexShape.count == 2,
                  indexShape[0] == data.count, indexShape[1] == shape.count else {
                throw RequestError("input '\(name)' is an object but not a sparse tensor {\"shape\": [...], \"data\": [...], "
                    + "\"indices\": [[...], ...]} with one index row per value (shape and indices whole numbers)")
            }
            // The stock client's layout: one row per dimension ([ndim, nnz]).
            let (nnz, rank) = (indexShape[0], indexShape[1])
            let transposed = (0..<rank).flatMap { d in (0..<nnz).map { indices[$0 * rank + d] } }
            return .sparseTensor(indices: transposed, indicesShape: [rank, nnz], values: data, shape: shape)
        case .null:
            throw RequestError("input '\(name)' is null")
        default:
            guard let (values, shape) = value.numericTensor else {
                throw RequestError("input '\(name)' is not a number, a rectangular array of numbers, a base64 string, a "
                    + "list of strings or a sparse tensor")
            }
            return .tensor(values: values, shape: value.isNumber ? [1] : shape)
        }
    }
}

extension JSONValue {
    var isNumber: Bool {
        switch self {
        case .number, .bool: true
        default: false
        }
    }
}

/// A result hash as the APIs answer it.
enum ResultValue {
    /// The model's outputs, in order.
    case tensors([(values: [Float], shape: [Int])])
    /// A post-processing filter's text (`[[1,0.9]]`).
    case text(String)
    /// The server's `NaN`, with its reason when it gave one.
    case failed(String?)

    init(_ hash: [String: [UInt8]]) {
        let value = hash["value"] ?? []
        if value == Array("NaN".utf8) {
            self = .failed(hash["error"].map { String(decoding: $0, as: UTF8.self) })
        } else if let raw = Data(base64Encoded: Data(value)), let outputs = try? ArrowResultEncoding.decode(Array(raw)) {
            self = .tensors(outputs)
        } else {
            self = .text(String(decoding: value, as: UTF8.self))
        }
    }

    /// The original's text for `value`: `{"data":[...],"shape":[...]}` per output (several are concatenated, as
    /// the original), the filter text, or `NaN`.
    var originalText: String {
        switch self {
        case .tensors(let outputs):
            outputs.map { JSONValue.object([("data", .numbers($0.values)), ("shape", .array($0.shape.map { .number(Double($0)) }))]).text }
                .joined()
        case .text(let text): text
        case .failed: "NaN"
        }
    }
}
