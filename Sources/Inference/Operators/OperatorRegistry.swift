/// Every operator the engine runs, by ONNX op type. Each family file contributes its own table; a later
/// format's loader (TensorFlow, Caffe, ...) translates into these same op types.
public enum OperatorRegistry {
    public static let factories: [String: OperatorFactory] = {
        var all: [String: OperatorFactory] = [:]
        let families: [[String: OperatorFactory]] = [
            ConvolutionOperators.factories,
            LinearOperators.factories,
            PoolingOperators.factories,
            ElementwiseOperators.factories,
            ActivationOperators.factories,
            NormalizationOperators.factories,
            ReductionOperators.factories,
            ShapeOperators.factories,
            IndexingOperators.factories,
            ResizeOperators.factories,
        ]
        for family in families {
            all.merge(family) { first, _ in first }
        }
        return all
    }()

    public static func factory(for opType: String) -> OperatorFactory? { factories[opType] }

    public static var supportedOperators: [String] { factories.keys.sorted() }
}
