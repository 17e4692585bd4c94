import Foundation
import Testing
@testable import Inference

/// One case of a fixtures manifest (Tests/Fixtures/inference/manifest.json, written by tools/make_fixtures.py, and
/// one per further format in its own folder): a model directory, its inputs, and the outputs the format's own
/// runtime (or a float64 reference where the format has none) computed for them.
struct FixtureCase: Sendable, Decodable, CustomTestStringConvertible {
    /// The manifests, relative to the fixtures root; the paths inside each are relative to its own folder.
    static let manifests = ["manifest.json", "tensorflow/manifest.json", "caffe/manifest.json", "bigdl/manifest.json"]

    let name: String
    let kind: String
    /// Model directory, relative to the fixtures root.
    let model: String
    let format: String
    /// Tensor name -> .npy path relative to the fixtures root.
    let inputs: [String: String]
    let outputs: [String: String]
    let inputOrder: [String]
    let outputOrder: [String]
    let atol: Float
    let rtol: Float
    /// Running the first k rows of every input gives the first k rows of every output.
    let batchInvariant: Bool
    let summary: String
    /// The folder of the manifest this case came from, relative to the fixtures root.
    var folder = ""

    enum CodingKeys: String, CodingKey {
        case name, kind, model, format, inputs, outputs, atol, rtol
        case inputOrder = "input_order", outputOrder = "output_order", batchInvariant = "batch_invariant"
        case summary = "description"
    }

    var testDescription: String { "\(kind) \(name) (\(format))" }

    func path(_ relative: String) -> String {
        Fixtures.root.appendingPathComponent(folder).appendingPathComponent(relative).path
    }

    /// Every manifest that exists (the first one must); a format's folder may not have been made yet.
    static func loadManifest() throws -> [FixtureCase] {
        var all: [FixtureCase] = []
        for (index, manifest) in manifests.enumerated() {
            let url = Fixtures.root.appendingPathComponent(manifest)
            guard index == 0 || FileManager.default.fileExists(atPath: url.path) else { continue }
            let folder = (manifest as NSString).deletingLastPathComponent
            let cases = try JSONDecoder().decode([FixtureCase].self, from: Data(contentsOf: url))
            all += cases.map { var fixture = $0; fixture.folder = folder; return fixture }
        }
        return all
    }

    /// Read once when the tests are discovered; an unreadable manifest gives no cases, and the
    /// `manifestListsCases` test says why.
    static let all: [FixtureCase] = (try? loadManifest()) ?? []
}

extension Tensor {
    /// The first `rows` entries along dimension 0, copied.
    func firstRows(_ rows: Int) -> Tensor {
        let kept = Swift.min(rows, shape[0])
        let result = Tensor(zeros: elementType, shape: [kept] + shape.dropFirst())
        result.storage.bytes.copyMemory(from: storage.bytes, byteCount: result.byteCount)
        return result
    }
}

@Suite struct FixtureCaseTests {
    @Test func manifestListsCases() throws {
        let cases = try FixtureCase.loadManifest()
        #expect(!cases.isEmpty)
        for fixture in cases {
            #expect(Set(fixture.inputOrder) == Set(fixture.inputs.keys), "\(fixture.name)")
            #expect(Set(fixture.outputOrder) == Set(fixture.outputs.keys), "\(fixture.name)")
        }
    }

    @Test(arguments: FixtureCase.all)
    func matchesTheReferenceOutputs(_ fixture: FixtureCase) throws {
        let model = try Model(path: fixture.path(fixture.model))
        var inputs: [String: Tensor] = [:]
        for name in fixture.inputOrder {
            inputs[name] = try NumPy.read(fixture.path(fixture.inputs[name] ?? ""))
        }
        let outputs = try model.run(named: inputs)
        for name in fixture.outputOrder {
            let expected = try NumPy.read(fixture.path(fixture.outputs[name] ?? ""))
            let actual = try #require(outputs[name], "\(fixture.name): no output '\(name)'")
            compare(actual, expected, fixture: fixture, model: model, output: name, what: "full batch")
        }

        guard fixture.batchInvariant else { return }
        for rows in [1, 3] {
            let prefix = try model.run(named: inputs.mapValues { $0.rank == 0 ? $0 : $0.firstRows(rows) })
            for name in fixture.outputOrder {
                guard let full = outputs[name], let part = prefix[name], full.rank > 0 else { continue }
                compare(part, full.firstRows(rows), fixture: fixture, model: model, output: name,
                        what: "first \(rows) row(s) against the full batch")
            }
        }
    }

    private func compare(_ actual: Tensor, _ expected: Tensor, fixture: FixtureCase, model: Model, output: String,
                         what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let label = "\(fixture.name) output '\(output)', \(what):"
        #expect(actual.shape == expected.shape, "\(label) shape", sourceLocation: sourceLocation)
        guard actual.shape == expected.shape else { return }
        // The reference files store every integer type as int64; the declared type says what the engine owes.
        if let declared = model.metadata.outputs.first(where: { $0.name == output }) {
            #expect(actual.elementType == declared.elementType, "\(label) element type", sourceLocation: sourceLocation)
        }
        switch expected.elementType {
        case .float32:
            guard actual.elementType == .float32 else { return }
            expectClose(actual.floatArray, expected.floatArray, atol: fixture.atol, rtol: fixture.rtol, label,
                        sourceLocation: sourceLocation)
        case .int64, .int32, .bool:
            #expect(actual.integerValues == expected.integerValues, "\(label) values", sourceLocation: sourceLocation)
        }
    }
}
