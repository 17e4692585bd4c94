import Foundation

/// NumPy's .npy files: a magic string, a version, a header that is a Python dict literal
/// ({'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }), then the elements.
///
/// Reads versions 1.0, 2.0 and 3.0, little-endian, in C or Fortran order (Fortran-order data, which numpy writes
/// for a transposed array, is reordered to C order as `np.load` gives it), converting to the engine's element types
/// the way model loaders do (float64 and float16 to float32, small integers to int32, unsigned 32/64-bit to int64).
/// Writes version 1.0 with the header padded so the data starts on a 64-byte boundary, as numpy does.
public enum NumPy {
    public static func read(_ path: String) throws -> Tensor {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            throw NumPyError.cannotRead(file: path, reason: error.localizedDescription)
        }
        return try read(data: data, name: path)
    }

    /// Reads .npy bytes; `name` identifies them in errors (a file name, or a request's input name).
    public static func read(data: Data, name: String) throws -> Tensor {
        try data.withUnsafeBytes { try decode($0, name: name) }
    }

    public static func write(_ tensor: Tensor, to path: String) throws {
        do {
            try encode(tensor).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw NumPyError.cannotWrite(file: path, reason: error.localizedDescription)
        }
    }

    public static func encode(_ tensor: Tensor) -> Data {
        let descr: String
        switch tensor.elementType {
        case .float32: descr = "<f4"
        case .int64: descr = "<i8"
        case .int32: descr = "<i4"
        case .bool: descr = "|b1"
        }
        let dims = tensor.shape.map(String.init)
        let shape = dims.count == 1 ? "(\(dims[0]),)" : "(" + dims.joined(separator: ", ") + ")"
        let dictionary = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"

        // Version 1.0 has a 2-byte header length; a header longer than that (a rank in the thousands) needs 2.0.
        var preamble = 10
        var header = padded(dictionary, preamble: preamble)
        if header.count > Int(UInt16.max) {
            preamble = 12
            header = padded(dictionary, preamble: preamble)
        }
        var data = Data(magic)
        if preamble == 10 {
            data.append(contentsOf: [1, 0])
            withUnsafeBytes(of: UInt16(header.count).littleEndian) { data.append(contentsOf: $0) }
        } else {
            data.append(contentsOf: [2, 0])
            withUnsafeBytes(of: UInt32(header.count).littleEndian) { data.append(contentsOf: $0) }
        }
        data.append(contentsOf: header)
        data.append(Data(bytes: tensor.storage.bytes, count: tensor.byteCount))
        return data
    }

    // MARK: Reading

    private static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// The header padded with spaces and ended with a newline so that preamble + header is a multiple of 64.
    private static func padded(_ dictionary: String, preamble: Int) -> [UInt8] {
        let unpadded = preamble + dictionary.utf8.count + 1
        let spaces = (64 - unpadded % 64) % 64
        return Array((dictionary + String(repeating: " ", count: spaces) + "\n").utf8)
    }

    private static func decode(_ bytes: UnsafeRawBufferPointer, name: String) throws -> Tensor {
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
            throw NumPyError.malformed(file: name, reason: "not a .npy file (it does not start with \\x93NUMPY)")
        }
        let major = bytes[6], minor = bytes[7]
        let headerStart: Int, headerLength: Int
        switch major {
        case 1:
            headerStart = 10
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        case 2, 3:
            guard bytes.count >= 12 else {
                throw NumPyError.malformed(file: name, reason: "the file ends inside its header")
            }
            headerStart = 12
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
        default:
            throw NumPyError.unsupported(file: name, reason: ".npy format version \(major).\(minor) (1.0, 2.0 "
                                         + "and 3.0 are read)")
        }
        guard headerLength <= bytes.count - headerStart else {
            throw NumPyError.malformed(file: name, reason: "the file ends inside its header")
        }
        let headerText = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[headerStart..<headerStart + headerLength]),
                                as: UTF8.self)
        let header = try NumPyHeader(parsing: headerText, file: name)
        let dataType = try header.elementType(file: name)

        let width = dataType.storedWidth ?? 1
        var byteCount = width
        for dim in header.shape {
            let (product, overflow) = byteCount.multipliedReportingOverflow(by: dim)
            guard !overflow else {
                throw NumPyError.malformed(file: name, reason: "shape \(header.shapeText) is impossibly large")
            }
            byteCount = product
        }
        let dataStart = headerStart + headerLength
        let available = bytes.count - dataStart
        // Bytes after the elements are ignored, as numpy.load ignores them.
        guard available >= byteCount else {
            throw NumPyError.malformed(file: name, reason: "holds \(available) bytes of data, but shape "
                                       + "\(header.shapeText) of dtype '\(header.descr)' needs \(byteCount)")
        }
        guard let engineType = dataType.engineType else {
            throw NumPyError.unsupported(file: name, reason: "dtype '\(header.descr)'")
        }
        let count = header.shape.elementCount
        let storage = TensorStorage(byteCapacity: count * engineType.byteWidth)
        // The element conversions are the ONNX loader's: both formats store little-endian elements.
        ONNXTensorReader.convert(raw: UnsafeRawBufferPointer(rebasing: bytes[dataStart..<dataStart + byteCount]),
                                 type: dataType, count: count, into: storage.bytes)
        let tensor = Tensor(elementType: engineType, shape: header.shape, storage: storage)
        return header.fortranOrder ? cOrder(fromFortranOrder: tensor) : tensor
    }

    /// The same array laid out in C order. Fortran order stores the first index fastest, which is the C order of
    /// the reversed shape: read that way, then transposed back.
    private static func cOrder(fromFortranOrder tensor: Tensor) -> Tensor {
        guard tensor.rank > 1 else { return tensor }
        let stored = Tensor(elementType: tensor.elementType, shape: tensor.shape.reversed(), storage: tensor.storage)
        return ConstantTensors.transposed(stored, perm: Array((0..<tensor.rank).reversed()))
    }
}

