import Foundation
import Hummingbird
import Serving

/// KServe v2 / Open Inference Protocol (serving-apis.md): server and model metadata, health, and `infer`. A model
/// is a job; a request's tensors carry the whole batch, which is split into one stream entry per row.
extension Frontend {
    func addKServeRoutes(to router: Router<BasicRequestContext>) {
        router.get("/v2", use: route("/v2") { [self] _, _ in
            json(.object([("name", .string("cluster-serving")), ("version", .string(Self.version)),
                          ("extensions", .array([]))]))
        })
        router.get("/v2/health/live", use: route("/v2/health/live", open: true) { [self] _, _ in
            json(.object([("live", .bool(true))]))
        })
        router.get("/v2/health/ready", use: route("/v2/health/ready", open: true) { [self] _, _ in
            let ready = await isReady()
            return json(.object([("ready", .bool(ready))]), status: ready ? .ok : .serviceUnavailable)
        })
        for suffix in ["", "/versions/{version}"] {
            router.get("/v2/models/{name}\(suffix)", use: route("/v2/models/{name}") { [self] _, context in
                try await kserveMetadata(context)
            })
            router.get("/v2/models/{name}\(suffix)/ready", use: route("/v2/models/{name}/ready") { [self] _, context in
                let name = context.parameters.get("name") ?? ""
                guard let model = await model(name) else { return kserveError("unknown model '\(name)'", status: .notFound) }
                let ready = model?.ready ?? true
                return json(.object([("name", .string(name)), ("ready", .bool(ready))]), status: ready ? .ok : .serviceUnavailable)
            })
            router.post("/v2/models/{name}\(suffix)/infer", use: route("/v2/models/{name}/infer", admitted: true) { [self] request, context in
                try await kserveInfer(request, context)
            })
        }
    }

    static let version = "0.1.0"

    /// Ready when the queue answers and at least one job serves (a real redis-server cannot tell: reachable is ready).
    func isReady() async -> Bool {
        guard await queue.isReachable() else { return false }
        guard let models = await queue.models() else { return true }
        return models.contains { $0.ready }
    }

    func kserveError(_ message: String, status: HTTPResponse.Status = .badRequest) -> Response {
        json(.object([("error", .string(message))]), status: status)
    }

    private func kserveMetadata(_ context: BasicRequestContext) async throws -> Response {
        let name = context.parameters.get("name") ?? ""
        guard let found = await model(name) else { return kserveError("unknown model '\(name)'", status: .notFound) }
        func tensors(_ list: [ModelInfo.Tensor]) -> JSONValue {
            .array(list.map { .object([("name", .string($0.name)), ("datatype", .string($0.datatype)),
                                       ("shape", .array(($0.shape ?? []).map { .number(Double($0)) }))]) })
        }
        let platform = found.map { $0.format.lowercased().contains("openvino") ? "openvino_ir" : "onnx" } ?? "unknown"
        return json(.object([("name", .string(name)), ("versions", .array([.string(options.modelVersion)])),
                             ("platform", .string(platform)), ("inputs", tensors(found?.inputs ?? [])),
                             ("outputs", tensors(found?.outputs ?? []))]))
    }

    private func kserveInfer(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let name = context.parameters.get("name") ?? ""
        guard let found = await model(name) else { return kserveError("unknown model '\(name)'", status: .notFound) }
        let body: JSONValue
        switch try await self.body(request) {
        case .success(let value): body = value
        case .failure(let error): return kserveError(error.description)
        }
        let batch: KServeBatch
        do { batch = try RequestRows.kserve(body, model: found) } catch { return kserveError(error.description) }
        let results: [ResultValue]
        do {
            results = try await predictor.predict(batch.rows, stream: name, resultPrefix: Self.resultPrefix(name), finiteOnly: true)
        } catch {
            return kserveError(error.description, status: .init(code: error.status))
        }
        let outputs: [JSONValue]
        do { outputs = try batch.outputs(results, names: found?.outputs.map(\.name) ?? []) } catch {
            return kserveError(error.description)
        }
        var reply: [(String, JSONValue)] = [("model_name", .string(name)), ("model_version", .string(options.modelVersion))]
        if let id = body["id"] { reply.append(("id", id)) }
        reply.append(("outputs", .array(outputs)))
        return json(.object(reply))
    }
}

/// A KServe request's tensors cut into rows (one stream entry each), and the rows' results stacked back.
struct KServeBatch {
    let rows: [[(String, JSONValue)]]
    /// Whether the tensors had the batch dimension (then the outputs get it back).
    let batched: Bool

    /// The Open Inference Protocol's tensor datatypes.
    static let datatypes: Set<String> = ["BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64",
                                         "FP16", "FP32", "FP64", "BYTES"]

    private struct Input {
        let name: String
        let shape: [Int]
        let count: Int
        let data: JSONValue
        let datatype: String
    }

