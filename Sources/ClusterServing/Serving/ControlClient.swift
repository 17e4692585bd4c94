import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A minimal blocking RESP2 client for job control: the CLI sends one `SERVING ...` command at a time to the
/// store's port. (Not a general Redis client: it reads the few reply types the SERVING commands give.)
final class ControlClient {
    enum Reply: CustomStringConvertible {
        case simple(String), error(String), integer(Int), bulk(String?), array([Reply]?)

        var description: String {
            switch self {
            case .simple(let s), .error(let s): s
            case .integer(let i): String(i)
            case .bulk(let s): s ?? "(nil)"
            case .array(let items): (items ?? []).map(\.description).joined(separator: "\n")
            }
        }

        var string: String? {
            switch self {
            case .simple(let s): s
            case .bulk(let s): s
            case .integer(let i): String(i)
            default: nil
            }
        }

        /// A flat [key, value, ...] array (a RESP2 map) as a dictionary.
        var fields: [String: String] {
            guard case .array(let items?) = self else { return [:] }
            var out: [String: String] = [:]
            var i = 0
            while i + 1 < items.count {
                if let k = items[i].string { out[k] = items[i + 1].string ?? "" }
                i += 2
            }
            return out
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let fd: Int32
    private var buffer: [UInt8] = []
    let host: String
    let port: Int

    /// Connects to host:port; throws when nothing listens there.
    init(host: String, port: Int, timeout: TimeInterval = 5) throws {
        self.host = host
        self.port = port
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
            throw Failure(description: "cannot resolve \(host)")
        }
        defer { freeaddrinfo(list) }
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        var connected: Int32 = -1
        while let info = candidate {
            let s = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if s >= 0 {
                var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
                setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                if connect(s, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
                    connected = s
                    break
                }
                close(s)
            }
            candidate = info.pointee.ai_next
        }
        guard connected >= 0 else { throw Failure(description: "nothing listens on \(host):\(port)") }
        fd = connected
    }

    deinit { close(fd) }

    /// Sends one command and reads its reply.
    func call(_ words: [String]) throws -> Reply {
        var out = "*\(words.count)\r\n"
        for w in words { out += "$\(w.utf8.count)\r\n\(w)\r\n" }
        let bytes = Array(out.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "the connection to \(host):\(port) broke while sending") }
            sent += n
        }
        return try reply()
    }

    private func line() throws -> String {
        while true {
            if let end = buffer.firstIndex(of: 0x0A), end > 0, buffer[end - 1] == 0x0D {
                let text = String(decoding: buffer[..<(end - 1)], as: UTF8.self)
                buffer.removeFirst(end + 1)
                return text
            }
            try fill()
        }
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { throw Failure(description: "the server at \(host):\(port) closed the connection or timed out") }
        buffer += chunk[..<n]
    }

    private func reply() throws -> Reply {
        let head = try line()
        guard let kind = head.first else { throw Failure(description: "empty reply line") }
        let rest = String(head.dropFirst())
        switch kind {
        case "+": return .simple(rest)
        case "-": return .error(rest)
        case ":": return .integer(Int(rest) ?? 0)
        case "$":
            guard let length = Int(rest), length >= 0 else { return .bulk(nil) }
            while buffer.count < length + 2 { try fill() }
            let text = String(decoding: buffer[..<length], as: UTF8.self)
            buffer.removeFirst(length + 2)
            return .bulk(text)
        case "*":
            guard let count = Int(rest), count >= 0 else { return .array(nil) }
            return .array(try (0..<count).map { _ in try reply() })
        default:
            throw Failure(description: "unexpected reply from \(host):\(port): \(head)")
        }
    }
}
