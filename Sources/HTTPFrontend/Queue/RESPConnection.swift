import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A blocking RESP2 connection: one command, one reply. For the CLI's job control and for the standalone
/// frontend's queue (`RESPQueue` runs it on a thread pool). Not a general Redis client: it reads the reply
/// types RESP2 has and nothing else (no pub/sub, no RESP3).
public final class RESPConnection: @unchecked Sendable {
    public enum Reply: Sendable, CustomStringConvertible {
        case simple(String), error(String), integer(Int), bulk([UInt8]?), array([Reply]?)

        public var description: String {
            switch self {
            case .simple(let s), .error(let s): s
            case .integer(let i): String(i)
            case .bulk(let b): b.map { String(decoding: $0, as: UTF8.self) } ?? "(nil)"
            case .array(let items): (items ?? []).map(\.description).joined(separator: "\n")
            }
        }

        /// Text of a simple string, bulk string or integer.
        public var string: String? {
            switch self {
            case .simple(let s): s
            case .bulk(let b): b.map { String(decoding: $0, as: UTF8.self) }
            case .integer(let i): String(i)
            default: nil
            }
        }

        /// A flat [key, value, ...] array (a map in RESP2) as a dictionary of texts.
        public var fields: [String: String] {
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

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private let fd: Int32
    private var buffer: [UInt8] = []
    public let host: String
    public let port: Int

    /// Connects to host:port; throws when nothing listens there.
    public init(host: String, port: Int, timeout: TimeInterval = 5) throws {
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
                var one: Int32 = 1
                setsockopt(s, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
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

    /// Sends one command of text words and reads its reply.
    public func call(_ words: [String]) throws -> Reply {
        try pipeline([words.map { Array($0.utf8) }])[0]
    }

    /// Sends several commands at once and reads their replies, in order.
    public func pipeline(_ commands: [[[UInt8]]]) throws -> [Reply] {
        var out: [UInt8] = []
        for words in commands {
            out += Array("*\(words.count)\r\n".utf8)
            for w in words { out += Array("$\(w.count)\r\n".utf8) + w + [13, 10] }
        }
        var sent = 0
        while sent < out.count {
            let n = out[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "the connection to \(host):\(port) broke while sending") }
            sent += n
        }
        return try commands.map { _ in try reply() }
    }

    private func line() throws -> [UInt8] {
        var searched = 0
        while true {
            if let end = buffer[searched...].firstIndex(of: 0x0A), end > 0, buffer[end - 1] == 0x0D {
                let text = Array(buffer[..<(end - 1)])
                buffer.removeFirst(end + 1)
                return text
            }
            searched = max(0, buffer.count - 1)
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
        let rest = String(decoding: head.dropFirst(), as: UTF8.self)
        switch kind {
        case UInt8(ascii: "+"): return .simple(rest)
        case UInt8(ascii: "-"): return .error(rest)
        case UInt8(ascii: ":"): return .integer(Int(rest) ?? 0)
        case UInt8(ascii: "$"):
            guard let length = Int(rest), length >= 0 else { return .bulk(nil) }
            while buffer.count < length + 2 { try fill() }
            let bytes = Array(buffer[..<length])
            buffer.removeFirst(length + 2)
            return .bulk(bytes)
        case UInt8(ascii: "*"):
            guard let count = Int(rest), count >= 0 else { return .array(nil) }
            return .array(try (0..<count).map { _ in try reply() })
        default:
            throw Failure(description: "unexpected reply from \(host):\(port): \(String(decoding: head, as: UTF8.self))")
        }
    }
}
