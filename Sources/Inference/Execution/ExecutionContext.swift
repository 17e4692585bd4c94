import Dispatch

/// Scratch state of one run at a time: the buffer pool and the thread budget. A model keeps a few of these
/// and hands one to each concurrent run, so steady-state runs allocate nothing.
public final class ExecutionContext: @unchecked Sendable {
    public let threads: Int
    private var pool = BufferPool()
    /// Time per step label, when this context profiles (see `Model.profile`).
    var profile: OperatorProfile?

    /// Helper threads for the parallel loops (threads − 1 of them; the caller is the first worker).
    private let workers: WorkerPool?

    public init(threads: Int) {
        self.threads = max(1, threads)
        workers = threads > 1 ? WorkerPool(helpers: threads - 1) : nil
    }

    deinit { workers?.stop() }

    /// Runs `body(worker)` for worker in 0..<count (count ≤ threads), on the pool's threads.
    private func fork(_ count: Int, _ body: (Int) -> Void) {
        guard let workers, count > 1 else {
            for worker in 0..<count { body(worker) }
            return
        }
        workers.run { worker in if worker < count { body(worker) } }
    }

    /// An output tensor with undefined contents: the operator must write every element.
    public func allocate(_ elementType: ElementType, _ shape: [Int]) -> Tensor {
        let storage = pool.storage(byteCount: shape.elementCount * elementType.byteWidth)
        return Tensor(elementType: elementType, shape: shape, storage: storage)
    }

    public func allocateZeroed(_ elementType: ElementType, _ shape: [Int]) -> Tensor {
        let tensor = allocate(elementType, shape)
        tensor.storage.bytes.initializeMemory(as: UInt8.self, repeating: 0, count: tensor.byteCount)
        return tensor
    }

    /// Scratch memory for a kernel (im2col columns, ...), valid until the kernel returns and drops it.
    public func scratchFloats(_ count: Int) -> Tensor { allocate(.float32, [count]) }

    /// Runs `body(i)` for i in 0..<count, spread over this context's threads.
    public func parallelFor(_ count: Int, _ body: (Int) -> Void) {
        let workers = min(threads, count)
        if workers <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            // The workers only read what the caller prepared for them and write disjoint ranges.
            let shared = UncheckedSendable(body)
            fork(workers) { worker in
                let body = shared.value
                var i = worker * count / workers
                let end = (worker + 1) * count / workers
                while i < end {
                    body(i)
                    i += 1
                }
            }
        }
    }

    /// How many workers `parallelWorkers` uses for `count` items: allocate per-worker scratch for this many.
    public func workerCount(_ count: Int) -> Int { max(1, min(threads, count)) }

    /// Runs `body(worker, range)` with contiguous ranges, worker in 0..<workerCount(count) (for per-worker scratch).
    public func parallelWorkers(_ count: Int, _ body: (Int, Range<Int>) -> Void) {
        let workers = workerCount(count)
        if workers <= 1 {
            body(0, 0..<count)
            return
        }
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            fork(workers) { worker in
                shared.value(worker, (worker * count / workers)..<((worker + 1) * count / workers))
            }
        }
    }

    /// Like `parallelFor`, but hands each worker a contiguous range (for loops with per-range set-up).
    public func parallelRanges(_ count: Int, minimumPerWorker: Int = 1, _ body: (Range<Int>) -> Void) {
        let workers = min(threads, max(1, count / max(1, minimumPerWorker)))
        if workers <= 1 {
            body(0..<count)
            return
        }
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            fork(workers) { worker in
                shared.value((worker * count / workers)..<((worker + 1) * count / workers))
            }
        }
    }
}

/// Where the time of profiled runs went, by step label (op type; convolutions by kernel and kind).
public struct OperatorProfile: Sendable {
    public private(set) var nanoseconds: [String: UInt64] = [:]
    public private(set) var calls: [String: Int] = [:]

    mutating func record(_ label: String, nanoseconds elapsed: UInt64) {
        nanoseconds[label, default: 0] += elapsed
        calls[label, default: 0] += 1
    }

    /// Labels with their share of the total time, largest first.
    public var shares: [(label: String, milliseconds: Double, share: Double)] {
        let total = Double(max(1, nanoseconds.values.reduce(0, +)))
        return nanoseconds.sorted { $0.value > $1.value }
            .map { ($0.key, Double($0.value) / 1e6, Double($0.value) / total) }
    }
}

/// Carries a kernel's closure (which captures raw pointers) into the worker threads.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Reuses the storage of tensors that are no longer referenced.
///
/// The executor drops each intermediate value right after its last reader runs; ARC then leaves the pool as the
/// only owner of its storage, and the next allocation of a similar size takes it. Best fit keeps big
/// buffers for big tensors.
struct BufferPool {
    private var storages: [TensorStorage] = []
    /// Above this many buffers, ones still held elsewhere (results given to callers) are forgotten.
    private let trimThreshold = 256

    mutating func storage(byteCount: Int) -> TensorStorage {
        var best = -1
        for i in storages.indices where storages[i].byteCapacity >= byteCount {
            if best >= 0 && storages[i].byteCapacity >= storages[best].byteCapacity { continue }
            if isKnownUniquelyReferenced(&storages[i]) { best = i }
        }
        // A free buffer far larger than needed stays for a larger tensor.
        if best >= 0 && storages[best].byteCapacity <= max(byteCount * 4, 4096) {
            return storages[best]
        }
        if storages.count >= trimThreshold {
            var free: [TensorStorage] = []
            for i in storages.indices where isKnownUniquelyReferenced(&storages[i]) { free.append(storages[i]) }
            storages = free
        }
        let fresh = TensorStorage(byteCapacity: byteCount)
        storages.append(fresh)
        return fresh
    }
}
