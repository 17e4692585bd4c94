import ArrowIPC
import Foundation
import Testing

/// Fixture files live next to this file (not SwiftPM resources) so the test
/// folder can be copied into another package unchanged.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name + ".arrow")))
    }

    static func expected(_ name: String) throws -> JSONValue {
        let data = try Data(contentsOf: directory.appendingPathComponent(name + ".json"))
        return try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// Fixture names (without extension) starting with `prefix`, sorted.
    static func names(_ prefix: String) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".arrow") }
            .map { String($0.dropLast(".arrow".count)) }
            .sorted()
    }
}

/// Minimal JSON model for comparing decoded columns with fixture JSON.
/// Numbers compare by value whether JSON spelled them as ints or floats.
enum JSONValue: Decodable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case integer(Int64)
    case unsigned(UInt64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int64.self) { self = .integer(value) }
        else if let value = try? container.decode(UInt64.self) { self = .unsigned(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    /// Numeric value as Double, if this is a number.
    var double: Double? {
        switch self {
        case let .integer(value): return Double(value)
        case let .unsigned(value): return Double(value)
        case let .number(value): return value
        default: return nil
        }
    }

    static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.integer(a), .integer(b)): return a == b
        case let (.unsigned(a), .unsigned(b)): return a == b
        case let (.integer(a), .unsigned(b)), let (.unsigned(b), .integer(a)): return a >= 0 && UInt64(a) == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)): return a == b
        default:
            guard let a = lhs.double, let b = rhs.double else { return false }
            return a == b
        }
    }

    subscript(key: String) -> JSONValue? {
        if case let .object(members) = self { return members[key] }
        return nil
    }

    var array: [JSONValue] {
        if case let .array(items) = self { return items }
        return []
    }

    var string: String? {
        if case let .string(text) = self { return text }
        return nil
    }

    var floats: [Float] { array.compactMap { $0.double.map(Float.init) } }
    var ints: [Int] { array.compactMap { $0.double.map { Int($0) } } }

    var description: String {
        switch self {
        case .null: return "null"
        case let .bool(value): return "\(value)"
        case let .integer(value): return "\(value)"
        case let .unsigned(value): return "\(value)"
        case let .number(value): return "\(value)"
        case let .string(value): return "\"\(value)\""
        case let .array(items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case let .object(members):
            return "{" + members.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
                .joined(separator: ", ") + "}"
        }
    }
}

/// A decoded stream in the fixture JSON shape: {schema, batches}.
func describe(_ stream: ArrowStream) throws -> JSONValue {
    let schema = stream.schema.fields.map { field in
        JSONValue.object(["name": .string(field.name), "type": .string(field.type.description),
                          "nullable": .bool(field.nullable)])
    }
    let batches = try stream.batches.map { batch in
        JSONValue.object(["length": .integer(Int64(batch.length)),
                          "columns": .array(try batch.columns.map { .array(try jsonColumn($0)) })])
    }
    return .object(["schema": .array(schema), "batches": .array(batches)])
}

