import ArgumentParser
import Foundation
import HTTPFrontend
import Inference
import ServingConfig

/// `-c/--config`, which every serving subcommand takes (the seed's `cluster-serving-start -c`).
struct ConfigOption: ParsableArguments {
    @Option(name: [.customShort("c"), .customLong("config"), .customLong("config_path")],
            help: "The job's config.yaml (it also names the store's port).")
    var path: String = "config.yaml"

    /// The config, checked: refusals end the command with the loader's message; warnings go to stderr.
    func load(checkModel: Bool = true) throws -> ServingConfiguration {
        let absolute = (path as NSString).isAbsolutePath
            ? path : FileManager.default.currentDirectoryPath + "/" + path
        guard FileManager.default.fileExists(atPath: absolute) else {
            throw CLIError("\(path): no such config file (run `cluster-serving init` to write one)")
        }
        let (config, warnings): (ServingConfiguration, [String])
        do {
            (config, warnings) = try ServingConfiguration.load(path: absolute)
        } catch {
            throw CLIError(error.description)
        }
        for warning in warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        if checkModel {
            do {
                _ = try ModelFormats.locate(config.modelPath, type: ModelType.configured(config.modelType),
                                            options: ModelLoadOptions(signature: config.modelSignature))
            } catch {
                throw CLIError("\(config.file): modelPath: \(config.modelPath): \(error)")
            }
            _ = try config.frontendOptions()
            if config.redisSecureEnabled && !["127.0.0.1", "::1", "localhost"].contains(config.bind) {
                throw CLIError("\(config.file): redisSecureEnabled: true is not supported (the store speaks plain TCP); "
                    + "it is only allowed with the default bind 127.0.0.1")
            }
        }
        return config
    }
}

extension ServingConfiguration {
    /// The embedded frontend's options: the seed's defaults, pointed at this job, then the `frontend:` section.
    func frontendOptions() throws -> FrontendOptions {
        var options = FrontendOptions()
        options.redisPort = redisPort
        options.redisInputQueue = jobName
        options.redisOutputQueue = "cluster-serving_\(jobName):"
        do {
            try options.apply(frontendSettings.sorted { $0.key < $1.key }, source: "\(file): frontend")
        } catch {
            throw CLIError(error.description)
        }
        return options
    }

    /// A control connection to the store of this config, authenticated; nil when nothing listens on its port.
    func controlClient() throws -> ControlClient? {
        let client: ControlClient
        do {
            client = try ControlClient(host: redisHost == "localhost" ? "127.0.0.1" : redisHost, port: redisPort)
        } catch {
            return nil
        }
        // A server that accepts and then drops the connection is going away (or was just killed): nothing runs.
        guard let reply = try? client.call(["SERVING", "PING"]) else { return nil }
        switch reply {
        case .simple("PONG"): break
        case .error(let message) where message.hasPrefix("NOAUTH"):
            guard let requirepass else {
                throw CLIError("the store on \(redisHost):\(redisPort) needs a password: set requirepass in \(file)")
            }
            if case .error(let message) = try client.call(["AUTH", requirepass]) {
                throw CLIError("the store on \(redisHost):\(redisPort) refused the config's requirepass: \(message)")
            }
            guard case .simple("PONG") = try client.call(["SERVING", "PING"]) else { fallthrough }
        default:
            throw CLIError("\(redisHost):\(redisPort) is served by something that is not cluster-serving (a Redis "
                + "server?): stop it, or set another port in redisUrl in \(file)")
        }
        return client
    }

    /// The control connection, or a clear error when no store runs.
    func requireControlClient() throws -> ControlClient {
        guard let client = try controlClient() else {
            throw CLIError("no Cluster Serving store runs on \(redisHost):\(redisPort) (from \(file))")
        }
        return client
    }
}

/// Waits up to `timeout` seconds for `condition`, polling.
func poll(timeout: TimeInterval, every interval: TimeInterval = 0.05, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date(timeIntervalSinceNow: timeout)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: interval)
    }
    return try condition()
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