public enum NumPyError: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotRead(file: String, reason: String)
    case cannotWrite(file: String, reason: String)
    /// Not a .npy file, or a damaged one.
    case malformed(file: String, reason: String)
    /// A valid .npy file the engine cannot take (dtype, byte order).
    case unsupported(file: String, reason: String)

    public var description: String {
        switch self {
        case .cannotRead(let file, let reason): return "cannot read \(file): \(reason)"
        case .cannotWrite(let file, let reason): return "cannot write \(file): \(reason)"
        case .malformed(let file, let reason): return "\(file): \(reason)"
        case .unsupported(let file, let reason): return "\(file): \(reason) is not supported"
        }
    }
}

/// The header dict of a .npy file.
struct NumPyHeader {
    let descr: String
    let fortranOrder: Bool
    let shape: [Int]

    var shapeText: String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }

    init(parsing text: String, file: String) throws {
        var scanner = PythonLiteralScanner(text)
        guard let entries = scanner.dictionary() else {
            throw NumPyError.malformed(file: file, reason: "the header is not a Python dict literal: \(text)")
        }
        switch entries["descr"] {
        case .string(let descr)?: self.descr = descr
        case nil: throw NumPyError.malformed(file: file, reason: "the header has no 'descr': \(text)")
        default: throw NumPyError.unsupported(file: file, reason: "a structured dtype (\(text))")
        }
        switch entries["fortran_order"] {
        case .bool(let flag)?: self.fortranOrder = flag
        default: throw NumPyError.malformed(file: file, reason: "the header has no 'fortran_order' flag: \(text)")
        }
        guard case .integers(let shape)? = entries["shape"], shape.allSatisfy({ $0 >= 0 }) else {
            throw NumPyError.malformed(file: file, reason: "the header has no valid 'shape': \(text)")
        }
        self.shape = shape
    }

    /// The stored element type, as the ONNX type code whose conversion applies.
    func elementType(file: String) throws -> ONNXDataType {
        let types: [Substring: ONNXDataType] = [
            "f4": .float, "f8": .double, "f2": .float16, "i8": .int64, "i4": .int32, "i2": .int16, "i1": .int8,
            "u1": .uint8, "u2": .uint16, "u4": .uint32, "u8": .uint64, "b1": .bool,
        ]
        guard let order = descr.first, "<|=>".contains(order), let type = types[descr.dropFirst()] else {
            throw NumPyError.unsupported(file: file, reason: "dtype '\(descr)' (float16/32/64, signed and "
                                         + "unsigned integers and bool are read)")
        }
        // '=' is the writer's native order; numpy writes '<' or '|' on little-endian machines.
        guard order != ">" || type.storedWidth == 1 else {
            throw NumPyError.unsupported(file: file, reason: "big-endian dtype '\(descr)'")
        }
        return type
    }
}

