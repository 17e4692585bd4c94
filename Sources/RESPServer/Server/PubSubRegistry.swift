import NIOConcurrencyHelpers
import Store

/// Who is subscribed to which channels and patterns. PUBLISH delivers to each subscriber's event loop.
final class PubSubRegistry: Sendable {
    private struct State {
        var channels: [[UInt8]: [Int64: ClientConnection]] = [:]
        var patterns: [[UInt8]: [Int64: ClientConnection]] = [:]
    }

    private let state = NIOLockedValueBox(State())

    func subscribe(_ client: ClientConnection, channel: [UInt8]) {
        state.withLockedValue { $0.channels[channel, default: [:]][client.id] = client }
    }

    func unsubscribe(_ client: ClientConnection, channel: [UInt8]) {
        state.withLockedValue { s in
            s.channels[channel]?[client.id] = nil
            if s.channels[channel]?.isEmpty == true { s.channels[channel] = nil }
        }
    }

    func psubscribe(_ client: ClientConnection, pattern: [UInt8]) {
        state.withLockedValue { $0.patterns[pattern, default: [:]][client.id] = client }
    }

    func punsubscribe(_ client: ClientConnection, pattern: [UInt8]) {
        state.withLockedValue { s in
            s.patterns[pattern]?[client.id] = nil
            if s.patterns[pattern]?.isEmpty == true { s.patterns[pattern] = nil }
        }
    }

    /// Sends `message` to every subscriber of `channel` and of a matching pattern; returns how many got it.
    func publish(channel: [UInt8], message: [UInt8]) -> Int {
        let (direct, byPattern) = state.withLockedValue { s in
            (Array((s.channels[channel] ?? [:]).values),
             s.patterns.flatMap { pattern, clients in
                 GlobPattern(pattern).matches(channel) ? clients.values.map { (pattern, $0) } : []
             })
        }
        for client in direct {
            client.deliver(.push([.bulk("message"), .bulk(channel), .bulk(message)]))
        }
        for (pattern, client) in byPattern {
            client.deliver(.push([.bulk("pmessage"), .bulk(pattern), .bulk(channel), .bulk(message)]))
        }
        return direct.count + byPattern.count
    }

    /// Active channels (with at least one subscriber) matching `pattern`.
    func channels(matching pattern: [UInt8]?) -> [[UInt8]] {
        let names = state.withLockedValue { Array($0.channels.keys) }
        guard let pattern else { return names }
        let glob = GlobPattern(pattern)
        return names.filter { glob.matches($0) }
    }

    func subscriberCount(_ channel: [UInt8]) -> Int {
        state.withLockedValue { $0.channels[channel]?.count ?? 0 }
    }

    var patternCount: Int { state.withLockedValue { $0.patterns.count } }
}
