/// Reduction of the middle axis of an [outer, length, inner] block into [outer, inner]. A reduction over several
/// axes is a sequence of these (see `ReductionPlan`). Floats get vector loops: along a contiguous row
/// (inner = 1) with vector accumulators, otherwise row by row over contiguous columns.
enum ReductionKernels {
    typealias Vector = ActivationMath.Vector

    enum Combine: Sendable {
        case sum, product, maximum, minimum
    }

    /// What happens to each element before it is combined (L1, L2, SumSquare).
    enum Premap: Sendable {
        case identity, absolute, square
    }

    static func reduce(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, outer: Int, length: Int,
                       inner: Int, combine: Combine, premap: Premap, context: ExecutionContext) {
        switch premap {
        case .identity: reduce(x, y, outer, length, inner, combine, Identity.self, context)
        case .absolute: reduce(x, y, outer, length, inner, combine, Absolute.self, context)
        case .square: reduce(x, y, outer, length, inner, combine, Square.self, context)
        }
    }

    private static func reduce<P: ReductionFloatPremap>(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                                               _ outer: Int, _ length: Int, _ inner: Int, _ combine: Combine,
                                               _ premap: P.Type, _ context: ExecutionContext) {
        switch combine {
        case .sum: run(x, y, outer, length, inner, Sum.self, P.self, context)
        case .product: run(x, y, outer, length, inner, Product.self, P.self, context)
        case .maximum: run(x, y, outer, length, inner, Maximum.self, P.self, context)
        case .minimum: run(x, y, outer, length, inner, Minimum.self, P.self, context)
        }
    }

    private static func run<C: ReductionFloatCombiner, P: ReductionFloatPremap>(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ outer: Int, _ length: Int, _ inner: Int,
        _ combiner: C.Type, _ premap: P.Type, _ context: ExecutionContext
    ) {
        if length == 0 {
            y.update(repeating: C.identity, count: outer * inner)
            return
        }
        let work = outer * length * inner
        if inner == 1 {
            let minimumRows = Swift.max(1, (1 << 15) / length)
            context.parallelRanges(outer, minimumPerWorker: minimumRows) { rows in
                for row in rows { y[row] = reduceRow(x + row * length, length, C.self, P.self) }
            }
            return
        }
        // Few blocks: split the columns too, so that every thread has work.
        let columnParts = outer >= context.threads || work < (1 << 15)
            ? 1 : Swift.min(context.threads, Swift.max(1, inner / 1024))
        let items = outer * columnParts
        let minimumItems = Swift.max(1, (1 << 15) / Swift.max(1, work / items))
        context.parallelRanges(items, minimumPerWorker: minimumItems) { range in
            for item in range {
                let block = item / columnParts, part = item % columnParts
                let start = part * inner / columnParts, end = (part + 1) * inner / columnParts
                reduceColumns(x + block * length * inner + start, y + block * inner + start, length: length,
                              stride: inner, columns: end - start, C.self, P.self)
            }
        }
    }

    /// One contiguous row into one value.
    @inline(__always)
    private static func reduceRow<C: ReductionFloatCombiner, P: ReductionFloatPremap>(
        _ x: UnsafePointer<Float>, _ count: Int, _ combiner: C.Type, _ premap: P.Type
    ) -> Float {
        var i = 0
        var result = C.identity
        if count >= 8 {
            var accumulator = P.apply(ActivationMath.load(x))
            i = 8
            while i + 8 <= count {
                accumulator = C.combine(accumulator, P.apply(ActivationMath.load(x + i)))
                i += 8
            }
            result = C.horizontal(accumulator)
        }
        while i < count {
            result = C.combine(result, P.apply(x[i]))
            i += 1
        }
        return result
    }

    /// y[c] = combine over r of x[r·stride + c], for `columns` columns.
    @inline(__always)
    private static func reduceColumns<C: ReductionFloatCombiner, P: ReductionFloatPremap>(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, length: Int, stride: Int, columns: Int,
        _ combiner: C.Type, _ premap: P.Type
    ) {
        for c in 0..<columns { y[c] = P.apply(x[c]) }
        for r in 1..<length {
            let row = x + r * stride
            for c in 0..<columns { y[c] = C.combine(y[c], P.apply(row[c])) }
        }
    }

