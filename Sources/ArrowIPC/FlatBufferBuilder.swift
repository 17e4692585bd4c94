/// Builds a flatbuffer back to front, the way the reference C++ builder
/// (which pyarrow uses) does: same alignment and padding rules, same vtable
/// de-duplication. Combined with adding fields in the order flatc-generated
/// `CreateX` functions do (largest scalars first, then reverse declaration
/// order), our metadata comes out byte-identical to pyarrow's.
///
/// Positions ("offsets") are measured from the *end* of the buffer, because
/// the buffer grows towards the front; they become forward uoffsets only when
/// referenced.
struct FlatBufferBuilder {
    private var storage = [UInt8](repeating: 0, count: 256)
    private var head = 256
    private var minAlign = 1
    /// End-relative offsets of every vtable written so far (for de-duplication).
    private var vtables: [Int] = []
    /// Vtable slot (byte offset in the vtable) and end-relative position of each field of the open table.
    private var fields: [(slot: Int, offset: Int)] = []
    private var tableStart = 0

    /// Bytes written so far.
    var size: Int { storage.count - head }

    // MARK: Raw growth

    private mutating func reserve(_ count: Int) {
        guard head < count else { return }
        var capacity = storage.count
        while capacity - size < count { capacity *= 2 }
        var grown = [UInt8](repeating: 0, count: capacity)
        grown.replaceSubrange((capacity - size)..<capacity, with: storage[head...])
        head = capacity - size
        storage = grown
    }

    private mutating func pushZeros(_ count: Int) {
        reserve(count)
        head -= count
        for index in head..<head + count { storage[index] = 0 }
    }

    private mutating func pushBytes(_ bytes: [UInt8]) {
        reserve(bytes.count)
        head -= bytes.count
        storage.replaceSubrange(head..<head + bytes.count, with: bytes)
    }

    /// Overwrites a little-endian scalar at absolute storage index `index`.
    private mutating func write<T: FixedWidthInteger>(_ value: T, atIndex index: Int) {
        withUnsafeBytes(of: value.littleEndian) { raw in
            for (i, byte) in raw.enumerated() { storage[index + i] = byte }
        }
    }

    // MARK: Alignment

    /// Zero bytes needed so that `size` becomes a multiple of `alignment`.
    private static func padding(_ size: Int, _ alignment: Int) -> Int { (~size &+ 1) & (alignment - 1) }

    private mutating func align(_ alignment: Int) {
        minAlign = max(minAlign, alignment)
        pushZeros(Self.padding(size, alignment))
    }

    /// Pads so that after `length` more bytes the buffer is aligned.
    private mutating func preAlign(_ length: Int, _ alignment: Int) {
        minAlign = max(minAlign, alignment)
        pushZeros(Self.padding(size + length, alignment))
    }

    @discardableResult
    private mutating func push<T: FixedWidthInteger>(_ value: T) -> Int {
        align(MemoryLayout<T>.size)
        reserve(MemoryLayout<T>.size)
        head -= MemoryLayout<T>.size
        write(value, atIndex: head)
        return size
    }

    /// Pushes a uoffset pointing at the object created at end-relative `target`.
    @discardableResult
    private mutating func pushReference(to target: Int) -> Int {
        align(4)
        return push(UInt32(size - target + 4))
    }

    // MARK: Tables

    mutating func startTable() {
        fields = []
        tableStart = size
    }

    /// Adds scalar field `id`; like flatc, values equal to the default are omitted.
    mutating func add<T: FixedWidthInteger>(_ id: Int, _ value: T, default defaultValue: T = 0) {
        guard value != defaultValue else { return }
        fields.append((4 + 2 * id, push(value)))
    }

    /// Adds field `id` referring to a table, string or vector created earlier.
    mutating func addReference(_ id: Int, to target: Int) {
        fields.append((4 + 2 * id, pushReference(to: target)))
    }

    /// Closes the table: writes its vtable (or reuses an identical earlier one).
    mutating func endTable() -> Int {
        let table = push(Int32(0))
        let vtableSize = max((fields.map(\.slot).max() ?? 0) + 2, 4)
        pushZeros(vtableSize)
        write(UInt16(vtableSize), atIndex: head)
        write(UInt16(table - tableStart), atIndex: head + 2)
        for field in fields { write(UInt16(table - field.offset), atIndex: head + field.slot) }
        fields = []

        let fresh = Array(storage[head..<head + vtableSize])
        var vtable = size
        for earlier in vtables {
            let start = storage.count - earlier
            let earlierSize = Int(storage[start]) | Int(storage[start + 1]) << 8
            if earlierSize == vtableSize, storage[start..<start + vtableSize].elementsEqual(fresh) {
                vtable = earlier
                head += vtableSize
                break
            }
        }
        if vtable == size { vtables.append(vtable) }
        write(Int32(vtable - table), atIndex: storage.count - table)
        return table
    }

    // MARK: Strings and vectors

    mutating func createString(_ string: String) -> Int {
        let utf8 = Array(string.utf8)
        preAlign(utf8.count + 1, 4)
        pushZeros(1)
        pushBytes(utf8)
        return push(UInt32(utf8.count))
    }

    mutating func createVector(references targets: [Int]) -> Int {
        preAlign(targets.count * 4, 4)
        for target in targets.reversed() { pushReference(to: target) }
        return push(UInt32(targets.count))
    }

    /// A vector of inline structs given as their raw little-endian bytes.
    mutating func createVector(structBytes bytes: [UInt8], count: Int, alignment: Int) -> Int {
        preAlign(bytes.count, 4)
        preAlign(bytes.count, alignment)
        pushBytes(bytes)
        return push(UInt32(count))
    }

    /// Writes the root offset and returns the finished buffer.
    mutating func finish(root: Int) -> [UInt8] {
        vtables = []
        preAlign(4, minAlign)
        pushReference(to: root)
        return Array(storage[head...])
    }
}
