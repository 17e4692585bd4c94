import ImageCodecs
import Inference
import ServingConfig

/// What the original did to an image before the model (spec 7.2): decode to 8-bit BGR, resize when configured,
/// then float 0-255 with no normalisation, HWC for TensorFlow-style inputs and CHW for every other model.
///
/// The layout follows the model's declared input (`ValueInfo.isChannelsLast`): `[.., H, W, 3]` is HWC, anything
/// else CHW. A declared single channel gets the grey image (OpenCV's BGR-to-grey weights).
struct ImagePreprocessing: Sendable {
    /// `imageResize` (width, height), or the nested generation's `data.shape` (C, H, W).
    let resize: ImageSize?

    init(config: ServingConfiguration) {
        if let size = config.imageResize {
            resize = size
        } else if let shape = config.imageShape, shape.count == 3 {
            resize = ImageSize(width: shape[2], height: shape[1])
        } else {
            resize = nil
        }
    }

    func tensor(from bytes: [UInt8], named name: String, for declared: ValueInfo,
                batched: Bool) throws(RecordError) -> ([Float], [Int]) {
        var image: Image
        do {
            image = try ImageDecoder.decode(bytes)
            if let resize { image = try image.resized(width: resize.width, height: resize.height) }
        } catch {
            throw RecordError("input '\(name)' is not a readable image: \(error)")
        }
        let dims = declared.shape.map { Array($0.suffix(3)) }
        let channelsLast = declared.isChannelsLast
        let channels = channelsLast ? dims?[2].value : dims?[0].value
        let (h, w) = (image.height, image.width)
        // A size the model cannot take fails before the float copy (four bytes a channel: 600 MB at 50 Mpx).
        if let dims, dims.count == 3, let height = dims[channelsLast ? 0 : 1].value, let width = dims[channelsLast ? 1 : 2].value,
           (height, width) != (h, w) {
            throw RecordError("input '\(name)' is a \(w)x\(h) image but the model's input '\(declared.name)' takes "
                + "\(width)x\(height) (imageResize: width,height resizes images)")
        }
        let batch = batched ? [1] : []
        if channels == 1 {
            return (Self.grey(image), batch + (channelsLast ? [h, w, 1] : [1, h, w]))
        }
        return channelsLast ? (image.floatHWC(), batch + [h, w, 3]) : (image.floatCHW(), batch + [3, h, w])
    }

    /// OpenCV's BGR-to-grey weights, kept as floats (the model gets 0-255 values either way).
    static func grey(_ image: Image) -> [Float] {
        var out = [Float](repeating: 0, count: image.width * image.height)
        for i in 0..<out.count {
            let b = Float(image.pixels[3 * i]), g = Float(image.pixels[3 * i + 1]), r = Float(image.pixels[3 * i + 2])
            out[i] = (0.114 * b + 0.587 * g + 0.299 * r).rounded()
        }
        return out
    }
}
