import CLMDB
import Foundation

/// One LMDB environment (a data directory) with the named databases the store uses.
///
/// Transactions hold `resizeLock` shared while open; `grow()` takes it exclusively, because LMDB only allows
/// `mdb_env_set_mapsize` with no transaction open in the process. All write transactions run on the
/// store's single writer thread; read transactions (`MDB_NOTLS`) may run on any thread.
final class LMDBEnvironment: @unchecked Sendable {
    let handle: OpaquePointer
    let resizeLock = ReadersWriterLock()
    let scanCursors = ScanCursorTable()
    private(set) var mapSize: Int

    /// Key metadata: `[db] + key` → `KeyRecord`.
    private(set) var keysDB: MDB_dbi = 0
    /// Items of hashes, lists and streams: `objectID(8) + tag(1) + subkey` → value.
    private(set) var itemsDB: MDB_dbi = 0
    /// Expiry index: `expireAt(8) + [db] + key` → empty; scanned in time order by active expiry.
    private(set) var expiresDB: MDB_dbi = 0
    /// Store-wide counters (next object id, ...).
    private(set) var metaDB: MDB_dbi = 0

    /// Opens (creating if needed) the environment in `directory`.
    /// - Parameter mapSize: the initial map size; it grows on demand.
    init(directory: String, mapSize: Int, sync: Bool) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var env: OpaquePointer?
        try LMDBError.check(mdb_env_create(&env))
        guard let env else { throw LMDBError(-1) }
        handle = env
        // Start no smaller than the data file (with MDB_WRITEMAP it is as large as the map was), so a reopened
        // store keeps its map without growing it on every restart.
        let dataFile = directory + "/data.mdb"
        let onDisk = (try? FileManager.default.attributesOfItem(atPath: dataFile)[.size] as? Int) ?? 0
        self.mapSize = Swift.max(mapSize, Self.roundUp(onDisk))
        do {
            try LMDBError.check(mdb_env_set_maxdbs(env, 8))
            try LMDBError.check(mdb_env_set_maxreaders(env, 1024))
            try LMDBError.check(mdb_env_set_mapsize(env, self.mapSize))
            var flags = UInt32(MDB_NOTLS | MDB_NORDAHEAD | MDB_WRITEMAP)
            if !sync { flags |= UInt32(MDB_NOSYNC) }
            try LMDBError.check(mdb_env_open(env, directory, flags, 0o644))
            // Readers left in the lock file by a process that died (kill -9) would pin old pages forever.
            var dead: Int32 = 0
            mdb_reader_check(env, &dead)
            try openDatabases()
        } catch {
            mdb_env_close(env)
            throw error
        }
    }

    deinit { mdb_env_close(handle) }

    private func openDatabases() throws {
        var txn: OpaquePointer?
        try LMDBError.check(mdb_txn_begin(handle, nil, 0, &txn))
        func open(_ name: String) throws -> MDB_dbi {
            var dbi: MDB_dbi = 0
            try LMDBError.check(mdb_dbi_open(txn, name, UInt32(MDB_CREATE), &dbi))
            return dbi
        }
        do {
            keysDB = try open("keys")
            itemsDB = try open("items")
            expiresDB = try open("expires")
            metaDB = try open("meta")
            try LMDBError.check(mdb_txn_commit(txn))
        } catch {
            mdb_txn_abort(txn)
            throw error
        }
    }

    /// Turns the per-commit fsync on or off (`appendfsync always` versus `everysec`/`no`).
    func setSyncOnCommit(_ on: Bool) {
        mdb_env_set_flags(handle, UInt32(MDB_NOSYNC), on ? 0 : 1)
    }

    /// Flushes committed transactions to disk.
    func sync() throws {
        try LMDBError.check(mdb_env_sync(handle, 1))
    }

    /// Doubles the map. Call only from the writer thread with no transaction of its own open.
    func grow() throws {
        resizeLock.lockExclusive()
        defer { resizeLock.unlock() }
        let newSize = mapSize * 2
        try LMDBError.check(mdb_env_set_mapsize(handle, newSize))
        mapSize = newSize
    }

    /// Bytes in pages that hold data (all databases), a cheap O(1) figure from the B-tree statistics.
    func usedBytes(in txn: OpaquePointer) -> Int {
        var total = 0
        for dbi in [keysDB, itemsDB, expiresDB, metaDB] {
            var st = MDB_stat()
            if mdb_stat(txn, dbi, &st) == 0 {
                total += (st.ms_branch_pages + st.ms_leaf_pages + st.ms_overflow_pages) * Int(st.ms_psize)
            }
        }
        return total
    }

    /// Size of the data file on disk.
    var fileBytes: Int {
        var info = MDB_envinfo()
        var st = MDB_stat()
        mdb_env_info(handle, &info)
        mdb_env_stat(handle, &st)
        return (info.me_last_pgno + 1) * Int(st.ms_psize)
    }

    private static func roundUp(_ n: Int) -> Int {
        var size = 1 << 20
        while size < n { size <<= 1 }
        return size
    }
}
