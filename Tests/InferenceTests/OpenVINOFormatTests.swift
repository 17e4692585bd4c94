import Foundation
import Testing
@testable import Inference

// MARK: Helpers

/// The IR fixtures the manifest lists (the models converted by OpenVINO's own converter).
private struct IRFixture {
    var name: String
    var directory: String
    var inputs: [String]
    var outputs: [String]

    static func all() throws -> [IRFixture] {
        let data = try Data(contentsOf: Fixtures.root.appendingPathComponent("manifest.json"))
        let entries = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
        return entries.compactMap { entry in
            guard entry["format"] as? String == "openvino", let name = entry["name"] as? String,
                  let model = entry["model"] as? String else { return nil }
            return IRFixture(name: name, directory: Fixtures.root.appendingPathComponent(model).path,
                             inputs: entry["input_order"] as? [String] ?? [],
                             outputs: entry["output_order"] as? [String] ?? [])
        }
    }

    static func named(_ name: String) throws -> IRFixture {
        guard let fixture = try all().first(where: { $0.name == name }) else {
            throw FixtureMissing(name: name)
        }
        return fixture
    }

    var xml: String { (directory as NSString).appendingPathComponent("model.xml") }
    var bin: String { (directory as NSString).appendingPathComponent("model.bin") }

    /// The shape of a reference array (inputs/NAME.npy or outputs/NAME.npy), from its header.
    func npyShape(_ kind: String, _ value: String) throws -> [Int] {
        let file = ((directory as NSString).deletingLastPathComponent as NSString)
            .appendingPathComponent("\(kind)/\(value).npy")
        let header = String(decoding: try Data(contentsOf: URL(fileURLWithPath: file)).prefix(256), as: UTF8.self)
        guard let start = header.range(of: "'shape': ("),
              let end = header[start.upperBound...].firstIndex(of: ")") else {
            return []
        }
        return header[start.upperBound..<end].split(separator: ",")
            .compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }
}

private struct FixtureMissing: Error { var name: String }

/// A temporary directory for edited copies of models, removed afterwards.
private final class IRScratch {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ir-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    var xml: String { url.appendingPathComponent("model.xml").path }
    var bin: String { url.appendingPathComponent("model.bin").path }

    /// Copies a fixture's .xml (edited by `edit`) and .bin (cut to `binBytes` when given).
    func copy(_ fixture: IRFixture, binBytes: Int? = nil, withBin: Bool = true,
              edit: (String) -> String = { $0 }) throws {
        let text = try String(contentsOfFile: fixture.xml, encoding: .utf8)
        try edit(text).write(toFile: xml, atomically: true, encoding: .utf8)
        guard withBin else { return }
        var weights = try Data(contentsOf: URL(fileURLWithPath: fixture.bin))
        if let binBytes { weights = weights.prefix(binBytes) }
        try weights.write(to: URL(fileURLWithPath: bin))
    }
}

/// The first match's capture groups of `pattern` in `text`.
private func captures(_ pattern: String, in text: String) -> [String]? {
    guard let regex = try? NSRegularExpression(pattern: pattern),
          let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return nil }
    return (1..<match.numberOfRanges).compactMap { Range(match.range(at: $0), in: text).map { String(text[$0]) } }
}

/// `text` with the first `target` after the layer named `layer` replaced.
private func replaceFirst(_ target: String, with replacement: String, afterLayer layer: String,
                          in text: String) -> String {
    guard let layerRange = text.range(of: "name=\"\(layer)\""),
          let range = text.range(of: target, range: layerRange.upperBound..<text.endIndex) else { return text }
    return text.replacingCharacters(in: range, with: replacement)
}

private func loadError(_ file: String) -> InferenceError? {
    do {
        _ = try OpenVINOFormat().load(file: file)
        return nil
    } catch let error as InferenceError {
        return error
    } catch {
        Issue.record("expected an InferenceError, got \(error)")
        return nil
    }
}

extension Graph {
    fileprivate func nodes(_ opType: String) -> [Node] { nodes.filter { $0.opType == opType } }

    fileprivate func ints(_ node: Node, _ name: String) -> [Int]? {
        if case .ints(let values)? = node.attributes[name] { return values }
        if case .int(let value)? = node.attributes[name] { return [value] }
        return nil
    }

