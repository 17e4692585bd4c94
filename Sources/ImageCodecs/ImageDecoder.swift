/// Decodes JPEG and PNG the way OpenCV's `imdecode(buf, IMREAD_COLOR)` does.
public enum ImageDecoder {
    static let jpegSignature: [UInt8] = [0xFF, 0xD8, 0xFF]
    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// JPEG or PNG, chosen by magic bytes; always 3-channel BGR 8-bit, as OpenCV's imdecode with
    /// IMREAD_COLOR: grey is replicated, alpha dropped without compositing, 16-bit PNG samples
    /// keep their high byte (`>> 8`), palettes expanded, CMYK/YCCK JPEG converted to BGR, and the
    /// EXIF orientation (JPEG APP1 "Exif", PNG eXIf) applied.
    ///
    /// Like OpenCV's imdecode, a JPEG that ends early (truncated, no EOI) is refused, while other
    /// libjpeg warnings ("Corrupt JPEG data: ...") still give the image libjpeg produced.
    ///
    /// - Parameter maxPixels: images whose header announces more than `width * height` pixels are
    ///   refused with `.tooLarge` before the pixel buffer is allocated.
    public static func decode(_ bytes: [UInt8], maxPixels: Int = 50_000_000) throws(ImageError) -> Image {
        guard !bytes.isEmpty else { throw .empty }
        if bytes.starts(with: jpegSignature) {
            let image = try JPEGDecoder.decode(bytes, maxPixels: maxPixels)
            return image.oriented(ExifOrientation.inJPEG(bytes))
        }
        if bytes.starts(with: pngSignature) {
            let image = try PNGDecoder.decode(bytes, maxPixels: maxPixels)
            return image.oriented(ExifOrientation.inPNG(bytes))
        }
        let hex = bytes.prefix(8).map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }
        throw .unknownFormat(firstBytes: hex.joined(separator: " "))
    }

    /// Throws `.tooLarge` when `width * height` exceeds `maxPixels` (no overflow for header sizes).
    static func checkPixelLimit(width: Int, height: Int, maxPixels: Int) throws(ImageError) {
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        if overflow || pixels > maxPixels {
            throw .tooLarge(width: width, height: height, limit: maxPixels)
        }
    }
}
