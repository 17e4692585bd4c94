import Foundation
import Testing
@testable import Inference

/// The executor: buffer reuse across runs, concurrent runs, and the errors callers see.
@Suite struct ExecutionTests {
    /// x → Conv → Relu → GlobalAveragePool → Flatten → Gemm: enough steps for buffers to be recycled.
    func smallNetwork(threads: Int = 1) throws -> Model {
        let nodes = [
            Node(name: "conv", opType: "Conv", inputs: ["x", "w"], outputs: ["c"], attributes: ["pads": .ints([1, 1, 1, 1])]),
            Node(name: "relu", opType: "Relu", inputs: ["c"], outputs: ["r"]),
            Node(name: "pool", opType: "GlobalAveragePool", inputs: ["r"], outputs: ["p"]),
            Node(name: "flat", opType: "Flatten", inputs: ["p"], outputs: ["f"]),
            Node(name: "fc", opType: "Gemm", inputs: ["f", "fc_w", "fc_b"], outputs: ["y"], attributes: ["transB": .int(1)]),
        ]
        let graph = Graph(
            sourceFile: "small.onnx", format: "test", opset: 17, nodes: nodes,
            inputs: [ValueInfo(name: "x", elementType: .float32, shape: [.dynamic("N"), .fixed(2), .fixed(5), .fixed(5)])],
            outputs: [ValueInfo(name: "y", elementType: .float32, shape: [.dynamic("N"), .fixed(3)])],
            initializers: [
                "w": Tensor(floats: pseudoRandom(4 * 2 * 9, seed: 21), shape: [4, 2, 3, 3]),
                "fc_w": Tensor(floats: pseudoRandom(3 * 4, seed: 22), shape: [3, 4]),
                "fc_b": Tensor(floats: [0.1, 0.2, 0.3], shape: [3]),
            ])
        return try Model(graph: graph, options: ModelOptions(threads: threads))
    }

    func input(batch: Int, seed: UInt64) -> Tensor {
        Tensor(floats: pseudoRandom(batch * 50, seed: seed), shape: [batch, 2, 5, 5])
    }

    @Test func resultsSurviveLaterRunsThatReuseBuffers() throws {
        let model = try smallNetwork()
        let first = try model.run([input(batch: 3, seed: 1)])[0]
        let kept = first.floatArray
        for seed in 2...5 { _ = try model.run([input(batch: 3, seed: UInt64(seed))]) }
        #expect(first.floatArray == kept)
        #expect(try model.run([input(batch: 3, seed: 1)])[0].floatArray == kept)
    }

    @Test func batchRowsDoNotDependOnTheirNeighbours() throws {
        let model = try smallNetwork()
        let batch = input(batch: 4, seed: 9)
        let all = try model.run([batch])[0].floatArray
        let first = try model.run([Tensor(floats: Array(batch.floatArray.prefix(50)), shape: [1, 2, 5, 5])])[0].floatArray
        expectClose(first, Array(all.prefix(3)))
    }

    @Test func concurrentRunsGiveTheSameResults() async throws {
        let model = try smallNetwork(threads: 2)
        let expected = try (0..<8).map { try model.run([input(batch: 2, seed: UInt64($0))])[0].floatArray }
        try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
            for round in 0..<32 {
                group.addTask { (round % 8, try model.run([self.input(batch: 2, seed: UInt64(round % 8))])[0].floatArray) }
            }
            for try await (seed, result) in group { #expect(result == expected[seed]) }
        }
    }

    @Test func theOriginalsSettingsMapOntoThreadsAndCopies() {
        let shared = ModelOptions.cluster(coreNumberPerMachine: 8, modelParallelism: 2, threadPerModel: nil, availableCores: 4)
        #expect(shared.threads == 4 && shared.copies == 2)
        let explicit = ModelOptions.cluster(coreNumberPerMachine: nil, modelParallelism: nil, threadPerModel: 3, availableCores: 2)
        #expect(explicit.threads == 3 && explicit.copies == 1)
    }

    @Test func inputsOfTheWrongShapeOrTypeAreRefusedByName() throws {
        let model = try smallNetwork()
        #expect { _ = try model.run([Tensor(zeros: .float32, shape: [1, 3, 5, 5])]) } throws: {
            "\($0)".contains("input 'x' should have shape [N,2,5,5], got [1, 3, 5, 5]")
        }
        #expect { _ = try model.run([Tensor(zeros: .int64, shape: [1, 2, 5, 5])]) } throws: {
            "\($0)".contains("input 'x' should be float32, got int64")
        }
        #expect { _ = try model.run([]) } throws: { "\($0)".contains("takes 1 input(s) (x), got 0") }
        #expect { _ = try model.run(named: ["z": input(batch: 1, seed: 1)]) } throws: { "\($0)".contains("'x' is missing") }
    }

    @Test func unknownOperatorsAreNamedWithTheirNodeAndFile() {
        let graph = Graph(sourceFile: "odd.onnx", format: "test", opset: 17,
                          nodes: [Node(name: "mystery", opType: "FancyOp", inputs: ["x"], outputs: ["y"])],
                          inputs: [ValueInfo(name: "x", elementType: .float32, shape: nil)],
                          outputs: [ValueInfo(name: "y", elementType: .float32, shape: nil)], initializers: [:])
        #expect { _ = try Model(graph: graph) } throws: {
            "\($0)" == "odd.onnx: operator FancyOp (node 'mystery') is not supported"
        }
    }

    @Test func cyclesAndDanglingInputsAreMalformed() {
        func graph(_ nodes: [Node]) -> Graph {
            Graph(sourceFile: "bad.onnx", format: "test", opset: 17, nodes: nodes,
                  inputs: [ValueInfo(name: "x", elementType: .float32, shape: nil)],
                  outputs: [ValueInfo(name: "y", elementType: .float32, shape: nil)], initializers: [:])
        }
        let cycle = graph([Node(name: "a", opType: "Relu", inputs: ["y"], outputs: ["z"]),
                           Node(name: "b", opType: "Relu", inputs: ["z"], outputs: ["y"])])
        #expect { _ = try Model(graph: cycle) } throws: { "\($0)".contains("cycle") }
        let dangling = graph([Node(name: "a", opType: "Relu", inputs: ["nowhere"], outputs: ["y"])])
        #expect { _ = try Model(graph: dangling) } throws: { "\($0)".contains("reads 'nowhere', which nothing produces") }
    }
}
