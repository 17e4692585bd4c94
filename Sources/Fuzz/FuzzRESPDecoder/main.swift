import CFuzzDriver
import Foundation
import NIOCore
import RESPServer

/// The RESP request decoder on arbitrary bytes, fed whole and in chunks (the first byte picks the chunk size and
/// whether the client is authenticated): it must never trap, and both feedings must give the same requests and
/// the same verdict, since TCP may cut a request anywhere.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard size > 0, let data else { return 0 }
    let control = data[0]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    var limits = RequestLimits()
    limits.authenticated = control & 0x80 == 0
    if control & 0x40 != 0 { limits.maxBulkLength = 64 }
    let whole = decode(bytes, chunk: max(bytes.count, 1), limits: limits)
    let chunked = decode(bytes, chunk: Int(control & 0x0F) + 1, limits: limits)
    if whole.requests != chunked.requests || whole.error != chunked.error {
        fatalError("whole and chunked decoding differ: \(whole) vs \(chunked)")
    }
    return 0
}

/// The requests decoded before the input ended or was refused, and the refusal.
func decode(_ bytes: [UInt8], chunk: Int, limits: RequestLimits) -> (requests: [[[UInt8]]], error: String?) {
    var decoder = RESPRequestDecoder(limits: limits)
    var buffer = ByteBuffer()
    var requests: [[[UInt8]]] = []
    var offset = 0
    while offset < bytes.count {
        let end = min(offset + chunk, bytes.count)
        buffer.writeBytes(bytes[offset..<end])
        offset = end
        do {
            while let request = try decoder.decode(buffer: &buffer) { requests.append(request) }
        } catch {
            return (requests, "\(error)")
        }
    }
    return (requests, nil)
}

// SwiftPM's debug builds rename an executable's `main`, which hides libFuzzer's: hand over to its driver.
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