    fileprivate func constant(_ value: String) -> [Int]? { initializers[value]?.integerValues }
}

// MARK: Fixtures

@Suite struct OpenVINOFormatTests {
    @Test func everyIRFixtureLoadsWithItsDeclaredInputsAndOutputs() throws {
        let fixtures = try IRFixture.all()
        #expect(fixtures.count >= 3, "the manifest should list the IR fixtures")
        for fixture in fixtures {
            let (format, file) = try ModelFormats.locate(fixture.directory)
            #expect(format.name == "OpenVINO IR" && file.hasSuffix(".xml"), "\(fixture.name)")
            let graph = try format.load(file: file)
            #expect(graph.format == "OpenVINO IR")
            #expect(graph.opset == 18)
            #expect(graph.inputs.map(\.name) == fixture.inputs, "\(fixture.name) inputs")
            #expect(graph.outputs.map(\.name) == fixture.outputs, "\(fixture.name) outputs")
            let declaredValues: [(ValueInfo, String)] = graph.inputs.map { ($0, "inputs") }
                + graph.outputs.map { ($0, "outputs") }
            for (declared, kind) in declaredValues {
                #expect(declared.elementType == .float32, "\(fixture.name) \(declared.name)")
                let reference = try fixture.npyShape(kind, declared.name)
                let shape = declared.shape ?? []
                #expect(shape.count == reference.count, "\(fixture.name) \(declared.name) rank")
                #expect(shape.first == .dynamic(nil), "\(fixture.name) \(declared.name): the batch is dynamic")
                #expect(shape.dropFirst().map(\.value) == reference.dropFirst().map { Optional($0) },
                        "\(fixture.name) \(declared.name) shape")
            }
            _ = try Program.topologicalOrder(graph)
        }
    }

    @Test func fixtureOperationsBecomeONNXOperators() throws {
        let onnxOps: Set<String> = [
            "Conv", "Add", "Sub", "Mul", "Relu", "Clip", "MaxPool", "AveragePool", "Concat", "Sigmoid", "HardSwish",
            "ReduceMean", "Squeeze", "Unsqueeze", "Transpose", "Reshape", "MatMul", "Softmax",
        ]
        for fixture in try IRFixture.all() {
            let graph = try OpenVINOFormat().load(file: fixture.xml)
            let unexpected = Set(graph.nodes.map(\.opType)).subtracting(onnxOps)
            #expect(unexpected.isEmpty, "\(fixture.name): unexpected ops \(unexpected)")
            // Depthwise GroupConvolution: weights [G, 1, 1, k, k] become [G, 1, k, k] with group G.
            let grouped = graph.nodes("Conv").filter { (graph.ints($0, "group")?.first ?? 1) > 1 }
            #expect(!grouped.isEmpty, "\(fixture.name) has a depthwise convolution")
            for conv in grouped {
                let weights = try #require(graph.initializers[conv.inputs[1]])
                #expect(weights.rank == 4 && weights.shape[0] == graph.ints(conv, "group")?.first)
            }
            for clip in graph.nodes("Clip") {
                #expect(clip.inputs.count == 3)
                #expect(graph.initializers[clip.inputs[1]]?.floatArray == [0])
                #expect(graph.initializers[clip.inputs[2]]?.floatArray == [6])
            }
            for reduce in graph.nodes("ReduceMean") {
                #expect(reduce.inputs.count == 2 && graph.initializers[reduce.inputs[1]]?.elementType == .int64)
            }
        }
        let cnn = try OpenVINOFormat().load(file: IRFixture.named("tiny_cnn_ir_fp32").xml)
        #expect(cnn.nodes("AveragePool").allSatisfy { cnn.ints($0, "count_include_pad") == [0] })
        #expect(cnn.nodes("Softmax").map { cnn.ints($0, "axis") } == [[-1]])
        #expect(cnn.nodes("Sigmoid").count >= 1 && cnn.nodes("Mul").count >= 1, "Swish is x · sigmoid(x)")
    }

    @Test func float16WeightsLoadAsFloat32ValuesOfTheFloat32Model() throws {
        let half = try OpenVINOFormat().load(file: IRFixture.named("tiny_cnn_ir_fp16").xml)
        let full = try OpenVINOFormat().load(file: IRFixture.named("tiny_cnn_ir_fp32").xml)
        #expect(half.nodes("Cast").isEmpty, "the Converts of constants are folded at load")
        #expect(half.initializers.values.allSatisfy { $0.elementType == .float32 || $0.elementType == .int64 })
        let halfConvs = half.nodes("Conv")
        let fullConvs = full.nodes("Conv")
        #expect(halfConvs.count == fullConvs.count && !halfConvs.isEmpty)
        for (h, f) in zip(halfConvs, fullConvs) {
            let halfWeights = try #require(half.initializers[h.inputs[1]])
            let fullWeights = try #require(full.initializers[f.inputs[1]])
            #expect(halfWeights.elementType == .float32)
            #expect(halfWeights.shape == fullWeights.shape)
            // float16 keeps 11 significant bits.
            expectClose(halfWeights.floatArray, fullWeights.floatArray, atol: 1e-4, rtol: 1e-3, "\(h.name) weights")
        }
    }

    /// The comparison against the reference outputs is the fixture suite's; here the graphs must compile
    /// wherever the engine has the kernels (a missing kernel is the only acceptable refusal).
    @Test func fixturesCompileWhereTheKernelsExist() throws {
        for fixture in try IRFixture.all() {
            do {
                let model = try Model(path: fixture.directory)
                #expect(model.metadata.format == "OpenVINO IR")
                #expect(model.metadata.inputs.map(\.name) == fixture.inputs)
            } catch InferenceError.unsupportedOperator(_, let op, let node) {
                #expect(OperatorRegistry.factory(for: op) == nil, "\(fixture.name): \(op) '\(node)' refused")
            }
        }
    }

    // MARK: Refusals, on edited copies of a fixture

    @Test func missingWeightsFileIsNamed() throws {
        let scratch = try IRScratch()
        try scratch.copy(IRFixture.named("tiny_cnn_ir_fp32"), withBin: false)
        let error = try #require(loadError(scratch.xml))
        #expect(error.description.contains(scratch.bin), "\(error)")
        #expect(error.description.contains("missing"), "\(error)")
    }

    @Test func truncatedWeightsFileIsRefused() throws {
        let fixture = try IRFixture.named("tiny_cnn_ir_fp32")
        let size = try Data(contentsOf: URL(fileURLWithPath: fixture.bin)).count
        let scratch = try IRScratch()
        try scratch.copy(fixture, binBytes: size - 3)
        let error = try #require(loadError(scratch.xml))
        guard case .malformedModel(let file, let reason) = error else {
            Issue.record("expected malformedModel, got \(error)")
            return
        }
        #expect(file == scratch.bin)
        #expect(reason.contains("Const layer '") && reason.contains("only \(size - 3) bytes"), "\(reason)")
    }

    @Test func constantWhoseSizeDoesNotMatchItsShapeIsRefused() throws {
        let scratch = try IRScratch()
        let fixture = try IRFixture.named("tiny_cnn_ir_fp16")
        let text = try String(contentsOfFile: fixture.xml, encoding: .utf8)
        let constant = #"name="([^"]+)" type="Const" version="opset1">\s*<data element_type="f16" "#
            + #"shape="[^"]*" offset="\d+" size="(\d+)""#
        let found = try #require(captures(constant, in: text))
        let (layer, size) = (found[0], found[1])
        let smaller = (Int(size) ?? 2) - 2
        try scratch.copy(fixture) {
            replaceFirst("size=\"\(size)\"", with: "size=\"\(smaller)\"", afterLayer: layer, in: $0)
        }
        let error = try #require(loadError(scratch.xml))
        #expect(error.description.contains("Const layer '\(layer)'"), "\(error)")
        #expect(error.description.contains("does not match its shape"), "\(error)")
        #expect(error.description.contains(scratch.bin), "\(error)")
    }

    @Test func unknownElementTypeIsNamedWithItsLayer() throws {
        let scratch = try IRScratch()
        let fixture = try IRFixture.named("tiny_cnn_ir_fp32")
        let text = try String(contentsOfFile: fixture.xml, encoding: .utf8)
        let constant = #"name="([^"]+)" type="Const" version="opset1">\s*<data element_type="f32""#
        let layer = try #require(captures(constant, in: text))[0]
        try scratch.copy(fixture) {
            replaceFirst("element_type=\"f32\"", with: "element_type=\"nf7\"", afterLayer: layer, in: $0)
        }
        let error = try #require(loadError(scratch.xml))
        #expect(error.description.contains("'nf7'"), "\(error)")
        #expect(error.description.contains("'\(layer)'"), "\(error)")
    }

    @Test func unknownLayerTypeIsAnUnsupportedOperator() throws {
        let scratch = try IRScratch()
        let fixture = try IRFixture.named("tiny_cnn_ir_fp32")
        let text = try String(contentsOfFile: fixture.xml, encoding: .utf8)
        let layer = try #require(captures(#"name="([^"]+)" type="ReLU""#, in: text))[0]
        try scratch.copy(fixture) { $0.replacingOccurrences(of: "type=\"ReLU\"", with: "type=\"FancyOp\"") }
        let error = try #require(loadError(scratch.xml))
        #expect(error == .unsupportedOperator(file: scratch.xml, op: "FancyOp", node: layer))
    }

    @Test func malformedXMLIsRefusedWithTheLine() throws {
        let scratch = try IRScratch()
        try scratch.copy(IRFixture.named("tiny_cnn_ir_fp32")) { String($0.prefix($0.count / 2)) }
        let error = try #require(loadError(scratch.xml))
        guard case .malformedModel(let file, let reason) = error else {
            Issue.record("expected malformedModel, got \(error)")
            return
        }
        #expect(file == scratch.xml)
        #expect(reason.hasPrefix("line ") && reason.contains("malformed"), "\(reason)")
    }

    @Test func unsupportedIRVersionIsRefused() throws {
        let scratch = try IRScratch()
        try scratch.copy(IRFixture.named("tiny_cnn_ir_fp32")) {
            $0.replacingOccurrences(of: "version=\"11\">", with: "version=\"7\">")
        }
        let error = try #require(loadError(scratch.xml))
        #expect(error.description.contains(scratch.xml), "\(error)")
        #expect(error.description.contains("IR version 7 is not supported"), "\(error)")
    }
}

