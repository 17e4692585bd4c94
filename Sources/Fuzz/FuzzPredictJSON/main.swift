import CFuzzDriver
import Foundation
@testable import HTTPFrontend
import Serving

/// The HTTP frontend's request readers on an arbitrary body: the JSON parser, then each API's reader (`/predict`,
/// KServe v2 with and without a declared model, TF Serving), then each row as the stream entry it would be queued
/// as. Every body must be turned into entries or refused with a `RequestError`, never trap.
/// Built with `-enable-testing` (debug builds have it) for the internal readers.
let model = ModelInfo(name: "m", state: "serving", modelPath: "", format: "ONNX",
                      inputs: [.init(name: "x", datatype: "FP32", shape: [1, 3]), .init(name: "y", datatype: "FP32", shape: nil)],
                      outputs: [.init(name: "out", datatype: "FP32", shape: [1, 2])], stats: [:])

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let body = try? JSONValue.parse(Array(UnsafeBufferPointer(start: data, count: size))) else { return 0 }
    encode(try? RequestRows.original(body))
    encode(try? RequestRows.kserve(body, model: nil).rows)
    encode(try? RequestRows.kserve(body, model: model).rows)
    encode(try? RequestRows.tfServing(body, inputNames: ["x", "y"]).rows)
    return 0
}

func encode(_ rows: [[(String, JSONValue)]]?) {
    for (index, row) in (rows ?? []).prefix(64).enumerated() {
        _ = try? InstanceEncoding.entry(uri: "fuzz-\(index)", inputs: row, stream: "serving_stream")
    }
}

// SwiftPM's debug builds rename an executable's `main`, which hides libFuzzer's: hand over to its driver.
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
