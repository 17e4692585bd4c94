import CLMDB

/// An error code returned by the LMDB C API, with LMDB's own message.
public struct LMDBError: Error, Equatable, CustomStringConvertible, Sendable {
    public let code: Int32

    public init(_ code: Int32) { self.code = code }

    public static let notFound = LMDBError(MDB_NOTFOUND)
    public static let mapFull = LMDBError(MDB_MAP_FULL)
    public static let txnFull = LMDBError(MDB_TXN_FULL)

    /// Lets `catch LMDBError.mapFull` match by code.
    public static func ~= (pattern: LMDBError, error: any Error) -> Bool {
        (error as? LMDBError)?.code == pattern.code
    }

    public var description: String { String(cString: mdb_strerror(code)) }

    /// Throws unless `rc` is zero.
    @inline(__always)
    static func check(_ rc: Int32) throws(LMDBError) {
        if rc != 0 { throw LMDBError(rc) }
    }
}
