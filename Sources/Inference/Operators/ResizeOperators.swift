/// Placeholder: filled in by the Resize operator work.
enum ResizeOperators {
    static let factories: [String: OperatorFactory] = [:]
}
