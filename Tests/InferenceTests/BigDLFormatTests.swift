import Foundation
import Testing
@testable import Inference

/// Builds small BigDL module files in memory, laid out as BigDL's `saveModule` writes them: full class names,
/// attributes named after the constructor parameters, weights as tensor views whose storages sit in the top
/// module's `global_storage` attribute.
struct BigDLTestModel {
    private var storages: [Bigdl_BigDLTensor] = []
    private var nextID: Int32 = 100

    // MARK: Attributes

    static func int(_ value: Int) -> Bigdl_AttrValue {
        var attribute = Bigdl_AttrValue()
        attribute.dataType = .int32
        attribute.int32Value = Int32(value)
        return attribute
    }

    static func double(_ value: Double) -> Bigdl_AttrValue {
        var attribute = Bigdl_AttrValue()
        attribute.dataType = .double
        attribute.doubleValue = value
        return attribute
    }

    static func bool(_ value: Bool) -> Bigdl_AttrValue {
        var attribute = Bigdl_AttrValue()
        attribute.dataType = .bool
        attribute.boolValue = value
        return attribute
    }

    static func ints(_ values: [Int]) -> Bigdl_AttrValue {
        var array = Bigdl_AttrValue.ArrayValue()
        array.size = Int32(values.count)
        array.datatype = .int32
        array.i32 = values.map { Int32($0) }
        var attribute = Bigdl_AttrValue()
        attribute.dataType = .arrayValue
        attribute.arrayValue = array
        return attribute
    }

    static func strings(_ values: [String]) -> Bigdl_AttrValue {
        var array = Bigdl_AttrValue.ArrayValue()
        array.size = Int32(values.count)
        array.datatype = .string
        array.str = values
        var attribute = Bigdl_AttrValue()
        attribute.dataType = .arrayValue
        attribute.arrayValue = array
        return attribute
    }

    static func format(_ format: Bigdl_InputDataFormat) -> Bigdl_AttrValue {
        var attribute = Bigdl_AttrValue()
        attribute.dataType = .dataFormat
        attribute.dataFormatValue = format
        return attribute
    }

    // MARK: Tensors and modules

    /// A contiguous tensor view of a new storage holding `values` (kept for `global_storage`).
    mutating func tensor(_ values: [Float], _ shape: [Int]) -> Bigdl_BigDLTensor {
        nextID += 2
        var storage = Bigdl_TensorStorage()
        storage.datatype = .float
        storage.id = nextID
        storage.floatData = values
        var full = Bigdl_BigDLTensor()
        full.datatype = .float
        full.size = shape.map { Int32($0) }
        full.stride = shape.strides.map { Int32($0) }
        full.offset = 1
        full.dimension = Int32(shape.count)
        full.nElements = Int32(values.count)
        full.id = nextID + 1
        full.storage = storage
        storages.append(full)
        var reference = full
        var bare = Bigdl_TensorStorage()
        bare.datatype = .float
        bare.id = storage.id
        reference.storage = bare
        return reference
    }

    static func module(_ type: String, name: String = "", _ attributes: [String: Bigdl_AttrValue] = [:],
                       parameters: [Bigdl_BigDLTensor] = [], pre: [String] = []) -> Bigdl_BigDLModule {
        var module = Bigdl_BigDLModule()
        module.moduleType = "com.intel.analytics.bigdl.dllib.nn." + type
        module.name = name
        module.namePostfix = "0a1b2c3d"
        module.attr = attributes
        module.parameters = parameters
        module.hasParameters_p = !parameters.isEmpty
        module.preModules = pre
        module.version = "2.4.0"
        return module
    }

    static func sequential(_ modules: [Bigdl_BigDLModule]) -> Bigdl_BigDLModule {
        var top = module("Sequential")
        top.subModules = modules
        return top
    }

    static func graph(_ modules: [Bigdl_BigDLModule], inputs: [String], outputs: [String]) -> Bigdl_BigDLModule {
        var top = module("StaticGraph", ["inputNames": strings(inputs), "outputNames": strings(outputs)])
        top.subModules = modules
        return top
    }

    /// The file's bytes: `top` with every storage made so far in its global_storage.
    func serialized(_ top: Bigdl_BigDLModule) throws -> Data {
        var top = top
        var list = Bigdl_NameAttrList()
        list.name = "global_storage"
        for tensor in storages {
            var entry = Bigdl_AttrValue()
            entry.dataType = .tensor
            entry.tensorValue = tensor
            list.attr[String(tensor.id)] = entry
        }
        var global = Bigdl_AttrValue()
        global.dataType = .nameAttrList
        global.nameAttrListValue = list
        top.attr["global_storage"] = global
        return try top.serializedData()
    }

    func load(_ top: Bigdl_BigDLModule, file: String = "test.model") throws -> Graph {
        try BigDLFormat().load(data: serialized(top), file: file)
    }

