import CFuzzDriver
import Foundation
import FuzzSupport
import Inference

/// The OpenVINO IR reader: the input splits into model.xml and model.bin (see `FuzzInput.parts`), loaded into a
/// graph (the step before running): it must load or throw, never trap.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let parts = FuzzInput.parts(Array(UnsafeBufferPointer(start: data, count: size)), count: 2)
    FuzzInput.write(parts[1], to: "model.bin")
    _ = try? ModelFormats.load(FuzzInput.write(parts[0], to: "model.xml"))
    return 0
}

// SwiftPM's debug builds rename an executable's `main`, which hides libFuzzer's: hand over to its driver.
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
