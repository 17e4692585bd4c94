import Atomics
import Foundation
import Store

/// INFO: the sections Redis 7.0 prints, filled from the store and the server's counters.
enum ServerInfo {
    /// The Redis version we answer as (HELLO, INFO): the one whose behaviour we match.
    static let redisVersion = "7.0.15"
    static let productVersion = "0.1.0"

    static let defaultSections = ["server", "clients", "memory", "persistence", "stats", "replication", "cpu",
                                  "modules", "errorstats", "cluster", "keyspace"]
    static let allSections = defaultSections + ["commandstats"]

    static func render(_ call: Call) -> String {
        var wanted: [String] = []
        if call.args.count == 1 {
            wanted = defaultSections
        } else {
            for i in 1..<call.args.count {
                switch call.string(i).lowercased() {
                case "default": wanted += defaultSections
                case "all", "everything": wanted += allSections
                case let s: wanted.append(s)
                }
            }
        }
        var seen = Set<String>()
        var parts: [String] = []
        for section in wanted where seen.insert(section).inserted {
            if let body = self.section(section, call) { parts.append(body) }
        }
        return parts.joined(separator: "\r\n")
    }

    private static func lines(_ title: String, _ fields: [(String, Any)]) -> String {
        "# \(title)\r\n" + fields.map { "\($0.0):\($0.1)\r\n" }.joined()
    }

