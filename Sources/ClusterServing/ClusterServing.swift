import ArgumentParser

/// The `cluster-serving` command: each subcommand wires the libraries together.
@main
struct ClusterServing: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster-serving",
        abstract: "A single-binary Cluster Serving: a Redis-compatible stream store with in-process inference.",
        subcommands: [ServerCommand.self, PredictCommand.self, BenchmarkCommand.self, InspectCommand.self]
    )
}
