import Foundation
import Testing

@testable import HTTPFrontend
@testable import Serving

/// Every body that made FuzzPredictJSON (Sources/Fuzz) crash or hang is kept in Tests/Fuzz/regressions/FuzzPredictJSON;
/// each goes through the same readers (JSON, then `/predict`, KServe v2, TF Serving, then the stream entry) and must
/// be refused with an error by at least one of them, the others answering normally.
@Suite struct FuzzRegressionTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fuzz/regressions/FuzzPredictJSON").standardized

    static var files: [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().map { folder.appendingPathComponent($0) }
    }

    static let model = ModelInfo(name: "m", state: "serving", modelPath: "", format: "ONNX",
                                 inputs: [.init(name: "x", datatype: "FP32", shape: [1, 3])],
                                 outputs: [.init(name: "out", datatype: "FP32", shape: [1, 2])])

    /// The readers' refusals for one body, in order.
    static func refusals(_ bytes: [UInt8]) -> [String] {
        let body: JSONValue
        do { body = try JSONValue.parse(bytes) } catch { return [error.description] }
        var errors: [String] = []
        func encode(_ read: () throws(RequestError) -> [[(String, JSONValue)]]) {
            do {
                for row in try read() { _ = try InstanceEncoding.entry(uri: "u", inputs: row, stream: "s") }
            } catch { errors.append(error.description) }
        }
        encode { () throws(RequestError) in try RequestRows.original(body) }
        encode { () throws(RequestError) in try RequestRows.kserve(body, model: nil).rows }
        encode { () throws(RequestError) in try RequestRows.kserve(body, model: model).rows }
        encode { () throws(RequestError) in try RequestRows.tfServing(body, inputNames: ["x"]).rows }
        return errors
    }

    @Test func theRegressionFolderIsNotEmpty() {
        #expect(!Self.files.isEmpty)
    }

    @Test(arguments: files)
    func bodyIsRefused(_ file: URL) throws {
        #expect(!Self.refusals([UInt8](try Data(contentsOf: file))).isEmpty)
    }

    @Test(arguments: [
        (#"{"inputs":[{"name":"x","shape":[1e999],"data":[1]}]}"#, "overflows: inf is beyond 9223372036854775807"),
        (#"{"inputs":[{"name":"x","shape":[NaN],"data":[1]}]}"#, "NaN and Infinity are not JSON numbers"),
        (#"{"inputs":[{"name":"x","shape":[1e30],"data":[1]}]}"#, "overflows: 1e+30 is beyond 9223372036854775807"),
        (#"{"inputs":[{"name":"x","shape":[-2],"data":[1]}]}"#, "has a negative dimension (-2)"),
        (#"{"inputs":[{"name":"x","shape":[1.5],"data":[1]}]}"#, "\"shape\" must be a list of integers, got [1.5]"),
        (#"{"inputs":[{"name":"x","shape":[4294967296,4294967296],"data":[1]}]}"#, "its element count is beyond"),
        (#"{"inputs":[{"name":"x","shape":[1000000000000,0],"data":[]}]}"#, "more than the limit of 65536 per request"),
        (#"{"inputs":[{"name":"x","shape":[1000000000000],"data":[1,2]}]}"#, "needs 1000000000000 values, data holds 2"),
        (#"{"instances":[{"s":{"shape":[1e30],"data":[1],"indices":[[0]]}}]}"#, "not a sparse tensor"),
        (String(repeating: "[", count: 100) + String(repeating: "]", count: 100), "nested deeper than 64 levels"),
    ])
    func refusedWithAClearError(body: String, message: String) {
        let refusals = Self.refusals(Array(body.utf8))
        #expect(refusals.contains { $0.contains(message) }, "\(refusals)")
    }

    /// The body that trapped the parser (a high surrogate's escape summed with the next one): a lone surrogate is
    /// U+FFFD, as lenient JSON readers give it, and the escape after it is read on its own.
    @Test func aLoneHighSurrogateIsReplacedAndTheNextEscapeKept() throws {
        let value = try JSONValue.parse(Array(#"{"a":"\ud83d\u0e00"}"#.utf8))
        #expect(value["a"] == .string("\u{FFFD}\u{0E00}"))
    }

    /// A ragged array whose first elements announce 1000^6 values (the reservation once overflowed).
    @Test func aRaggedArrayAnnouncingHugeShapeIsNotATensor() throws {
        var text = "1"
        for _ in 0..<6 { text = "[" + text + String(repeating: ",1", count: 999) + "]" }
        let value = try JSONValue.parse(Array(text.utf8))
        #expect(value.numericTensor == nil)
    }
}
