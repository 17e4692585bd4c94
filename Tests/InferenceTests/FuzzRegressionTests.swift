import Foundation
import Testing
@testable import Inference

/// Every input that made a fuzz harness (Sources/Fuzz) crash or hang is kept in Tests/Fuzz/regressions/<harness>/;
/// each must now be refused with an error by the code path the harness drives.
@Suite struct FuzzRegressionTests {
    static let regressions = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fuzz/regressions").standardized

    static func files(_ harness: String) -> [URL] {
        let folder = regressions.appendingPathComponent(harness)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().map { folder.appendingPathComponent($0) }
    }

    /// FuzzOpenVINO's input: a 4-byte little-endian length, that many bytes of model.xml, the rest model.bin.
    @Test(arguments: files("FuzzOpenVINO"))
    func openVINOInputIsRefused(_ file: URL) throws {
        let bytes = [UInt8](try Data(contentsOf: file))
        let declared = bytes.prefix(4).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let xmlEnd = min(4 + declared, bytes.count)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-regression-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let xml = directory.appendingPathComponent("model.xml")
        try Data(bytes[min(4, bytes.count)..<xmlEnd]).write(to: xml)
        try Data(bytes[xmlEnd...]).write(to: directory.appendingPathComponent("model.bin"))
        #expect(throws: InferenceError.self) { try ModelFormats.load(xml.path) }
    }

    @Test(arguments: files("FuzzONNX"))
    func onnxInputIsRefused(_ file: URL) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-regression-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = directory.appendingPathComponent("model.onnx")
        try FileManager.default.copyItem(at: file, to: model)
        #expect(throws: InferenceError.self) { try ModelFormats.load(model.path) }
    }

    @Test(arguments: files("FuzzNumPy"))
    func numPyInputIsRefused(_ file: URL) throws {
        let data = try Data(contentsOf: file)
        #expect(throws: NumPyError.self) { try NumPy.read(data: data, name: file.lastPathComponent) }
    }

    @Test func aNonUTF8NameInIRIsNamedWithItsLine() throws {
        let xml = Data("<?xml version=\"1.0\"?>\n<net name=\"m\" version=\"11\">\n<layer id".utf8) + Data([0xFF]) + Data("=\"0\"/></net>".utf8)
        #expect(throws: InferenceError.malformedModel(file: "m.xml", reason: "line 3: the XML is not UTF-8 text")) {
            try IRDocument.parse(xml, file: "m.xml")
        }
    }
}
