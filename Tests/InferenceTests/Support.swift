import Foundation
import Testing
@testable import Inference

/// Shared helpers for the inference tests.
enum Fixtures {
    /// Tests/Fixtures/inference in the source tree (fixtures are read in place, not bundled).
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/inference")
}

/// Runs one node through the full compile-and-execute path and returns its outputs.
/// `inputs` become graph inputs; `constants` become initializers (as a model file would carry weights).
func runNode(_ opType: String, inputs: [(String, Tensor)], constants: [(String, Tensor)] = [],
             attributes: [String: Attribute] = [:], outputs: Int = 1, opset: Int = 17,
             threads: Int = 1) throws -> [Tensor] {
    let outputNames = (0..<outputs).map { "out\($0)" }
    let node = Node(name: "node", opType: opType, inputs: inputs.map(\.0) + constants.map(\.0),
                    outputs: outputNames, attributes: attributes)
    return try runGraph(nodes: [node], inputs: inputs, constants: constants, outputs: outputNames,
                        opset: opset, threads: threads)
}

/// Like `runNode`, but with the node's input order given explicitly (names refer to `inputs` or `constants`;
/// "" leaves an optional input out).
func runNode(_ opType: String, inputOrder: [String], inputs: [(String, Tensor)],
             constants: [(String, Tensor)] = [], attributes: [String: Attribute] = [:], outputs: Int = 1,
             opset: Int = 17, threads: Int = 1) throws -> [Tensor] {
    let outputNames = (0..<outputs).map { "out\($0)" }
    let node = Node(name: "node", opType: opType, inputs: inputOrder, outputs: outputNames, attributes: attributes)
    return try runGraph(nodes: [node], inputs: inputs, constants: constants, outputs: outputNames,
                        opset: opset, threads: threads)
}

func runGraph(nodes: [Node], inputs: [(String, Tensor)], constants: [(String, Tensor)], outputs: [String],
              opset: Int = 17, threads: Int = 1) throws -> [Tensor] {
    let graph = Graph(
        sourceFile: "test-graph", format: "test", opset: opset, nodes: nodes,
        inputs: inputs.map { ValueInfo(name: $0.0, elementType: $0.1.elementType, shape: $0.1.shape.map { .fixed($0) }) },
        outputs: outputs.map { ValueInfo(name: $0, elementType: .float32, shape: nil) },
        initializers: Dictionary(uniqueKeysWithValues: constants))
    let model = try Model(graph: graph, options: ModelOptions(threads: threads))
    return try model.run(inputs.map(\.1))
}

/// |actual - expected| <= atol + rtol * |expected| element by element, with the first mismatch in the message.
func expectClose(_ actual: [Float], _ expected: [Float], atol: Float = 1e-5, rtol: Float = 1e-4,
                 _ comment: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    guard actual.count == expected.count else {
        Issue.record("\(comment) count \(actual.count) != expected \(expected.count)", sourceLocation: sourceLocation)
        return
    }
    for i in actual.indices {
        let a = actual[i], e = expected[i]
        if a.isNaN && e.isNaN { continue }
        if a == e { continue }
        if !(abs(a - e) <= atol + rtol * abs(e)) {
            Issue.record("\(comment) element \(i): \(a) != expected \(e)", sourceLocation: sourceLocation)
            return
        }
    }
}
