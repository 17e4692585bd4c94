/// Why a config file was refused. One error per load: the first problem found.
///
/// `description` is the line shown to the user. It always starts with the file, then names the key as written
/// in the file and the offending value when there is one:
///
///     /srv/config.yaml: batchSize: -3 is not valid: must be an integer from 1 to 4096
///     /srv/config.yaml: modelPath (or model.path) is required
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    /// Absolute path of the config file.
    public let file: String
    /// The key as spelled in the file (`BatchSize`, `params.batch_size`), or nil for whole-file problems.
    public let key: String?
    /// The value as written in the file, or nil when the key was missing.
    public let value: String?
    /// What is wrong. With a key and a value it completes "<key>: <value> is not valid: ";
    /// otherwise it is a whole sentence.
    public let reason: String

    public init(file: String, key: String? = nil, value: String? = nil, reason: String) {
        self.file = file
        self.key = key
        self.value = value
        self.reason = reason
    }

    public var description: String {
        if let key, let value {
            return "\(file): \(key): \(value) is not valid: \(reason)"
        }
        return "\(file): \(reason)"
    }
}
