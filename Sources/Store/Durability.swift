/// When committed writes reach the disk, as Redis's `appendfsync`.
///
/// - `always`: a write is acknowledged only after its transaction is on disk. The writes that arrive together
///   share one commit and one fsync (group commit).
/// - `everysec` (default): commits are flushed by a background sync once a second, so a machine crash can lose
///   about the last second of acknowledged writes. A crash of the process alone loses nothing: committed pages
///   are in the operating system's cache.
/// - `no`: the operating system decides when to flush.
public enum Durability: String, Sendable, CaseIterable {
    case always
    case everysec
    case no
}
