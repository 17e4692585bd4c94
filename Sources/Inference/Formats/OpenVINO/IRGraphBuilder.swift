/// Builds the engine's graph from a parsed IR: checks the edges, names every output port's value, orders the
/// layers, turns Parameter/Const/Result into graph inputs, initializers and outputs, and hands every other layer
/// to its translation (`IROperations`).
final class IRGraphBuilder {
    struct PortKey: Hashable {
        var layer: Int
        var port: Int
    }

    /// The .xml; errors about layers name it.
    let file: String
    private let document: IRDocument
    private let weights: IRWeights

    private(set) var nodes: [Node] = []
    private(set) var initializers: [String: Tensor] = [:]
    private var valueTypes: [String: ElementType] = [:]
    private var takenValueNames: Set<String> = []
    private var takenNodeNames: Set<String> = []

    init(document: IRDocument, file: String, weights: IRWeights) {
        self.document = document
        self.file = file
        self.weights = weights
    }

    func build() throws -> Graph {
        let layers = try indexLayers()
        let sources = try connect(layers)
        let readOutputs = Set(sources.values)
        let valueNames = nameValues()

        var parameters: [(layer: IRLayer, info: ValueInfo)] = []
        var results: [(layer: IRLayer, value: String)] = []
        for layer in try topologicalOrder(layers, sources: sources) {
            let inputValues = try layer.inputs.map { port in
                guard let source = sources[PortKey(layer: layer.id, port: port.id)],
                      let value = valueNames[source] else {
                    throw InferenceError.malformedModel(
                        file: file,
                        reason: "input port \(port.id) of layer '\(layer.name)' (\(layer.type)) is not connected")
                }
                return value
            }
            let outputValues = layer.outputs.map { valueNames[PortKey(layer: layer.id, port: $0.id)] ?? "" }
            for (port, value) in zip(layer.outputs, outputValues) {
                valueTypes[value] = port.precision.flatMap { IRElementType(irName: $0)?.engineType }
                    ?? inputValues.first.map { type(of: $0) } ?? .float32
            }
            switch layer.type {
            case "Parameter":
                parameters.append((layer, try parameter(layer, value: outputValues.first ?? layer.name)))
            case "Const":
                let tensor = try weights.constant(layer, modelFile: file)
                for value in outputValues { initializers[value] = tensor }
            case "Result":
                guard let value = inputValues.first else {
                    throw InferenceError.malformedModel(file: file, reason: "Result layer '\(layer.name)' has no input")
                }
                results.append((layer, value))
            default:
                let outputIsRead = layer.outputs.map { readOutputs.contains(PortKey(layer: layer.id, port: $0.id)) }
                try translate(layer, inputs: inputValues, outputs: outputValues, outputIsRead: outputIsRead)
            }
        }
        // Inputs and outputs keep the file's order (the order OpenVINO gives them), not the evaluation order.
        let position = Dictionary(document.layers.enumerated().map { ($1.id, $0) }) { first, _ in first }
        func inFileOrder(_ a: IRLayer, _ b: IRLayer) -> Bool { position[a.id, default: 0] < position[b.id, default: 0] }
        let inputs = parameters.sorted { inFileOrder($0.layer, $1.layer) }.map(\.info)
        let outputs = graphOutputs(results.sorted { inFileOrder($0.layer, $1.layer) })
        pruneInitializers(keeping: outputs.map(\.name))
        return Graph(sourceFile: file, format: "OpenVINO IR", opset: 18, nodes: nodes, inputs: inputs,
                     outputs: outputs, initializers: initializers)
    }

    private func translate(_ layer: IRLayer, inputs: [String], outputs: [String], outputIsRead: [Bool]) throws {
        guard let translation = IROperations.translations[layer.type] else {
            throw InferenceError.unsupportedOperator(file: file, op: layer.type, node: layer.name)
        }
        guard !layer.outputs.isEmpty else {
            throw InferenceError.malformedModel(
                file: file, reason: "layer '\(layer.name)' (\(layer.type)) has no output port")
        }
        try translation(IRLayerContext(layer: layer, inputs: inputs, outputs: outputs, outputIsRead: outputIsRead,
                                       builder: self))
    }

    // MARK: Used by the translations

    func type(of value: String) -> ElementType {
        initializers[value]?.elementType ?? valueTypes[value] ?? .float32
    }

    func setType(_ type: ElementType, of value: String) { valueTypes[value] = type }

    /// A value name not used yet, derived from `base`.
    func uniqueValueName(_ base: String) -> String { uniqueName(base, in: &takenValueNames) }

    func addInitializer(_ tensor: Tensor, named name: String) {
        initializers[name] = tensor
        valueTypes[name] = tensor.elementType
    }

    func addNode(_ node: Node) {
        var node = node
        node.name = uniqueName(node.name, in: &takenNodeNames)
        nodes.append(node)
    }

    // MARK: Structure

    private func indexLayers() throws -> [Int: IRLayer] {
        var layers: [Int: IRLayer] = [:]
        for layer in document.layers {
            guard layers.updateValue(layer, forKey: layer.id) == nil else {
                throw InferenceError.malformedModel(file: file, reason: "two layers have the id \(layer.id)")
            }
        }
        return layers
    }

