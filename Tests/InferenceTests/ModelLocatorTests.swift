import Foundation
import Testing
@testable import Inference

/// `ModelFormats.locate`: which file a model path means. The files need not be valid models to be located.
@Suite struct ModelLocatorTests {
    @Test func aModelFileIsItself() throws {
        let directory = try ScratchDirectory()
        let file = try directory.write(Data([1]), to: "net.onnx")
        let (format, located) = try ModelFormats.locate(file)
        #expect(format.name == "ONNX")
        #expect(located == file)
    }

    @Test func aDirectoryWithOneONNXModelMeansThatModel() throws {
        let directory = try ScratchDirectory()
        let file = try directory.write(Data([1]), to: "net.onnx")
        try directory.write(Data("notes".utf8), to: "README.txt")
        let (format, located) = try ModelFormats.locate(directory.url.path)
        #expect(format.name == "ONNX")
        #expect(located == file)
    }

    @Test func aDirectoryWithAnOpenVINOModelMeansItsXML() throws {
        let directory = try ScratchDirectory()
        let file = try directory.write(Data("<net/>".utf8), to: "model.xml")
        try directory.write(Data([0]), to: "model.bin")
        let (format, located) = try ModelFormats.locate(directory.url.path)
        #expect(format.name == "OpenVINO IR")
        #expect(located == file)
    }

    @Test func aDirectoryWithoutAModelListsWhatItHolds() throws {
        let directory = try ScratchDirectory()
        try directory.write(Data([0]), to: "weights.bin")
        try directory.write(Data("notes".utf8), to: "README.txt")
        let path = directory.url.path
        #expect(throws: InferenceError.noModelInDirectory(path: path, found: ["README.txt", "weights.bin"])) {
            _ = try ModelFormats.locate(path)
        }
        let message = String(describing: InferenceError.noModelInDirectory(path: path, found: ["README.txt", "weights.bin"]))
        #expect(message.contains("README.txt, weights.bin"))
    }

    @Test func anEmptyDirectorySaysItIsEmpty() throws {
        let directory = try ScratchDirectory()
        let path = directory.url.path
        #expect(throws: InferenceError.noModelInDirectory(path: path, found: [])) {
            _ = try ModelFormats.locate(path)
        }
    }

    @Test func twoModelsInOneDirectoryAreBothNamed() throws {
        let directory = try ScratchDirectory()
        try directory.write(Data([1]), to: "a.onnx")
        try directory.write(Data("<net/>".utf8), to: "b.xml")
        try directory.write(Data([0]), to: "b.bin")
        let path = directory.url.path
        #expect(throws: InferenceError.severalModels(path: path, found: ["a.onnx", "b.xml"])) {
            _ = try ModelFormats.locate(path)
        }
    }

    @Test func aPathThatDoesNotExistIsNotFound() {
        #expect(throws: InferenceError.modelNotFound(path: "/nonexistent/model.onnx")) {
            _ = try ModelFormats.locate("/nonexistent/model.onnx")
        }
    }

    @Test func aFileOfNoKnownFormatIsRefused() throws {
        let directory = try ScratchDirectory()
        let file = try directory.write(Data([1]), to: "model.pt")
        #expect(throws: InferenceError.unknownFormat(path: file)) {
            _ = try ModelFormats.locate(file)
        }
    }

    @Test func loadingAFixtureDirectoryReadsItsONNXModel() throws {
        let path = Fixtures.root.appendingPathComponent("models/tiny_cnn_bn/model").path
        let graph = try ModelFormats.load(path)
        #expect(graph.format == "ONNX")
        #expect(graph.sourceFile == path + "/model.onnx")
    }
}
