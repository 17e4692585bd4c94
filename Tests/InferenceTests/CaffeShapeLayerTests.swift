import Foundation
import Testing
@testable import Inference

private func tensor(_ values: [Float], _ shape: [Int]) -> Tensor { Tensor(floats: values, shape: shape) }

@Suite struct CaffeShapeLayerTests {
    @Test func eltwiseSumsWithCoefficientsMultipliesAndTakesTheMaximum() throws {
        var net = CaffeTestNet(input: [1, 1, 1, 2])
        net.add("AbsVal", "abs")
        net.add("Eltwise", "sum", bottoms: ["data", "abs"]) { $0.eltwiseParam.coeff = [2, -1] }
        net.add("Eltwise", "prod", bottoms: ["data", "abs", "abs"]) { $0.eltwiseParam.operation = .prod }
        net.add("Eltwise", "max", bottoms: ["data", "abs"]) { $0.eltwiseParam.operation = .max }
        let outputs = try net.run(tensor([-3, 2], [1, 1, 1, 2]))
        expectClose(outputs["sum"]?.floatArray ?? [], [-9, 2])
        expectClose(outputs["prod"]?.floatArray ?? [], [-27, 8])
        expectClose(outputs["max"]?.floatArray ?? [], [3, 2])
    }

    @Test func sliceConcatAndSplit() throws {
        var net = CaffeTestNet(input: [1, 3, 1, 1])
        net.add("Slice", "slice", tops: ["first", "rest"]) { $0.sliceParam.slicePoint = [1] }
        net.add("Split", "split", bottoms: ["rest"], tops: ["copy1", "copy2"])
        net.add("Concat", "concat", bottoms: ["copy2", "first", "copy1"])
        expectClose(try net.output("concat", for: tensor([1, 2, 3], [1, 3, 1, 1])), [2, 3, 1, 2, 3])
    }

    @Test func sliceWithoutPointsCutsEqualParts() throws {
        var net = CaffeTestNet(input: [1, 1, 1, 4])
        net.add("Slice", "slice", tops: ["left", "right"]) { $0.sliceParam.axis = -1 }
        let outputs = try net.run(tensor([1, 2, 3, 4], [1, 1, 1, 4]))
        expectClose(outputs["left"]?.floatArray ?? [], [1, 2])
        expectClose(outputs["right"]?.floatArray ?? [], [3, 4])
    }

    @Test func flattenReshapeAndPermuteGiveCaffesShapes() throws {
        var net = CaffeTestNet(input: [1, 2, 3, 1])
        net.add("Permute", "permute") { $0.permuteParam.order = [0, 2] }  // [0, 2, 1, 3]: N×3×2×1
        net.add("Flatten", "flatten", bottoms: ["permute"]) { $0.flattenParam.endAxis = 2 }  // N×6×1
        net.add("Reshape", "reshape", bottoms: ["flatten"]) { $0.reshapeParam.shape.dim = [0, -1, 2] }  // N×3×2
        let outputs = try net.run(tensor([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]))
        #expect(outputs["reshape"]?.shape == [1, 3, 2])
        expectClose(outputs["reshape"]?.floatArray ?? [], [1, 4, 2, 5, 3, 6])
    }

    @Test func reshapeWithAnAxisReplacesOnlyPartOfTheShape() throws {
        var net = CaffeTestNet(input: [1, 6])
        net.add("Reshape", "reshape") {
            $0.reshapeParam.shape.dim = [2, 3]
            $0.reshapeParam.axis = 1
        }
        let graph = try net.load()
        #expect(graph.outputs.first?.shape == [.dynamic(nil), .fixed(2), .fixed(3)])
        let y = try Model(graph: graph).run(named: ["data": tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [2, 6])])
        #expect(y["reshape"]?.shape == [2, 2, 3])
    }

    @Test func argMaxRanksEqualValuesByTheLargerIndex() throws {
        var net = CaffeTestNet(input: [1, 4])
        net.add("ArgMax", "top1")
        net.add("ArgMax", "top2") { $0.argmaxParam.topK = 2; $0.argmaxParam.outMaxVal = true }
        net.add("ArgMax", "values") { $0.argmaxParam.axis = 1; $0.argmaxParam.outMaxVal = true }
        let outputs = try net.run(tensor([1, 5, 3, 5], [1, 4]))
        #expect(outputs["top1"]?.shape == [1, 1, 1])
        expectClose(outputs["top1"]?.floatArray ?? [], [3])
        #expect(outputs["top2"]?.shape == [1, 2, 2])
        expectClose(outputs["top2"]?.floatArray.suffix(2).map { $0 } ?? [], [5, 5])
        expectClose(outputs["values"]?.floatArray ?? [], [5])
    }

    // MARK: Blobs and inputs

    @Test func inPlaceLayersKeepTheBlobsNameOnTheOutput() throws {
        var net = CaffeTestNet(input: [1, 2])
        net.add("InnerProduct", "fc", blobs: [CaffeTestNet.blob([1, 0, 0, 1], [2, 2])]) {
            $0.innerProductParam.numOutput = 2
            $0.innerProductParam.biasTerm = false
        }
        net.add("ReLU", "relu", bottoms: ["fc"], tops: ["fc"])
        net.add("Power", "double", bottoms: ["fc"], tops: ["fc"]) { $0.powerParam.scale = 2 }
        let graph = try net.load()
        #expect(graph.outputs.map(\.name) == ["fc"])
        #expect(graph.format == "Caffe")
        let y = try Model(graph: graph).run(named: ["data": tensor([-1, 3], [1, 2])])
        expectClose(y["fc"]?.floatArray ?? [], [0, 6])
    }

    @Test func netLevelInputsMakeTheBatchDynamic() throws {
        var net = CaffeTestNet(input: [1, 1])
        net.deploy.layer.removeAll()
        net.deploy.input = ["pixels"]
        net.deploy.inputDim = [10, 3, 2, 2]
        net.add("Softmax", "prob", bottoms: ["pixels"])
        let graph = try net.load()
        #expect(graph.inputs.map(\.name) == ["pixels"])
        #expect(graph.inputs.first?.shape == [.dynamic(nil), .fixed(3), .fixed(2), .fixed(2)])
        let y = try Model(graph: graph).run(named: ["pixels": Tensor(zeros: .float32, shape: [4, 3, 2, 2])])
        #expect(y["prob"]?.shape == [4, 3, 2, 2])
    }

    @Test func layersOfTheTrainPhaseAreLeftOut() throws {
        var net = CaffeTestNet(input: [1, 2])
        net.add("SoftmaxWithLoss", "loss", bottoms: ["data", "label"]) {
            var rule = Caffe_NetStateRule()
            rule.phase = .train
            $0.include = [rule]
        }
        net.add("Softmax", "prob")
        #expect(try net.load().outputs.map(\.name) == ["prob"])
    }
}
