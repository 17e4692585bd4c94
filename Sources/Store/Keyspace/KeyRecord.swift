/// The data types a key can hold, with the names TYPE and SCAN TYPE use.
public enum KeyType: UInt8, Sendable {
    case string = 1
    case hash = 2
    case list = 3
    case stream = 4

    public var name: String {
        switch self {
        case .string: "string"
        case .hash: "hash"
        case .list: "list"
        case .stream: "stream"
        }
    }

    public init?(name: String) {
        switch name.lowercased() {
        case "string": self = .string
        case "hash": self = .hash
        case "list": self = .list
        case "stream": self = .stream
        default: return nil
        }
    }
}

/// What the `keys` database stores for one key.
///
/// Layout: `type(1) flags(1) expireAt(8) objectID(8) [nameLength(4) name] payload`.
/// - `expireAt` is a Unix time in milliseconds, 0 for no expiry.
/// - `objectID` prefixes the key's records in the `items` database (0 for strings, whose value is the payload).
/// - The full name is kept only for long keys, whose LMDB key is a digest (see `KeyName`).
/// - `payload` is the string value, or the type's header (counts, list bounds, stream metadata).
struct KeyRecord {
    var type: KeyType
    var expireAt: Int64
    var objectID: UInt64
    var fullName: Bytes?
    var payload: Bytes

    init(type: KeyType, expireAt: Int64 = 0, objectID: UInt64 = 0, fullName: Bytes? = nil, payload: Bytes) {
        self.type = type
        self.expireAt = expireAt
        self.objectID = objectID
        self.fullName = fullName
        self.payload = payload
    }

    init(decoding bytes: Bytes) throws(StoreError) {
        try self.init(decoding: bytes.withUnsafeBytes { UnsafeRawBufferPointer($0) }, payload: true)
    }

    /// Decodes a record straight from LMDB's memory; without `payload` the value is not copied (lookups
    /// that only need the type and expiry).
    init(decoding raw: UnsafeRawBufferPointer, payload: Bool) throws(StoreError) {
        guard raw.count >= 18, let type = KeyType(rawValue: raw[0]) else { throw .corrupt("key record") }
        func u64(_ at: Int) -> UInt64 {
            var v: UInt64 = 0
            for i in 0..<8 { v = (v << 8) | UInt64(raw[at + i]) }
            return v
        }
        self.type = type
        self.expireAt = Int64(bitPattern: u64(2))
        self.objectID = u64(10)
        var offset = 18
        if raw[1] & 1 != 0 {
            guard raw.count >= 22 else { throw .corrupt("key record") }
            let length = Int(u64(18) >> 32)
            guard raw.count >= 22 + length else { throw .corrupt("key record") }
            self.fullName = Bytes(raw[22..<(22 + length)])
            offset = 22 + length
        } else {
            self.fullName = nil
        }
        self.payload = payload ? Bytes(raw[offset...]) : []
    }

    func encoded() -> Bytes {
        var out = Bytes()
        out.reserveCapacity(18 + payload.count + (fullName.map { $0.count + 4 } ?? 0))
        out.append(type.rawValue)
        out.append(fullName == nil ? 0 : 1)
        out.appendBigEndian(expireAt)
        out.appendBigEndian(objectID)
        if let fullName { out.appendLengthPrefixed(fullName) }
        out.append(contentsOf: payload)
        return out
    }
}

/// How a name (a key, a hash field, a group or consumer name) becomes part of an LMDB key.
///
/// LMDB keys are at most 511 bytes. Names up to `inlineLimit` bytes are used as they are; longer names
/// become their first `inlineLimit` bytes plus a 128-bit digest, which is longer than any inline name, so
/// the two forms never collide. Records of long names store the full name, and lookups compare it.
enum KeyName {
    static let inlineLimit = 400
    static let digestedLength = inlineLimit + 16

    static func encode(_ name: Bytes) -> Bytes {
        guard name.count > inlineLimit else { return name }
        var out = Bytes(name[0..<inlineLimit])
        out.appendBigEndian(fnv1a(name, basis: 0xcbf2_9ce4_8422_2325))
        out.appendBigEndian(fnv1a(name.reversed(), basis: 0x6c62_272e_07bb_0142))
        return out
    }

    static func isDigested(_ encoded: some Collection<UInt8>) -> Bool { encoded.count == digestedLength }

    private static func fnv1a(_ bytes: some Sequence<UInt8>, basis: UInt64) -> UInt64 {
        var h = basis
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }
}
