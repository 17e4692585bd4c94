/// Placeholder: filled in by the Reduction operator work.
enum ReductionOperators {
    static let factories: [String: OperatorFactory] = [:]
}
