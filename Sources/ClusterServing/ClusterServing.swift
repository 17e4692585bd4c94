import ArgumentParser

/// The `cluster-serving` command: each subcommand wires the libraries together.
@main
struct ClusterServing: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster-serving",
        abstract: "A single-binary Cluster Serving: a Redis-compatible stream store with in-process inference.",
        subcommands: [
            StartCommand.self, StopCommand.self, ShutdownCommand.self, RestartCommand.self, ListCommand.self,
            CancelCommand.self, InitCommand.self, LogCommand.self, StoreLogCommand.self, HTTPCommand.self,
            ServerCommand.self, PredictCommand.self, BenchmarkCommand.self, InspectCommand.self,
        ]
    )
}
