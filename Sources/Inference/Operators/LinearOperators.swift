/// Placeholder: filled in by the Linear operator work.
enum LinearOperators {
    static let factories: [String: OperatorFactory] = [:]
}