    /// The integer form (int64 and int32 shape arithmetic; no vector paths, these tensors are small).
    static func reduce<T: FixedWidthInteger & SignedInteger>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>,
                                                             outer: Int, length: Int, inner: Int,
                                                             combine: Combine, premap: Premap) {
        let identity: T
        let join: (T, T) -> T
        switch combine {
        case .sum: identity = 0; join = { $0 &+ $1 }
        case .product: identity = 1; join = { $0 &* $1 }
        case .maximum: identity = .min; join = { Swift.max($0, $1) }
        case .minimum: identity = .max; join = { Swift.min($0, $1) }
        }
        for block in 0..<outer {
            for c in 0..<inner {
                var result = identity
                for r in 0..<length {
                    let value = x[(block * length + r) * inner + c]
                    switch premap {
                    case .identity: result = join(result, value)
                    case .absolute: result = join(result, value < 0 ? 0 &- value : value)
                    case .square: result = join(result, value &* value)
                    }
                }
                y[block * inner + c] = result
            }
        }
    }
}

// MARK: Specialisation points

protocol ReductionFloatCombiner {
    static var identity: Float { get }
    static func combine(_ a: Float, _ b: Float) -> Float
    static func combine(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float>
    static func horizontal(_ v: SIMD8<Float>) -> Float
}

protocol ReductionFloatPremap {
    static func apply(_ x: Float) -> Float
    static func apply(_ x: SIMD8<Float>) -> SIMD8<Float>
}

extension ReductionKernels {
    enum Sum: ReductionFloatCombiner {
        static var identity: Float { 0 }
        @inline(__always) static func combine(_ a: Float, _ b: Float) -> Float { a + b }
        @inline(__always) static func combine(_ a: Vector, _ b: Vector) -> Vector { a + b }
        @inline(__always) static func horizontal(_ v: Vector) -> Float { v.sum() }
    }

    enum Product: ReductionFloatCombiner {
        static var identity: Float { 1 }
        @inline(__always) static func combine(_ a: Float, _ b: Float) -> Float { a * b }
        @inline(__always) static func combine(_ a: Vector, _ b: Vector) -> Vector { a * b }
        @inline(__always) static func horizontal(_ v: Vector) -> Float {
            let half = v.lowHalf * v.highHalf
            return half[0] * half[1] * half[2] * half[3]
        }
    }

    enum Maximum: ReductionFloatCombiner {
        static var identity: Float { -.infinity }
        @inline(__always) static func combine(_ a: Float, _ b: Float) -> Float { b > a ? b : a }
        @inline(__always) static func combine(_ a: Vector, _ b: Vector) -> Vector {
            a.replacing(with: b, where: b .> a)
        }
        @inline(__always) static func horizontal(_ v: Vector) -> Float { v.max() }
    }

    enum Minimum: ReductionFloatCombiner {
        static var identity: Float { .infinity }
        @inline(__always) static func combine(_ a: Float, _ b: Float) -> Float { b < a ? b : a }
        @inline(__always) static func combine(_ a: Vector, _ b: Vector) -> Vector {
            a.replacing(with: b, where: b .< a)
        }
        @inline(__always) static func horizontal(_ v: Vector) -> Float { v.min() }
    }

    enum Identity: ReductionFloatPremap {
        @inline(__always) static func apply(_ x: Float) -> Float { x }
        @inline(__always) static func apply(_ x: Vector) -> Vector { x }
    }

    enum Absolute: ReductionFloatPremap {
        @inline(__always) static func apply(_ x: Float) -> Float { Swift.abs(x) }
        @inline(__always) static func apply(_ x: Vector) -> Vector { ActivationMath.magnitude(x) }
    }

    enum Square: ReductionFloatPremap {
        @inline(__always) static func apply(_ x: Float) -> Float { x * x }
        @inline(__always) static func apply(_ x: Vector) -> Vector { x * x }
    }
}
