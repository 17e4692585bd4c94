/// Redis glob-style patterns, as KEYS, SCAN MATCH, HSCAN, PSUBSCRIBE and CONFIG GET use them:
/// `*` any run, `?` one byte, `[abc]`, `[^a-z]` classes, `\x` a literal x. Matching is on bytes.
public struct GlobPattern: Sendable {
    private let pattern: Bytes
    private let caseInsensitive: Bool

    public init(_ pattern: Bytes, caseInsensitive: Bool = false) {
        self.pattern = pattern
        self.caseInsensitive = caseInsensitive
    }

    /// True when the pattern is `*`, which matches everything and needs no test.
    public var matchesAll: Bool { pattern == [UInt8(ascii: "*")] }

    public func matches(_ subject: Bytes) -> Bool {
        var giveUp = false
        return pattern.withUnsafeBufferPointer { p in
            subject.withUnsafeBufferPointer { s in match(p[...], s[...], &giveUp, depth: 0) }
        }
    }

    private func fold(_ c: UInt8) -> UInt8 {
        caseInsensitive && c >= 65 && c <= 90 ? c + 32 : c
    }

    /// `giveUp` is Redis's cut-off for `*` (CVE-2022-36021): once the rest of the pattern matched nowhere in
    /// the rest of the subject, an earlier `*` taking more characters cannot help, so every caller stops.
    private func match(_ pattern: Slice<UnsafeBufferPointer<UInt8>>, _ subject: Slice<UnsafeBufferPointer<UInt8>>,
                       _ giveUp: inout Bool, depth: Int) -> Bool {
        if depth > 1000 { return false }
        var p = pattern.startIndex
        var s = subject.startIndex
        let pe = pattern.endIndex
        let se = subject.endIndex
        while p < pe {
            switch pattern[p] {
            case UInt8(ascii: "*"):
                while p + 1 < pe && pattern[p + 1] == UInt8(ascii: "*") { p += 1 }
                if p + 1 == pe { return true }
                var from = s
                while from < se {
                    if match(pattern[(p + 1)...], subject[from...], &giveUp, depth: depth + 1) { return true }
                    if giveUp { return false }
                    from += 1
                }
                giveUp = true
                return false
            case UInt8(ascii: "?"):
                if s == se { return false }
                s += 1
            case UInt8(ascii: "["):
                if s == se { return false }
                p += 1
                let negate = p < pe && pattern[p] == UInt8(ascii: "^")
                if negate { p += 1 }
                var matched = false
                while p < pe && pattern[p] != UInt8(ascii: "]") {
                    if pattern[p] == UInt8(ascii: "\\") && p + 1 < pe {
                        p += 1
                        if fold(pattern[p]) == fold(subject[s]) { matched = true }
                    } else if p + 2 < pe && pattern[p + 1] == UInt8(ascii: "-") && pattern[p + 2] != UInt8(ascii: "]") {
                        var lo = fold(pattern[p]), hi = fold(pattern[p + 2])
                        if lo > hi { swap(&lo, &hi) }
                        let c = fold(subject[s])
                        if c >= lo && c <= hi { matched = true }
                        p += 2
                    } else if fold(pattern[p]) == fold(subject[s]) {
                        matched = true
                    }
                    p += 1
                }
                if p == pe { p -= 1 }  // an unterminated class ends at the pattern's end
                if matched == negate { return false }
                s += 1
            case UInt8(ascii: "\\") where p + 1 < pe:
                p += 1
                fallthrough
            default:
                if s == se || fold(pattern[p]) != fold(subject[s]) { return false }
                s += 1
            }
            p += 1
        }
        return s == se
    }
}
