import Foundation

/// The `serde=stream` payload (spec 3.3): the raw JSON body `{"instances":[{name: value, ...}]}`. Only the first
/// instance is used, as the original. Arrays become float tensors (their shape from the first element at each
/// depth), numbers shape [1], strings base64 images, objects `{shape, data, indices}` sparse tensors with one
/// index row per value (the HTTP frontend's form), arrays of strings string tensors.
enum JSONInputDecoder {
    static func decode(_ bytes: [UInt8]) throws(RecordError) -> RecordInputs {
        let root: JSONValue
        do { root = try JSONValue.parse(bytes) } catch { throw RecordError("the JSON record is not valid: \(error)") }
        guard case .array(let instances)? = root["instances"], let first = instances.first else {
            throw RecordError("no instance can be found in the JSON record (the key must be 'instances', a non-empty list)")
        }
        guard case .object(let members) = first else { throw RecordError("each instance must be a JSON object") }
        var inputs = RecordInputs(names: [], values: [])
        for (name, value) in members {
            inputs.names.append(name)
            inputs.values.append(try input(name, value))
        }
        return inputs
    }

    static func input(_ name: String, _ value: JSONValue) throws(RecordError) -> InputValue {
        switch value {
        case .number(let n): return .tensor(values: [Float(n)], shape: [1])
        case .bool(let b): return .tensor(values: [b ? 1 : 0], shape: [1])
        case .string(let text):
            guard let bytes = Data(base64Encoded: text, options: .ignoreUnknownCharacters), !bytes.isEmpty else {
                throw RecordError("input '\(name)' is a string but not base64 image data")
            }
            return .image(Array(bytes))
        case .array(let items):
            if let strings = stringArray(items) { return .strings(strings) }
            return try tensor(name, value)
        case .object:
            return try sparse(name, value)
        case .null:
            throw RecordError("input '\(name)' is null")
        }
    }

    private static func stringArray(_ items: [JSONValue]) -> [String]? {
        guard !items.isEmpty else { return nil }
        var out: [String] = []
        for item in items {
            guard case .string(let s) = item else { return nil }
            out.append(s)
        }
        return out
    }

    /// A nested numeric array: every leaf a number, every level as long as its first sibling.
    static func tensor(_ name: String, _ value: JSONValue) throws(RecordError) -> InputValue {
        guard let (values, shape) = value.numericTensor else {
            throw RecordError("input '\(name)' is not a rectangular array of numbers")
        }
        return .tensor(values: values, shape: shape)
    }

    /// `{"shape": [...], "data": [...], "indices": [[i, j, ...], ...]}` with one index row per value.
    static func sparse(_ name: String, _ value: JSONValue) throws(RecordError) -> InputValue {
        guard let (shape, _) = value["shape"]?.integerTensor, let (data, _) = value["data"]?.numericTensor,
              let (flatIndices, indexShape) = value["indices"]?.integerTensor else {
            throw RecordError("input '\(name)' is an object; only sparse tensors {\"shape\", \"data\", \"indices\"} "
                + "with whole-number shape and indices are accepted")
        }
        let rank = shape.count
        guard indexShape.count == 2, indexShape[0] == data.count, indexShape[1] == rank else {
            throw RecordError("sparse input '\(name)': indices must be \(data.count) rows of \(rank) coordinates, got shape \(indexShape)")
        }
        let indices = (0..<rank).map { d in (0..<data.count).map { flatIndices[$0 * rank + d] } }
        return .sparse(indices: indices, values: data, shape: shape)
    }
}
