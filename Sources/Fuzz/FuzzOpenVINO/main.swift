import CFuzzDriver
import Foundation
import Inference

/// The OpenVINO IR reader: the input is a 4-byte little-endian length, that many bytes of model.xml, and the rest
/// model.bin, written to a temporary directory and loaded into a graph (the step before running).
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-openvino-\(getpid())")
try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
let xmlFile = directory.appendingPathComponent("model.xml")
let binFile = directory.appendingPathComponent("model.bin")
atexit { try? FileManager.default.removeItem(at: directory) }

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let (xml, bin) = split(bytes)
    try! Data(xml).write(to: xmlFile)
    try! Data(bin).write(to: binFile)
    _ = try? ModelFormats.load(xmlFile.path)
    return 0
}

func split(_ bytes: [UInt8]) -> (xml: ArraySlice<UInt8>, bin: ArraySlice<UInt8>) {
    guard bytes.count >= 4 else { return (bytes[...], []) }
    let declared = bytes[0..<4].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
    let xmlEnd = 4 + min(declared, bytes.count - 4)
    return (bytes[4..<xmlEnd], bytes[xmlEnd...])
}

// SwiftPM's debug builds rename an executable's `main`, which hides libFuzzer's: hand over to its driver.
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
