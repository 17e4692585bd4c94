extension Image {
    /// The pixels as Float 0...255, no normalisation, in HWC order `[height, width, channels]`
    /// (BGR), like an OpenCV Mat converted to float; the layout TensorFlow models take.
    public func floatHWC() -> [Float] {
        pixels.map(Float.init)
    }

    /// The pixels as Float 0...255 transposed to CHW `[channels, height, width]`: first the whole
    /// blue plane, then green, then red. The layout every other model format takes.
    public func floatCHW() -> [Float] {
        let planeSize = width * height
        var out = [Float](repeating: 0, count: planeSize * channels)
        for pixel in 0..<planeSize {
            for c in 0..<channels {
                out[c * planeSize + pixel] = Float(pixels[pixel * channels + c])
            }
        }
        return out
    }
}
