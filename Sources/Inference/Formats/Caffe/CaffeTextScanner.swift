/// Finds where a `.prototxt` goes wrong. swift-protobuf's text-format decoder says what kind of error it met
/// (`TextFormatDecodingError`) but not where, so when decoding fails this scanner reads the text again with the
/// text format's grammar to find the line and column of the first syntax error:
///
///     message := field*          field := name (':' value | ':'? '{' message '}' | ':'? '<' message '>'
///                                               | ':' '[' (value (',' value)*)? ']') (',' | ';')?
///     value   := '-'? number-or-identifier | string+
///
/// Comments run from '#' to the end of the line. When the grammar holds (the error is about a value, such as a
/// number where a string belongs, or an enum name the schema lacks), the scanner's field spans let the reader
/// decode field by field to find the one the decoder refuses (`CaffeTextLocator`).
struct CaffeTextScanner {
    /// A field of the text: where its name starts and where its value ends (byte offsets into the UTF-8 text),
    /// and for a message value, its own fields.
    struct FieldSpan {
        var name: String
        var start: Int
        var end: Int
        var children: [FieldSpan]?
    }

    struct SyntaxError: Error {
        var offset: Int
        var message: String
    }

    private enum Token: Equatable {
        case identifier(String)  // names, numbers, enum values, true/false: the grammar treats them alike
        case string
        case symbol(UInt8)
        case end
    }

    private let bytes: [UInt8]
    private var position = 0
    /// Where the token last read starts.
    private var tokenStart = 0
    private var depth = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    /// The top-level fields, or the first syntax error.
    mutating func scan() throws(SyntaxError) -> [FieldSpan] {
        let fields = try message(closing: nil)
        return fields
    }

