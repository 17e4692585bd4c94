import Foundation
import Yams

extension ServingConfiguration {
    /// Reads and checks the config file at `path` (relative paths resolve against the current directory).
    /// Returns the configuration and the warnings to show (unknown and ignored keys, conflicts).
    /// Throws the first problem found, naming the file, the key and the value.
    public static func load(path: String) throws(ConfigError) -> (ServingConfiguration, warnings: [String]) {
        let file = Paths.absolute(path, against: FileManager.default.currentDirectoryPath)
        guard FileManager.default.fileExists(atPath: file) else {
            throw ConfigError(file: file, reason: "cannot read the config file: no such file or directory")
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigError(file: file, reason: "cannot read the config file")
        }
        guard let yaml = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: file, reason: "the config file is not UTF-8 text")
        }
        return try parse(yaml: yaml, file: file)
    }

    /// Like `load`, for text already read. `file` names the file in messages and is the base of relative paths.
    public static func parse(yaml: String, file: String) throws(ConfigError) -> (ServingConfiguration, warnings: [String]) {
        var loader = ConfigLoader(file: Paths.absolute(file, against: FileManager.default.currentDirectoryPath))
        let config = try loader.load(yaml: yaml)
        return (config, loader.warnings)
    }
}

/// One key found in the file: its spelling as written (`params.batch_size`) and its value.
struct Entry {
    let key: String
    let node: Node
}

/// Turns the YAML text into settings: first collects the keys of both generations (this file),
/// then checks and applies the values (`ConfigLoader+Build.swift`).
struct ConfigLoader {
    let file: String
    let directory: String
    var warnings: [String] = []

    private var flat: [Setting: Entry] = [:]
    private var nested: [Setting: Entry] = [:]
    private var sawFlatKey = false
    private var sawSection = false
    /// The file has a mark of the 0.7/0.8 Spark-era format, whose filter defaulted to topN(1).
    private(set) var sparkEra = false
    /// The `frontend:` section as written; the HTTP frontend checks it (its options are its own).
    private var frontend: [String: String] = [:]

    init(file: String) {
        self.file = file
        self.directory = Paths.directory(of: file)
    }

    mutating func load(yaml: String) throws(ConfigError) -> ServingConfiguration {
        if let root = try compose(yaml), !Values.isNull(root) {
            guard case .mapping(let top) = root else {
                throw ConfigError(file: file, reason: "the top level must be a mapping of keys to values")
            }
            for (key, value) in top {
                collectTopLevel(Values.render(key), value)
            }
        }
        let generation: ServingConfiguration.Generation = sawFlatKey ? .flat : sawSection ? .nested : .empty
        var config = try build(merged(), generation: generation)
        config.frontendSettings = frontend
        return config
    }

    mutating func warn(_ message: String) {
        warnings.append("\(file): \(message)")
    }

    private func compose(_ yaml: String) throws(ConfigError) -> Node? {
        do {
            return try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            switch error {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
                 .composer(_, let problem, let mark, _):
                throw ConfigError(file: file, reason: "not valid YAML at line \(mark.line), column \(mark.column): \(problem)")
            case .duplicatedKeysInMapping(let duplicates, _):
                throw ConfigError(file: file, reason: "key '\(duplicates.joined(separator: "', '"))' appears more than once")
            default:
                throw ConfigError(file: file, reason: "not valid YAML: \(error)")
            }
        } catch {
            throw ConfigError(file: file, reason: "not valid YAML: \(error)")
        }
    }

    // MARK: Collecting keys

    private mutating func collectTopLevel(_ key: String, _ value: Node) {
        if key.lowercased() == "frontend" {
            guard case .mapping(let keys) = value else {
                if !Values.isNull(value) { warn("'\(key)' ignored: the frontend section needs keys under it") }
                return
            }
            for (name, setting) in keys where !Values.isNull(setting) {
                frontend[Values.render(name)] = Values.render(setting)
            }
        } else if let section = KeyTable.section(key) {
            guard case .mapping(let keys) = value else {
                // An empty section (every key commented out) sets nothing.
                if !Values.isNull(value) { warn("'\(key)' ignored: a section of the nested format needs keys under it") }
                return
            }
            sawSection = true
            if section == "spark" { sparkEra = true }
            for (nestedKey, nestedValue) in keys {
                collectNested(section: section, written: key, Values.render(nestedKey), nestedValue)
            }
        } else if let setting = KeyTable.flatSetting(key) {
            sawFlatKey = true
            record(setting, Entry(key: key, node: value), flat: true)
        } else if let why = KeyTable.ignoredFlatReason(key) {
            sawFlatKey = true
            // Keys left empty, as in the seed templates, set nothing and need no warning.
            if !Values.isNull(value) { warn("\(key): accepted and ignored: \(why)") }
        } else {
            warnUnknown(key, among: KeyTable.topLevelNames, prefix: "")
        }
    }

    private mutating func collectNested(section: String, written: String, _ key: String, _ value: Node) {
        let lower = key.lowercased()
        if (section == "params" && lower == "top_n") || (section == "data" && lower == "image_shape") {
            sparkEra = true
        }
        if let setting = KeyTable.nestedSetting(section: section, key: key) {
            record(setting, Entry(key: "\(written).\(key)", node: value), flat: false)
        } else if let why = KeyTable.ignoredNestedReason(section: section, key: key) {
            if !Values.isNull(value) { warn("\(written).\(key): accepted and ignored: \(why)") }
        } else {
            warnUnknown(key, among: KeyTable.names(inSection: section), prefix: written + ".")
        }
    }

    private mutating func warnUnknown(_ key: String, among candidates: [String], prefix: String) {
        var message = "unknown key '\(prefix)\(key)' ignored"
        if let guess = KeyTable.suggestion(for: key, among: candidates) {
            message += " (did you mean '\(prefix)\(guess)'?)"
        }
        warn(message)
    }

    /// Keeps the later of two spellings of one setting (`modelPath` and `MODELPATH`, `data.shape` and
    /// `data.image_shape`), as the original's parsers did.
    private mutating func record(_ setting: Setting, _ entry: Entry, flat isFlat: Bool) {
        if let earlier = isFlat ? flat[setting] : nested[setting] {
            warn("'\(entry.key)' repeats '\(earlier.key)'; the later value is used")
        }
        if isFlat { flat[setting] = entry } else { nested[setting] = entry }
    }

    /// The settings with a value. Empty values mean "default"; a flat key wins over its nested twin.
    private mutating func merged() -> [Setting: Entry] {
        func valued(_ entry: Entry?) -> Entry? { entry.flatMap { Values.isNull($0.node) ? nil : $0 } }
        var result: [Setting: Entry] = [:]
        for setting in Setting.allCases {  // declaration order keeps the warnings stable
            let flatEntry = valued(flat[setting]), nestedEntry = valued(nested[setting])
            if let flatEntry, let nestedEntry {
                warn("'\(flatEntry.key)' and '\(nestedEntry.key)' are both set; using '\(flatEntry.key)'")
            }
            result[setting] = flatEntry ?? nestedEntry
        }
        return result
    }
}
