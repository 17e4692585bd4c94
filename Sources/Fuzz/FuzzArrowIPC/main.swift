import ArrowIPC
import CFuzzDriver
import Foundation

/// The Arrow IPC stream reader, and the client-input decoding on top of it, on arbitrary bytes: every input
/// must end in a value or an `ArrowError`, never a trap.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? ArrowStreamReader.read(bytes)
    _ = try? ArrowClientInputEncoding.decode(bytes)
    return 0
}

// SwiftPM's debug builds rename an executable's `main`, which hides libFuzzer's: hand over to its driver.
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
