/// Placeholder: filled in by the Activation operator work.
enum ActivationOperators {
    static let factories: [String: OperatorFactory] = [:]
}