    /// Which output port feeds each input port, checked against the layers' declared ports.
    private func connect(_ layers: [Int: IRLayer]) throws -> [PortKey: PortKey] {
        var sources: [PortKey: PortKey] = [:]
        for edge in document.edges {
            let description = "edge \(edge.fromLayer):\(edge.fromPort) -> \(edge.toLayer):\(edge.toPort)"
            guard let from = layers[edge.fromLayer], from.outputs.contains(where: { $0.id == edge.fromPort }) else {
                throw InferenceError.malformedModel(
                    file: file, reason: "\(description) starts at no output port of a layer")
            }
            guard let to = layers[edge.toLayer], to.inputs.contains(where: { $0.id == edge.toPort }) else {
                throw InferenceError.malformedModel(
                    file: file, reason: "\(description) (from '\(from.name)') ends at no input port of a layer")
            }
            let target = PortKey(layer: edge.toLayer, port: edge.toPort)
            guard sources.updateValue(PortKey(layer: edge.fromLayer, port: edge.fromPort), forKey: target) == nil else {
                throw InferenceError.malformedModel(
                    file: file, reason: "input port \(edge.toPort) of layer '\(to.name)' has two incoming edges")
            }
        }
        return sources
    }

    /// Value names: an output port's first tensor name (IR 11) where it has one, else the layer's name (one
    /// output, or a Parameter) or "<layer>:<port>". Ports with names are served first so fallbacks never take
    /// a declared name.
    private func nameValues() -> [PortKey: String] {
        var names: [PortKey: String] = [:]
        for layer in document.layers {
            for port in layer.outputs {
                if let declared = port.names.first, !takenValueNames.contains(declared) {
                    takenValueNames.insert(declared)
                    names[PortKey(layer: layer.id, port: port.id)] = declared
                }
            }
        }
        for layer in document.layers {
            for port in layer.outputs where names[PortKey(layer: layer.id, port: port.id)] == nil {
                let base = layer.outputs.count == 1 ? layer.name : "\(layer.name):\(port.id)"
                names[PortKey(layer: layer.id, port: port.id)] = uniqueValueName(base)
            }
        }
        return names
    }

    /// Kahn's algorithm over the edges, in file order among ready layers (translations read their inputs'
    /// constants, so producers come first).
    private func topologicalOrder(_ layers: [Int: IRLayer], sources: [PortKey: PortKey]) throws -> [IRLayer] {
        var pending: [Int: Int] = [:]
        var readers: [Int: [Int]] = [:]
        for (target, source) in sources {
            pending[target.layer, default: 0] += 1
            readers[source.layer, default: []].append(target.layer)
        }
        var ready = document.layers.filter { pending[$0.id, default: 0] == 0 }.map(\.id).reversed().map { $0 }
        var order: [IRLayer] = []
        while let next = ready.popLast() {
            if let layer = layers[next] { order.append(layer) }
            for reader in readers[next] ?? [] {
                pending[reader, default: 0] -= 1
                if pending[reader] == 0 { ready.append(reader) }
            }
        }
        guard order.count == document.layers.count else {
            throw InferenceError.malformedModel(file: file, reason: "the layers' edges form a cycle")
        }
        return order
    }

    // MARK: Inputs and outputs

    private func parameter(_ layer: IRLayer, value: String) throws -> ValueInfo {
        let typeName = layer.data["element_type"] ?? layer.outputs.first?.precision ?? "f32"
        guard let type = IRElementType(irName: typeName) else {
            throw InferenceError.malformedModel(
                file: file,
                reason: "Parameter '\(layer.name)' has element type '\(typeName)', which this engine does not read")
        }
        valueTypes[value] = type.engineType
        var dims: [Int?]? = layer.outputs.first?.dims
        if let text = layer.data["shape"] {
            do {
                dims = try IRDocument.parseShape(text)
            } catch {
                throw InferenceError.malformedModel(
                    file: file, reason: "Parameter '\(layer.name)': shape '\(text)': \(error.message)")
            }
        }
        return ValueInfo(name: value, elementType: type.engineType,
                         shape: dims.map { $0.map { $0.map(Dimension.fixed) ?? .dynamic(nil) } })
    }

    /// One output per Result, in file order, named by the value it reads. A value two Results read gets a
    /// copy (Identity) for the second, named after that Result.
    private func graphOutputs(_ results: [(layer: IRLayer, value: String)]) -> [ValueInfo] {
        var named: Set<String> = []
        return results.map { layer, value in
            var name = value
            if !named.insert(value).inserted {
                name = uniqueValueName(layer.name)
                named.insert(name)
                addNode(Node(name: layer.name, opType: "Identity", inputs: [value], outputs: [name]))
            }
            let dims = layer.inputs.first?.dims ?? []
            return ValueInfo(name: name, elementType: type(of: value),
                             shape: dims.isEmpty ? nil : dims.map { $0.map(Dimension.fixed) ?? .dynamic(nil) })
        }
    }

    /// Drops constants no node and no output reads (an f16 original once its float32 copy is made, weights a
    /// translation replaced by a transposed or reshaped copy).
    private func pruneInitializers(keeping outputs: [String]) {
        var read = Set(outputs)
        for node in nodes { read.formUnion(node.inputs) }
        initializers = initializers.filter { read.contains($0.key) }
    }
}
