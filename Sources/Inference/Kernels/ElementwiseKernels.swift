import Foundation

/// The element functions of the binary operators, one type each so that every row loop is specialised.
enum ElementwiseKernels {
    // MARK: float32

    enum Add: ElementwiseBinaryKernel {
        @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a + b }
    }
    enum Sub: ElementwiseBinaryKernel {
        @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a - b }
    }
    enum Mul: ElementwiseBinaryKernel {
        @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a * b }
    }
    enum Div: ElementwiseBinaryKernel {
        @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a / b }
    }
    /// NaN on either side gives NaN, as onnxruntime's Min and Max do.
    enum Min: ElementwiseBinaryKernel {
        @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { b < a || b.isNaN ? b : a }
    }
    enum Max: ElementwiseBinaryKernel {
        @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { b > a || b.isNaN ? b : a }
    }
    enum Pow: ElementwiseBinaryKernel {
        @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { Foundation.pow(a, b) }
    }
    /// A float base raised to an integer exponent.
    enum PowInteger<Exponent: BinaryInteger>: ElementwiseBinaryKernel {
        @inline(__always) static func apply(_ a: Float, _ b: Exponent) -> Float { Foundation.pow(a, Float(b)) }
    }
    /// PRelu: x where x ≥ 0, slope·x below.
    enum ParametricRelu: ElementwiseBinaryKernel {
        @inline(__always) static func apply(_ x: Float, _ slope: Float) -> Float { x < 0 ? x * slope : x }
    }

    // MARK: Integers (wrapping, like the C++ arithmetic onnxruntime runs)

    enum IntegerAdd<T: FixedWidthInteger & SignedInteger>: ElementwiseBinaryKernel {
        @inline(__always) static func apply(_ a: T, _ b: T) -> T { a &+ b }
    }
    enum IntegerSub<T: FixedWidthInteger & SignedInteger>: ElementwiseBinaryKernel {
        @inline(__always) static func apply(_ a: T, _ b: T) -> T { a &- b }
    }
    enum IntegerMul<T: FixedWidthInteger & SignedInteger>: ElementwiseBinaryKernel {
        @inline(__always) static func apply(_ a: T, _ b: T) -> T { a &* b }
    }
    /// Truncates toward zero. Zero divisors are refused before the kernel runs; min / -1 wraps to min.
    enum IntegerDiv<T: FixedWidthInteger & SignedInteger>: ElementwiseBinaryKernel {
        @inline(__always) static func apply(_ a: T, _ b: T) -> T { a.dividedReportingOverflow(by: b).partialValue }
    }
    enum IntegerMin<T: FixedWidthInteger & SignedInteger>: ElementwiseBinaryKernel {
        @inline(__always) static func apply(_ a: T, _ b: T) -> T { Swift.min(a, b) }
    }
    enum IntegerMax<T: FixedWidthInteger & SignedInteger>: ElementwiseBinaryKernel {
        @inline(__always) static func apply(_ a: T, _ b: T) -> T { Swift.max(a, b) }
    }
    /// Exponentiation by squaring; a negative exponent gives 0 except for bases 1 and -1.
    enum IntegerPow<T: FixedWidthInteger & SignedInteger>: ElementwiseBinaryKernel {
        static func apply(_ base: T, _ exponent: T) -> T {
            if exponent < 0 {
                if base == 1 { return 1 }
                if base == -1 { return exponent.isMultiple(of: 2) ? 1 : -1 }
                return 0
            }
            var result: T = 1, factor = base, remaining = exponent
            while remaining > 0 {
                if remaining & 1 == 1 { result = result &* factor }
                factor = factor &* factor
                remaining >>= 1
            }
            return result
        }
    }

    // MARK: Comparisons and logic (bool results)

    enum Equal<T: Equatable>: ElementwiseBinaryKernel {
        @inline(__always) static func apply(_ a: T, _ b: T) -> Bool { a == b }
    }
    enum Less<T: Comparable>: ElementwiseBinaryKernel {
        @inline(__always) static func apply(_ a: T, _ b: T) -> Bool { a < b }
    }
    enum LessOrEqual<T: Comparable>: ElementwiseBinaryKernel {
        @inline(__always) static func apply(_ a: T, _ b: T) -> Bool { a <= b }
    }
    enum Greater<T: Comparable>: ElementwiseBinaryKernel {
        @inline(__always) static func apply(_ a: T, _ b: T) -> Bool { a > b }
    }
    enum GreaterOrEqual<T: Comparable>: ElementwiseBinaryKernel {
        @inline(__always) static func apply(_ a: T, _ b: T) -> Bool { a >= b }
    }
    enum And: ElementwiseBinaryKernel {
        @inline(__always) static func apply(_ a: Bool, _ b: Bool) -> Bool { a && b }
    }
    enum Or: ElementwiseBinaryKernel {
        @inline(__always) static func apply(_ a: Bool, _ b: Bool) -> Bool { a || b }
    }
    enum Xor: ElementwiseBinaryKernel {
        @inline(__always) static func apply(_ a: Bool, _ b: Bool) -> Bool { a != b }
    }

    // MARK: Helpers

    /// A tensor's elements as `T` (the caller has checked the element type).
    @inline(__always)
    static func elements<T>(_ tensor: Tensor, as type: T.Type) -> UnsafeMutablePointer<T> {
        tensor.storage.bytes.assumingMemoryBound(to: T.self)
    }

    /// Runs `kernel` over `count` floats split into ranges over the context's threads (large buffers only).
    static func parallelMap(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>,
                            count: Int, context: ExecutionContext,
                            _ kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) {
        context.parallelRanges(count, minimumPerWorker: 1 << 14) { range in
            kernel(source + range.lowerBound, destination + range.lowerBound, range.count)
        }
    }
}