// MARK: Hand-written IR

/// Writes small IR files for translation tests: layers as XML, constants into the .bin. Port ids follow
/// OpenVINO's habit: inputs first, then outputs.
private struct IRSketch {
    struct Port {
        var layer: Int
        var port: Int
        var dims: [Int]
        var precision: String
    }

    var version = 11
    private var layers: [String] = []
    private var edges: [String] = []
    private var weights = Data()

    mutating func parameter(_ name: String, dims: [Int], type: String = "f32", precision: String = "FP32") -> Port {
        let shape = dims.map { $0 < 0 ? "?" : String($0) }.joined(separator: ",")
        return layer("Parameter", name: name, data: ["shape": shape, "element_type": type], inputs: [],
                     outputs: [dims], precision: precision)[0]
    }

    mutating func constant(_ name: String, int64s values: [Int64], dims: [Int]? = nil) -> Port {
        let offset = weights.count
        values.forEach { withUnsafeBytes(of: $0.littleEndian) { weights.append(contentsOf: $0) } }
        let shape = dims ?? [values.count]
        let data = ["element_type": "i64", "shape": shape.map(String.init).joined(separator: ", "),
                    "offset": "\(offset)", "size": "\(values.count * 8)"]
        return layer("Const", name: name, data: data, inputs: [], outputs: [shape], precision: "I64")[0]
    }

