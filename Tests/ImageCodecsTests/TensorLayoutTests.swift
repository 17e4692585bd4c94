import ImageCodecs
import Testing

@Suite("Float tensor layouts")
struct TensorLayoutTests {
    // 2 wide, 2 high; pixel (x, y) has B = 10*y + x + 1, G = B + 100, R = B + 200.
    let image = Image(width: 2, height: 2, pixels: [
        1, 101, 201,   2, 102, 202,
        11, 111, 211,  12, 112, 212,
    ])

    @Test("floatHWC keeps the interleaved BGR order [H, W, C] as 0-255 floats")
    func hwcOrder() {
        #expect(image.floatHWC() == [1, 101, 201, 2, 102, 202, 11, 111, 211, 12, 112, 212])
    }

    @Test("floatCHW gives the B plane, then G, then R, each row-major [C, H, W]")
    func chwOrder() {
        #expect(image.floatCHW() == [1, 2, 11, 12, 101, 102, 111, 112, 201, 202, 211, 212])
    }

    @Test("Values are not normalised")
    func noNormalisation() {
        let white = Image(width: 1, height: 1, pixels: [255, 0, 128])
        #expect(white.floatHWC() == [255, 0, 128])
        #expect(white.floatCHW() == [255, 0, 128])
    }
}
