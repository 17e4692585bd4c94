/// Placeholder: filled in by the Shape operator work.
enum ShapeOperators {
    static let factories: [String: OperatorFactory] = [:]
}
