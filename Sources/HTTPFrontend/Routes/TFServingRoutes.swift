import Foundation
import Hummingbird
import Serving

/// TF Serving REST (serving-apis.md): `POST /v1/models/{m}[/versions/{v}]:predict` with `instances` (rows) or
/// `inputs` (columns), and `GET /v1/models/{m}` (status) and `.../metadata`. Also KServe v1, which is the same shape.
extension Frontend {
    func addTFServingRoutes(to router: Router<BasicRequestContext>) {
        // `{m}:predict` is one path segment: it is captured whole and split on the colon.
        router.post("/v1/models/{name}", use: route("/v1/models/{m}:predict", admitted: true) { [self] request, context in
            try await tfPredict(request, target: context.parameters.get("name") ?? "")
        })
        router.post("/v1/models/{name}/versions/{version}", use: route("/v1/models/{m}:predict", admitted: true) { [self] request, context in
            let name = context.parameters.get("name") ?? ""
            let version = context.parameters.get("version") ?? ""
            return try await tfPredict(request, target: name + ":" + (version.split(separator: ":").last.map(String.init) ?? ""))
        })
        router.get("/v1/models/{name}", use: route("/v1/models/{m}") { [self] _, context in
            try await tfStatus(context.parameters.get("name") ?? "")
        })
        router.get("/v1/models/{name}/metadata", use: route("/v1/models/{m}/metadata") { [self] _, context in
            try await tfMetadata(context.parameters.get("name") ?? "")
        })
    }

    private func tfError(_ message: String, status: HTTPResponse.Status = .badRequest) -> Response {
        json(.object([("error", .string(message))]), status: status)
    }

    private func tfStatus(_ name: String) async throws -> Response {
        guard let found = await model(name) else { return tfError("Servable not found for request: Latest(\(name))", status: .notFound) }
        let state = switch found?.state ?? "serving" {
        case "serving": "AVAILABLE"
        case "loading": "LOADING"
        case "stopping": "UNLOADING"
        default: "END"
        }
        return json(.object([("model_version_status", .array([.object([
            ("version", .string(options.modelVersion)), ("state", .string(state)),
            ("status", .object([("error_code", .string("OK")), ("error_message", .string(""))])),
        ])]))]))
    }

    private func tfMetadata(_ name: String) async throws -> Response {
        guard let found = await model(name) else { return tfError("Servable not found for request: Latest(\(name))", status: .notFound) }
        func tensors(_ list: [ModelInfo.Tensor]) -> JSONValue {
            .object(list.map { ($0.name, .object([("dtype", .string("DT_" + ($0.datatype == "FP32" ? "FLOAT" : $0.datatype))),
                                                  ("tensor_shape", .object([("dim", .array(($0.shape ?? []).map {
                                                      .object([("size", .string(String($0)))]) }))]))])) })
        }
        return json(.object([
            ("model_spec", .object([("name", .string(name)), ("signature_name", .string("")),
                                    ("version", .string(options.modelVersion))])),
            ("metadata", .object([("signature_def", .object([("signature_def", .object([("serving_default", .object([
                ("inputs", tensors(found?.inputs ?? [])), ("outputs", tensors(found?.outputs ?? [])),
                ("method_name", .string("tensorflow/serving/predict")),
            ]))]))]))])),
        ]))
    }

    private func tfPredict(_ request: Request, target: String) async throws -> Response {
        let parts = target.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, parts[1] == "predict" else {
            return tfError("unsupported verb in '\(target)': only :predict is served", status: .notFound)
        }
        let name = String(parts[0])
        guard let found = await model(name) else { return tfError("Servable not found for request: Latest(\(name))", status: .notFound) }
        let body: JSONValue
        switch try await self.body(request) {
        case .success(let value): body = value
        case .failure(let error): return tfError(error.description)
        }
        let inputNames = found?.inputs.map(\.name) ?? []
        let outputNames = found?.outputs.map(\.name) ?? []
        let rows: [[(String, JSONValue)]]
        let columnar: Bool
        do { (rows, columnar) = try RequestRows.tfServing(body, inputNames: inputNames) } catch {
            return tfError(error.description)
        }
        let results: [ResultValue]
        do {
            results = try await predictor.predict(rows, stream: name, resultPrefix: Self.resultPrefix(name), finiteOnly: true)
        } catch {
            return tfError(error.description, status: .init(code: error.status))
        }
        var perRow: [JSONValue] = []
        for (row, result) in results.enumerated() {
            switch result {
            case .failed(let reason): return tfError("row \(row) failed: \(reason ?? "the server answered NaN")")
            case .text(let text): perRow.append(.string(text))
            case .tensors(let outputs):
                let nested = outputs.map { JSONValue.nested($0.values, shape: $0.shape) }
                perRow.append(nested.count == 1 ? nested[0]
                              : .object(nested.enumerated().map { ($0.offset < outputNames.count ? outputNames[$0.offset] : "output_\($0.offset)", $0.element) }))
            }
        }
        guard columnar else { return json(.object([("predictions", .array(perRow))])) }
        // Columns: one batched value per output.
        if case .object(let first)? = perRow.first {
            return json(.object([("outputs", .object(first.indices.map { j in
                (first[j].0, .array(perRow.map { row in if case .object(let m) = row, j < m.count { m[j].1 } else { .null } }))
            }))]))
        }
        return json(.object([("outputs", .array(perRow))]))
    }
}