/// Just enough of Python's literal syntax for .npy headers: a dict of quoted keys to strings, True/False and
/// tuples of integers. Anything else (a structured dtype's list) is kept as `.other`.
struct PythonLiteralScanner {
    enum Literal: Equatable {
        case string(String)
        case bool(Bool)
        case integers([Int])
        case other
    }

    private let bytes: [UInt8]
    private var position = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    mutating func dictionary() -> [String: Literal]? {
        guard take("{") else { return nil }
        var entries: [String: Literal] = [:]
        while !take("}") {
            guard case .string(let key)? = value(), take(":"), let entry = value() else { return nil }
            entries[key] = entry
            if !take(",") {
                guard take("}") else { return nil }
                break
            }
        }
        return entries
    }

    private mutating func value() -> Literal? {
        skipSpace()
        guard position < bytes.count else { return nil }
        switch bytes[position] {
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            return string()
        case UInt8(ascii: "("):
            return tuple()
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            return skipBracketed() ? .other : nil
        default:
            if word("True") { return .bool(true) }
            if word("False") { return .bool(false) }
            return nil
        }
    }

    private mutating func string() -> Literal? {
        let quote = bytes[position]
        position += 1
        let start = position
        while position < bytes.count && bytes[position] != quote {
            position += bytes[position] == UInt8(ascii: "\\") ? 2 : 1
        }
        guard position < bytes.count else { return nil }
        defer { position += 1 }
        return .string(String(decoding: bytes[start..<position], as: UTF8.self))
    }

    /// (2, 3), (5,) or (); Python 2 wrote long integers as 3L.
    private mutating func tuple() -> Literal? {
        position += 1
        var values: [Int] = []
        while !take(")") {
            skipSpace()
            let start = position
            while position < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
                position += 1
            }
            guard let value = Int(String(decoding: bytes[start..<position], as: UTF8.self)) else { return nil }
            values.append(value)
            _ = take("L")
            if !take(",") {
                guard take(")") else { return nil }
                break
            }
        }
        return .integers(values)
    }

    private mutating func skipBracketed() -> Bool {
        var depth = 0
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "["), UInt8(ascii: "("), UInt8(ascii: "{"): depth += 1
            case UInt8(ascii: "]"), UInt8(ascii: ")"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
            position += 1
            if depth == 0 { return true }
        }
        return false
    }

    private mutating func take(_ character: Character) -> Bool {
        skipSpace()
        guard let ascii = character.asciiValue, position < bytes.count, bytes[position] == ascii else { return false }
        position += 1
        return true
    }

    private mutating func word(_ text: String) -> Bool {
        let expected = Array(text.utf8)
        guard bytes.count - position >= expected.count,
              Array(bytes[position..<position + expected.count]) == expected else { return false }
        position += expected.count
        return true
    }

    private mutating func skipSpace() {
        while position < bytes.count && (bytes[position] == UInt8(ascii: " ") || bytes[position] == UInt8(ascii: "\n")
                                            || bytes[position] == UInt8(ascii: "\t")) {
            position += 1
        }
    }
}