    /// Runs `top` on `inputs` (in the graph's input order) and returns its outputs.
    func run(_ top: Bigdl_BigDLModule, _ inputs: [Tensor]) throws -> [Tensor] {
        try Model(graph: load(top)).run(inputs)
    }

    func run(_ top: Bigdl_BigDLModule, _ input: Tensor) throws -> Tensor {
        let outputs = try run(top, [input])
        return try #require(outputs.first)
    }
}

/// A float tensor with values 1, 2, 3, ... (or `start`, `start + step`, ...).
func bigDLRamp(_ shape: [Int], start: Float = 1, step: Float = 1) -> Tensor {
    Tensor(floats: (0..<shape.elementCount).map { start + Float($0) * step }, shape: shape)
}

// MARK: - Refusals

@Suite struct BigDLFormatTests {
    typealias M = BigDLTestModel

    private func linearModel(_ model: inout BigDLTestModel) -> Bigdl_BigDLModule {
        let weight = model.tensor([1, 0, -1, 0.5, 0.5, 0.5], [2, 3])
        let bias = model.tensor([1, -1], [2])
        return M.sequential([M.module("Linear", name: "fc", ["inputSize": M.int(3), "outputSize": M.int(2)],
                                      parameters: [weight, bias])])
    }

    private func loadError(_ body: () throws -> Graph) -> String {
        do {
            _ = try body()
            Issue.record("the model loaded")
            return ""
        } catch {
            return "\(error)"
        }
    }

    @Test func loadsASequentialWithSharedStorages() throws {
        var model = BigDLTestModel()
        let top = linearModel(&model)
        let graph = try model.load(top)
        #expect(graph.format == "BigDL")
        #expect(graph.inputs.map(\.name) == ["input"])
        #expect(graph.inputs.first?.shape == [.dynamic("batch"), .fixed(3)])
        #expect(graph.outputs.map(\.name) == ["output"])
        let output = try model.run(top, Tensor(floats: [1, 2, 3, 4, 5, 6], shape: [2, 3]))
        #expect(output.shape == [2, 2])
        expectClose(output.floatArray, [-1, 2, -1, 6.5])
    }

    @Test func refusesATruncatedFile() throws {
        var model = BigDLTestModel()
        let data = try model.serialized(linearModel(&model))
        let message = loadError { try BigDLFormat().load(data: data.prefix(data.count / 2), file: "cut.model") }
        #expect(message.contains("cut.model"))
        #expect(message.contains("truncated"))
    }

    @Test func refusesAnEmptyFile() {
        let message = loadError { try BigDLFormat().load(data: Data(), file: "empty.model") }
        #expect(message.contains("empty.model: the file is empty"))
    }

    @Test func refusesAJavaSerialisedModel() {
        let data = Data([0xAC, 0xED, 0x00, 0x05, 0x73, 0x72, 0x00, 0x2B] + Array("com.intel.analytics".utf8))
        let message = loadError { try BigDLFormat().load(data: data, file: "old.model") }
        #expect(message.contains("old.model"))
        #expect(message.contains("Java-serialised"))
        #expect(message.contains("saveModule"))
    }

    @Test func refusesAnUnknownModuleNamingTypeModuleAndFile() {
        let model = BigDLTestModel()
        let top = M.sequential([M.module("Cosine", name: "similarity", ["inputSize": M.int(3)])])
        let message = loadError { try model.load(top, file: "net.model") }
        #expect(message.contains("net.model"))
        #expect(message.contains("com.intel.analytics.bigdl.dllib.nn.Cosine"))
        #expect(message.contains("'similarity'"))
    }

    @Test func refusesATensorReachingPastItsStorage() throws {
        var model = BigDLTestModel()
        var weight = model.tensor([1, 2, 3, 4, 5, 6], [2, 3])
        weight.offset = 3
        let bias = model.tensor([0, 0], [2])
        let top = M.sequential([M.module("Linear", name: "fc", ["inputSize": M.int(3), "outputSize": M.int(2)],
                                         parameters: [weight, bias])])
        let message = loadError { try model.load(top, file: "bad.model") }
        #expect(message.contains("bad.model: weight of Linear 'fc'"))
        #expect(message.contains("reach element 8 of a storage of 6"))
    }

    @Test func refusesHugeSizesAndStridesWithoutTrapping() throws {
        for (size, stride, offset) in [([Int32.max, Int32.max], [Int32.max, 1], Int32(1)),
                                       ([2, 3], [-1, 1], 1), ([2, 3], [3, 1], 0), ([2, -3], [3, 1], 1)] {
            var model = BigDLTestModel()
            var weight = model.tensor([1, 2, 3, 4, 5, 6], [2, 3])
            weight.size = size
            weight.stride = stride
            weight.offset = offset
            let top = M.sequential([M.module("Linear", name: "fc", ["inputSize": M.int(3), "outputSize": M.int(2)],
                                             parameters: [weight, model.tensor([0, 0], [2])])])
            let message = loadError { try model.load(top, file: "hostile.model") }
            #expect(message.contains("hostile.model: weight of Linear 'fc'"), "\(size) \(stride) \(offset): \(message)")
        }
    }

