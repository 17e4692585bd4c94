/// The engine's model representation, whatever file format it came from: operators use ONNX's names and
/// semantics (the OpenVINO loader translates its operations into these), values are named by strings.

/// One dimension of a declared shape: a number, or a dimension fixed only at run time (the batch).
public enum Dimension: Sendable, Hashable, CustomStringConvertible {
    case fixed(Int)
    case dynamic(String?)

    public var value: Int? {
        if case .fixed(let v) = self { return v }
        return nil
    }

    public var description: String {
        switch self {
        case .fixed(let v): return String(v)
        case .dynamic(let name): return name ?? "?"
        }
    }
}

/// A graph input or output as the model declares it.
public struct ValueInfo: Sendable {
    public var name: String
    public var elementType: ElementType
    /// nil when the model does not declare the shape.
    public var shape: [Dimension]?

    public init(name: String, elementType: ElementType, shape: [Dimension]?) {
        self.name = name
        self.elementType = elementType
        self.shape = shape
    }

    /// Whether an image input takes channels last (`[.., H, W, C]`, TensorFlow's NHWC): its last dimension is 1 or
    /// 3 and the one three from the end is not. Everything else takes channels first (NCHW).
    public var isChannelsLast: Bool {
        guard let shape, shape.count >= 3 else { return false }
        let last3 = shape.suffix(3).map(\.value)
        return [1, 3].contains(last3[2]) && ![1, 3].contains(last3[0])
    }
}

public struct Node: Sendable {
    public var name: String
    public var opType: String
    /// Input value names; "" marks an optional input that is left out.
    public var inputs: [String]
    public var outputs: [String]
    public var attributes: [String: Attribute]

    public init(name: String, opType: String, inputs: [String], outputs: [String],
                attributes: [String: Attribute] = [:]) {
        self.name = name
        self.opType = opType
        self.inputs = inputs
        self.outputs = outputs
        self.attributes = attributes
    }
}

public struct Graph: Sendable {
    /// Where the graph was read from; errors name it.
    public var sourceFile: String
    /// "ONNX", "OpenVINO IR", ...
    public var format: String
    /// ONNX opset of the default domain (the OpenVINO loader emits nodes with opset-13+ semantics).
    public var opset: Int
    public var nodes: [Node]
    /// Inputs the caller feeds (initializers excluded).
    public var inputs: [ValueInfo]
    public var outputs: [ValueInfo]
    /// Constant values: weights, and shapes or axes given as tensors.
    public var initializers: [String: Tensor]

    public init(sourceFile: String, format: String, opset: Int, nodes: [Node], inputs: [ValueInfo],
                outputs: [ValueInfo], initializers: [String: Tensor]) {
        self.sourceFile = sourceFile
        self.format = format
        self.opset = opset
        self.nodes = nodes
        self.inputs = inputs
        self.outputs = outputs
        self.initializers = initializers
    }
}
