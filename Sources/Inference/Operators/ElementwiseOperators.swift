/// Placeholder: filled in by the Elementwise operator work.
enum ElementwiseOperators {
    static let factories: [String: OperatorFactory] = [:]
}
