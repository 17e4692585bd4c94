import ImageCodecs
import Testing

@Suite("Decoding matches cv2.imdecode(buf, IMREAD_COLOR)")
struct DecodeTests {
    // PNG is lossless and libpng is asked for exactly OpenCV's conversions, so every value must
    // match: RGB, RGBA (alpha dropped, not composited), grey and grey+alpha (replicated),
    // 16-bit (>> 8), 4-bit palette with tRNS, 2-bit grey, Adam7, gAMA ignored, eXIf rotation.
    @Test("PNG decodes to exactly the pixels OpenCV gives",
          arguments: Fixtures.decodeCases(suffix: ".png", openCVGivesImage: true))
    func pngMatchesOpenCVExactly(_ fixture: Fixtures.DecodeCase) throws {
        let image = try ImageDecoder.decode(Fixtures.bytes(fixture.file))
        let expected = try #require(fixture.expectedImage)
        #expect(image.width == expected.width && image.height == expected.height)
        #expect(image.channels == 3)
        #expect(image == expected, "max difference \(maxDifference(image, expected))")
    }

    // JPEG is checked for exact equality, not just ±1: OpenCV decodes with libjpeg-turbo using
    // the accurate integer IDCT (JDCT_ISLOW) and fancy upsampling straight to BGR, and TurboJPEG
    // with the same settings runs the same code (system libjpeg-turbo 2.1.5 vs OpenCV's bundled
    // 3.1.2 agree bit for bit; a sweep of 60 random images gave 0 differences). CMYK is
    // converted with OpenCV's own formula, also exact.
    @Test("JPEG decodes to exactly the pixels OpenCV gives",
          arguments: Fixtures.decodeCases(suffix: ".jpg", openCVGivesImage: true))
    func jpegMatchesOpenCVExactly(_ fixture: Fixtures.DecodeCase) throws {
        let image = try ImageDecoder.decode(Fixtures.bytes(fixture.file))
        let expected = try #require(fixture.expectedImage)
        #expect(image.width == expected.width && image.height == expected.height)
        #expect(image == expected, "max difference \(maxDifference(image, expected))")
    }

    @Test("Every input OpenCV refuses is refused too",
          arguments: Fixtures.manifest.decode.filter { $0.expected == nil })
    func refusesWhatOpenCVRefuses(_ fixture: Fixtures.DecodeCase) {
        #expect(throws: ImageError.self) { try ImageDecoder.decode(Fixtures.bytes(fixture.file)) }
    }

    @Test("EXIF orientation 6 in a JPEG turns a 37x23 image into 23x37")
    func jpegExifOrientationSwapsAxes() throws {
        let plain = try ImageDecoder.decode(Fixtures.bytes("jpeg_color_420.jpg"))
        let rotated = try ImageDecoder.decode(Fixtures.bytes("jpeg_exif_orientation6.jpg"))
        #expect((plain.width, plain.height) == (37, 23))
        #expect((rotated.width, rotated.height) == (23, 37))
        // Rotated 90° clockwise: the top-left output pixel is the bottom-left input pixel.
        let bottomLeft = (plain.height - 1) * plain.width * 3
        #expect(Array(rotated.pixels[0..<3]) == Array(plain.pixels[bottomLeft..<(bottomLeft + 3)]))
    }

    @Test("A JPEG with corrupt entropy data still decodes, as libjpeg's warning is not fatal")
    func corruptEntropyJPEGStillDecodes() throws {
        let image = try ImageDecoder.decode(Fixtures.bytes("jpeg_corrupt_entropy.jpg"))
        #expect((image.width, image.height) == (37, 23))
    }

    @Test("Extraneous bytes between JPEG header segments are skipped, as libjpeg (and OpenCV) do")
    func jpegExtraneousHeaderBytesAreSkipped() throws {
        let bytes = Fixtures.bytes("jpeg_color_420.jpg")
        let dqt = try #require((2..<(bytes.count - 1)).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xDB })
        var damaged = bytes
        damaged.insert(contentsOf: [0x12, 0x34, 0x56], at: dqt)  // libjpeg warns, then carries on
        #expect(try ImageDecoder.decode(damaged) == ImageDecoder.decode(bytes))
    }

    @Test("An image of exactly maxPixels pixels is accepted")
    func imageAtThePixelLimitDecodes() throws {
        let image = try ImageDecoder.decode(Fixtures.bytes("jpeg_color_420.jpg"), maxPixels: 37 * 23)
        #expect(image.pixels.count == 37 * 23 * 3)
    }
}
