/// Builds the engine's graph from a Caffe net: the inputs (Input layers, or the net-level `input` with
/// `input_shape`/`input_dim`), every layer of the TEST phase through its translation (`CaffeLayers`), and the
/// outputs (the blobs no later layer reads).
///
/// Caffe names blobs, and layers usually write in place (`top` == `bottom`): every write here makes a new value
/// (the first keeps the blob's name, later ones "<blob>/<layer>"), and a net output is renamed at the end so it
/// carries the blob's name whatever wrote it last. Shapes are followed through the net (the batch dimension
/// unknown), since several layers' parameters only make sense against their input's shape.
final class CaffeNetBuilder {
    /// The .prototxt: errors about layers name it.
    let file: String
    /// The .caffemodel, the model's file as `ModelFormats.locate` finds it: the graph's source.
    private let modelFile: String
    private let net: Caffe_NetParameter
    /// Blobs of the .caffemodel's layers, by layer name.
    private let trainedBlobs: [String: [Caffe_BlobProto]]

    private(set) var nodes: [Node] = []
    private(set) var initializers: [String: Tensor] = [:]
    /// Shapes of the values layers produce; nil entries are the batch (fixed only at run time).
    private var shapes: [String: [Int?]] = [:]
    private var takenValueNames: Set<String> = []
    private var takenNodeNames: Set<String> = []
    /// The value each blob holds now.
    private var current: [String: String] = [:]
    /// Blobs in the order they were first written.
    private var blobOrder: [String] = []
    private var inputs: [ValueInfo] = []

    init(prototxt: String, net: Caffe_NetParameter, weights: Caffe_NetParameter, modelFile: String) {
        file = prototxt
        self.modelFile = modelFile
        self.net = net
        var blobs: [String: [Caffe_BlobProto]] = [:]
        // Caffe copies the weights of every trained layer into the net's layer of that name; a later one wins.
        for layer in weights.layer where !layer.blobs.isEmpty { blobs[layer.name] = layer.blobs }
        trainedBlobs = blobs
    }

    func build() throws -> Graph {
        try netLevelInputs()
        for (index, layer) in net.layer.enumerated() where Self.runsAtTest(layer) {
            let name = layer.name.isEmpty ? "\(layer.type)#\(index)" : layer.name
            if layer.type == "Input" {
                try inputLayer(layer, name: name)
            } else {
                try translate(layer, name: name)
            }
        }
        guard !inputs.isEmpty else {
            throw InferenceError.malformedModel(
                file: file, reason: "the net declares no input: add an Input layer (or input and input_shape)")
        }
        let outputs = try graphOutputs()
        return Graph(sourceFile: modelFile, format: "Caffe", opset: 18, nodes: nodes, inputs: inputs, outputs: outputs,
                     initializers: initializers)
    }

    /// Layers of a train_val net that a deploy net replaces or drops.
    static let trainingLayerTypes: Set<String> = [
        "Data", "ImageData", "HDF5Data", "MemoryData", "WindowData", "DummyData", "AnnotatedData",
        "SoftmaxWithLoss", "EuclideanLoss", "SigmoidCrossEntropyLoss", "HingeLoss", "InfogainLoss",
        "ContrastiveLoss", "MultinomialLogisticLoss", "Accuracy",
    ]

    /// A layer is in the TEST net unless an include rule names another phase or an exclude rule names TEST.
    static func runsAtTest(_ layer: Caffe_LayerParameter) -> Bool {
        if !layer.include.isEmpty { return layer.include.contains { !$0.hasPhase || $0.phase == .test } }
        return !layer.exclude.contains { !$0.hasPhase || $0.phase == .test }
    }

    // MARK: Inputs

    private func netLevelInputs() throws {
        guard !net.input.isEmpty else { return }
        for (index, name) in net.input.enumerated() {
            let dims: [Int]
            if index < net.inputShape.count {
                dims = net.inputShape[index].dim.map { Int($0) }
            } else if net.inputDim.count >= 4 * (index + 1) {
                dims = net.inputDim[(4 * index)..<(4 * index + 4)].map { Int($0) }
            } else {
                throw InferenceError.malformedModel(
                    file: file, reason: "net input '\(name)' has no shape (input_shape, or four input_dim values)")
            }
            try addInput(name, dims: dims, layer: "net input")
        }
    }

    private func inputLayer(_ layer: Caffe_LayerParameter, name: String) throws {
        let shapes = layer.inputParam.shape
        for (index, top) in layer.top.enumerated() {
            guard let shape = shapes.count == 1 ? shapes.first : (index < shapes.count ? shapes[index] : nil) else {
                throw InferenceError.invalidNode(file: file, op: "Input", node: name,
                                                 reason: "top '\(top)' has no shape in input_param")
            }
            try addInput(top, dims: shape.dim.map { Int($0) }, layer: "Input layer '\(name)'")
        }
    }

