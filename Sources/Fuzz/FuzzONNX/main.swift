import CFuzzDriver
import Foundation
import FuzzSupport
import Inference

/// The ONNX reader: the input is written as model.onnx and loaded into a graph (the step before running); it must
/// load or throw, never trap.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = try? ModelFormats.load(FuzzInput.write(Array(UnsafeBufferPointer(start: data, count: size))[...], to: "model.onnx"))
    return 0
}

// SwiftPM's debug builds rename an executable's `main`, which hides libFuzzer's: hand over to its driver.
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