    mutating func constant(_ name: String, floats values: [Float], dims: [Int]) -> Port {
        let offset = weights.count
        values.forEach { withUnsafeBytes(of: $0.bitPattern.littleEndian) { weights.append(contentsOf: $0) } }
        let data = ["element_type": "f32", "shape": dims.map(String.init).joined(separator: ", "),
                    "offset": "\(offset)", "size": "\(values.count * 4)"]
        return layer("Const", name: name, data: data, inputs: [], outputs: [dims])[0]
    }

    @discardableResult
    mutating func layer(_ type: String, name: String, version: String = "opset1", data: [String: String] = [:],
                        inputs: [Port], outputs: [[Int]], precision: String = "FP32",
                        precisions: [String]? = nil) -> [Port] {
        let id = layers.count
        func port(_ id: Int, _ dims: [Int], _ precision: String, names: String?) -> String {
            let named = names.map { " names=\"\($0)\"" } ?? ""
            return "<port id=\"\(id)\" precision=\"\(precision)\"\(named)>"
                + dims.map { "<dim>\($0)</dim>" }.joined() + "</port>"
        }
        var xml = "<layer id=\"\(id)\" name=\"\(name)\" type=\"\(type)\" version=\"\(version)\">"
        if !data.isEmpty {
            let attributes = data.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }
            xml += "<data " + attributes.joined(separator: " ") + "/>"
        }
        if !inputs.isEmpty {
            xml += "<input>" + inputs.enumerated().map { port($0, $1.dims, $1.precision, names: nil) }.joined()
                + "</input>"
        }
        var handed: [Port] = []
        if !outputs.isEmpty {
            xml += "<output>"
            for (index, dims) in outputs.enumerated() {
                let portID = inputs.count + index
                let portPrecision = precisions?[index] ?? precision
                let names = self.version == 10 ? nil : (outputs.count == 1 ? name : "\(name).\(index)")
                xml += port(portID, dims, portPrecision, names: names)
                handed.append(Port(layer: id, port: portID, dims: dims, precision: portPrecision))
            }
            xml += "</output>"
        }
        layers.append(xml + "</layer>")
        for (index, source) in inputs.enumerated() {
            edges.append("<edge from-layer=\"\(source.layer)\" from-port=\"\(source.port)\" "
                + "to-layer=\"\(id)\" to-port=\"\(index)\"/>")
        }
        return handed
    }

    mutating func result(_ source: Port, name: String) {
        layer("Result", name: name, inputs: [source], outputs: [])
    }

    /// Writes model.xml and model.bin into `directory`; returns the .xml path.
    func write(in directory: URL) throws -> String {
        let text = "<?xml version=\"1.0\"?>\n<net name=\"sketch\" version=\"\(version)\">\n<layers>\n"
            + layers.joined(separator: "\n") + "\n</layers>\n<edges>\n" + edges.joined(separator: "\n")
            + "\n</edges>\n</net>\n"
        let xml = directory.appendingPathComponent("model.xml")
        try text.write(to: xml, atomically: true, encoding: .utf8)
        try weights.write(to: directory.appendingPathComponent("model.bin"))
        return xml.path
    }
}

