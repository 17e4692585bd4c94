import ArgumentParser
import Foundation
import HTTPFrontend
import Logging

/// `cluster-serving http [--name value | --name=value ...]`: the HTTP frontend alone, in front of any RESP server
/// (ours, or a redis-server with a job of ours consuming from it), with the seed's option names and defaults.
struct HTTPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http",
        abstract: "Run the HTTP frontend alone, as a client of a RESP server.",
        discussion: """
            Options (the original frontend's names; --name value or --name=value): --interface 0.0.0.0 --port 10020 \
            --redisHost localhost --redisPort 6379 --redisInputQueue serving_stream \
            --redisOutputQueue cluster-serving_serving_stream: --parallelism 1000 --timeWindow 0 --countWindow 56 \
            --tokenBucketEnabled false --tokensPerSecond 100 --tokenAcquireTimeout 100 --httpsEnabled false \
            --securePort 10023 --httpsCertificatePath cert.pem --httpsKeyPath key.pem --bearerToken T \
            --predictTimeout 10000 (ms) --maxBodyBytes 67108864 --modelVersion 1 --redisPassword PW
            """
    )

    @Argument(parsing: .allUnrecognized, help: "Frontend options, --name value or --name=value.")
    var arguments: [String] = []

    func run() throws {
        var words = arguments
        var password: String?
        if let i = words.firstIndex(where: { $0.lowercased().hasPrefix("--redispassword") }) {
            if words[i].contains("=") {
                password = String(words[i].split(separator: "=", maxSplits: 1)[1])
                words.remove(at: i)
            } else if i + 1 < words.count {
                password = words[i + 1]
                words.removeSubrange(i...(i + 1))
            }
        }
        let options: FrontendOptions
        do { options = try FrontendOptions.parse(arguments: words) } catch { throw CLIError(error.description) }
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        let queue = RESPQueue(host: options.redisHost, port: options.redisPort, password: password)
        let server = FrontendServer(frontend: Frontend(options: options, queue: queue))
        try server.start()
        print("HTTP frontend on \(options.interface):\(server.boundPorts.map(String.init).joined(separator: ", https ")) "
            + "in front of \(options.redisHost):\(options.redisPort); Ctrl-C stops it.")
        fflush(nil)
        var received: Int32 = 0
        sigwait(&signals, &received)
        server.stop()
    }
}
