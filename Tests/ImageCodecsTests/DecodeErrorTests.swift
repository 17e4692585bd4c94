import ImageCodecs
import Testing

@Suite("Bad input throws the matching ImageError")
struct DecodeErrorTests {
    @Test("Empty input throws .empty")
    func emptyInput() {
        #expect(throws: ImageError.empty) { try ImageDecoder.decode([]) }
    }

    @Test("Bytes that are neither JPEG nor PNG throw .unknownFormat with the first bytes in hex")
    func randomBytes() {
        let bytes = Fixtures.bytes("random.bin")
        let hex = bytes.prefix(8).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: " ")
        #expect(throws: ImageError.unknownFormat(firstBytes: hex)) { try ImageDecoder.decode(bytes) }
        #expect(throws: ImageError.unknownFormat(firstBytes: "47 49 46 38")) {
            try ImageDecoder.decode(Array("GIF8".utf8))
        }
    }

    @Test("A JPEG cut short throws .corrupt naming libjpeg's premature-end message",
          arguments: ["jpeg_truncated.jpg", "jpeg_missing_eoi.jpg", "jpeg_corrupt_then_truncated.jpg"])
    func truncatedJPEG(file: String) {
        let error = decodeError(Fixtures.bytes(file))
        guard case .corrupt(let format, let reason) = error else {
            Issue.record("expected .corrupt, got \(String(describing: error))")
            return
        }
        #expect(format == "JPEG")
        #expect(reason.contains("Premature end of JPEG file"))
    }

    @Test("A JPEG cut inside its header, or garbage after the signature, throws .corrupt with libjpeg's message")
    func jpegBrokenHeader() {
        let cases: [([UInt8], String)] = [
            (Fixtures.bytes("jpeg_truncated_header.jpg"), "Invalid JPEG file structure: missing SOS marker"),
            ([0xFF, 0xD8, 0xFF, 0x00, 0x13, 0x37, 0x00, 0x00], "JPEG datastream contains no image"),
        ]
        for (bytes, message) in cases {
            #expect(throws: ImageError.corrupt(format: "JPEG", reason: message)) { try ImageDecoder.decode(bytes) }
        }
    }

    @Test("A PNG cut short throws .corrupt(format: \"PNG\")")
    func truncatedPNG() {
        #expect(throws: ImageError.corrupt(format: "PNG", reason: "unexpected end of data (truncated PNG)")) {
            try ImageDecoder.decode(Fixtures.bytes("png_truncated.png"))
        }
        #expect(throws: ImageError.corrupt(format: "PNG", reason: "unexpected end of data (truncated PNG)")) {
            try ImageDecoder.decode(Array(Fixtures.bytes("png_rgb.png").prefix(8)))
        }
    }

    @Test("A PNG whose IDAT CRC is wrong throws .corrupt with libpng's message")
    func pngWithBadCRC() throws {
        var bytes = Fixtures.bytes("png_rgb.png")
        let idat = try #require(indexOf(Array("IDAT".utf8), in: bytes))
        let length = bytes[(idat - 4)..<idat].reduce(0) { $0 << 8 | Int($1) }
        bytes[idat + 4 + length] ^= 0xFF  // first CRC byte
        #expect(throws: ImageError.corrupt(format: "PNG", reason: "IDAT: CRC error")) {
            try ImageDecoder.decode(bytes)
        }
    }

    @Test("A PNG header claiming 100000x100000 is refused as .tooLarge before decoding")
    func hugePNGHeaderIsRefusedEarly() {
        // The file holds only 16 bytes of image data: reaching the decoder would give .corrupt.
        #expect(throws: ImageError.tooLarge(width: 100_000, height: 100_000, limit: 50_000_000)) {
            try ImageDecoder.decode(Fixtures.bytes("png_huge_header.png"))
        }
    }

    @Test("A JPEG header claiming 60000x50000 is refused as .tooLarge before decoding")
    func hugeJPEGHeaderIsRefusedEarly() throws {
        var bytes = Fixtures.bytes("jpeg_color_420.jpg")
        let sof = try #require(indexOf([0xFF, 0xC0], in: bytes))  // baseline SOF0
        // SOF0: FF C0, length (2), precision (1), height (2), width (2)
        bytes.replaceSubrange((sof + 5)..<(sof + 9), with: [0xC3, 0x50, 0xEA, 0x60])
        #expect(throws: ImageError.tooLarge(width: 60_000, height: 50_000, limit: 50_000_000)) {
            try ImageDecoder.decode(bytes)
        }
    }

    @Test("maxPixels below the image size refuses an otherwise valid image")
    func customPixelLimit() {
        #expect(throws: ImageError.tooLarge(width: 37, height: 23, limit: 850)) {
            try ImageDecoder.decode(Fixtures.bytes("jpeg_color_420.jpg"), maxPixels: 850)
        }
        #expect(throws: ImageError.tooLarge(width: 24, height: 18, limit: 431)) {
            try ImageDecoder.decode(Fixtures.bytes("png_rgb.png"), maxPixels: 431)
        }
    }

    @Test("Error descriptions are readable")
    func descriptions() {
        #expect(ImageError.corrupt(format: "PNG", reason: "IDAT: CRC error").description
                == "corrupt PNG image: IDAT: CRC error")
        #expect(ImageError.tooLarge(width: 3, height: 4, limit: 5).description.contains("3x4"))
    }

    private func decodeError(_ bytes: [UInt8]) -> ImageError? {
        do {
            _ = try ImageDecoder.decode(bytes)
            return nil
        } catch {
            return error
        }
    }

    private func indexOf(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        return (0...(haystack.count - needle.count)).first { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
