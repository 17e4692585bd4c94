import Foundation
import Store
import Testing

struct GlobCase: Sendable, CustomTestStringConvertible {
    let pattern: String
    let subject: String
    let matches: Bool
    var testDescription: String { "\(pattern.debugDescription) \(matches ? "~" : "!~") \(subject.debugDescription)" }

    init(_ pattern: String, _ subject: String, _ matches: Bool) {
        self.pattern = pattern
        self.subject = subject
        self.matches = matches
    }
}

@Suite struct GlobPatternTests {
    @Test(arguments: [
        // Literals and *
        GlobCase("abc", "abc", true), GlobCase("abc", "abcd", false), GlobCase("abc", "ab", false),
        GlobCase("", "", true), GlobCase("", "a", false),
        GlobCase("*", "", true), GlobCase("*", "anything", true),
        GlobCase("a*", "a", true), GlobCase("a*", "abc", true), GlobCase("a*", "ba", false),
        GlobCase("*c", "abc", true), GlobCase("*c", "abcd", false),
        GlobCase("a*c", "ac", true), GlobCase("a*c", "abbbc", true), GlobCase("a*c", "abcb", false),
        GlobCase("a**c", "abc", true), GlobCase("*a*b*", "xxaxxbxx", true), GlobCase("*a*b*", "xxbxxaxx", false),
        // ?
        GlobCase("?", "a", true), GlobCase("?", "", false), GlobCase("?", "ab", false),
        GlobCase("h?llo", "hello", true), GlobCase("h?llo", "hllo", false), GlobCase("??*", "ab", true),
        // Classes
        GlobCase("[abc]", "b", true), GlobCase("[abc]", "d", false), GlobCase("[abc]", "", false),
        GlobCase("h[ae]llo", "hallo", true), GlobCase("h[ae]llo", "hillo", false),
        GlobCase("[a-c]", "a", true), GlobCase("[a-c]", "c", true), GlobCase("[a-c]", "d", false),
        GlobCase("[c-a]", "b", true),  // a reversed range is swapped
        GlobCase("[0-9]*", "7up", true), GlobCase("[0-9]*", "up7", false),
        GlobCase("[^a]", "b", true), GlobCase("[^a]", "a", false), GlobCase("[^a-c]x", "dx", true),
        GlobCase("[^a-c]x", "bx", false),
        GlobCase("[\\]]", "]", true), GlobCase("[\\^]", "^", true),
        // Escapes
        GlobCase("\\*", "*", true), GlobCase("\\*", "a", false), GlobCase("a\\?b", "a?b", true),
        GlobCase("a\\?b", "axb", false), GlobCase("\\[a]", "[a]", true), GlobCase("\\\\", "\\", true),
        GlobCase("a\\", "a\\", true),  // a trailing backslash is a literal backslash
        // Unterminated class: it ends at the pattern's end
        GlobCase("[abc", "a", true), GlobCase("[abc", "c", true), GlobCase("[abc", "d", false),
        GlobCase("x[", "x", false),
        // Cluster Serving's own keys
        GlobCase("cluster-serving_serving_stream:*", "cluster-serving_serving_stream:abc-123", true),
        GlobCase("cluster-serving_serving_stream:*", "cluster-serving_serving_stream:", true),
        GlobCase("cluster-serving_serving_stream:*", "cluster-serving_serving_stream", false),
        GlobCase("cluster-serving_serving_stream:*", "cluster-serving_result:1", false),
        GlobCase("cluster-serving_*", "cluster-serving_serving_stream", true),
        GlobCase("result:*", "result:img-0001", true),
        GlobCase("result:*", "Result:img-0001", false),
        GlobCase("cluster-serving_serving_stream:[0-9]*", "cluster-serving_serving_stream:42", true),
    ])
    func matchesLikeRedis(_ c: GlobCase) {
        #expect(GlobPattern(b(c.pattern)).matches(b(c.subject)) == c.matches)
    }

    @Test(arguments: [
        GlobCase("HELLO*", "hello world", true), GlobCase("hello", "HeLLo", true), GlobCase("h?LLO", "hallo", true),
        GlobCase("[A-C]x", "bX", true), GlobCase("[a-c]x", "BX", true), GlobCase("[^A]", "a", false),
        GlobCase("[^a]", "A", false), GlobCase("\\H", "h", true),
        GlobCase("maxmemory*", "MAXMEMORY-policy", true), GlobCase("abc", "abd", false),
    ])
    func caseInsensitiveMatching(_ c: GlobCase) {
        #expect(GlobPattern(b(c.pattern), caseInsensitive: true).matches(b(c.subject)) == c.matches)
    }

    @Test func matchingIsCaseSensitiveByDefault() {
        #expect(!GlobPattern(b("HELLO*")).matches(b("hello world")))
        #expect(!GlobPattern(b("[A-C]x")).matches(b("bx")))
        #expect(GlobPattern(b("[^A]")).matches(b("a")))
        #expect(!GlobPattern(b("\\H")).matches(b("h")))
    }

    @Test func matchingIsOnBytes() {
        #expect(GlobPattern([UInt8(ascii: "?")]).matches([0xC3]))
        #expect(!GlobPattern([UInt8(ascii: "?")]).matches(b("é")))  // two bytes
        #expect(GlobPattern(b("??")).matches(b("é")))
        #expect(GlobPattern([0x00, UInt8(ascii: "*")]).matches([0x00, 0xFF]))
    }

    @Test func onlyAStarMatchesAll() {
        #expect(GlobPattern(b("*")).matchesAll)
        #expect(!GlobPattern(b("**")).matchesAll)
        #expect(!GlobPattern(b("a*")).matchesAll)
    }

    @Test func keysFiltersWithThePattern() throws {
        try withFreshStore { store throws in
            try store.writing { ks throws in
                for name in ["cluster-serving_serving_stream:a", "cluster-serving_serving_stream:b", "other", "result:1"] {
                    try ks.setString(b(name), b("v"))
                }
            }
            let found = try store.reading { try $0.keys(matching: GlobPattern(b("cluster-serving_serving_stream:*"))) }
            #expect(Set(found.map { String(decoding: $0, as: UTF8.self) })
                == ["cluster-serving_serving_stream:a", "cluster-serving_serving_stream:b"])
        }
    }

    /// Many stars against a long near-miss: Redis bounds this (CVE-2022-36021) by giving up once a star
    /// has tried the whole rest of the subject; naive backtracking takes exponential time.
    @Test func manyStarsAgainstANearMissFinishQuickly() {
        let pattern = GlobPattern(b(String(repeating: "a*", count: 5) + "b"))
        let subject = b(String(repeating: "a", count: 32))
        let elapsed = ContinuousClock().measure { #expect(!pattern.matches(subject)) }
        #expect(elapsed < .milliseconds(20))
    }
}