extension OpenVINOFormatTests {
    @Test func handWrittenIRVersion10Loads() throws {
        let scratch = try IRScratch()
        var ir = IRSketch()
        ir.version = 10
        let data = ir.parameter("data", dims: [1, 3])
        let relu = ir.layer("ReLU", name: "relu", inputs: [data], outputs: [[1, 3]])[0]
        ir.result(relu, name: "relu/sink_port_0")
        let graph = try OpenVINOFormat().load(file: try ir.write(in: scratch.url))
        #expect(graph.inputs.map(\.name) == ["data"])
        #expect(graph.inputs.first?.shape == [.fixed(1), .fixed(3)])
        #expect(graph.outputs.map(\.name) == ["relu"], "IR 10 names values after their layers")
        #expect(graph.nodes.map(\.opType) == ["Relu"])
        if OperatorRegistry.factory(for: "Relu") != nil {
            let outputs = try Model(graph: graph).run([Tensor(floats: [-1, 2, -3], shape: [1, 3])])
            #expect(outputs.first?.floatArray == [0, 2, 0])
        }
    }

    @Test func twoResultsOfOneValueGiveTwoOutputs() throws {
        let scratch = try IRScratch()
        var ir = IRSketch()
        let x = ir.parameter("x", dims: [-1, 3])
        let relu = ir.layer("ReLU", name: "relu", inputs: [x], outputs: [[-1, 3]])[0]
        ir.result(relu, name: "first")
        ir.result(relu, name: "second")
        let graph = try OpenVINOFormat().load(file: try ir.write(in: scratch.url))
        #expect(graph.outputs.map(\.name) == ["relu", "second"])
        #expect(graph.nodes("Identity").map(\.inputs) == [["relu"]])
        #expect(graph.inputs.first?.shape == [.dynamic(nil), .fixed(3)])
    }

