import Foundation
import Synchronization

/// The threads of one execution context: `helpers` threads that wait for work next to the calling thread.
///
/// A network runs a hundred or more parallel loops per image, each a fraction of a millisecond; waking a
/// sleeping thread for each (as Dispatch does) cost more than the loops saved. The helpers spin for a short while
/// after each loop, so the next one starts at once, and sleep on a condition only when work stops coming.
final class WorkerPool: @unchecked Sendable {
    private let helpers: Int
    /// Bumped for every job; helpers wait for it to change.
    private let generation = Atomic<Int>(0)
    /// Helpers still running the current job.
    private let busy = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    /// Set while a job runs: a parallel loop nested in another runs serially instead of waiting on itself.
    private let active = Atomic<Bool>(false)
    private let sleep = NSCondition()
    /// The current job; written before `generation` is bumped, read after it is seen (acquire/release).
    private var job: ((Int) -> Void)?

    /// Iterations of the wait loop before a helper sleeps (tens of microseconds).
    private static let spinLimit = 200_000

    init(helpers: Int) {
        self.helpers = helpers
        for worker in 1...max(1, helpers) where helpers > 0 {
            // The thread keeps the pool alive until `stop` lets it return.
            let thread = Thread { self.helperLoop(worker: worker) }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// Ends the helper threads (the execution context calls this when it goes away).
    func stop() {
        stopping.store(true, ordering: .releasing)
        generation.add(1, ordering: .releasing)
        sleep.lock()
        sleep.broadcast()
        sleep.unlock()
    }

    /// Runs `body(worker)` for worker in 0...helpers: worker 0 on the calling thread, the others on the helpers;
    /// returns when all are done.
    func run(_ body: (Int) -> Void) {
        guard !active.exchange(true, ordering: .acquiring) else {
            for worker in 0...helpers { body(worker) }
            return
        }
        defer { active.store(false, ordering: .releasing) }
        withoutActuallyEscaping(body) { body in
            job = body
            busy.store(helpers, ordering: .relaxed)
            generation.add(1, ordering: .releasing)
            sleep.lock()
            sleep.broadcast()
            sleep.unlock()
            body(0)
            while busy.load(ordering: .acquiring) > 0 {}
            job = nil
        }
    }

    private func helperLoop(worker: Int) {
        // Jobs count from generation 1: a helper that starts late still sees the first one.
        var seen = 0
        while true {
            var spins = 0
            while generation.load(ordering: .acquiring) == seen {
                spins += 1
                if spins >= Self.spinLimit {
                    sleep.lock()
                    while generation.load(ordering: .acquiring) == seen { sleep.wait() }
                    sleep.unlock()
                }
            }
            seen = generation.load(ordering: .acquiring)
            if stopping.load(ordering: .acquiring) { return }
            job?(worker)
            busy.subtract(1, ordering: .releasing)
        }
    }
}
