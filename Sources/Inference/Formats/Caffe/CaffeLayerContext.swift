/// What one layer's translation sees: the layer, the values (and shapes) of its bottoms, the values it must
/// write for its tops, its weight blobs, and the means to emit nodes and constants.
struct CaffeLayerContext {
    let layer: Caffe_LayerParameter
    /// The layer's name ("<type>#<index>" when the file gives none).
    let name: String
    let inputs: [String]
    /// Shapes of the bottoms; nil entries are the batch.
    let inputShapes: [[Int?]]
    /// One value per top; the translation writes each and gives it a shape (`produce`).
    let outputs: [String]
    let blobs: [Caffe_BlobProto]
    let builder: CaffeNetBuilder

    var file: String { builder.file }

    /// An error about this layer's parameters, blobs or bottoms.
    func invalid(_ reason: String) -> InferenceError {
        .invalidNode(file: builder.file, op: layer.type, node: name, reason: reason)
    }

    // MARK: Bottoms and tops

    func requireBottoms(_ count: Int) throws {
        guard inputs.count >= count else {
            throw invalid("expects \(count) bottom blob(s), the layer has \(inputs.count)")
        }
    }

    /// Shape of bottom 0, which every translation reads.
    var shape: [Int?] { inputShapes.first ?? [] }

    /// A Caffe axis (negative from the end) resolved against a rank.
    func axis(_ value: Int32, rank: Int, _ what: String = "axis") throws -> Int {
        let resolved = value < 0 ? Int(value) + rank : Int(value)
        guard resolved >= 0, resolved < rank else {
            throw invalid("\(what) \(value) is out of range for a bottom of rank \(rank)")
        }
        return resolved
    }

    /// Emits the node writing top `index` and records its shape.
    func produce(_ opType: String, _ nodeInputs: [String], shape: [Int?], _ attributes: [String: Attribute] = [:],
                 top index: Int = 0) {
        emit(opType, nodeInputs, [outputs[index]], attributes)
        builder.setShape(shape, of: outputs[index])
    }

    /// Top `index` as a copy of `value` (Identity; the optimiser removes it).
    func produceCopy(of value: String, top index: Int = 0) {
        produce("Identity", [value], shape: builder.shape(of: value) ?? shape, top: index)
    }

    // MARK: Emitting

    /// Adds a node: nodes writing a top take the layer's name, helper nodes "<layer>/<op>".
    func emit(_ opType: String, _ nodeInputs: [String], _ nodeOutputs: [String],
              _ attributes: [String: Attribute] = [:]) {
        let writesTop = nodeOutputs.contains { outputs.contains($0) }
        builder.addNode(Node(name: writesTop ? name : "\(name)/\(opType)", opType: opType, inputs: nodeInputs,
                             outputs: nodeOutputs, attributes: attributes))
    }

    /// Emits a one-output helper node and returns its value, whose shape is `shape`.
    func emitValue(_ opType: String, _ nodeInputs: [String], shape: [Int?],
                   _ attributes: [String: Attribute] = [:]) -> String {
        let value = builder.uniqueValueName("\(name)/\(opType)")
        emit(opType, nodeInputs, [value], attributes)
        builder.setShape(shape, of: value)
        return value
    }

    func constant(_ tensor: Tensor, _ suffix: String) -> String {
        let value = builder.uniqueValueName("\(name)/\(suffix)")
        builder.addInitializer(tensor, named: value)
        return value
    }

    func scalar(_ value: Float, _ suffix: String) -> String { constant(Tensor.scalar(value), suffix) }

    func int64s(_ values: [Int], _ suffix: String) -> String {
        constant(Tensor(int64s: values.map { Int64($0) }, shape: [values.count]), suffix)
    }

    /// `value` reshaped to `target`. The first `keptPrefix` axes are the source's unchanged (a batch there is
    /// copied); a batch anywhere else is inferred.
    func reshape(_ value: String, to target: [Int?], keptPrefix: Int, output: Int? = nil) throws -> String {
        var spec: [Int] = []
        var inferred = false
        for (index, dimension) in target.enumerated() {
            if let dimension {
                spec.append(dimension)
            } else if index < keptPrefix {
                spec.append(0)
            } else {
                guard !inferred else { throw invalid("the output shape \(Self.describe(target)) is not expressible") }
                inferred = true
                spec.append(-1)
            }
        }
        return try reshape(value, spec: spec, shape: target, output: output)
    }

    /// A Reshape with an ONNX shape `spec` (0 copies, -1 infers) whose result has `shape`.
    func reshape(_ value: String, spec: [Int], shape target: [Int?], output: Int? = nil) throws -> String {
        let shapeValue = int64s(spec, "shape")
        if let output {
            produce("Reshape", [value, shapeValue], shape: target, top: output)
            return outputs[output]
        }
        return emitValue("Reshape", [value, shapeValue], shape: target)
    }

    static func describe(_ shape: [Int?]) -> String {
        "[" + shape.map { $0.map(String.init) ?? "N" }.joined(separator: ", ") + "]"
    }

    // MARK: Blobs

    var blobCount: Int { blobs.count }

    /// Blob `index` as a float tensor of `expected` shape: its element count must be the shape's (Caffe's own
    /// loader also accepts a blob written with its legacy 4-D shape, so only the count is compared).
    func blob(_ index: Int, _ what: String, shape expected: [Int]) throws -> Tensor {
        guard index < blobs.count else {
            throw invalid("the \(what) (blob \(index)) is missing: the .caffemodel has \(blobs.count) blob(s) for "
                          + "this layer (is the .caffemodel the one trained with this .prototxt?)")
        }
        let proto = blobs[index]
        let values: [Float] = proto.data.isEmpty ? proto.doubleData.map { Float($0) } : proto.data
        let declared = try declaredShape(proto, index: index, what: what)
        guard declared.shape.isEmpty || declared.count == values.count else {
            throw invalid("blob \(index) (\(what)) has shape \(declared.shape) but holds \(values.count) values")
        }
        let needed = expected.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
        guard values.count == needed else {
            throw invalid("blob \(index) (\(what)) holds \(values.count) values (shape \(declared.shape)); the "
                          + "layer needs \(expected) = \(needed)")
        }
        return Tensor(floats: values, shape: expected)
    }

    private func declaredShape(_ proto: Caffe_BlobProto, index: Int, what: String) throws -> (shape: [Int], count: Int) {
        let dims: [Int]
        if proto.hasShape {
            dims = proto.shape.dim.map { Int($0) }
        } else if proto.hasNum || proto.hasChannels || proto.hasHeight || proto.hasWidth {
            dims = [Int(proto.num), Int(proto.channels), Int(proto.height), Int(proto.width)]
        } else {
            return ([], 0)
        }
        var count = 1
        for dim in dims {
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard dim >= 0, !overflow else { throw invalid("blob \(index) (\(what)) has an invalid shape \(dims)") }
            count = product
        }
        return (dims, count)
    }
}

extension Array where Element == Int? {
    /// The product of the dimensions, nil when one is the batch or it overflows.
    var knownProduct: Int? {
        var product = 1
        for dimension in self {
            guard let dimension else { return nil }
            let (result, overflow) = product.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            product = result
        }
        return product
    }
}
