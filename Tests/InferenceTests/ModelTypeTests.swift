import Foundation
import Testing
@testable import Inference

/// Which file a model path means for each format, and how config `modelType` overrides detection by file name.
@Suite struct ModelTypeTests {
    @Test func eachFormatsModelFileIsFoundInItsDirectory() throws {
        let layouts: [(files: [String], format: String, model: String)] = [
            (["frozen_inference_graph.pb", "graph_meta.json"], "TensorFlow", "frozen_inference_graph.pb"),
            (["saved_model.pb", "fingerprint.pb", "variables/variables.index"], "TensorFlow", "saved_model.pb"),
            (["deploy.prototxt", "net.caffemodel"], "Caffe", "net.caffemodel"),
            (["resnet.model"], "BigDL", "resnet.model"),
        ]
        for layout in layouts {
            let directory = try ScratchDirectory()
            for file in layout.files { try directory.write(Data([1]), to: file) }
            let (format, located) = try ModelFormats.locate(directory.url.path)
            #expect(format.name == layout.format, "\(layout.files)")
            #expect(located == directory.path(layout.model), "\(layout.files)")
        }
    }

    @Test func aCaffeNetWithoutItsWeightsSaysWhatIsMissing() throws {
        let directory = try ScratchDirectory()
        try directory.write(Data("name: 'net'".utf8), to: "deploy.prototxt")
        do {
            _ = try ModelFormats.locate(directory.url.path)
            Issue.record("a lone .prototxt was taken for a model")
        } catch {
            #expect(String(describing: error).contains("put the .caffemodel beside the .prototxt"))
        }
    }

    @Test func aTypePicksOneModelOutOfSeveral() throws {
        let directory = try ScratchDirectory()
        try directory.write(Data([1]), to: "a.onnx")
        let xml = try directory.write(Data("<net/>".utf8), to: "b.xml")
        try directory.write(Data([0]), to: "b.bin")
        let (format, located) = try ModelFormats.locate(directory.url.path, type: ModelType("openvino"))
        #expect(format.name == "OpenVINO IR")
        #expect(located == xml)
    }

    @Test func aTypeThatMatchesNothingSaysWhatIsThere() throws {
        let directory = try ScratchDirectory()
        try directory.write(Data([1]), to: "a.onnx")
        let path = directory.url.path
        #expect(throws: InferenceError.typeMismatch(path: path, type: "Caffe", found: ["a.onnx"])) {
            _ = try ModelFormats.locate(path, type: ModelType("Caffe"))
        }
        let file = directory.path("a.onnx")
        #expect(throws: InferenceError.typeMismatch(path: file, type: "BigDL", found: ["a.onnx"])) {
            _ = try ModelFormats.locate(file, type: ModelType("BigDL"))
        }
    }

    @Test func theTensorFlowVariantMustMatchTheFolder() throws {
        let frozen = try ScratchDirectory()
        try frozen.write(Data([1]), to: "frozen_graph.pb")
        #expect(throws: InferenceError.self) {
            _ = try ModelFormats.locate(frozen.url.path, type: ModelType("tf.savedModel"))
        }
        #expect(try ModelFormats.locate(frozen.url.path, type: ModelType("tf.frozenModel")).file
                == frozen.path("frozen_graph.pb"))
        let saved = try ScratchDirectory()
        try saved.write(Data([1]), to: "saved_model.pb")
        try saved.write(Data([1]), to: "variables/variables.index")
        #expect(throws: InferenceError.self) {
            _ = try ModelFormats.locate(saved.url.path, type: ModelType("tf.frozenModel"))
        }
        #expect(try ModelFormats.locate(saved.url.path, type: ModelType("TF.SAVEDMODEL")).file
                == saved.path("saved_model.pb"))
    }

    @Test func configuredNamesAreCheckedIgnoringCase() throws {
        #expect(try ModelType.configured(nil) == nil)
        #expect(try ModelType.configured("") == nil)
        for name in ModelType.acceptedNames + ["onnx", "CAFFE", "bigdl", "tensorflow"] {
            #expect(try ModelType.configured(name)?.name == name)
        }
        do {
            _ = try ModelType.configured("PyTorch")
            Issue.record("PyTorch was accepted")
        } catch {
            let message = String(describing: error)
            #expect(message.contains("modelType PyTorch is not one of ONNX, OpenVINO, tf.frozenModel"))
            #expect(message.contains("not read yet"))
        }
    }
}
