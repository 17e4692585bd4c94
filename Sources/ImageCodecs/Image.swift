/// An 8-bit, 3-channel BGR image in HWC order (row-major, channels interleaved),
/// the layout of an OpenCV `CV_8UC3` Mat.
public struct Image: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Always 3 (B, G, R).
    public let channels: Int
    /// `height * width * channels` bytes; pixel (x, y) channel c is at `(y * width + x) * channels + c`.
    public var pixels: [UInt8]

    /// - Precondition: `pixels.count == width * height * 3`, `width >= 0`, `height >= 0`.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0, "negative image size")
        precondition(pixels.count == width * height * 3, "pixel count does not match \(width)x\(height)x3")
        self.width = width
        self.height = height
        self.channels = 3
        self.pixels = pixels
    }
}
