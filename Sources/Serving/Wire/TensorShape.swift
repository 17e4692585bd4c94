/// The shape rules every input path shares (the HTTP APIs, Arrow and JSON records): a shape's element count is
/// computed here, without trapping, and a sparse input's dense form is bounded here.
public enum TensorShape {
    /// A sparse input is densified (no model format takes sparse tensors): at most this many elements (256 MiB of
    /// floats), whatever shape it declares.
    public static let maxDenseElements = 64 << 20

    /// Why a shape has no element count.
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// The number of elements of `shape`. Throws for a negative dimension, or a product beyond `Int.max` (a
    /// client's `[9223372036854775807, 2]`).
    public static func elementCount(_ shape: [Int]) throws(Invalid) -> Int {
        var count = 1
        for dimension in shape {
            guard dimension >= 0 else { throw Invalid(description: "shape \(shape) has a negative dimension (\(dimension))") }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            if overflow { throw Invalid(description: "shape \(shape) overflows: its element count is beyond \(Int.max)") }
            count = product
        }
        return count
    }
}
