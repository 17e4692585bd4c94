import Foundation
import Store

/// Runs one command's handler in a given session and transaction, on whatever thread the caller is on.
enum CommandRunner {
    /// Turns handler errors into error replies and records statistics. LMDB errors propagate, so that the
    /// writer can retry the batch (map full) or fail it.
    static func run(_ spec: CommandSpec, _ request: [[UInt8]], session: inout Session, txn: Transaction?,
                    client: ClientConnection?, server: ServerContext) throws(LMDBError) -> Reply {
        var call = Call(args: request, session: session, server: server, txn: txn, client: client)
        let started = server.stats.startCall(spec) ? DispatchTime.now().uptimeNanoseconds : 0
        let reply: Reply
        do {
            if let handler = spec.handler {
                reply = try handler(&call)
            } else {
                // A blocking command that may not block here (inside MULTI): answer as on timeout.
                switch try spec.blockingHandler!(&call) {
                case .reply(let r): reply = r
                case .block(_, _, let timeoutReply, _): reply = timeoutReply
                }
            }
        } catch {
            reply = try errorReply(error, command: spec.name)
        }
        session = call.session
        record(spec, reply, since: started, server: server)
        return reply
    }

    /// Runs a blocking command's first attempt.
    static func runBlocking(_ spec: CommandSpec, _ request: [[UInt8]], session: inout Session, txn: Transaction,
                            client: ClientConnection?, server: ServerContext) throws(LMDBError) -> BlockingOutcome {
        var call = Call(args: request, session: session, server: server, txn: txn, client: client)
        let started = server.stats.startCall(spec) ? DispatchTime.now().uptimeNanoseconds : 0
        let outcome: BlockingOutcome
        do {
            outcome = try spec.blockingHandler!(&call)
        } catch {
            outcome = .reply(try errorReply(error, command: spec.name))
        }
        session = call.session
        if case .reply(let reply) = outcome { record(spec, reply, since: started, server: server) }
        else { record(spec, .null, since: started, server: server) }
        return outcome
    }

    static func errorReply(_ error: any Error, command: String) throws(LMDBError) -> Reply {
        switch error {
        case let e as LMDBError: throw e
        case let e as CommandError: return .error(e.message)
        case let e as StoreError: return .error(CommandError(e, command: command).message)
        default: return .error("ERR \(error)")
        }
    }

    private static func record(_ spec: CommandSpec, _ reply: Reply, since started: UInt64, server: ServerContext) {
        var errorText: String?
        if case .error(let text) = reply { errorText = text }
        let elapsed = started == 0 ? 0 : max(1, Int64(DispatchTime.now().uptimeNanoseconds - started) / 1000)
        server.stats.finishCall(spec, sampledMicroseconds: elapsed, error: errorText)
    }
}
