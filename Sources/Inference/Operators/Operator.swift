/// An operator compiled for one node: attributes parsed and constant inputs (weights) prepared at load time,
/// so that `run` only computes. Operators are immutable and shared by every concurrent run of the model.
public protocol Operator: Sendable {
    /// Computes the node's outputs. `inputs` follows the node's input list; a left-out optional input is nil.
    /// Outputs come from `context.allocate` (or share an input's storage when only the shape changes).
    func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor]
}

/// What an operator factory sees of its node at load time.
public struct OperatorSpec: Sendable {
    public let node: Node
    /// The graph's opset (ONNX default domain).
    public let opset: Int
    /// Each input's value when it is known at load time (initializers and folded constants).
    public let constants: [Tensor?]

    public init(node: Node, opset: Int, constants: [Tensor?]) {
        self.node = node
        self.opset = opset
        self.constants = constants
    }

    /// Whether input `index` is present (optional inputs may be left out or given as "").
    public func hasInput(_ index: Int) -> Bool {
        index < node.inputs.count && !node.inputs[index].isEmpty
    }

    public func constant(_ index: Int) -> Tensor? {
        index < constants.count ? constants[index] : nil
    }
}

public typealias OperatorFactory = @Sendable (OperatorSpec) throws -> any Operator

extension Array where Element == Tensor? {
    /// Input `index`, which the operator requires.
    public func required(_ index: Int, _ name: String) throws(OpError) -> Tensor {
        guard index < count, let tensor = self[index] else { throw OpError("input \(index) (\(name)) is missing") }
        return tensor
    }

    public func optional(_ index: Int) -> Tensor? { index < count ? self[index] : nil }
}

extension Tensor {
    /// Checks the element type of an operator's input.
    public func expect(_ type: ElementType, _ what: String) throws(OpError) {
        guard elementType == type else { throw OpError("\(what) should be \(type), got \(elementType)") }
    }
}