    private static func section(_ name: String, _ call: Call) -> String? {
        let server = call.server
        let store = server.store
        let stats = server.stats
        func n(_ counter: ManagedAtomic<Int64>) -> Int64 { counter.load(ordering: .relaxed) }
        switch name {
        case "server":
            let uptime = Int(Date().timeIntervalSince(server.stats.startTime))
            return lines("Server", [
                ("redis_version", redisVersion), ("redis_git_sha1", "00000000"), ("redis_git_dirty", 0),
                ("redis_build_id", "0"), ("redis_mode", "standalone"), ("os", osName()), ("arch_bits", 64),
                ("monotonic_clock", "POSIX clock_gettime"), ("multiplexing_api", "epoll"),
                ("process_id", ProcessInfo.processInfo.processIdentifier), ("process_supervised", "no"),
                ("run_id", server.runID), ("tcp_port", server.port.withLockedValue { $0 }),
                ("server_time_usec", Int64(Date().timeIntervalSince1970 * 1_000_000)),
                ("uptime_in_seconds", uptime), ("uptime_in_days", uptime / 86400), ("hz", 10), ("configured_hz", 10),
                ("executable", CommandLine.arguments.first ?? ""), ("config_file", ""), ("io_threads_active", 0),
                ("cluster_serving_version", productVersion), ("storage_engine", "lmdb"),
            ])
        case "clients":
            return lines("Clients", [
                ("connected_clients", server.clients.count), ("cluster_connections", 0),
                ("maxclients", server.config.maxClients), ("client_recent_max_input_buffer", 0),
                ("client_recent_max_output_buffer", 0), ("blocked_clients", server.blocking.blockedCount),
                ("tracking_clients", 0), ("clients_in_timeout_table", server.blocking.blockedCount),
            ])
        case "memory":
            let used = server.usedMemory
            let maxmemory = server.config.maxMemory
            let rss = residentBytes()
            return lines("Memory", [
                ("used_memory", used), ("used_memory_human", human(used)),
                ("used_memory_rss", rss), ("used_memory_rss_human", human(rss)),
                ("used_memory_peak", used), ("used_memory_peak_human", human(used)),
                ("used_memory_dataset", store.usedBytes),
                ("total_system_memory", ProcessInfo.processInfo.physicalMemory),
                ("total_system_memory_human", human(Int64(ProcessInfo.processInfo.physicalMemory))),
                ("maxmemory", maxmemory), ("maxmemory_human", human(maxmemory)),
                ("maxmemory_policy", server.config.get("maxmemory-policy") ?? "noeviction"),
                ("mem_fragmentation_ratio", "1.00"), ("mem_allocator", "libc"),
                ("lmdb_map_size", store.mapSize), ("lmdb_file_size", store.fileBytes),
            ])
        case "persistence":
            return lines("Persistence", [
                ("loading", 0), ("async_loading", 0), ("rdb_changes_since_last_save", store.pendingCommits),
                ("rdb_bgsave_in_progress", 0), ("rdb_last_save_time", store.lastSyncTime),
                ("rdb_last_bgsave_status", "ok"), ("rdb_last_bgsave_time_sec", -1), ("rdb_current_bgsave_time_sec", -1),
                ("aof_enabled", 1), ("aof_rewrite_in_progress", 0), ("aof_rewrite_scheduled", 0),
                ("aof_last_bgrewrite_status", "ok"), ("aof_last_write_status", "ok"),
                ("appendfsync", store.durability.rawValue),
                ("lmdb_commits", store.commitCounts.commits), ("lmdb_committed_jobs", store.commitCounts.jobs),
            ])
        case "stats":
            return lines("Stats", [
                ("total_connections_received", n(stats.totalConnections)),
                ("total_commands_processed", n(stats.totalCommands)), ("instantaneous_ops_per_sec", 0),
                ("total_net_input_bytes", n(stats.inputBytes)), ("total_net_output_bytes", n(stats.outputBytes)),
                ("rejected_connections", n(stats.rejectedConnections)), ("expired_keys", 0), ("evicted_keys", 0),
                ("keyspace_hits", 0), ("keyspace_misses", 0),
                ("pubsub_channels", server.pubsub.channels(matching: nil).count),
                ("pubsub_patterns", server.pubsub.patternCount), ("total_error_replies", n(stats.totalErrorReplies)),
                ("total_blocking_keys", server.blocking.blockedCount), ("watching_clients", server.watches.watchedKeyCount > 0 ? 1 : 0),
            ])
        case "replication":
            return lines("Replication", [
                ("role", "master"), ("connected_slaves", 0), ("master_failover_state", "no-failover"),
                ("master_replid", server.runID), ("master_replid2", String(repeating: "0", count: 40)),
                ("master_repl_offset", 0), ("second_repl_offset", -1), ("repl_backlog_active", 0),
                ("repl_backlog_size", 1_048_576), ("repl_backlog_first_byte_offset", 0), ("repl_backlog_histlen", 0),
            ])
        case "cpu":
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            func seconds(_ t: timeval) -> String { String(format: "%.6f", Double(t.tv_sec) + Double(t.tv_usec) / 1e6) }
            return lines("CPU", [
                ("used_cpu_sys", seconds(usage.ru_stime)), ("used_cpu_user", seconds(usage.ru_utime)),
                ("used_cpu_sys_children", "0.000000"), ("used_cpu_user_children", "0.000000"),
            ])
        case "modules":
            return "# Modules\r\n"
        case "cluster":
            return lines("Cluster", [("cluster_enabled", 0)])
        case "keyspace":
            var fields: [(String, Any)] = []
            for db in 0..<Keyspace.databaseCount {
                let (keys, expires) = store.keyCount(db: db)
                if keys > 0 { fields.append(("db\(db)", "keys=\(keys),expires=\(expires),avg_ttl=0")) }
            }
            return lines("Keyspace", fields)
        case "commandstats":
            return lines("Commandstats", server.commands.all.compactMap { spec in
                let c = spec.counters
                let (calls, usec, rejected, failed) = (n(c.calls), n(c.microseconds), n(c.rejected), n(c.failed))
                guard calls + rejected > 0 else { return nil }
                let perCall = calls > 0 ? Double(usec) / Double(calls) : 0
                return ("cmdstat_\(spec.name)", "calls=\(calls),usec=\(usec),usec_per_call=\(String(format: "%.2f", perCall)),rejected_calls=\(rejected),failed_calls=\(failed)")
            })
        case "errorstats":
            return lines("Errorstats", stats.errorCounts.sorted { $0.key < $1.key }.map { ("errorstat_\($0.key)", "count=\($0.value)") })
        default:
            return nil
        }
    }

    static func human(_ bytes: Int64) -> String {
        let units = ["B", "K", "M", "G", "T"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes)B" : String(format: "%.2f%@", value, units[unit])
    }

    static func residentBytes() -> Int64 {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = text.split(separator: " ").dropFirst().first.flatMap({ Int64($0) }) else { return 0 }
        return pages * Int64(sysconf(Int32(_SC_PAGESIZE)))
    }

    private static func osName() -> String {
        var u = utsname()
        uname(&u)
        func field<T>(_ v: T) -> String {
            withUnsafeBytes(of: v) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        return "\(field(u.sysname)) \(field(u.release)) \(field(u.machine))"
    }
}
