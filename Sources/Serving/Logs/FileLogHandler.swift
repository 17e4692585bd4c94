import Foundation
import Logging

/// A swift-log handler that appends lines to files: the serving log, the error log (errors only) and, in the
/// foreground, the terminal. The file is opened in append mode per handler and written one line at a time.
public struct FileLogHandler: LogHandler {
    /// One append-only file shared by every handler that writes to it.
    public final class Sink: @unchecked Sendable {
        private let handle: FileHandle?
        private let lock = NSLock()
        public let path: String

        public init(path: String) {
            self.path = path
            if !FileManager.default.fileExists(atPath: path) {
                FileManager.default.createFile(atPath: path, contents: nil)
            }
            handle = FileHandle(forWritingAtPath: path)
            _ = try? handle?.seekToEnd()
        }

        /// stderr, for the terminal of a job in the foreground.
        public init(standardError: Void) {
            handle = FileHandle.standardError
            path = "/dev/stderr"
        }

        func write(_ line: String) {
            lock.withLock { try? handle?.write(contentsOf: Data(line.utf8)) }
        }
    }

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String
    private let sinks: [Sink]
    private let errorSinks: [Sink]

    /// `sinks` get every line at `logLevel` or above; `errorSinks` only errors.
    public init(label: String, sinks: [Sink], errorSinks: [Sink] = []) {
        self.label = label
        self.sinks = sinks
        self.errorSinks = errorSinks
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let stamp = Self.timestamp()
        let line = "\(stamp) \(event.level.rawValue.uppercased()) [\(label)] \(event.message)\n"
        for sink in sinks { sink.write(line) }
        if event.level >= .error { for sink in errorSinks { sink.write(line) } }
    }

    private static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        localtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d.%03d", parts.tm_year + 1900, parts.tm_mon + 1,
                      parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec, Int(now.tv_nsec / 1_000_000))
    }
}
