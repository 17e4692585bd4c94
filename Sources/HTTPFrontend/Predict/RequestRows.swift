import Serving

/// The three APIs' request bodies cut into rows of named inputs (one stream entry each), before anything is
/// queued. Each refusal is a `RequestError` whose text the route answers with.
enum RequestRows {
    typealias Row = [(String, JSONValue)]

    /// The original `/predict`: `{"instances": [{"name": value, ...}, ...]}`.
    static func original(_ body: JSONValue) throws(RequestError) -> [Row] {
        guard case .array(let instances)? = body["instances"], !instances.isEmpty else {
            throw RequestError("no instance can be found, please check your input or json(keyword should be 'instances')")
        }
        var rows: [Row] = []
        for (index, instance) in instances.enumerated() {
            guard case .object(let members) = instance, !members.isEmpty else {
                throw RequestError("instance \(index) is not an object of named inputs")
            }
            rows.append(members)
        }
        return rows
    }

    /// KServe v2: `{"inputs": [{"name", "shape", "datatype", "data"}, ...]}`, cut along the batch dimension.
    static func kserve(_ body: JSONValue, model: ModelInfo?) throws(RequestError) -> KServeBatch {
        guard case .array(let inputs)? = body["inputs"], !inputs.isEmpty else {
            throw RequestError("the request needs \"inputs\": [{\"name\", \"shape\", \"datatype\", \"data\"}, ...]")
        }
        return try KServeBatch(inputs: inputs, model: model)
    }

    /// TF Serving REST: `{"instances": [row, ...]}` (a row is an object of named inputs, or the first input's
    /// value) or `{"inputs": {"name": [per row, ...], ...}}` (columnar; a bare list is the first input's column).
    static func tfServing(_ body: JSONValue, inputNames: [String]) throws(RequestError) -> (rows: [Row], columnar: Bool) {
        if case .array(let instances)? = body["instances"], !instances.isEmpty {
            return (instances.map { instance in
                if case .object(let members) = instance { return members }
                return [(inputNames.first ?? "input", instance)]
            }, false)
        }
        guard let inputs = body["inputs"] else {
            throw RequestError("the request needs \"instances\" (a list of rows) or \"inputs\" (named columns)")
        }
        let columns: Row = if case .object(let members) = inputs { members } else { [(inputNames.first ?? "input", inputs)] }
        var split: [Row] = []
        for (column, value) in columns {
            guard case .array(let items) = value, !items.isEmpty else {
                throw RequestError("input '\(column)' must be a list with one element per batch row")
            }
            if split.isEmpty { split = Array(repeating: [], count: items.count) }
            guard items.count == split.count else { throw RequestError("inputs have different batch sizes") }
            for (r, item) in items.enumerated() { split[r].append((column, item)) }
        }
        return (split, true)
    }
}