    /// Line and column (both from 1, the column counted in characters) of a byte offset.
    static func lineAndColumn(of offset: Int, in text: String) -> (line: Int, column: Int) {
        var line = 1, column = 1
        var index = text.utf8.startIndex
        var consumed = 0
        while consumed < offset, index < text.utf8.endIndex {
            let byte = text.utf8[index]
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1  // continuation bytes of a multi-byte character add no column
            }
            index = text.utf8.index(after: index)
            consumed += 1
        }
        return (line, column)
    }

    // MARK: Grammar

    private mutating func message(closing: UInt8?) throws(SyntaxError) -> [FieldSpan] {
        // Bounded like the decoder's own nesting limit, so that hostile text cannot exhaust the stack.
        depth += 1
        defer { depth -= 1 }
        guard depth <= 100 else { throw SyntaxError(offset: tokenStart, message: "messages nest deeper than 100 levels") }
        var fields: [FieldSpan] = []
        while true {
            let token = try next()
            switch token {
            case .end:
                if let closing { throw SyntaxError(offset: tokenStart, message: "missing '\(Character(UnicodeScalar(closing)))' before the end of the file") }
                return fields
            case .symbol(let symbol) where symbol == closing:
                return fields
            case .identifier(let name):
                fields.append(try field(named: name, start: tokenStart))
            case .symbol(UInt8(ascii: "[")):
                // An extension or Any name: [some.name]
                let start = tokenStart
                guard case .identifier(let name) = try next() else { throw expected("an extension name") }
                guard try next() == .symbol(UInt8(ascii: "]")) else { throw expected("']'") }
                fields.append(try field(named: "[\(name)]", start: start))
            default:
                throw expected("a field name")
            }
        }
    }

    private mutating func field(named name: String, start: Int) throws(SyntaxError) -> FieldSpan {
        var token = try next()
        var sawColon = false
        if token == .symbol(UInt8(ascii: ":")) {
            sawColon = true
            token = try next()
        }
        var children: [FieldSpan]?
        switch token {
        case .symbol(UInt8(ascii: "{")):
            children = try message(closing: UInt8(ascii: "}"))
        case .symbol(UInt8(ascii: "<")):
            children = try message(closing: UInt8(ascii: ">"))
        case .symbol(UInt8(ascii: "[")) where sawColon:
            try list()
        case .identifier where sawColon, .string where sawColon, .symbol(UInt8(ascii: "-")) where sawColon:
            try scalar(startingWith: token)
        default:
            throw sawColon ? expected("a value for '\(name)'") : expected("':' or '{' after '\(name)'")
        }
        let end = position
        // An optional separator.
        let save = position
        if case .symbol(let symbol) = try next(), symbol == UInt8(ascii: ",") || symbol == UInt8(ascii: ";") {
        } else {
            position = save
        }
        return FieldSpan(name: name, start: start, end: end, children: children)
    }

    private mutating func list() throws(SyntaxError) {
        var token = try next()
        if token == .symbol(UInt8(ascii: "]")) { return }
        while true {
            if token == .symbol(UInt8(ascii: "{")) {
                _ = try message(closing: UInt8(ascii: "}"))
            } else {
                try scalar(startingWith: token)
            }
            token = try next()
            if token == .symbol(UInt8(ascii: "]")) { return }
            guard token == .symbol(UInt8(ascii: ",")) else { throw expected("',' or ']' in a list") }
            token = try next()
        }
    }

    private mutating func scalar(startingWith first: Token) throws(SyntaxError) {
        switch first {
        case .symbol(UInt8(ascii: "-")):
            guard case .identifier = try next() else { throw expected("a number after '-'") }
        case .identifier:
            return
        case .string:
            // Adjacent strings are one value.
            while true {
                let save = position
                guard try next() == .string else {
                    position = save
                    return
                }
            }
        default:
            throw expected("a value")
        }
    }

    private func expected(_ what: String) -> SyntaxError {
        SyntaxError(offset: tokenStart, message: "expected \(what)")
    }

    // MARK: Tokens

    private mutating func next() throws(SyntaxError) -> Token {
        skipSpaceAndComments()
        tokenStart = position
        guard position < bytes.count else { return .end }
        let byte = bytes[position]
        if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
            position += 1
            while position < bytes.count, bytes[position] != byte {
                if bytes[position] == UInt8(ascii: "\n") { break }
                position += bytes[position] == UInt8(ascii: "\\") ? 2 : 1
            }
            guard position < bytes.count, bytes[position] == byte else {
                throw SyntaxError(offset: tokenStart, message: "a string is not closed on its line")
            }
            position += 1
            return .string
        }
        if Self.isWordByte(byte) {
            while position < bytes.count, Self.isWordByte(bytes[position]) || Self.isExponentSign(at: position, in: bytes) {
                position += 1
            }
            return .identifier(String(decoding: bytes[tokenStart..<position], as: UTF8.self))
        }
        if "{}<>[]:,;-".utf8.contains(byte) {
            position += 1
            return .symbol(byte)
        }
        throw SyntaxError(offset: tokenStart, message: "unexpected character '\(Character(UnicodeScalar(byte)))'")
    }

    private mutating func skipSpaceAndComments() {
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "#") {
                while position < bytes.count, bytes[position] != UInt8(ascii: "\n") { position += 1 }
            } else if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C {
                position += 1
            } else {
                return
            }
        }
    }

    /// Letters, digits, '_', '.', and '+' (numbers such as 1e+5); non-ASCII bytes are refused elsewhere.
    private static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
    }

    /// The '-' or '+' of an exponent inside a number ("1e-5"): part of the number's token.
    private static func isExponentSign(at index: Int, in bytes: [UInt8]) -> Bool {
        guard index > 0, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") else { return false }
        let before = bytes[index - 1]
        guard before == UInt8(ascii: "e") || before == UInt8(ascii: "E") else { return false }
        // Only when the token so far is numeric ("1e", "2.5E"), not a name like "scale".
        var start = index - 1
        while start > 0, isWordByte(bytes[start - 1]) { start -= 1 }
        guard let first = bytes[start..<index].first else { return false }
        return (first >= 0x30 && first <= 0x39) || first == UInt8(ascii: ".")
    }
}
