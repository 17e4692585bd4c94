import Foundation
import ServingConfig

/// A temporary directory holding a config file and the model directories it names. Removed when released.
final class Sandbox {
    let directory: String
    var configPath: String { directory + "/config.yaml" }

    init(models: [String] = ["model"]) {
        directory = FileManager.default.temporaryDirectory.path + "/serving-config-" + UUID().uuidString
        for model in models {
            try! FileManager.default.createDirectory(
                atPath: directory + "/" + model, withIntermediateDirectories: true)
        }
        try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func parse(_ yaml: String) throws(ConfigError) -> (ServingConfiguration, warnings: [String]) {
        try ServingConfiguration.parse(yaml: yaml, file: configPath)
    }

    /// Copies a file of `Fixtures/` next to the models and loads it from disk.
    func load(fixture name: String) throws -> (ServingConfiguration, warnings: [String]) {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures").appendingPathComponent(name)
        try String(contentsOf: source, encoding: .utf8).write(toFile: configPath, atomically: true, encoding: .utf8)
        return try ServingConfiguration.load(path: configPath)
    }

    /// The error `yaml` is refused with, or nil if it loads.
    func refusal(_ yaml: String) -> ConfigError? {
        do {
            _ = try parse(yaml)
            return nil
        } catch {
            return error
        }
    }

    /// `text` with `<dir>` replaced by this sandbox's directory.
    func expand(_ text: String) -> String {
        text.replacingOccurrences(of: "<dir>", with: directory)
    }
}
