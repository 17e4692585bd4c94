import Foundation
import Hummingbird
import Serving

/// The original frontend's routes (spec 6.2-6.6): `/`, `POST /predict`, `GET /metrics`, and the 0.11+ `/models`
/// routes, where a model is a job (name = jobName) with one version (`modelVersion`, default "1").
extension Frontend {
    static let welcome = "welcome to BigDL web serving frontend"
    static let example = #"{"instances":[{"tag":"foo","signal":[1,2,3,4,5],"sensor":[[1,2],[3,4]]}]}"#

    func addOriginalRoutes(to router: Router<BasicRequestContext>) {
        router.get("/", use: route("/", open: true) { [self] _, _ in text(Self.welcome) })
        router.post("/predict", use: route("/predict", admitted: true) { [self] request, _ in
            try await originalPredict(request, stream: options.redisInputQueue, resultPrefix: options.redisOutputQueue)
        })
        router.get("/metrics", use: route("/metrics") { [self] request, _ in try await metricsReply(request) })
        router.get("/models", use: route("/models") { [self] _, _ in
            json(.array((await queue.models() ?? []).map(describeOriginal)))
        })
        router.get("/models/{name}", use: route("/models/{name}") { [self] _, context in
            let name = context.parameters.get("name") ?? ""
            guard let model = await model(name), let known = model else { return modelNotFound(name) }
            return json(.array([describeOriginal(known)]))
        })
        router.get("/models/{name}/versions/{version}", use: route("/models/{name}/versions/{version}") { [self] _, context in
            let name = context.parameters.get("name") ?? ""
            guard context.parameters.get("version") == options.modelVersion, let model = await model(name), let known = model
            else { return modelNotFound(name) }
            return json(describeOriginal(known))
        })
        router.post("/models/{name}/versions/{version}/predict", use: route("/models/{name}/versions/{version}/predict",
                                                                          admitted: true) { [self] request, context in
            let name = context.parameters.get("name") ?? ""
            guard context.parameters.get("version") == options.modelVersion, await model(name) != nil else {
                return modelNotFound(name)
            }
            return try await originalPredict(request, stream: name, resultPrefix: Self.resultPrefix(name))
        })
    }

    /// `{"instances":[...]}` → `{"predictions":["{\"value\":\"...\"}", ...]}`, each element a JSON string in the
    /// AZ 0.10 shape; bad input → 400 with the original's text.
    private func originalPredict(_ request: Request, stream: String, resultPrefix: String) async throws -> Response {
        func wrong(_ details: String) -> Response {
            text("Wrong content format.\nDetails: \(details)\nPlease refer to examples:\n\(Self.example)\n", status: .badRequest)
        }
        let parsed: JSONValue
        switch try await body(request) {
        case .success(let value): parsed = value
        case .failure(let error): return wrong(error.description)
        }
        let rows: [[(String, JSONValue)]]
        do { rows = try RequestRows.original(parsed) } catch { return wrong(error.description) }
        do {
            let started = Date()
            let results = try await predictor.predict(rows, stream: stream, resultPrefix: resultPrefix, finiteOnly: false)
            metrics.time("bigdl.serving.request.predict", seconds: Date().timeIntervalSince(started))
            return json(.object([("predictions", .array(results.map {
                .string(JSONValue.object([("value", .string($0.originalText))]).text)
            }))]))
        } catch {
            if case .badRequest(let problem) = error { return wrong(problem.description) }
            return json(.object([("error", .string(error.description))]), status: .init(code: error.status))
        }
    }

    /// The original's JSON timers, or the Prometheus text exposition when the client asks for text.
    private func metricsReply(_ request: Request) async throws -> Response {
        let accept = request.headers[.accept] ?? ""
        if accept.contains("text/plain") || accept.contains("application/openmetrics-text") {
            metrics.jobs(await queue.models() ?? [])
            return reply(metrics.prometheusText(), contentType: "text/plain; version=0.0.4; charset=utf-8", status: .ok)
        }
        return json(metrics.timersJSON())
    }

    func describeOriginal(_ model: ModelInfo) -> JSONValue {
        .object([
            ("modelName", .string(model.name)), ("modelVersion", .string(options.modelVersion)),
            ("redisHost", .string(options.redisHost)), ("redisPort", .string(String(options.redisPort))),
            ("redisInputQueue", .string(model.name)), ("redisOutputQueue", .string(Self.resultPrefix(model.name))),
            ("timeWindow", .number(Double(options.timeWindow))), ("countWindow", .number(Double(options.countWindow))),
            ("tokenBucketEnabled", .bool(options.tokenBucketEnabled)),
            ("tokensPerSecond", .number(Double(options.tokensPerSecond))),
            ("modelPath", .string(model.modelPath)), ("modelType", .string(model.format)), ("state", .string(model.state)),
        ])
    }

    func modelNotFound(_ name: String) -> Response {
        json(.object([("error", .string("Model Not Found: no serving job named '\(name)'"))]), status: .notFound)
    }
}
