import Testing

@testable import RESPServer

/// CONFIG SET's numbers read as Redis 7.0 reads them, at their limits.
@Suite struct ServerConfigLimitsTests {
    @Test func memoryAmountsAreReadAsMemtoull() {
        #expect(ServerConfig.memtoull("100") == 100)
        #expect(ServerConfig.memtoull("1GB") == 1 << 30)
        #expect(ServerConfig.memtoull("2k") == 2000)
        #expect(ServerConfig.memtoull("kb") == 0)  // no digits read as 0
        #expect(ServerConfig.memtoull("18446744073709551615") == .max)
        #expect(ServerConfig.memtoull("99999999999999999999999") == .max)  // strtoull saturates
        #expect(ServerConfig.memtoull("17179869184gb") == 0)  // 2^34 * 2^30 wraps
        for bad in ["-1", " 100", "1.5gb", "100x", "+5"] {
            #expect(ServerConfig.memtoull(bad) == nil, "\(bad)")
        }
    }

    @Test func commandLineMemoryStaysWithinInt64() {
        #expect(ServerConfig.parseMemory("1gb") == 1 << 30)
        #expect(ServerConfig.parseMemory("9223372036854775807") == .max)
        #expect(ServerConfig.parseMemory("9223372036854775808") == nil)
        #expect(ServerConfig.parseMemory("17179869184gb") == nil)
    }

    @Test func numbersAtTheirLimitsAreStoredAsRedisShowsThem() throws {
        let config = ServerConfig()
        try config.set([("maxmemory", "18446744073709551615")])
        #expect(config.get("maxmemory") == "18446744073709551615")
        #expect(config.maxMemory == .max)
        try config.set([("hz", "0")])
        #expect(config.get("hz") == "1")
        try config.set([("stream-node-max-entries", "9223372036854775807")])
        #expect(throws: ServerConfig.SetError.self) { try config.set([("timeout", "+5")]) }
        #expect(throws: ServerConfig.SetError.self) { try config.set([("proto-max-bulk-len", "9223372036854775808")]) }
        try config.set([("stream-node-max-entries", "100")])
    }
}