    private func addInput(_ blob: String, dims: [Int], layer: String) throws {
        guard !dims.isEmpty, dims.allSatisfy({ $0 > 0 && $0 <= 1 << 31 }) else {
            throw InferenceError.malformedModel(file: file, reason: "\(layer): blob '\(blob)' has shape \(dims), "
                                                + "which is not a list of positive dimensions")
        }
        guard current[blob] == nil else {
            throw InferenceError.malformedModel(file: file, reason: "\(layer): input blob '\(blob)' is declared twice")
        }
        let value = uniqueValueName(blob)
        current[blob] = value
        blobOrder.append(blob)
        // The first dimension is the batch: a deploy net says 1 or 10, the engine runs any batch.
        let shape: [Int?] = [nil] + dims.dropFirst().map { Optional($0) }
        shapes[value] = shape
        inputs.append(ValueInfo(name: value, elementType: .float32,
                                shape: shape.map { $0.map(Dimension.fixed) ?? .dynamic(nil) }))
    }

    // MARK: Layers

    private func translate(_ layer: Caffe_LayerParameter, name: String) throws {
        guard let translation = CaffeLayers.translations[layer.type] else {
            if Self.trainingLayerTypes.contains(layer.type) {
                throw InferenceError.invalidNode(
                    file: file, op: layer.type, node: name,
                    reason: "a training layer (data source, loss or accuracy) at test time: serve the deploy "
                        + ".prototxt, which starts from an Input layer (or input/input_shape), not the train_val one")
            }
            throw InferenceError.unsupportedOperator(file: file, op: layer.type, node: name)
        }
        let inputValues = try layer.bottom.map { bottom in
            guard let value = current[bottom] else {
                throw InferenceError.malformedModel(
                    file: file, reason: "layer '\(name)' (\(layer.type)) reads blob '\(bottom)', which no earlier "
                        + "layer produces")
            }
            return value
        }
        guard !layer.top.isEmpty else {
            throw InferenceError.malformedModel(file: file, reason: "layer '\(name)' (\(layer.type)) has no top")
        }
        let outputValues = layer.top.map { top in
            current[top] == nil ? uniqueValueName(top) : uniqueValueName("\(top)/\(name)")
        }
        let blobs = trainedBlobs[layer.name] ?? layer.blobs
        let context = CaffeLayerContext(layer: layer, name: name, inputs: inputValues,
                                        inputShapes: inputValues.map { shapes[$0] ?? [] }, outputs: outputValues,
                                        blobs: blobs, builder: self)
        try translation(context)
        for (top, value) in zip(layer.top, outputValues) {
            guard let shape = shapes[value] else {
                throw InferenceError.invalidNode(file: file, op: layer.type, node: name,
                                                 reason: "top '\(top)' was not produced")
            }
            // Bounded, so that the next layers' shape arithmetic cannot overflow on a hostile file.
            guard shape.allSatisfy({ $0.map { $0 > 0 && $0 <= 1 << 40 } ?? true }) else {
                throw InferenceError.invalidNode(file: file, op: layer.type, node: name,
                                                 reason: "top '\(top)' would have shape \(CaffeLayerContext.describe(shape))")
            }
            if current[top] == nil { blobOrder.append(top) }
            current[top] = value
        }
    }

    // MARK: Used by the translations

    func shape(of value: String) -> [Int?]? { shapes[value] }

    func setShape(_ shape: [Int?], of value: String) { shapes[value] = shape }

    func uniqueValueName(_ base: String) -> String { uniqueName(base, in: &takenValueNames) }

    func addInitializer(_ tensor: Tensor, named name: String) {
        initializers[name] = tensor
        shapes[name] = tensor.shape.map { Optional($0) }
    }

    func addNode(_ node: Node) {
        var node = node
        node.name = uniqueName(node.name, in: &takenNodeNames)
        nodes.append(node)
    }

    // MARK: Outputs

    /// Blobs whose last value nothing reads, in the order they were first written, each renamed to its blob's
    /// name (the value first written under that name takes another).
    private func graphOutputs() throws -> [ValueInfo] {
        var read: Set<String> = []
        for node in nodes { read.formUnion(node.inputs) }
        let inputNames = Set(inputs.map(\.name))
        var renames: [String: String] = [:]
        var outputs: [ValueInfo] = []
        for blob in blobOrder {
            guard let value = current[blob], !read.contains(value), !inputNames.contains(value) else { continue }
            var name = value
            if value != blob, !inputNames.contains(blob) {
                if takenValueNames.contains(blob) { renames[blob] = uniqueValueName("\(blob)/first") }
                renames[value] = blob
                name = blob
            }
            outputs.append(ValueInfo(name: name, elementType: .float32,
                                     shape: shapes[value].map { $0.map { $0.map(Dimension.fixed) ?? .dynamic(nil) } }))
        }
        guard !outputs.isEmpty else {
            throw InferenceError.malformedModel(file: file, reason: "the net has no output: every blob is read by a later layer")
        }
        if !renames.isEmpty {
            nodes = nodes.map { node in
                var node = node
                node.inputs = node.inputs.map { renames[$0] ?? $0 }
                node.outputs = node.outputs.map { renames[$0] ?? $0 }
                return node
            }
        }
        return outputs
    }
}
