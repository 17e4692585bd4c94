import Foundation
import ImageCodecs
import Inference
import ServingConfig
import Store

/// A batch read from the stream, decoded: records ready for the engine, and records that already failed.
struct PreparedBatch: Sendable {
    struct Item: Sendable {
        let id: StreamID
        let uri: Bytes
        let record: BatchRunner.Record
    }

    var records: [Item] = []
    var failures: [RecordResult] = []
}

/// Turns stream entries into model inputs: reads the `uri`, `data` and `serde` fields, decodes the payload (Arrow
/// or JSON), decodes images, and converts every input to the tensor the model declares. A record that cannot be
/// fed fails alone, with a reason that names the input.
struct RecordPreparer: Sendable {
    let model: Model
    let inputs: [ValueInfo]
    let images: ImagePreprocessing
    let inputAlreadyBatched: Bool

    init(model: Model, config: ServingConfiguration) {
        self.model = model
        self.inputs = model.metadata.inputs
        self.images = ImagePreprocessing(config: config)
        self.inputAlreadyBatched = config.inputAlreadyBatched
    }

    private enum Outcome {
        case ready(PreparedBatch.Item)
        case failed(RecordResult)
    }

    /// Decodes the entries one after the other: the feeder has a whole inference to do it in, and more threads
    /// would only take cores from the engine.
    func prepare(_ entries: [StreamEntry]) -> PreparedBatch {
        var batch = PreparedBatch()
        for entry in entries {
            switch prepareOne(entry) {
            case .ready(let item): batch.records.append(item)
            case .failed(let failed): batch.failures.append(failed)
            }
        }
        return batch
    }

    private func prepareOne(_ entry: StreamEntry) -> Outcome {
        var fields: [String: Bytes] = [:]
        var i = 0
        while i + 1 < entry.fields.count {
            fields[String(decoding: entry.fields[i], as: UTF8.self)] = entry.fields[i + 1]
            i += 2
        }
        guard let uri = fields["uri"] else {
            return .failed(RecordResult(id: entry.id, uri: nil, value: RecordResult.nanValue,
                                         error: "the entry has no 'uri' field, so its result has nowhere to go"))
        }
        do {
            guard let data = fields["data"] else { throw RecordError("the entry has no 'data' field") }
            let decoded: RecordInputs
            if let serde = fields["serde"].map({ String(decoding: $0, as: UTF8.self) }), serde == "stream" {
                decoded = try JSONInputDecoder.decode(data)
            } else {
                decoded = try ArrowInputDecoder.decode(base64: data)
            }
            let tensors = try tensors(for: decoded)
            return .ready(.init(id: entry.id, uri: uri,
                                  record: BatchRunner.Record(inputs: tensors, inputAlreadyBatched: inputAlreadyBatched)))
        } catch let error as RecordError {
            return .failed(.failed(entry.id, uri: uri, reason: error.description))
        } catch {
            return .failed(.failed(entry.id, uri: uri, reason: "\(error)"))
        }
    }

    /// The record's inputs, matched to the model's by position, as tensors of the declared types and shapes.
    func tensors(for record: RecordInputs) throws(RecordError) -> [Tensor] {
        guard record.values.count == inputs.count else {
            throw RecordError("the model takes \(inputs.count) input(s) (\(inputs.map(\.name).joined(separator: ", "))), "
                + "the record has \(record.values.count) (\(record.names.joined(separator: ", ")))")
        }
        var out: [Tensor] = []
        for (index, (value, declared)) in zip(record.values, inputs).enumerated() {
            let name = record.names.indices.contains(index) ? record.names[index] : declared.name
            out.append(try tensor(value, named: name, for: declared))
        }
        return out
    }