    @Test func matMulTransposeFlagsBecomeTransposes() throws {
        let scratch = try IRScratch()
        var ir = IRSketch()
        let a = ir.parameter("a", dims: [-1, 3, 2])
        let b = ir.constant("b", floats: [1, 2, 3, 4, 5, 6], dims: [2, 3])
        let product = ir.layer("MatMul", name: "mm", data: ["transpose_a": "true", "transpose_b": "true"],
                               inputs: [a, b], outputs: [[-1, 2, 2]])[0]
        ir.result(product, name: "out")
        let graph = try OpenVINOFormat().load(file: try ir.write(in: scratch.url))
        let transpose = try #require(graph.nodes("Transpose").first)
        #expect(graph.ints(transpose, "perm") == [0, 2, 1])
        let matMul = try #require(graph.nodes("MatMul").first)
        #expect(matMul.inputs[0] == transpose.outputs[0])
        // The constant operand is transposed at load: [2, 3] → [3, 2].
        let weights = try #require(graph.initializers[matMul.inputs[1]])
        #expect(weights.shape == [3, 2] && weights.floatArray == [1, 4, 2, 5, 3, 6])
        #expect(graph.initializers["b"] == nil, "the untransposed original is dropped")
    }

    @Test func stridedSliceMasksBecomeSliceAndSqueeze() throws {
        let scratch = try IRScratch()
        var ir = IRSketch()
        let x = ir.parameter("x", dims: [-1, 4, 6])
        let begin = ir.constant("begin", int64s: [0, 2, 1])
        let end = ir.constant("end", int64s: [0, 3, 5])
        let stride = ir.constant("stride", int64s: [1, 1, 2])
        let sliced = ir.layer("StridedSlice", name: "ss",
                              data: ["begin_mask": "1, 0, 0", "end_mask": "1, 0, 0", "shrink_axis_mask": "0, 1, 0",
                                     "new_axis_mask": "", "ellipsis_mask": ""],
                              inputs: [x, begin, end, stride], outputs: [[-1, 2]])[0]
        ir.result(sliced, name: "out")
        let graph = try OpenVINOFormat().load(file: try ir.write(in: scratch.url))
        let slice = try #require(graph.nodes("Slice").first)
        #expect(graph.constant(slice.inputs[1]) == [0, 2, 1])
        #expect(graph.constant(slice.inputs[2]) == [Int(Int64.max), 3, 5])
        #expect(graph.constant(slice.inputs[3]) == [0, 1, 2])
        #expect(graph.constant(slice.inputs[4]) == [1, 1, 2])
        let squeeze = try #require(graph.nodes("Squeeze").first)
        #expect(squeeze.inputs[0] == slice.outputs[0] && graph.constant(squeeze.inputs[1]) == [1])
        #expect(squeeze.outputs == ["ss"])
    }

    @Test func splitSizesComeFromThePortDimensions() throws {
        let scratch = try IRScratch()
        var ir = IRSketch()
        let x = ir.parameter("x", dims: [-1, 6])
        let axis = ir.constant("axis", int64s: [1], dims: [])
        let parts = ir.layer("Split", name: "split", data: ["num_splits": "3"], inputs: [x, axis],
                             outputs: [[-1, 2], [-1, 2], [-1, 2]])
        let batchAxis = ir.constant("axis0", int64s: [0], dims: [])
        let halves = ir.layer("Split", name: "halves", data: ["num_splits": "2"], inputs: [parts[2], batchAxis],
                              outputs: [[-1, 2], [-1, 2]])
        for (index, port) in (parts.prefix(2) + halves).enumerated() { ir.result(port, name: "out\(index)") }
        let graph = try OpenVINOFormat().load(file: try ir.write(in: scratch.url))
        let splits = graph.nodes("Split")
        #expect(splits.count == 2)
        #expect(splits[0].inputs.count == 2 && graph.constant(splits[0].inputs[1]) == [2, 2, 2])
        #expect(graph.ints(splits[0], "axis") == [1] && splits[0].outputs.count == 3)
        // The batch is dynamic: the parts are counted, not sized.
        #expect(splits[1].inputs.count == 1 && graph.ints(splits[1], "num_outputs") == [2])
        #expect(graph.outputs.map(\.name) == ["split.0", "split.1", "halves.0", "halves.1"])
    }

