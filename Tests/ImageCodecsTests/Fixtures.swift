import Foundation
import Testing
import ImageCodecs

/// The files made by Fixtures/make_image_fixtures.py, found relative to this source file.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func bytes(_ name: String) -> [UInt8] {
        let url = directory.appendingPathComponent(name)
        guard let data = try? Data(contentsOf: url) else { fatalError("missing fixture \(url.path)") }
        return [UInt8](data)
    }

    struct Manifest: Decodable {
        var decode: [DecodeCase]
        var resize: [ResizeCase]
    }

    /// An encoded file and what cv2.imdecode(..., IMREAD_COLOR) gave for it (nil: refused).
    struct DecodeCase: Decodable, Sendable, CustomTestStringConvertible {
        struct Expected: Decodable, Sendable {
            var width: Int
            var height: Int
            var pixels: String
        }
        var file: String
        var expected: Expected?
        var opencv: String
        var testDescription: String { file }

        var expectedImage: Image? {
            expected.map { Image(width: $0.width, height: $0.height, pixels: Fixtures.bytes($0.pixels)) }
        }
    }

    /// A raw BGR source, a target size and cv2.resize's result (stored as PNG).
    struct ResizeCase: Decodable, Sendable, CustomTestStringConvertible {
        var source: String
        var sourceWidth: Int
        var sourceHeight: Int
        var width: Int
        var height: Int
        var reference: String
        var testDescription: String { "\(source) \(sourceWidth)x\(sourceHeight) -> \(width)x\(height)" }

        var sourceImage: Image {
            Image(width: sourceWidth, height: sourceHeight, pixels: Fixtures.bytes(source))
        }
    }

    static let manifest: Manifest = {
        do {
            return try JSONDecoder().decode(Manifest.self, from: Data(bytes("manifest.json")))
        } catch {
            fatalError("cannot read manifest.json: \(error)")
        }
    }()

    static func decodeCases(suffix: String, openCVGivesImage: Bool) -> [DecodeCase] {
        manifest.decode.filter { $0.file.hasSuffix(suffix) && ($0.expected != nil) == openCVGivesImage }
    }
}

/// The largest absolute difference between two equally sized images' values.
func maxDifference(_ a: Image, _ b: Image) -> Int {
    precondition(a.pixels.count == b.pixels.count)
    return zip(a.pixels, b.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
}
