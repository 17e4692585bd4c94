/// Why an image could not be decoded or resized.
public enum ImageError: Error, Equatable, CustomStringConvertible {
    /// No bytes at all.
    case empty
    /// Neither JPEG (`FF D8 FF`) nor PNG signature; carries the first bytes in hex.
    case unknownFormat(firstBytes: String)
    /// The decoder gave up; `format` is "JPEG" or "PNG", `reason` libjpeg's / libpng's message.
    case corrupt(format: String, reason: String)
    /// The header announces more than `limit` pixels; refused before any pixel is decoded.
    case tooLarge(width: Int, height: Int, limit: Int)
    /// A resize to a size that is not positive (or too large to address).
    case badResize(width: Int, height: Int)

    public var description: String {
        switch self {
        case .empty:
            return "image data is empty"
        case .unknownFormat(let firstBytes):
            return "unknown image format (first bytes: \(firstBytes)); expected JPEG or PNG"
        case .corrupt(let format, let reason):
            return "corrupt \(format) image: \(reason)"
        case .tooLarge(let width, let height, let limit):
            return "image of \(width)x\(height) pixels exceeds the limit of \(limit) pixels"
        case .badResize(let width, let height):
            return "cannot resize to \(width)x\(height)"
        }
    }
}
