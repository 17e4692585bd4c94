import Foundation

/// Vectorised float math (eight lanes at a time) for the activations, Softmax and the normalisations. Calling
/// libm once per element costs several times more than these, and exp, tanh and erf dominate Sigmoid, Softmax
/// and GELU. Each function is accurate to a few float32 ulps (erf: absolute error below 1e-6) and keeps NaN.
enum ActivationMath {
    typealias Vector = SIMD8<Float>
    typealias Bits = SIMD8<UInt32>

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(pointer).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    static func store(_ vector: Vector, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: vector, as: Vector.self)
    }

    /// destination[i] = f(source[i]) for `count` floats; source and destination may be the same buffer.
    /// The tail goes through the same vector function, so every element gets the same rounding. (A generic
    /// function type rather than a closure: the compiler then reliably inlines it into the loop.)
    @inline(__always)
    static func map<F: ActivationVectorFunction>(_ source: UnsafePointer<Float>,
                                                 _ destination: UnsafeMutablePointer<Float>, _ count: Int,
                                                 _ f: F) {
        var i = 0
        while i + 8 <= count {
            store(f(load(source + i)), destination + i)
            i += 8
        }
        guard i < count else { return }
        var tail = Vector(repeating: 0)
        for lane in 0..<(count - i) { tail[lane] = source[i + lane] }
        let result = f(tail)
        for lane in 0..<(count - i) { destination[i + lane] = result[lane] }
    }

    // MARK: Sign bits

    @inline(__always)
    static func magnitude(_ x: Vector) -> Vector {
        unsafeBitCast(unsafeBitCast(x, to: Bits.self) & 0x7FFF_FFFF, to: Vector.self)
    }

    /// |magnitude| with the sign of `sign`.
    @inline(__always)
    static func copySign(_ magnitude: Vector, _ sign: Vector) -> Vector {
        let bits = unsafeBitCast(magnitude, to: Bits.self) | (unsafeBitCast(sign, to: Bits.self) & 0x8000_0000)
        return unsafeBitCast(bits, to: Vector.self)
    }

    // MARK: Functions

    /// e^x: x = n·ln2 + r with |r| ≤ ln2/2, a degree-6 polynomial for e^r (Cephes' expf coefficients), and 2^n
    /// built in the exponent bits, in two halves so that n from -150 (denormal results) to 128 (overflow to
    /// infinity) fits. NaN fails both clamping comparisons and stays NaN through the arithmetic.
    @inline(__always)
    static func exp(_ x: Vector) -> Vector {
        let lowest: Float = -103.9, highest: Float = 89
        var v = x.replacing(with: lowest, where: x .< lowest)
        v = v.replacing(with: highest, where: v .> highest)
        // Adding 1.5·2^23 rounds to an integer and leaves it in the low mantissa bits.
        let magic: Float = 12_582_912
        let shifted = v * 1.442_695_04 + magic
        let n = shifted - magic
        let r = v - n * 0.693_359_375 - n * -2.121_944_4e-4
        var p = Vector(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        let mantissa = p * r * r + r + 1
        let exponent = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000
        let half = exponent &>> 1
        let scaleA = unsafeBitCast((half &+ 127) &<< 23, to: Vector.self)
        let scaleB = unsafeBitCast((exponent &- half &+ 127) &<< 23, to: Vector.self)
        return mantissa * scaleA * scaleB
    }

    @inline(__always)
    static func sigmoid(_ x: Vector) -> Vector {
        1 / (1 + exp(-x))
    }

    /// tanh: (1 - e^-2|x|) / (1 + e^-2|x|) away from zero; near zero, where that difference cancels, the odd
    /// Taylor series (six terms leave an error below 1e-9 for |x| < 0.3).
    @inline(__always)
    static func tanh(_ x: Vector) -> Vector {
        let a = magnitude(x)
        let e = exp(a * -2)
        let far = (1 - e) / (1 + e)
        let a2 = a * a
        var p = Vector(repeating: 21844.0 / 6_081_075.0)
        p = p * a2 - 1382.0 / 155_925.0
        p = p * a2 + 62.0 / 2835.0
        p = p * a2 - 17.0 / 315.0
        p = p * a2 + 2.0 / 15.0
        p = p * a2 - 1.0 / 3.0
        let near = a + a * a2 * p
        return copySign(near.replacing(with: far, where: a .>= 0.3), x)
    }

    /// erf: the Maclaurin series for |x| < 0.5; beyond, Abramowitz & Stegun 7.1.26
    /// (1 - t·P(t)·e^-x², t = 1/(1 + 0.3275911|x|), absolute error below 1.5e-7).
    @inline(__always)
    static func erf(_ x: Vector) -> Vector {
        let a = magnitude(x)
        let a2 = a * a
        var series = Vector(repeating: 1.0 / 9360.0)
        series = series * a2 - 1.0 / 1320.0
        series = series * a2 + 1.0 / 216.0
        series = series * a2 - 1.0 / 42.0
        series = series * a2 + 1.0 / 10.0
        series = series * a2 - 1.0 / 3.0
        let near = (series * a2 + 1) * a * 1.128_379_17
        let t = 1 / (1 + a * 0.327_591_1)
        var p = Vector(repeating: 1.061_405_429)
        p = p * t - 1.453_152_027
        p = p * t + 1.421_413_741
        p = p * t - 0.284_496_736
        p = p * t + 0.254_829_592
        let far = 1 - p * t * exp(-a2)
        return copySign(near.replacing(with: far, where: a .>= 0.5), x)
    }

    // MARK: Buffer kernels

    static func exp(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, _ count: Int) {
        map(source, destination, count, Exp())
    }

    static func sigmoid(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, _ count: Int) {
        map(source, destination, count, Sigmoid())
    }

    static func tanh(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, _ count: Int) {
        map(source, destination, count, Tanh())
    }

    static func erf(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, _ count: Int) {
        map(source, destination, count, Erf())
    }

    static func gelu(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, _ count: Int) {
        map(source, destination, count, Gelu())
    }

    static func geluTanh(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>,
                         _ count: Int) {
        map(source, destination, count, GeluTanh())
    }
}

