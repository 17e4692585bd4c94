import CFuzzDriver
import Foundation
import FuzzSupport
import Inference

/// The TensorFlow readers. The first byte picks the form: even, a frozen graph (the rest is frozen_graph.pb); odd,
/// a SavedModel (the rest splits into saved_model.pb, variables/variables.index and its one data shard, see
/// `FuzzInput.parts`). Either is loaded into a graph (the step before running): it must load or throw, never trap.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let form = bytes.first else { return 0 }
    let rest = Array(bytes.dropFirst())
    let model: String
    if form % 2 == 0 {
        model = FuzzInput.write(rest[...], to: "frozen/frozen_graph.pb")
    } else {
        let parts = FuzzInput.parts(rest, count: 3)
        model = FuzzInput.write(parts[0], to: "saved/saved_model.pb")
        FuzzInput.write(parts[1], to: "saved/variables/variables.index")
        FuzzInput.write(parts[2], to: "saved/variables/variables.data-00000-of-00001")
    }
    _ = try? ModelFormats.load(model)
    return 0
}

// SwiftPM's debug builds rename an executable's `main`, which hides libFuzzer's: hand over to its driver.
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
