import ArgumentParser
import Foundation
import ServingConfig

/// `cluster-serving list`: the jobs of the store on the config's port (the seed's `flink list`).
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the serving jobs.")
    @OptionGroup var config: ConfigOption

    func run() throws {
        let config = try self.config.load(checkModel: false)
        guard let client = try config.controlClient() else {
            print("No Cluster Serving store runs on \(config.redisHost):\(config.redisPort); no jobs.")
            return
        }
        guard case .array(let jobs?) = try client.call(["SERVING", "LIST"]), !jobs.isEmpty else {
            print("No jobs.")
            return
        }
        let rows = jobs.map(\.fields).map { f in
            [f["id"] ?? "", f["name"] ?? "", f["state"] ?? "", f["records_out"] ?? "0", f["errors"] ?? "0",
             (f["throughput"] ?? "0") + "/s", f["model"] ?? ""]
        }
        printTable(["ID", "NAME", "STATE", "SERVED", "ERRORS", "THROUGHPUT", "MODEL"], rows)
    }
}

/// `cluster-serving cancel <id|name>`: stops one job (the seed's `flink cancel $ID`).
struct CancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Stop one job, by id or name.")
    @OptionGroup var config: ConfigOption
    @Argument(help: "The job's id (from list) or its jobName.") var job: String

    func run() throws {
        let client = try config.load(checkModel: false).requireControlClient()
        if case .error(let message) = try client.call(["SERVING", "CANCEL", job]) {
            throw CLIError(message.replacingOccurrences(of: "ERR ", with: ""))
        }
        _ = poll(timeout: 120) { (try? client.call(["SERVING", "STATUS", job]))?.fields["state"] == nil }
        print("Job \(job) cancelled.")
    }
}

/// `cluster-serving stop`: stops every job; the store keeps running and keeps its data.
struct StopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop all jobs (data kept).")
    @OptionGroup var config: ConfigOption

    func run() throws {
        let config = try self.config.load(checkModel: false)
        guard let client = try config.controlClient() else {
            print("No Cluster Serving store runs on \(config.redisHost):\(config.redisPort); nothing to stop.")
            return
        }
        let stopped = try client.call(["SERVING", "STOP"])
        _ = poll(timeout: 120) {
            if case .array(let jobs?) = try? client.call(["SERVING", "LIST"]) { return jobs.isEmpty }
            return true
        }
        print("Stopped \(stopped.string ?? "0") job(s); the store keeps running with its data.")
    }
}

/// `cluster-serving shutdown`: stops the jobs and the store, and wipes the store's data, as the seed documents.
struct ShutdownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shutdown", abstract: "Stop all jobs and the store server, and delete the store's data.")
    @OptionGroup var config: ConfigOption

    func run() throws {
        let config = try self.config.load(checkModel: false)
        if let client = try config.controlClient() {
            let directory = try client.call(["SERVING", "INFO"]).fields["store_dir"]
            _ = try client.call(["SERVING", "SHUTDOWN", "WIPE"])
            let closed = poll(timeout: 120, every: 0.1) { (try? config.controlClient()) == nil }
            guard closed else { throw CLIError("the store on port \(config.redisPort) did not stop within 120 s") }
            // The process deletes its data as it exits; wait for that too.
            if let directory { _ = poll(timeout: 30) { !FileManager.default.fileExists(atPath: directory) } }
        } else if FileManager.default.fileExists(atPath: config.storeDirectory + "/data.mdb") {
            try FileManager.default.removeItem(atPath: config.storeDirectory)
        }
        print("Cluster Serving is shutdown.")
    }
}

/// `cluster-serving restart`: stop, then start (the seed's cluster-serving-restart).
struct RestartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "restart", abstract: "Stop all jobs, then start this config's job.")
    @OptionGroup var config: ConfigOption
    @Flag(help: "Return once the job serves.") var detach = false

    func run() throws {
        try StopCommand.parse(["-c", config.path]).run()
        try StartCommand.parse(["-c", config.path] + (detach ? ["--detach"] : [])).run()
    }
}

/// `cluster-serving init`: writes a commented config.yaml (the seed's cluster-serving-init).
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Write a commented config.yaml here.")
    @OptionGroup var config: ConfigOption

    func run() throws {
        if FileManager.default.fileExists(atPath: config.path) {
            print("\(config.path) already exists; left as it is.")
            return
        }
        try ServingConfiguration.commentedTemplate.write(toFile: config.path, atomically: true, encoding: .utf8)
        print("Cluster Serving config file prepared.")
    }
}

/// `cluster-serving log [--follow]`: the serving log of this config's job.
struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "log", abstract: "Show the serving log.")
    @OptionGroup var config: ConfigOption
    @Flag(name: [.short, .long], help: "Keep printing as the log grows.") var follow = false
    @Option(name: .short, help: "Lines to show.") var lines = 50

    func run() throws {
        let config = try self.config.load(checkModel: false)
        try show(config.servingLogPath, lines: lines, follow: follow)
    }
}

/// `cluster-serving store-log [--follow]`: the store server's log (the seed's redis-log.sh).
struct StoreLogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "store-log", abstract: "Show the store server's log.")
    @OptionGroup var config: ConfigOption
    @Flag(name: [.short, .long], help: "Keep printing as the log grows.") var follow = false
    @Option(name: .short, help: "Lines to show.") var lines = 50

    func run() throws {
        let config = try self.config.load(checkModel: false)
        // A running store says where its log is (it may have been started from another directory).
        let path = (try? config.controlClient()?.call(["SERVING", "INFO"]).fields["store_log"]) ?? config.storeLogPath
        try show(path, lines: lines, follow: follow)
    }
}

private func show(_ path: String, lines: Int, follow: Bool) throws {
    guard FileManager.default.fileExists(atPath: path) else { throw CLIError("\(path): no log yet") }
    print(LogFollower.tail(path, lines: lines), terminator: "")
    if follow { LogFollower.follow(path, fromEnd: true) }
}

private func printTable(_ header: [String], _ rows: [[String]]) {
    let all = [header] + rows
    let widths = header.indices.map { i in all.map { $0[i].count }.max() ?? 0 }
    for row in all {
        print(row.enumerated().map { i, cell in
            i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
        }.joined(separator: "  "))
    }
}