    @Test func topKWithInt32IndicesAddsACast() throws {
        let scratch = try IRScratch()
        var ir = IRSketch()
        let x = ir.parameter("x", dims: [-1, 5])
        let k = ir.constant("k", int64s: [2], dims: [])
        let top = ir.layer("TopK", name: "top", version: "opset11",
                           data: ["axis": "1", "mode": "min", "sort": "value", "index_element_type": "i32"],
                           inputs: [x, k], outputs: [[-1, 2], [-1, 2]], precisions: ["FP32", "I32"])
        ir.result(top[0], name: "values")
        ir.result(top[1], name: "indices")
        let graph = try OpenVINOFormat().load(file: try ir.write(in: scratch.url))
        let topK = try #require(graph.nodes("TopK").first)
        #expect(graph.ints(topK, "largest") == [0] && graph.ints(topK, "axis") == [1])
        #expect(graph.initializers[topK.inputs[1]].map { ($0.shape, $0.int64Array) } ?? ([], []) == ([1], [2]))
        let cast = try #require(graph.nodes("Cast").first)
        #expect(cast.inputs == [topK.outputs[1]] && graph.ints(cast, "to") == [6])
        #expect(graph.outputs.map(\.elementType) == [.float32, .int32])
    }

    @Test func mvnOverTrailingAxesIsALayerNormalization() throws {
        let scratch = try IRScratch()
        var ir = IRSketch()
        let x = ir.parameter("x", dims: [-1, 4, 8])
        let last = ir.constant("last", int64s: [-1])
        let normalized = ir.layer("MVN", name: "ln", version: "opset6",
                                  data: ["eps": "1e-05", "eps_mode": "inside_sqrt", "normalize_variance": "true"],
                                  inputs: [x, last], outputs: [[-1, 4, 8]])[0]
        let middle = ir.constant("middle", int64s: [1])
        let other = ir.layer("MVN", name: "mvn", version: "opset6",
                             data: ["eps": "0.001", "eps_mode": "outside_sqrt", "normalize_variance": "true"],
                             inputs: [normalized, middle], outputs: [[-1, 4, 8]])[0]
        ir.result(other, name: "out")
        let graph = try OpenVINOFormat().load(file: try ir.write(in: scratch.url))
        let layerNorm = try #require(graph.nodes("LayerNormalization").first)
        #expect(graph.ints(layerNorm, "axis") == [2])
        #expect(graph.initializers[layerNorm.inputs[1]]?.floatArray == Array(repeating: 1, count: 8))
        // Over a middle axis with eps outside the root: mean, centre, variance, root, + eps, divide.
        #expect(graph.nodes.dropFirst().map(\.opType)
            == ["ReduceMean", "Sub", "Mul", "ReduceMean", "Sqrt", "Add", "Div"])
        #expect(graph.nodes.last?.outputs == ["mvn"])
    }

    @Test func interpolateSizesCoverEveryAxis() throws {
        let scratch = try IRScratch()
        var ir = IRSketch()
        let x = ir.parameter("x", dims: [-1, 3, 4, 5])
        let sizes = ir.constant("sizes", int64s: [8, 10])
        let axes = ir.constant("axes", int64s: [2, 3])
        let resized = ir.layer("Interpolate", name: "up", version: "opset11",
                               data: ["mode": "linear_onnx", "shape_calculation_mode": "sizes",
                                      "coordinate_transformation_mode": "pytorch_half_pixel", "nearest_mode": "floor",
                                      "antialias": "false", "pads_begin": "0, 0, 0, 0", "pads_end": "0, 0, 0, 0",
                                      "cube_coeff": "-0.75"],
                               inputs: [x, sizes, axes], outputs: [[-1, 3, 8, 10]])[0]
        ir.result(resized, name: "out")
        let graph = try OpenVINOFormat().load(file: try ir.write(in: scratch.url))
        let resize = try #require(graph.nodes("Resize").first)
        #expect(resize.inputs.count == 4 && resize.inputs[1].isEmpty && resize.inputs[2].isEmpty)
        #expect(resize.attributes["axes"] == nil)
        guard case .string(let mode)? = resize.attributes["mode"] else {
            Issue.record("Resize has no mode")
            return
        }
        #expect(mode == "linear")
        // The dynamic batch comes from the run-time shape; the rest is known: [N] ++ [3, 8, 10].
        let concat = try #require(graph.nodes("Concat").first)
        #expect(resize.inputs[3] == concat.outputs[0])
        #expect(graph.constant(concat.inputs[1]) == [3, 8, 10])
        #expect(graph.nodes.map(\.opType) == ["Shape", "Slice", "Concat", "Resize"])
    }

    @Test func groupConvolutionWeightsFoldIntoTheONNXLayout() throws {
        let scratch = try IRScratch()
        var ir = IRSketch()
        let x = ir.parameter("x", dims: [-1, 4, 5, 5])
        let weights = ir.constant("w", floats: (0..<144).map(Float.init), dims: [2, 4, 2, 3, 3])
        let conv = ir.layer("GroupConvolution", name: "gconv",
                            data: ["strides": "1, 1", "dilations": "1, 1", "pads_begin": "0, 0", "pads_end": "0, 0",
                                   "auto_pad": "same_upper"],
                            inputs: [x, weights], outputs: [[-1, 8, 5, 5]])[0]
        ir.result(conv, name: "out")
        let graph = try OpenVINOFormat().load(file: try ir.write(in: scratch.url))
        let node = try #require(graph.nodes("Conv").first)
        #expect(graph.ints(node, "group") == [2] && graph.ints(node, "kernel_shape") == [3, 3])
        #expect(graph.initializers[node.inputs[1]]?.shape == [8, 2, 3, 3])
        // same_upper with known spatial sizes becomes explicit pads.
        #expect(graph.ints(node, "pads") == [1, 1, 1, 1])
    }

    // MARK: Translation refusals

    @Test func refusalsNameTheLayerAndTheProblem() throws {
        func refusal(_ build: (inout IRSketch, IRSketch.Port) -> IRSketch.Port) throws -> String {
            let scratch = try IRScratch()
            var ir = IRSketch()
            let x = ir.parameter("x", dims: [-1, 3, 4, 4])
            ir.result(build(&ir, x), name: "out")
            let file = try ir.write(in: scratch.url)
            guard case .invalidNode(let errorFile, _, let node, let reason)? = loadError(file) else {
                Issue.record("expected invalidNode from \(file)")
                return ""
            }
            #expect(errorFile == file && node == "bad")
            return reason
        }
        let pdpd = try refusal { ir, x in
            ir.layer("Add", name: "bad", data: ["auto_broadcast": "pdpd"], inputs: [x, x], outputs: [[-1, 3, 4, 4]])[0]
        }
        #expect(pdpd.contains("pdpd"))
        let indices = try refusal { ir, x in
            let pool = ir.layer("MaxPool", name: "bad", version: "opset8",
                                data: ["kernel": "2, 2", "strides": "2, 2", "pads_begin": "0, 0", "pads_end": "0, 0"],
                                inputs: [x], outputs: [[-1, 3, 2, 2], [-1, 3, 2, 2]], precisions: ["FP32", "I64"])
            return pool[1]
        }
        #expect(indices.contains("indices"))
        let order = try refusal { ir, x in
            let shape = ir.layer("ShapeOf", name: "shape", inputs: [x], outputs: [[4]], precision: "I64")[0]
            return ir.layer("Transpose", name: "bad", inputs: [x, shape], outputs: [[-1, 3, 4, 4]])[0]
        }
        #expect(order.contains("order") && order.contains("constant"))
        let batchDims = try refusal { ir, x in
            let indices = ir.constant("indices", int64s: [0, 1])
            let axis = ir.constant("axis", int64s: [1], dims: [])
            return ir.layer("Gather", name: "bad", version: "opset8", data: ["batch_dims": "1"],
                            inputs: [x, indices, axis], outputs: [[-1, 2, 4, 4]])[0]
        }
        #expect(batchDims.contains("batch_dims 1"))
        let ellipsis = try refusal { ir, x in
            let bounds = ir.constant("bounds", int64s: [0, 1])
            return ir.layer("StridedSlice", name: "bad", data: ["begin_mask": "0, 0", "end_mask": "0, 0",
                                                                "ellipsis_mask": "1, 0"],
                            inputs: [x, bounds, bounds], outputs: [[-1, 3, 4, 1]])[0]
        }
        #expect(ellipsis.contains("ellipsis_mask"))
    }
}

