import CFuzzDriver
import Foundation
import Inference

/// The ONNX reader: the input is written as model.onnx in a temporary directory and loaded into a graph (the
/// step before running); it must load or throw, never trap.
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-onnx-\(getpid())")
try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
let modelFile = directory.appendingPathComponent("model.onnx")
atexit { try? FileManager.default.removeItem(at: directory) }

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    try! Data(UnsafeBufferPointer(start: data, count: size)).write(to: modelFile)
    _ = try? ModelFormats.load(modelFile.path)
    return 0
}

// SwiftPM's debug builds rename an executable's `main`, which hides libFuzzer's: hand over to its driver.
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
