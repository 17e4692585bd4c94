import CFuzzDriver
import Foundation
import ImageCodecs

/// JPEG/PNG decoding as the serving job does it, then a resize: the last two bytes pick the target (1...128 on
/// each side). The pixel limit is lowered to 4 Mpx so that a run stays fast; the limit's own check is the same.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let image = try? ImageDecoder.decode(bytes, maxPixels: 4_000_000) else { return 0 }
    let width = Int(bytes[bytes.count - 1] % 128) + 1
    let height = bytes.count >= 2 ? Int(bytes[bytes.count - 2] % 128) + 1 : width
    _ = try? image.resized(width: width, height: height)
    return 0
}

// SwiftPM's debug builds rename an executable's `main`, which hides libFuzzer's: hand over to its driver.
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
