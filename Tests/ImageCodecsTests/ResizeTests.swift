import ImageCodecs
import Testing

@Suite("resized(width:height:) matches cv2.resize with INTER_LINEAR")
struct ResizeTests {
    // The contract is ±1 per value; the implementation reproduces OpenCV's fixed-point arithmetic
    // and the observed maximum difference is 0 for every case (and for 400 random sizes checked
    // against cv2 5.0 while writing it), so exactness is asserted as well.
    @Test("Resizing agrees with cv2.resize, up- and down-scaling",
          arguments: Fixtures.manifest.resize)
    func matchesOpenCV(_ fixture: Fixtures.ResizeCase) throws {
        let resized = try fixture.sourceImage.resized(width: fixture.width, height: fixture.height)
        let expected = try ImageDecoder.decode(Fixtures.bytes(fixture.reference))  // lossless PNG
        #expect((resized.width, resized.height) == (fixture.width, fixture.height))
        let difference = maxDifference(resized, expected)
        #expect(difference <= 1)
        #expect(difference == 0, "observed max difference \(difference)")
    }

    @Test("Resizing to the same size returns the image unchanged")
    func sameSizeIsIdentity() throws {
        let image = Image(width: 2, height: 1, pixels: [1, 2, 3, 4, 5, 6])
        #expect(try image.resized(width: 2, height: 1) == image)
    }

    @Test("A single pixel upscales to a uniform image")
    func singlePixelUpscale() throws {
        let image = Image(width: 1, height: 1, pixels: [10, 200, 77])
        let big = try image.resized(width: 3, height: 2)
        #expect(big.pixels == Array(repeating: [10, 200, 77], count: 6).flatMap { $0 })
    }

    @Test("Non-positive target sizes throw .badResize", arguments: [(0, 5), (5, 0), (-1, 3)])
    func badTargetSize(width: Int, height: Int) {
        let image = Image(width: 1, height: 1, pixels: [0, 0, 0])
        #expect(throws: ImageError.badResize(width: width, height: height)) {
            try image.resized(width: width, height: height)
        }
    }

    @Test("An empty image cannot be resized")
    func emptySource() {
        let image = Image(width: 0, height: 0, pixels: [])
        #expect(throws: ImageError.badResize(width: 4, height: 4)) { try image.resized(width: 4, height: 4) }
    }
}