    @Test func refusesWeightsKeptInASeparateFile() throws {
        var model = BigDLTestModel()
        var weight = model.tensor([1, 2, 3, 4, 5, 6], [2, 3])
        weight.storage.id = 9999
        let top = M.sequential([M.module("Linear", name: "fc", ["inputSize": M.int(3), "outputSize": M.int(2)],
                                         parameters: [weight, model.tensor([0, 0], [2])])])
        let message = loadError { try model.load(top, file: "split.model") }
        #expect(message.contains("storage 9999"))
        #expect(message.contains("weight path"))
    }

    @Test func refusesWeightsOfTheWrongShape() throws {
        var model = BigDLTestModel()
        let top = M.sequential([M.module("Linear", name: "fc", ["inputSize": M.int(4), "outputSize": M.int(2)],
                                         parameters: [model.tensor([1, 2, 3, 4, 5, 6], [2, 3]),
                                                      model.tensor([0, 0], [2])])])
        let message = loadError { try model.load(top, file: "shape.model") }
        #expect(message.contains("Linear node 'fc': weight has shape [2, 3], expected [2, 4]"))
    }

    @Test func refusesAGraphWithACycle() {
        let model = BigDLTestModel()
        let top = M.graph([M.module("Input", name: "x"),
                           M.module("ReLU", name: "a", pre: ["x", "b"]),
                           M.module("Tanh", name: "b", pre: ["a"])], inputs: ["x"], outputs: ["b"])
        let message = loadError { try model.load(top, file: "loop.model") }
        #expect(message.contains("loop.model"))
        #expect(message.contains("cycle"))
    }

    @Test func refusesAFileThatIsNotAModule() {
        let message = loadError { try BigDLFormat().load(data: Data([0x08, 0x01]), file: "odd.model") }
        #expect(message.contains("odd.model"))
    }

    @Test func locatesModelFilesInADirectory() throws {
        let directory = try ScratchDirectory()
        var model = BigDLTestModel()
        let top = linearModel(&model)
        try directory.write(model.serialized(top), to: "net/classifier.model")
        let (format, file) = try ModelFormats.locate(directory.path("net"))
        #expect(format.name == "BigDL")
        #expect(file.hasSuffix("classifier.model"))
        let output = try Model(path: directory.path("net")).run([Tensor(floats: [1, 2, 3], shape: [1, 3])])
        expectClose(output[0].floatArray, [-1, 2])
    }

    // Files written by BigDL itself (tools/make_bigdl_fixtures.py).
    private static let refusals = Fixtures.root.appendingPathComponent("bigdl/refusals")

    @Test func refusesBigDLsOwnJavaSerialisedFile() {
        let file = Self.refusals.appendingPathComponent("java_serialised.model").path
        let message = loadError { try ModelFormats.load(file) }
        #expect(message.contains("java_serialised.model: the file is a Java-serialised BigDL model"))
        #expect(message.contains("saveModule(path)"))
    }

    @Test func refusesBigDLsOwnFileWithASeparateWeightFile() {
        let file = Self.refusals.appendingPathComponent("weight_file.model").path
        let message = loadError { try ModelFormats.load(file) }
        #expect(message.contains("weight_file.model: weight of Linear"))
        #expect(message.contains("saveModule with a weight path"))
    }

    /// Every fixture cut short at many lengths, and with seeded random bytes changed: an error or a model,
    /// never a trap.
    @Test func damagedFixturesFailCleanly() throws {
        var random = FuzzRandom(seed: 11)
        for name in ["cnn", "branches", "lookup_table", "full_convolution"] {
            let file = Fixtures.root.appendingPathComponent("bigdl/\(name)/model/model.model")
            let data = try Data(contentsOf: file)
            for length in stride(from: 0, to: data.count, by: max(1, data.count / 97)) {
                _ = try? BigDLFormat().load(data: data.prefix(length), file: "cut.model")
            }
            for _ in 0..<200 {
                var damaged = data
                for _ in 0..<4 {
                    let index = Int.random(in: 0..<damaged.count, using: &random)
                    damaged[index] = UInt8.random(in: 0...255, using: &random)
                }
                if let graph = try? BigDLFormat().load(data: damaged, file: "damaged.model") {
                    _ = try? Model(graph: graph)
                }
            }
        }
    }

    @Test func readsTheFixtureGraphsInputAndOutputNames() throws {
        let path = Fixtures.root.appendingPathComponent("bigdl/lookup_table/model").path
        let graph = try ModelFormats.load(path)
        #expect(graph.inputs.map(\.name) == ["ids"])
        #expect(graph.outputs.map(\.name) == ["mean", "sum"])
    }
}
