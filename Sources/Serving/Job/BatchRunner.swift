import Inference

/// Runs records through the model in as few batches as their shapes allow, and gives each record its own outputs
/// or its own failure.
///
/// - Records whose inputs fit the model are stacked along a new leading batch dimension (or, with
///   `inputAlreadyBatched`, concatenated along their own) — one `Model.run` per group of equal shapes.
/// - A model whose batch dimension is fixed gets batches of exactly that size: short batches are padded with
///   zero rows, whose outputs are dropped (as the original's OpenVINO path did).
/// - When a batch fails, its records run one by one, so that only the bad one gets `NaN`.
struct BatchRunner: Sendable {
    let model: Model
    let inputAlreadyBatched: Bool

    /// One record's inputs, in the model's input order, as tensors of the model's element types.
    struct Record {
        let inputs: [Tensor]
        /// Rows this record contributes to the batch (1, or its own batch size when already batched).
        var rows: Int { inputAlreadyBatched ? (inputs.first?.shape.first ?? 1) : 1 }
        let inputAlreadyBatched: Bool
    }

    /// The outputs of every record, in order: the record's slice of each model output.
    func run(_ records: [Record]) -> [Result<[Tensor], RecordError>] {
        var results = [Result<[Tensor], RecordError>?](repeating: nil, count: records.count)
        var groups: [[Int]: [Int]] = [:]
        var order: [[Int]] = []
        for (index, record) in records.enumerated() {
            let key = record.inputs.flatMap { $0.shape + [-1] }
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(index)
        }
        for key in order {
            for chunk in chunks(groups[key]!, records) {
                for (index, result) in zip(chunk, runChunk(chunk.map { records[$0] })) { results[index] = result }
            }
        }
        return results.map { $0! }
    }

    /// Splits a group into batches the model accepts: all of it when the batch dimension is free, else batches of
    /// its fixed size (records that are themselves batched always run alone then).
    private func chunks(_ indices: [Int], _ records: [Record]) -> [[Int]] {
        guard let fixed = fixedBatchSize else { return [indices] }
        if inputAlreadyBatched { return indices.map { [$0] } }
        return stride(from: 0, to: indices.count, by: fixed).map { Array(indices[$0..<min($0 + fixed, indices.count)]) }
    }

    /// The model's batch size when its first input declares a fixed leading dimension.
    private var fixedBatchSize: Int? {
        guard let first = model.metadata.inputs.first?.shape?.first, let size = first.value else { return nil }
        return max(1, size)
    }

    private func runChunk(_ records: [Record]) -> [Result<[Tensor], RecordError>] {
        do {
            let rows = records.map(\.rows)
            let outputs = try model.run(stack(records))
            return split(outputs, rows: rows)
        } catch {
            guard records.count > 1 else { return [.failure(RecordError(describe(error)))] }
            return records.flatMap { runChunk([$0]) }
        }
    }

    /// One tensor per model input holding every record's rows (plus zero padding up to a fixed batch size).
    private func stack(_ records: [Record]) -> [Tensor] {
        let padTo = fixedBatchSize.map { max($0, records.count) }
        return (0..<model.metadata.inputs.count).map { inputIndex in
            let parts = records.map { $0.inputs[inputIndex] }
            let rowShape = inputAlreadyBatched ? Array(parts[0].shape.dropFirst()) : parts[0].shape
            var rows = parts.reduce(0) { $0 + (inputAlreadyBatched ? ($1.shape.first ?? 1) : 1) }
            if !inputAlreadyBatched, let padTo { rows = padTo }
            if parts.count == 1 && (inputAlreadyBatched || rows == 1) {
                return inputAlreadyBatched ? parts[0] : parts[0].reshaped([1] + rowShape)
            }
            let batch = Tensor(zeros: parts[0].elementType, shape: [rows] + rowShape)
            let width = parts[0].elementType.byteWidth
            var offset = 0
            for part in parts {
                let bytes = part.count * width
                batch.storage.bytes.advanced(by: offset).copyMemory(from: part.storage.bytes, byteCount: bytes)
                offset += bytes
            }
            return batch
        }
    }

    /// Each record's rows of each output. Outputs without the batch dimension go whole to every record.
    private func split(_ outputs: [Tensor], rows: [Int]) -> [Result<[Tensor], RecordError>] {
        let total = rows.reduce(0, +)
        let values = outputs.map(\.floatValues)
        var start = 0
        return rows.map { count in
            defer { start += count }
            return .success(zip(outputs, values).map { output, values in
                guard let first = output.shape.first, first >= total, total > 0 else { return output }
                let rowShape = Array(output.shape.dropFirst())
                let rowCount = rowShape.reduce(1, *)
                let values = Array(values[(start * rowCount)..<((start + count) * rowCount)])
                // AZ 0.10+: the batch dimension is removed unless the inputs came batched.
                return Tensor(floats: values, shape: inputAlreadyBatched ? [count] + rowShape : rowShape)
            })
        }
    }

    private func describe(_ error: any Error) -> String {
        "\(error)".replacingOccurrences(of: "\n", with: " ")
    }
}
