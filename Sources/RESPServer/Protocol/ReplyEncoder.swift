import NIOCore

/// Writes replies in RESP2 or RESP3.
public enum ReplyEncoder {
    public static func write(_ reply: Reply, protocolVersion: Int, into buffer: inout ByteBuffer) {
        let resp3 = protocolVersion >= 3
        switch reply {
        case .simple(let s):
            buffer.writeInteger(UInt8(ascii: "+"))
            buffer.writeString(s)
            buffer.writeStaticString("\r\n")
        case .error(let s):
            buffer.writeInteger(UInt8(ascii: "-"))
            // An error line may not contain CR or LF (a client's words can end up in it); Redis makes them spaces.
            let utf8 = s.utf8
            if utf8.contains(where: { $0 == 13 || $0 == 10 }) {
                buffer.writeBytes(utf8.map { $0 == 13 || $0 == 10 ? 32 : $0 })
            } else {
                buffer.writeString(s)
            }
            buffer.writeStaticString("\r\n")
        case .integer(let i):
            writeHeader(":", i, into: &buffer)
        case .bulk(let bytes):
            writeHeader("$", Int64(bytes.count), into: &buffer)
            buffer.writeBytes(bytes)
            buffer.writeStaticString("\r\n")
        case .null:
            buffer.writeStaticString(resp3 ? "_\r\n" : "$-1\r\n")
        case .nullArray:
            buffer.writeStaticString(resp3 ? "_\r\n" : "*-1\r\n")
        case .array(let items):
            writeHeader("*", Int64(items.count), into: &buffer)
            for item in items { write(item, protocolVersion: protocolVersion, into: &buffer) }
        case .set(let items):
            writeHeader(resp3 ? "~" : "*", Int64(items.count), into: &buffer)
            for item in items { write(item, protocolVersion: protocolVersion, into: &buffer) }
        case .push(let items):
            writeHeader(resp3 ? ">" : "*", Int64(items.count), into: &buffer)
            for item in items { write(item, protocolVersion: protocolVersion, into: &buffer) }
        case .map(let pairs):
            writeHeader(resp3 ? "%" : "*", Int64(resp3 ? pairs.count : pairs.count * 2), into: &buffer)
            for (k, v) in pairs {
                write(k, protocolVersion: protocolVersion, into: &buffer)
                write(v, protocolVersion: protocolVersion, into: &buffer)
            }
        case .double(let d):
            let text = formatDouble(d)
            if resp3 {
                buffer.writeInteger(UInt8(ascii: ","))
                buffer.writeString(text)
                buffer.writeStaticString("\r\n")
            } else {
                write(.bulk(Array(text.utf8)), protocolVersion: protocolVersion, into: &buffer)
            }
        case .boolean(let b):
            if resp3 {
                buffer.writeStaticString(b ? "#t\r\n" : "#f\r\n")
            } else {
                buffer.writeStaticString(b ? ":1\r\n" : ":0\r\n")
            }
        case .verbatim(let text):
            if resp3 {
                let body = Array("txt:".utf8) + Array(text.utf8)
                writeHeader("=", Int64(body.count), into: &buffer)
                buffer.writeBytes(body)
                buffer.writeStaticString("\r\n")
            } else {
                write(.bulk(Array(text.utf8)), protocolVersion: protocolVersion, into: &buffer)
            }
        case .raw(let bytes):
            buffer.writeBytes(bytes)
        case .noReply:
            break
        case .sequence(let replies):
            for reply in replies { write(reply, protocolVersion: protocolVersion, into: &buffer) }
        }
    }

    private static func writeHeader(_ marker: Character, _ n: Int64, into buffer: inout ByteBuffer) {
        buffer.writeInteger(marker.asciiValue!)
        if n >= 0 && n < 10 {
            buffer.writeInteger(UInt8(48 + n))
        } else {
            buffer.writeString(String(n))
        }
        buffer.writeStaticString("\r\n")
    }

    /// Doubles as Redis prints them: `inf`, `-inf`, `nan`, otherwise the shortest exact form (`%.17g`).
    static func formatDouble(_ d: Double) -> String {
        if d.isInfinite { return d > 0 ? "inf" : "-inf" }
        if d.isNaN { return "nan" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return "\(d)"
    }
}