    private func tensor(_ value: InputValue, named name: String, for declared: ValueInfo) throws(RecordError) -> Tensor {
        var (values, shape) = try dense(value, named: name, for: declared)
        let declaredShape = declared.shape
        // A record carries no batch dimension unless inputAlreadyBatched; a leading 1 is tolerated (BigDL 2.x clients
        // send it) and dropped.
        if !inputAlreadyBatched, let declaredShape, shape.count == declaredShape.count, shape.first == 1 {
            shape.removeFirst()
        }
        if let declaredShape {
            let expected = inputAlreadyBatched ? declaredShape : Array(declaredShape.dropFirst())
            let fits = expected.count == shape.count && zip(expected, shape).allSatisfy { $0.value == nil || $0.value == $1 }
            guard fits else {
                let text = "[" + expected.map(\.description).joined(separator: ",") + "]"
                throw RecordError("input '\(name)' has shape \(shape) but the model's input '\(declared.name)' takes \(text)"
                    + (inputAlreadyBatched ? "" : " per record (the batch dimension is added by the server)"))
            }
        }
        switch declared.elementType {
        case .float32: return Tensor(floats: values, shape: shape)
        case .int64: return Tensor(int64s: try Self.integers(values, Int64.self, name, declared), shape: shape)
        case .int32: return Tensor(int32s: try Self.integers(values, Int32.self, name, declared), shape: shape)
        case .bool: return Tensor(bools: values.map { $0 != 0 }, shape: shape)
        }
    }

    /// Rounded values for an integer model input; NaN, infinities and values beyond the type's range are refused
    /// (a conversion would trap).
    static func integers<T: FixedWidthInteger>(_ values: [Float], _: T.Type, _ name: String,
                                               _ declared: ValueInfo) throws(RecordError) -> [T] {
        var out: [T] = []
        out.reserveCapacity(values.count)
        for (index, value) in values.enumerated() {
            guard let integer = T(exactly: value.rounded()) else {
                throw RecordError("input '\(name)': element \(index) is \(value), which the model's \(declared.elementType) "
                    + "input '\(declared.name)' cannot hold (\(T.min)...\(T.max))")
            }
            out.append(integer)
        }
        return out
    }

    private func dense(_ value: InputValue, named name: String, for declared: ValueInfo) throws(RecordError) -> ([Float], [Int]) {
        switch value {
        case .tensor(let values, let shape):
            let count: Int
            do { count = try TensorShape.elementCount(shape) } catch { throw RecordError("input '\(name)': \(error)") }
            guard values.count == count else {
                throw RecordError("input '\(name)' has \(values.count) values but its shape \(shape) needs \(count)")
            }
            return (values, shape)
        case .sparse(let indices, let values, let shape):
            return try Self.densify(name, indices: indices, values: values, shape: shape)
        case .image(let bytes):
            return try images.tensor(from: bytes, named: name, for: declared, batched: inputAlreadyBatched)
        case .strings(let strings):
            throw RecordError("input '\(name)' is a string tensor (\(strings.count) string(s)); the model's input "
                + "'\(declared.name)' takes \(declared.elementType) numbers")
        }
    }

    /// The dense form of a sparse tensor (no supported model format takes sparse inputs), at most
    /// `TensorShape.maxDenseElements` elements.
    static func densify(_ name: String, indices: [[Int]], values: [Float], shape: [Int]) throws(RecordError) -> ([Float], [Int]) {
        guard shape.allSatisfy({ $0 > 0 }) else {
            throw RecordError("sparse input '\(name)' has shape \(shape): every dimension must be positive")
        }
        let limit = TensorShape.maxDenseElements
        guard let count = try? TensorShape.elementCount(shape), count <= limit else {
            throw RecordError("sparse input '\(name)' has shape \(shape): its dense form would hold more than the limit of "
                + "\(limit) elements")
        }
        guard indices.count == shape.count, indices.allSatisfy({ $0.count == values.count }) else {
            throw RecordError("sparse input '\(name)' needs \(shape.count) index rows of \(values.count) entries")
        }
        var dense = [Float](repeating: 0, count: count)
        for k in 0..<values.count {
            var flat = 0
            for d in 0..<shape.count {
                let i = indices[d][k]
                guard (0..<shape[d]).contains(i) else {
                    throw RecordError("sparse input '\(name)': index \(i) is outside dimension \(d) of size \(shape[d])")
                }
                flat = flat * shape[d] + i
            }
            dense[flat] = values[k]
        }
        return (dense, shape)
    }
}
