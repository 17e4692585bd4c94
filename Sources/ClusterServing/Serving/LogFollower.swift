import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `tail` and `tail -f` for the serving and store logs.
enum LogFollower {
    /// The last `lines` lines of a file ("" when it does not exist).
    static func tail(_ path: String, lines: Int) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "" }
        return String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .suffix(lines + 1).joined(separator: "\n")
    }

    /// Prints the file as it grows until Ctrl-C (or SIGTERM), then runs `onStop`. `fromEnd` skips what is there.
    static func follow(_ path: String, fromEnd: Bool, onStop: () -> Void = {}) {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        var offset: UInt64 = 0
        if fromEnd, let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? UInt64 { offset = size }
        var timeout = timespec(tv_sec: 0, tv_nsec: 200_000_000)
        while true {
            if let handle = FileHandle(forReadingAtPath: path) {
                let size = (try? handle.seekToEnd()) ?? 0
                if size < offset { offset = 0 }  // truncated or replaced
                if size > offset {
                    try? handle.seek(toOffset: offset)
                    if let data = try? handle.read(upToCount: Int(size - offset)) {
                        FileHandle.standardOutput.write(data)
                        offset += UInt64(data.count)
                    }
                }
                try? handle.close()
            }
            if sigtimedwait(&signals, nil, &timeout) > 0 { break }
        }
        onStop()
    }
}
