import Foundation

/// How the model-reader harnesses turn one fuzz input into the files of a model.
public enum FuzzInput {
    /// Splits `bytes` into `count` parts: each but the last is preceded by a 4-byte little-endian length (cut
    /// short where the input ends); the last part is the rest.
    public static func parts(_ bytes: [UInt8], count: Int) -> [ArraySlice<UInt8>] {
        var parts: [ArraySlice<UInt8>] = []
        var position = 0
        for _ in 0..<(count - 1) {
            guard position + 4 <= bytes.count else {
                parts.append([])
                continue
            }
            let declared = bytes[position..<position + 4].enumerated()
                .reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            let end = position + 4 + min(declared, bytes.count - position - 4)
            parts.append(bytes[(position + 4)..<end])
            position = end
        }
        parts.append(bytes[min(position, bytes.count)...])
        return parts
    }

    /// This process's temporary directory for model files, made on first use and removed at exit.
    public static let directory: URL = {
        let url = scratch()
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: FuzzInput.scratch()) }
        return url
    }()

    static func scratch() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-models-\(getpid())")
    }

    /// Writes `bytes` to `name` under `directory` (creating folders on the way) and returns its path.
    @discardableResult
    public static func write(_ bytes: ArraySlice<UInt8>, to name: String) -> String {
        let file = directory.appendingPathComponent(name)
        try! FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try! Data(bytes).write(to: file)
        return file.path
    }
}
