import ArgumentParser
import Foundation
import ServingConfig

#if canImport(Glibc)
import Glibc
#endif

/// `cluster-serving start [-c config.yaml] [--detach]`: serves the config's model. Starts the store server on the
/// config's port, or, when a cluster-serving store already runs there, adds the job to it (another jobName: the
/// seed's "Start Multiple Serving").
struct StartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start serving the model of config.yaml (in the foreground unless --detach)."
    )

    @OptionGroup var config: ConfigOption

    @Flag(help: "Return once the job serves; the store and job keep running in the background.")
    var detach = false

    @Option(help: "Seconds to wait for the model to load with --detach.")
    var timeout: Double = 300

    /// Set on the background process that `--detach` starts.
    @Flag(help: .hidden)
    var detachedChild = false

    func run() throws {
        let config = try self.config.load()
        if detachedChild {
            throw ExitCode(try ServingProcess.run(config, warnings: [], foreground: false))
        }
        if let client = try config.controlClient() {
            try addToRunningStore(config, client)
        } else if detach {
            try startInBackground(config)
        } else {
            print("Cluster Serving: store on \(config.bind):\(config.redisPort), job \(config.jobName); Ctrl-C stops both.")
            fflush(nil)  // every output stream: the line shows before the logs
            throw ExitCode(try ServingProcess.run(config, warnings: [], foreground: true))
        }
    }

    /// A store already runs on the port: the job joins it.
    private func addToRunningStore(_ config: ServingConfiguration, _ client: ControlClient) throws {
        let added = try client.call(["SERVING", "ADD", config.file])
        if case .error(let message) = added { throw CLIError(message.replacingOccurrences(of: "ERR ", with: "")) }
        print("Cluster Serving store already runs on \(config.redisHost):\(config.redisPort): adding job \(config.jobName).")
        try waitUntilServing(config, client: client, spawned: nil)
        guard !detach else { return }
        // In the foreground: show the job's log until Ctrl-C, then cancel the job (the store keeps running).
        print("Following \(config.servingLogPath); Ctrl-C cancels the job.")
        LogFollower.follow(config.servingLogPath, fromEnd: true) {
            _ = try? config.requireControlClient().call(["SERVING", "CANCEL", config.jobName])
            print("\nJob \(config.jobName) cancelled.")
        }
    }

    /// No store yet: start one in a new session, logging to the store log, and wait for the job.
    private func startInBackground(_ config: ServingConfiguration) throws {
        let pid = try spawnDetached(config)
        guard try poll(timeout: 30, { try config.controlClient() != nil || !isAlive(pid) }), isAlive(pid) else {
            throw CLIError("the store process exited at start; see \(config.storeLogPath):\n" + LogFollower.tail(config.storeLogPath, lines: 15))
        }
        try waitUntilServing(config, client: config.requireControlClient(), spawned: pid)
    }

    private func waitUntilServing(_ config: ServingConfiguration, client: ControlClient, spawned pid: pid_t?) throws {
        var state = "loading"
        _ = poll(timeout: timeout) {
            if let reply = try? client.call(["SERVING", "STATUS", config.jobName]) {
                state = reply.fields["state"] ?? "gone"
            } else {
                state = "failed: the store process exited; see \(config.storeLogPath)"
            }
            return state != "loading"
        }
        guard state == "serving" else {
            _ = try? client.call(["SERVING", "CANCEL", config.jobName])
            var message = "job \(config.jobName) did not start: \(state)"
            if state == "loading" { message = "job \(config.jobName) still loads after \(Int(timeout)) s; see \(config.servingLogPath)" }
            throw CLIError(message)
        }
        let info = try client.call(["SERVING", "INFO"]).fields
        print("""
            Cluster Serving job \(config.jobName) is serving on \(config.redisHost):\(config.redisPort) (pid \(info["pid"] ?? "?")).
            Serving log: \(config.servingLogPath)\(config.logErrors ? "\nError log:   \(config.errorLogPath)" : "")
            Store log:   \(info["store_log"] ?? config.storeLogPath)
            """)
    }

    /// Starts `cluster-serving start -c <config> --detached-child` in its own session (no terminal: it survives the
    /// shell), with stdout and stderr appended to the store log.
    private func spawnDetached(_ config: ServingConfiguration) throws -> pid_t {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let arguments = [executable, "start", "-c", config.file, "--detached-child"]
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(0x80))  // POSIX_SPAWN_SETSID (glibc), not exported to Swift
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, config.storeLogPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, &argv, environ)
        guard status == 0 else { throw CLIError("could not start the background process: \(String(cString: strerror(status)))") }
        return pid
    }

    private func isAlive(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == 0
    }
}
