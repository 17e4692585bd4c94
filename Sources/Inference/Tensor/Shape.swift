/// Shape arithmetic shared by the operators. A shape is `[Int]`, outermost dimension first.
extension Array where Element == Int {
    /// Product of the dimensions: the element count of a tensor of this shape (1 for a scalar).
    public var elementCount: Int { reduce(1, *) }

    /// Row-major strides, in elements.
    public var strides: [Int] {
        var result = [Int](repeating: 1, count: count)
        var running = 1
        for axis in stride(from: count - 1, through: 0, by: -1) {
            result[axis] = running
            running *= self[axis]
        }
        return result
    }
}

public enum Shapes {
    /// Numpy-style broadcasting of two shapes (aligned at the right; a dimension of 1 stretches).
    public static func broadcast(_ a: [Int], _ b: [Int]) throws(OpError) -> [Int] {
        let rank = Swift.max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == db || db == 1 {
                result[i] = da
            } else if da == 1 {
                result[i] = db
            } else {
                throw OpError("shapes \(a) and \(b) cannot be broadcast together")
            }
        }
        return result
    }

    /// Strides that read `shape` as if it had been broadcast to `target` (0 where a dimension stretches).
    public static func broadcastStrides(of shape: [Int], to target: [Int]) -> [Int] {
        let own = shape.strides
        let offset = target.count - shape.count
        return (0..<target.count).map { axis in
            let source = axis - offset
            return source < 0 || shape[source] == 1 ? 0 : own[source]
        }
    }

    /// Resolves a possibly negative axis against a rank, as ONNX allows (-rank ..< rank).
    public static func axis(_ axis: Int, rank: Int) throws(OpError) -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        guard resolved >= 0 && resolved < rank else {
            throw OpError("axis \(axis) is out of range for rank \(rank)")
        }
        return resolved
    }
}
