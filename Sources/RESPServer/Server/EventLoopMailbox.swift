import NIOConcurrencyHelpers
import NIOCore
import Store

/// Batches traffic between one event loop and the store's writer thread.
///
/// Jobs started while the loop handles one round of reads go to the writer together at the end of the round
/// (one wake-up, one transaction), and the replies of one commit come back to the loop in one task, instead
/// of one cross-thread hop per command in each direction.
final class EventLoopMailbox: Sendable {
    let eventLoop: any EventLoop
    private let store: Store
    private let outgoing = NIOLockedValueBox([any WriteJob]())
    private let incoming = NIOLockedValueBox([@Sendable () -> Void]())

    init(eventLoop: any EventLoop, store: Store) {
        self.eventLoop = eventLoop
        self.store = store
    }

    /// Queues a job; the queue goes to the writer once the loop finishes its current round. On the loop only.
    func submit(_ job: any WriteJob) {
        let first = outgoing.withLockedValue { jobs -> Bool in
            jobs.append(job)
            return jobs.count == 1
        }
        if first {
            eventLoop.execute { [self] in
                let jobs = outgoing.withLockedValue { jobs -> [any WriteJob] in
                    defer { jobs = [] }
                    return jobs
                }
                store.submit(contentsOf: jobs)
            }
        }
    }

    /// Runs `work` on the loop, together with the other work posted before the loop gets to it. Any thread.
    func post(_ work: @escaping @Sendable () -> Void) {
        let first = incoming.withLockedValue { queue -> Bool in
            queue.append(work)
            return queue.count == 1
        }
        if first {
            eventLoop.execute { [self] in
                let queue = incoming.withLockedValue { queue -> [@Sendable () -> Void] in
                    defer { queue = [] }
                    return queue
                }
                for work in queue { work() }
            }
        }
    }
}

/// One mailbox per event loop.
final class MailboxRegistry: Sendable {
    private let boxes = NIOLockedValueBox([ObjectIdentifier: EventLoopMailbox]())
    private let store: Store

    init(store: Store) { self.store = store }

    func mailbox(for eventLoop: any EventLoop) -> EventLoopMailbox {
        boxes.withLockedValue { boxes in
            let id = ObjectIdentifier(eventLoop)
            if let box = boxes[id] { return box }
            let box = EventLoopMailbox(eventLoop: eventLoop, store: store)
            boxes[id] = box
            return box
        }
    }
}