/// Every slot of `array` as JSON, the way pyarrow's `to_pylist()` renders it.
func jsonColumn(_ array: ArrowArray) throws -> [JSONValue] {
    let slots = 0..<array.length
    let values: [JSONValue]
    switch array.type {
    case .null:
        values = slots.map { _ in .null }
    case .bool:
        values = try array.floats().map { .bool($0 != 0) }
    case let type where type.isInteger:
        values = try array.int64s().map { .integer($0) }
    case .float16, .float32, .float64:
        values = try array.doubles().map { .number($0) }
    case .utf8, .largeUtf8:
        values = try slots.map { .string(try array.string(at: $0) ?? "") }
    case .binary, .largeBinary:
        values = try slots.map { index in
            .string("hex:" + (try array.bytes(at: index) ?? []).map { String(format: "%02x", $0) }.joined())
        }
    case .list, .largeList, .fixedSizeList:
        let items = try jsonColumn(try #require(array.values))
        values = try slots.map { .array(Array(items[try array.listRange(at: $0)])) }
    case let .structure(fields):
        let members = try fields.map { try jsonColumn(try #require(array.child(named: $0.name))) }
        values = slots.map { index in
            .object(Dictionary(uniqueKeysWithValues: zip(fields.map(\.name), members.map { $0[index] })))
        }
    default:
        values = []
    }
    return slots.map { array.isValid($0) ? values[$0] : .null }
}

/// Runs Fixtures/check_with_pyarrow.py on `bytes`. Any failure (no python3,
/// no pyarrow, pyarrow rejecting the bytes) throws, failing the test.
enum PyArrowChecker {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func check(_ bytes: [UInt8], mode: String) throws -> JSONValue {
        let file = FileManager.default.temporaryDirectory
            .appendingPathComponent("arrowipc-\(UUID().uuidString).arrow")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Fixtures.directory.appendingPathComponent("check_with_pyarrow.py").path,
                             mode, file.path]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "check_with_pyarrow.py exited \(process.terminationStatus): "
                          + String(decoding: stderr, as: UTF8.self))
        }
        return try JSONDecoder().decode(JSONValue.self, from: stdout)
    }
}

/// Deterministic pseudo-random numbers (SplitMix64) so mutation tests repeat exactly.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Where each message of a stream sits: start of its length prefix, its
/// metadata and its body (test-side framing walk, for targeted corruption).
struct MessageSpan {
    let start: Int
    let metadata: Range<Int>
    let body: Range<Int>

    static func split(_ bytes: [UInt8]) -> [MessageSpan] {
        var spans: [MessageSpan] = []
        var position = 0
        while position + 4 <= bytes.count {
            // Continuation marker + length, or a bare length (legacy framing).
            let marker = uint32(bytes, position) == 0xFFFF_FFFF
            let prefix = marker ? 8 : 4
            guard position + prefix <= bytes.count else { break }
            let length = Int(uint32(bytes, position + prefix - 4))
            if length == 0 { break }
            let metadata = (position + prefix)..<(position + prefix + length)
            let bodyLength = messageBodyLength(bytes, metadata)
            spans.append(MessageSpan(start: position, metadata: metadata,
                                     body: metadata.upperBound..<metadata.upperBound + bodyLength))
            position = metadata.upperBound + bodyLength
        }
        return spans
    }

    /// Absolute position of scalar field `id` of the root Message table.
    static func messageField(_ bytes: [UInt8], _ metadata: Range<Int>, id: Int) -> Int? {
        let table = metadata.lowerBound + Int(uint32(bytes, metadata.lowerBound))
        let vtable = table - Int(Int32(bitPattern: uint32(bytes, table)))
        let vtableSize = Int(uint16(bytes, vtable))
        guard 4 + 2 * id < vtableSize else { return nil }
        let offset = Int(uint16(bytes, vtable + 4 + 2 * id))
        return offset == 0 ? nil : table + offset
    }

    private static func messageBodyLength(_ bytes: [UInt8], _ metadata: Range<Int>) -> Int {
        guard let field = messageField(bytes, metadata, id: 3) else { return 0 }
        return Int(uint32(bytes, field))
    }

    static func uint32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * $1) }
    }

    static func uint16(_ bytes: [UInt8], _ at: Int) -> UInt16 {
        UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
    }
}

/// Little-endian bytes of two int64s, as in a FieldNode or Buffer struct.
func int64Pair(_ first: Int64, _ second: Int64) -> [UInt8] {
    [first, second].flatMap { value in (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
}

extension Array where Element == UInt8 {
    /// Start of the only occurrence of `pattern` (nil if absent or repeated).
    func uniqueRange(of pattern: [UInt8]) -> Range<Int>? {
        let starts = (0...(count - pattern.count)).filter { self[$0..<$0 + pattern.count].elementsEqual(pattern) }
        return starts.count == 1 ? starts[0]..<starts[0] + pattern.count : nil
    }
}
