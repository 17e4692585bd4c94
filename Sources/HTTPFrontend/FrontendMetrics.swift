import CoreMetrics
import Foundation
import Prometheus
import Serving

/// The frontend's measurements, two ways: the original's `/metrics` JSON (Dropwizard timers named
/// `bigdl.serving.*`, times in ms, spec 6.6) and a Prometheus exposition (swift-metrics through swift-prometheus)
/// with requests by route and status, latency histograms, and the jobs' queue depth, batch sizes, decode and
/// inference times.
final class FrontendMetrics: @unchecked Sendable {
    /// One Dropwizard-style timer: a count, a rate and the latest samples for the percentiles.
    private struct TimerSamples {
        var count = 0
        var samples: [Double] = []  // ms, the latest `reservoir`
        var next = 0

        mutating func record(_ ms: Double, reservoir: Int) {
            count += 1
            if samples.count < reservoir { samples.append(ms) } else { samples[next] = ms }
            next = (next + 1) % reservoir
        }
    }

    private static let reservoir = 1028
    private let lock = NSLock()
    private var timers: [String: TimerSamples] = [:]
    private let started = Date()
    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory

    init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
            .map { Duration.milliseconds(Int64($0 * 1000)) }
        self.factory = factory
    }

    /// Records `seconds` under the original's timer `name` (`bigdl.serving.request.overall`, ...).
    func time(_ name: String, seconds: Double) {
        let ms = seconds * 1000
        lock.withLock {
            // In place: copying the reservoir out and back costs more than the measurement.
            timers[name, default: TimerSamples()].record(ms, reservoir: Self.reservoir)
        }
    }

    /// One answered request, for Prometheus.
    func request(route: String, status: Int, seconds: Double) {
        let dimensions = [("route", route), ("status", String(status))]
        CoreMetrics.Counter(label: "cluster_serving_http_requests_total", dimensions: dimensions, factory: factory).increment()
        CoreMetrics.Timer(label: "cluster_serving_http_request_duration_seconds", dimensions: [("route", route)],
                          factory: factory).recordNanoseconds(Int64(seconds * 1e9))
    }

    /// The jobs' figures as gauges, refreshed before each exposition.
    func jobs(_ models: [ModelInfo]) {
        for model in models {
            for (name, value) in model.stats {
                CoreMetrics.Gauge(label: "cluster_serving_job_\(name)", dimensions: [("job", model.name)], factory: factory)
                    .record(value)
            }
        }
    }

    func prometheusText() -> String { registry.emitToString() }

    /// The original's JSON: an array of timers sorted by name.
    func timersJSON() -> JSONValue {
        let elapsed = max(Date().timeIntervalSince(started), 1e-9)
        return .array(lock.withLock {
            timers.keys.sorted().map { name in
                let timer = timers[name]!
                let sorted = timer.samples.sorted()
                func quantile(_ q: Double) -> Double {
                    guard !sorted.isEmpty else { return 0 }
                    return sorted[min(sorted.count - 1, Int((q * Double(sorted.count)).rounded(.down)))]
                }
                let mean = sorted.isEmpty ? 0 : sorted.reduce(0, +) / Double(sorted.count)
                let variance = sorted.isEmpty ? 0 : sorted.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(sorted.count)
                let fields: [(String, JSONValue)] = [("name", .string(name)), ("count", .int(timer.count)), ("meanRate", .double(Double(timer.count) / elapsed)),
                        ("min", .int(Int(sorted.first ?? 0))), ("max", .int(Int(sorted.last ?? 0))), ("mean", .double(mean)),
                        ("median", .double(quantile(0.5))), ("stdDev", .double(variance.squareRoot())),
                        ("_75thPercentile", .double(quantile(0.75))), ("_95thPercentile", .double(quantile(0.95))),
                        ("_98thPercentile", .double(quantile(0.98))), ("_99thPercentile", .double(quantile(0.99))),
                        ("_999thPercentile", .double(quantile(0.999)))]
                return fields
            }
        }.map { JSONValue.object($0) })
    }
}

private extension JSONValue {
    static func int(_ n: Int) -> JSONValue { .number(Double(n)) }
    static func double(_ n: Double) -> JSONValue { .number(n) }
}
