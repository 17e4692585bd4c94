/// Placeholder: filled in by the Convolution operator work.
enum ConvolutionOperators {
    static let factories: [String: OperatorFactory] = [:]
}