/// A function of eight floats at a time, for `ActivationMath.map`.
protocol ActivationVectorFunction {
    func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float>
}

extension ActivationMath {
    struct Exp: ActivationVectorFunction {
        @inline(__always) func callAsFunction(_ x: Vector) -> Vector { ActivationMath.exp(x) }
    }

    struct Sigmoid: ActivationVectorFunction {
        @inline(__always) func callAsFunction(_ x: Vector) -> Vector { ActivationMath.sigmoid(x) }
    }

    struct Tanh: ActivationVectorFunction {
        @inline(__always) func callAsFunction(_ x: Vector) -> Vector { ActivationMath.tanh(x) }
    }

    struct Erf: ActivationVectorFunction {
        @inline(__always) func callAsFunction(_ x: Vector) -> Vector { ActivationMath.erf(x) }
    }

    /// GELU, exact form: x/2 · (1 + erf(x/√2)).
    struct Gelu: ActivationVectorFunction {
        @inline(__always) func callAsFunction(_ x: Vector) -> Vector {
            x * 0.5 * (1 + ActivationMath.erf(x * 0.707_106_781))
        }
    }

    /// GELU, tanh form: x/2 · (1 + tanh(√(2/π)·(x + 0.044715x³))).
    struct GeluTanh: ActivationVectorFunction {
        @inline(__always) func callAsFunction(_ x: Vector) -> Vector {
            x * 0.5 * (1 + ActivationMath.tanh((x + x * x * x * 0.044_715) * 0.797_884_56))
        }
    }

    /// min(upper, max(lower, x)): when lower > upper every element becomes upper, as ONNX's Clip says.
    struct Clamp: ActivationVectorFunction {
        let lower: Float
        let upper: Float
        @inline(__always) func callAsFunction(_ x: Vector) -> Vector {
            let raised = x.replacing(with: lower, where: x .< lower)
            return raised.replacing(with: upper, where: raised .> upper)
        }
    }

    struct Relu: ActivationVectorFunction {
        @inline(__always) func callAsFunction(_ x: Vector) -> Vector { x.replacing(with: 0, where: x .< 0) }
    }

    struct LeakyRelu: ActivationVectorFunction {
        let alpha: Float
        @inline(__always) func callAsFunction(_ x: Vector) -> Vector {
            x.replacing(with: x * alpha, where: x .< 0)
        }
    }

    /// max(0, min(1, alpha·x + beta)).
    struct HardSigmoid: ActivationVectorFunction {
        let alpha: Float
        let beta: Float
        @inline(__always) func callAsFunction(_ x: Vector) -> Vector {
            Clamp(lower: 0, upper: 1)(x * alpha + beta)
        }
    }

    /// x · max(0, min(1, x/6 + 1/2)).
    struct HardSwish: ActivationVectorFunction {
        @inline(__always) func callAsFunction(_ x: Vector) -> Vector {
            x * Clamp(lower: 0, upper: 1)(x * (1.0 / 6.0) + 0.5)
        }
    }
}
