import CFuzzDriver
import Foundation
import Inference

/// The .npy reader on arbitrary bytes: a tensor or a `NumPyError`, never a trap.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = try? NumPy.read(data: Data(UnsafeBufferPointer(start: data, count: size)), name: "fuzz.npy")
    return 0
}

// SwiftPM's debug builds rename an executable's `main`, which hides libFuzzer's: hand over to its driver.
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
