/// Placeholder: filled in by the Pooling operator work.
enum PoolingOperators {
    static let factories: [String: OperatorFactory] = [:]
}
