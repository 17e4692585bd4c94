import Foundation

/// The frontend's options, with the seed's names and defaults (spec 6.1), read from `cluster-serving http` flags
/// (`--name value` or `--name=value`) or from the `frontend:` section of config.yaml (the same names, plus
/// `enabled`, default true).
public struct FrontendOptions: Sendable, Equatable {
    public var enabled = true
    public var interface = "0.0.0.0"
    public var port = 10020
    public var redisHost = "localhost"
    public var redisPort = 6379
    public var redisInputQueue = "serving_stream"
    public var redisOutputQueue = "cluster-serving_serving_stream:"
    /// Requests in flight at most; beyond it, 503 with Retry-After.
    public var parallelism = 1000
    /// XADDs of concurrent requests are written together when `countWindow` are waiting or `timeWindow` ms passed
    /// since the first (0 = each at once).
    public var timeWindow = 0
    public var countWindow = 56
    /// A rate limit: a request that gets no token within `tokenAcquireTimeout` ms is refused (429 `{"error":"limited"}`).
    public var tokenBucketEnabled = false
    public var tokensPerSecond = 100
    public var tokenAcquireTimeout = 100
    public var httpsEnabled = false
    public var securePort = 10023
    /// PEM files (the original took a PKCS12 keystore: `httpsKeyStorePath`/`httpsKeyStoreToken` are refused with a
    /// hint to convert it).
    public var httpsCertificatePath: String?
    public var httpsKeyPath: String?
    /// When set, every route but `GET /` and the health checks needs `Authorization: Bearer <token>`.
    public var bearerToken: String?
    /// Milliseconds a prediction waits for its results before 504.
    public var predictTimeout = 10_000
    /// Largest request body in bytes (413 beyond).
    public var maxBodyBytes = 64 << 20
    /// Seconds a connection may send nothing before it is closed (a slow or dead client frees its slot).
    public var idleTimeout = 30
    /// The model version the /models and KServe routes report.
    public var modelVersion = "1"

    public init() {}

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// Options from `--name value` / `--name=value` words (names case-insensitive, as the seed's scopt parser).
    public static func parse(arguments: [String]) throws(Invalid) -> FrontendOptions {
        var settings: [(String, String)] = []
        var i = 0
        while i < arguments.count {
            let word = arguments[i]
            guard word.hasPrefix("--") else { throw Invalid(description: "unexpected argument '\(word)' (options are --name value)") }
            let body = word.dropFirst(2)
            if let equals = body.firstIndex(of: "=") {
                settings.append((String(body[..<equals]), String(body[body.index(after: equals)...])))
                i += 1
            } else {
                guard i + 1 < arguments.count else { throw Invalid(description: "option --\(body) needs a value") }
                settings.append((String(body), arguments[i + 1]))
                i += 2
            }
        }
        var options = FrontendOptions()
        try options.apply(settings, source: "command line")
        return options
    }

    /// Applies settings by name; `source` names where they came from in error messages.
    public mutating func apply(_ settings: [(String, String)], source: String) throws(Invalid) {
        for (rawName, value) in settings {
            let name = rawName.lowercased()
            func fail(_ why: String) -> Invalid { Invalid(description: "\(source): \(rawName): \(value) is not valid: \(why)") }
            func int(_ range: ClosedRange<Int>) throws(Invalid) -> Int {
                guard let n = Int(value), range.contains(n) else { throw fail("must be an integer from \(range.lowerBound) to \(range.upperBound)") }
                return n
            }
            func bool() throws(Invalid) -> Bool {
                switch value.lowercased() {
                case "true", "yes", "y", "on", "1": return true
                case "false", "no", "n", "off", "0": return false
                default: throw fail("must be true or false")
                }
            }
            switch name {
            case "enabled": enabled = try bool()
            case "interface": interface = value
            case "port": port = try int(0...65535)
            case "redishost": redisHost = value
            case "redisport": redisPort = try int(1...65535)
            case "redisinputqueue": redisInputQueue = value
            case "redisoutputqueue": redisOutputQueue = value
            case "parallelism": parallelism = try int(1...100_000)
            case "timewindow": timeWindow = try int(0...60_000)
            case "countwindow": countWindow = try int(0...100_000)
            case "tokenbucketenabled": tokenBucketEnabled = try bool()
            case "tokenspersecond": tokensPerSecond = try int(1...10_000_000)
            case "tokenacquiretimeout": tokenAcquireTimeout = try int(0...600_000)
            case "httpsenabled": httpsEnabled = try bool()
            case "secureport": securePort = try int(0...65535)
            case "httpscertificatepath", "httpscertpath": httpsCertificatePath = value
            case "httpskeypath": httpsKeyPath = value
            case "bearertoken", "token": bearerToken = value.isEmpty ? nil : value
            case "predicttimeout", "timeout": predictTimeout = try int(1...3_600_000)
            case "maxbodybytes": maxBodyBytes = try int(1024...(1 << 30))
            case "idletimeout": idleTimeout = try int(1...86_400)
            case "modelversion": modelVersion = value
            case "httpskeystorepath", "httpskeystoretoken":
                throw fail("PKCS12 keystores are not read here: convert it to PEM (openssl pkcs12 -in ks.p12 -nokeys "
                    + "-out cert.pem; openssl pkcs12 -in ks.p12 -nocerts -nodes -out key.pem) and set "
                    + "httpsCertificatePath and httpsKeyPath")
            case "redissecureenabled", "redisstruststorepath", "redisstruststoretoken", "servablemanagerconfpath":
                continue  // accepted for compatibility; the queue here is plain TCP and the servables are the jobs
            default:
                throw Invalid(description: "\(source): unknown option '\(rawName)'")
            }
        }
        if httpsEnabled && (httpsCertificatePath == nil || httpsKeyPath == nil) {
            throw Invalid(description: "\(source): httpsEnabled needs httpsCertificatePath and httpsKeyPath (PEM files)")
        }
    }
}
