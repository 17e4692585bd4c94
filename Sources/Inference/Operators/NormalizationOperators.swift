/// Placeholder: filled in by the Normalization operator work.
enum NormalizationOperators {
    static let factories: [String: OperatorFactory] = [:]
}
