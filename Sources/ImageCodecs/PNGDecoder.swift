import CPNGDecode

/// PNG decoding with libpng through the small C wrapper in CPNGDecode (libpng reports errors
/// with longjmp, which must stay in C). The colour rules are OpenCV's; see cpng_decode.h.
enum PNGDecoder {
    static func decode(_ bytes: [UInt8], maxPixels: Int) throws(ImageError) -> Image {
        var result = cpng_result()
        let headerOK = bytes.withUnsafeBufferPointer { input in
            cpng_read_header(input.baseAddress, input.count, &result)
        }
        guard headerOK == 1 else { throw corrupt(result) }
        let width = Int(result.width), height = Int(result.height)
        try ImageDecoder.checkPixelLimit(width: width, height: height, maxPixels: maxPixels)

        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let decodeOK = bytes.withUnsafeBufferPointer { input in
            pixels.withUnsafeMutableBufferPointer { output in
                cpng_decode_bgr(input.baseAddress, input.count, output.baseAddress, output.count, &result)
            }
        }
        guard decodeOK == 1 else { throw corrupt(result) }
        return Image(width: width, height: height, pixels: pixels)
    }

    private static func corrupt(_ result: cpng_result) -> ImageError {
        let message = withUnsafeBytes(of: result.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return .corrupt(format: "PNG", reason: message)
    }
}
