import Foundation
import Synchronization
import HTTPTypes
import Hummingbird
import NIOCore
import Serving

/// The frontend's state and the plumbing every route shares: admission (parallelism, token bucket), the bearer
/// token, body limits, metrics per route, and the JSON and text replies.
public final class Frontend: Sendable {
    let options: FrontendOptions
    let queue: any ServingQueue
    let predictor: Predictor
    let metrics: FrontendMetrics
    let admission: Admission
    private let modelCache = Mutex<(Date, [ModelInfo]?)?>(nil)

    public init(options: FrontendOptions, queue: any ServingQueue) {
        self.options = options
        self.queue = queue
        self.metrics = FrontendMetrics()
        self.predictor = Predictor(queue: queue, options: options, metrics: metrics)
        self.admission = Admission(options: options)
    }

    /// Stops the result loop (the servers are stopped by their service group).
    public func close() { predictor.waiter.stop() }

    typealias Handler = @Sendable (Request, BasicRequestContext) async throws -> Response

    /// Wraps a route: bearer token, admission for predictions, errors as replies, metrics.
    func route(_ name: String, open: Bool = false, admitted: Bool = false, _ body: @escaping Handler) -> Handler {
        { [self] request, context in
            let started = Date()
            var response: Response
            do {
                if let declared = request.headers[.contentLength], (Int(declared) ?? .max) > options.maxBodyBytes {
                    // Refused before a byte of the body is read, let alone stored.
                    response = bodyTooLarge(declared: declared)
                } else if !open, let token = options.bearerToken, request.headers[.authorization] != "Bearer \(token)" {
                    response = json(.object([("error", .string("missing or wrong bearer token"))]), status: .unauthorized)
                    response.headers[.wwwAuthenticate] = "Bearer"
                } else if admitted {
                    let refusal: Admission.Refusal?
                    do throws(Admission.Refusal) { try await admission.admit(); refusal = nil } catch { refusal = error }
                    if let refusal {
                        response = refused(refusal)
                    } else {
                        defer { admission.release() }
                        response = try await body(request, context)
                    }
                } else {
                    response = try await body(request, context)
                }
            } catch is NIOTooManyBytesError {
                response = bodyTooLarge(declared: nil)
            }
            let seconds = Date().timeIntervalSince(started)
            metrics.request(route: name, status: Int(response.status.code), seconds: seconds)
            if admitted { metrics.time("bigdl.serving.request.overall", seconds: seconds) }
            return response
        }
    }

    /// 413, naming the limit (`maxBodyBytes`) and the declared length when there is one. `Connection: close` tells
    /// the client not to send the rest; what it sends anyway is discarded as it arrives, never stored.
    private func bodyTooLarge(declared: String?) -> Response {
        let size = declared.map { "of \($0) bytes (Content-Length) " } ?? ""
        var response = json(.object([("error", .string(
            "the request body \(size)is larger than \(options.maxBodyBytes) bytes (maxBodyBytes)"))]), status: .contentTooLarge)
        response.headers[.connection] = "close"
        return response
    }

    private func refused(_ refusal: Admission.Refusal) -> Response {
        switch refusal {
        case .busy:
            var response = json(.object([("error", .string("too many requests in flight (parallelism \(options.parallelism))"))]),
                                status: .serviceUnavailable)
            response.headers[.retryAfter] = "1"
            return response
        case .limited:
            // The original answered 500 {"error":"limited"}; 429 is what rate-limited clients expect today.
            return json(.object([("error", .string("limited"))]), status: .tooManyRequests)
        }
    }

    func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        reply(value.text, contentType: "application/json", status: status)
    }

    func text(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        reply(text, contentType: "text/plain; charset=UTF-8", status: status)
    }

    func reply(_ text: String, contentType: String, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// The request's body as JSON, or the reason it is not.
    func body(_ request: Request) async throws -> Result<JSONValue, RequestError> {
        let buffer = try await request.body.collect(upTo: options.maxBodyBytes)
        do { return .success(try JSONValue.parse(Array(buffer.readableBytesView))) } catch {
            return .failure(RequestError("the body is not valid JSON: \(error)"))
        }
    }

    /// The job named `name`, or nil (404) — when the queue cannot list jobs (a real redis-server), any name is
    /// taken as a job.
    func model(_ name: String) async -> ModelInfo?? {
        guard let models = await cachedModels() else { return .some(nil) }
        guard let model = models.first(where: { $0.name == name }) else { return nil }
        return .some(model)
    }

    static func resultPrefix(_ jobName: String) -> String { "cluster-serving_\(jobName):" }

    /// The jobs as seen at most half a second ago: a prediction needs the model's names and shapes, which do not
    /// change while it serves, and asking the queue (job metrics, or SERVING LIST over RESP) per request costs more
    /// than the request.
    private func cachedModels() async -> [ModelInfo]? {
        if let (time, models) = modelCache.withLock({ $0 }), Date().timeIntervalSince(time) < 0.5 { return models }
        let models = await queue.models()
        modelCache.withLock { $0 = (Date(), models) }
        return models
    }
}

extension HTTPField.Name {
    static let retryAfter = Self("Retry-After")!
}
