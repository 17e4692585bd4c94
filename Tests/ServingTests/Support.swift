import Foundation
import Inference
import Store

@testable import Serving

/// The repository's demo model (models/digits), found from this file's path.
enum Repo {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let digitsDirectory = root + "/models/digits"
    static let digitsModel = digitsDirectory + "/digits.onnx"
}

/// A store in a fresh temporary directory, removed when the test ends.
final class TemporaryStore {
    let directory: String
    let store: Store

    init() throws {
        directory = NSTemporaryDirectory() + "serving-tests-" + UUID().uuidString
        store = try Store(options: .init(directory: directory))
    }

    deinit {
        store.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

extension Store {
    /// XADD as a client would, with `*` IDs.
    func add(_ stream: String, _ fields: [String: String]) throws {
        let flat = fields.sorted { $0.key < $1.key }.flatMap { [Array($0.key.utf8), Array($0.value.utf8)] }
        _ = try write { txn in try txn.keyspace(0).streamAdd(Array(stream.utf8), id: .auto, fields: flat) }
    }

    func hash(_ key: String) throws -> [String: String] {
        try read { txn in
            Dictionary(uniqueKeysWithValues: try txn.keyspace(0).hashGetAll(Array(key.utf8)).map {
                (String(decoding: $0.0, as: UTF8.self), String(decoding: $0.1, as: UTF8.self))
            })
        }
    }

    func streamLength(_ stream: String) throws -> UInt64 {
        try read { txn in try txn.keyspace(0).streamMeta(Array(stream.utf8))?.length ?? 0 }
    }
}

/// A JSON (`serde=stream`) record for the digits model: one [3, 8, 8] image of a constant value.
func digitsRecord(_ value: Float) -> String {
    let row = "[" + Array(repeating: "\(value)", count: 8).joined(separator: ",") + "]"
    let plane = "[" + Array(repeating: row, count: 8).joined(separator: ",") + "]"
    return #"{"instances":[{"image":["# + [plane, plane, plane].joined(separator: ",") + "]}]}"
}

/// Waits up to `timeout` seconds for `condition`.
func eventually(timeout: TimeInterval = 20, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date(timeIntervalSinceNow: timeout)
    while Date() < deadline {
        if try condition() { return true }
        usleep(10_000)
    }
    return try condition()
}