    init(inputs: [JSONValue], model: ModelInfo?) throws(RequestError) {
        var named: [Input] = []
        for input in inputs {
            guard case .string(let name)? = input["name"], let shapeValue = input["shape"], let data = input["data"] else {
                throw RequestError("each input needs \"name\", \"shape\", \"datatype\" and \"data\"")
            }
            let (shape, count) = try Self.shape(shapeValue, of: name)
            var datatype = "FP32"
            if case .string(let d)? = input["datatype"] { datatype = d }
            guard Self.datatypes.contains(datatype) else {
                throw RequestError("input '\(name)': datatype '\(datatype.prefix(100))' is not a KServe v2 datatype "
                    + "(\(Self.datatypes.sorted().joined(separator: ", ")))")
            }
            named.append(Input(name: name, shape: shape, count: count, data: data, datatype: datatype))
        }
        // The server matches inputs by position: put them in the model's order when the names match it.
        if let declared = model?.inputs.map(\.name), Set(declared) == Set(named.map(\.name)) {
            named.sort { (declared.firstIndex(of: $0.name) ?? 0) < (declared.firstIndex(of: $1.name) ?? 0) }
        }
        func declaredRank(_ name: String) -> Int? { model?.inputs.first { $0.name == name }?.shape?.count }
        let first = named[0]
        let batched = declaredRank(first.name).map { first.shape.count == $0 } ?? true
        let count = batched ? (first.shape.first ?? 1) : 1
        guard count > 0 else { throw RequestError("input '\(first.name)': shape \(first.shape) has no rows to predict") }
        guard count <= Predictor.maxInstances else {
            throw RequestError("input '\(first.name)': shape \(first.shape) has \(count) rows, more than the limit of "
                + "\(Predictor.maxInstances) per request")
        }
        // Each input's values, checked against its shape before any row is cut.
        var rows = [[(String, JSONValue)]](repeating: [], count: count)
        for input in named {
            guard !batched || input.shape.first == count else {
                throw RequestError("input '\(input.name)' has \(input.shape.first ?? 0) rows, '\(first.name)' has \(count)")
            }
            guard input.count > 0 else { throw RequestError("input '\(input.name)': shape \(input.shape) holds no values") }
            let rowShape = batched ? Array(input.shape.dropFirst()) : input.shape
            let rowSize = input.count / count
            if input.datatype == "BYTES" {
                let strings = Self.strings(input.data)
                guard strings.count == input.count else {
                    throw RequestError("input '\(input.name)': datatype BYTES with shape \(input.shape) needs \(input.count) "
                        + "strings, data holds \(strings.count) strings")
                }
                for r in 0..<count {
                    let mine = strings[(r * rowSize)..<((r + 1) * rowSize)]
                    rows[r].append((input.name, mine.count == 1 ? .string(mine[mine.startIndex]) : .array(mine.map { .string($0) })))
                }
            } else {
                guard let (values, _) = input.data.numericTensor else {
                    throw RequestError("input '\(input.name)': datatype \(input.datatype) needs numbers (a flat or nested list), "
                        + "data holds something else")
                }
                guard values.count == input.count else {
                    throw RequestError("input '\(input.name)': shape \(input.shape) needs \(input.count) values, "
                        + "data holds \(values.count) values")
                }
                if let bad = values.firstIndex(where: { !$0.isFinite }) {
                    throw RequestError.nonFinite(input: input.name, element: bad, value: values[bad])
                }
                for r in 0..<count {
                    rows[r].append((input.name, .nested(Array(values[(r * rowSize)..<((r + 1) * rowSize)]), shape: rowShape)))
                }
            }
        }
        self.rows = rows
        self.batched = batched
    }

    /// An input's shape and element count: a list of integers whose product fits in 64 bits.
    private static func shape(_ value: JSONValue, of name: String) throws(RequestError) -> ([Int], Int) {
        let notIntegers = RequestError("input '\(name)': \"shape\" must be a list of integers, got \(value.text.prefix(100))")
        guard case .array(let items) = value else { throw notIntegers }
        var shape: [Int] = []
        for item in items {
            guard case .number(let dimension) = item, dimension == dimension.rounded() else { throw notIntegers }
            // A JSON number beyond 2^63 (or a 9223372036854775807, which a double rounds to 2^63) has no Int.
            guard let exact = Int(exactly: dimension) else {
                throw RequestError("input '\(name)': shape \(value.text.prefix(100)) overflows: \(dimension) is beyond \(Int.max)")
            }
            shape.append(exact)
        }
        do { return (shape, try TensorShape.elementCount(shape)) } catch { throw RequestError("input '\(name)': \(error)") }
    }

    private static func strings(_ data: JSONValue) -> [String] {
        switch data {
        case .string(let s): [s]
        case .array(let items): items.flatMap(strings)
        default: []
        }
    }

    /// One output per model output: the rows' values one after the other, shape [rows] + the row's shape.
    func outputs(_ results: [ResultValue], names: [String]) throws(RequestError) -> [JSONValue] {
        var perRow: [[(values: [Float], shape: [Int])]] = []
        var texts: [String] = []
        for (row, result) in results.enumerated() {
            switch result {
            case .tensors(let outputs): perRow.append(outputs)
            case .text(let text): texts.append(text)
            case .failed(let reason): throw RequestError("row \(row) failed: \(reason ?? "the server answered NaN")")
            }
        }
        if !texts.isEmpty {
            return [.object([("name", .string(names.first ?? "output_0")), ("shape", .array([.number(Double(texts.count))])),
                             ("datatype", .string("BYTES")), ("data", .array(texts.map { .string($0) }))])]
        }
        guard let first = perRow.first else { return [] }
        // Results come from the store, where any worker may write: rows that disagree cannot be stacked.
        if let row = perRow.firstIndex(where: { $0.count != first.count || zip($0, first).contains { $0.shape != $1.shape } }) {
            throw RequestError("row \(row)'s outputs do not match row 0's (\(perRow[row].map(\.shape)) against \(first.map(\.shape)))")
        }
        return first.indices.map { j in
            let shape = (batched ? [perRow.count] : []) + first[j].shape
            return .object([("name", .string(j < names.count ? names[j] : "output_\(j)")),
                            ("shape", .array(shape.map { .number(Double($0)) })), ("datatype", .string("FP32")),
                            ("data", .numbers(perRow.flatMap { $0[j].values }))])
        }
    }
}
