import Foundation
import Inference
import RESPServer
import ServingConfig

/// What the store process tells `SERVING INFO` about itself.
public struct ServerDescription: Sendable {
    public let pid: Int32
    public let port: Int
    public let storeDirectory: String
    public let storeLogPath: String

    public init(pid: Int32, port: Int, storeDirectory: String, storeLogPath: String) {
        self.pid = pid
        self.port = port
        self.storeDirectory = storeDirectory
        self.storeLogPath = storeLogPath
    }
}

/// `SERVING <subcommand>`: job control over the store's own RESP port, so that `cluster-serving list`, `cancel`,
/// `stop`, `shutdown` and a second `start` reach the running process from any directory — and `redis-cli` can call
/// them too. Every subcommand answers at once; model loading and draining happen in the background and show in
/// `SERVING STATUS`.
///
///     SERVING PING                    +PONG (tells our server from another Redis)
///     SERVING INFO                    pid, port, store directory and store log
///     SERVING ADD <config.yaml path>  starts the job of that config; replies its id
///     SERVING LIST                    one map per job
///     SERVING STATUS <id|name>        one job's map, or nil
///     SERVING CANCEL <id|name>        stops one job (the batches it has read are answered first)
///     SERVING STOP                    stops every job; the data stays
///     SERVING SHUTDOWN [WIPE]         stops the jobs and the server; WIPE also deletes the store's data
public enum ServingCommand {
    public static func make(manager: JobManager, server: ServerDescription,
                            shutdown: @escaping @Sendable (_ wipe: Bool) -> Void) -> ExtensionCommand {
        ExtensionCommand(
            name: "serving", arity: -2, summary: "Cluster Serving job control (list, add, cancel, stop, shutdown).",
            subcommands: [("ping", 2), ("info", 2), ("add", 3), ("list", 2), ("status", 3), ("metadata", 3),
                          ("cancel", 3), ("stop", 2), ("shutdown", -2), ("help", 2)]
        ) { args in
            let sub = String(decoding: args[1], as: UTF8.self).lowercased()
            let arg = args.count > 2 ? String(decoding: args[2], as: UTF8.self) : ""
            switch sub {
            case "ping": return .simple("PONG")
            case "info":
                return .map([(.bulk("pid"), .integer(Int(server.pid))), (.bulk("port"), .integer(server.port)),
                             (.bulk("store_dir"), .bulk(server.storeDirectory)), (.bulk("store_log"), .bulk(server.storeLogPath)),
                             (.bulk("jobs"), .integer(manager.all.count))])
            case "add":
                do {
                    let (config, warnings) = try ServingConfiguration.load(path: arg)
                    let job = try manager.add(config)
                    for warning in warnings { job.logger.warning("\(warning)") }
                    return .array([.integer(job.id), .bulk(config.jobName)])
                } catch let error as ConfigError {
                    return .error("ERR \(error.description)")
                } catch {
                    return .error("ERR \(error)")
                }
            case "list": return .array(manager.all.map(describe))
            case "status": return manager.job(arg).map(describe) ?? .null
            case "metadata": return manager.job(arg).map { .bulk(metadata($0).text) } ?? .null
            case "cancel":
                do { return .integer(try manager.cancel(arg).id) } catch { return .error("ERR \(error)") }
            case "stop":
                let jobs = manager.all
                for job in jobs { _ = try? manager.cancel(String(job.id)) }
                return .integer(jobs.count)
            case "shutdown":
                let wipe = arg.lowercased() == "wipe"
                guard arg.isEmpty || wipe || arg.lowercased() == "nowipe" else {
                    return .error("ERR SERVING SHUTDOWN takes WIPE or NOWIPE, got '\(arg)'")
                }
                DispatchQueue.global().async { shutdown(wipe) }
                return .ok
            case "help":
                return .array(["SERVING PING", "SERVING INFO", "SERVING ADD <config.yaml>", "SERVING LIST",
                               "SERVING STATUS <id|name>", "SERVING METADATA <id|name>", "SERVING CANCEL <id|name>", "SERVING STOP",
                               "SERVING SHUTDOWN [WIPE]"].map { Reply.simple($0) })
            default:
                return .error("ERR unknown subcommand '\(sub)'. Try SERVING HELP.")
            }
        }
    }

    /// The model's inputs and outputs as JSON (KServe datatypes, -1 for a free dimension): what a frontend on
    /// another host needs to describe the model.
    public static func metadata(_ job: ServingJob) -> JSONValue {
        func tensors(_ values: [ValueInfo]) -> JSONValue {
            .array(values.map { value in
                let datatype = switch value.elementType {
                case .float32: "FP32"
                case .int64: "INT64"
                case .int32: "INT32"
                case .bool: "BOOL"
                }
                return .object([("name", .string(value.name)), ("datatype", .string(datatype)),
                                ("shape", value.shape.map { .array($0.map { .number(Double($0.value ?? -1)) }) } ?? .null)])
            })
        }
        let metadata = job.model?.metadata
        return .object([("format", .string(metadata?.format ?? "")), ("inputs", tensors(metadata?.inputs ?? [])),
                        ("outputs", tensors(metadata?.outputs ?? []))])
    }

    /// A job as `list` shows it: a map that redis-cli prints readably and the CLI formats as a table.
    static func describe(_ job: ServingJob) -> Reply {
        let c = job.config
        func text(_ s: String) -> Reply { .bulk(s) }
        var fields: [(String, Reply)] = [
            ("id", .integer(job.id)), ("name", text(c.jobName)), ("state", text(job.state.description)),
            ("model", text(job.modelFile.isEmpty ? c.modelPath : job.modelFile)), ("config", text(c.file)),
            ("queue_depth", .integer(Int(job.queueDepth))),
        ]
        for (name, value) in job.metrics.snapshot.figures {
            fields.append((name, value == value.rounded() && !name.hasSuffix("_ms") && !name.contains("throughput")
                           ? .integer(Int(value)) : .bulk(String(format: "%.3f", value))))
        }
        fields += [("serving_log", text(c.servingLogPath)), ("error_log", text(c.logErrors ? c.errorLogPath : ""))]
        return .map(fields.map { (.bulk($0.0), $0.1) })
    }
}
