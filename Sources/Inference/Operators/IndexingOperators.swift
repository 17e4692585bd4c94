/// Placeholder: filled in by the Indexing operator work.
enum IndexingOperators {
    static let factories: [String: OperatorFactory] = [:]
}
