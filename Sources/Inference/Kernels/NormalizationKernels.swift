import Foundation

/// Row kernels of Softmax, LogSoftmax and the normalisations: vector sums and maxima, with the exponentials from
/// `ActivationMath`.
enum NormalizationKernels {
    typealias Vector = ActivationMath.Vector

    static func sum(_ x: UnsafePointer<Float>, _ count: Int) -> Float {
        var first = Vector(repeating: 0), second = Vector(repeating: 0)
        var i = 0
        while i + 16 <= count {
            first += ActivationMath.load(x + i)
            second += ActivationMath.load(x + i + 8)
            i += 16
        }
        var total = (first + second).sum()
        while i < count {
            total += x[i]
            i += 1
        }
        return total
    }

    /// Σ (x - mean)², the two-pass variance's second pass.
    static func squaredDeviations(_ x: UnsafePointer<Float>, _ count: Int, mean: Float) -> Float {
        var accumulator = Vector(repeating: 0)
        var i = 0
        while i + 8 <= count {
            let d = ActivationMath.load(x + i) - mean
            accumulator += d * d
            i += 8
        }
        var total = accumulator.sum()
        while i < count {
            let d = x[i] - mean
            total += d * d
            i += 1
        }
        return total
    }

    static func maximum(_ x: UnsafePointer<Float>, _ count: Int) -> Float {
        var i = 0
        var result = -Float.infinity
        if count >= 8 {
            var accumulator = ActivationMath.load(x)
            i = 8
            while i + 8 <= count {
                let v = ActivationMath.load(x + i)
                accumulator = accumulator.replacing(with: v, where: v .> accumulator)
                i += 8
            }
            result = accumulator.max()
        }
        while i < count {
            if x[i] > result { result = x[i] }
            i += 1
        }
        return result
    }

    /// y = x·scale + shift over one row.
    @inline(__always)
    static func scaleShift(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int,
                           scale: Float, shift: Float) {
        for i in 0..<count { y[i] = x[i] * scale + shift }
    }

    /// Softmax (or LogSoftmax) of one contiguous row, the maximum subtracted first so that exp cannot overflow.
    static func softmaxRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int, log: Bool) {
        let top = maximum(x, count)
        var accumulator = Vector(repeating: 0)
        var i = 0
        while i + 8 <= count {
            let e = ActivationMath.exp(ActivationMath.load(x + i) - top)
            if !log { ActivationMath.store(e, y + i) }
            accumulator += e
            i += 8
        }
        var total = accumulator.sum()
        if i < count {
            var tail = Vector(repeating: 0)
            for lane in 0..<(count - i) { tail[lane] = x[i + lane] }
            let e = ActivationMath.exp(tail - top)
            for lane in 0..<(count - i) {
                if !log { y[i + lane] = e[lane] }
                total += e[lane]
            }
        }
        if log {
            let offset = top + Foundation.log(total)
            for i in 0..<count { y[i] = x[i] - offset }
        } else {
            let inverse = 1 / total
            for i in 0..<count { y[i] *= inverse }
        }
    }

    /// Softmax (or LogSoftmax) along the middle axis of a [axis, inner] block: the same steps as `softmaxRow`,
    /// done for `inner` columns at once so that every loop runs over contiguous memory.
    /// `scratch` holds 3·inner floats.
    static func softmaxColumns(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, axis: Int, inner: Int,
                               log: Bool, scratch: UnsafeMutablePointer<Float>) {
        let top = scratch, total = scratch + inner, exponentials = scratch + 2 * inner
        top.update(from: x, count: inner)
        for a in 1..<Swift.max(axis, 1) {
            let row = x + a * inner
            for i in 0..<inner where row[i] > top[i] { top[i] = row[i] }
        }
        total.update(repeating: 0, count: inner)
        for a in 0..<axis {
            let source = x + a * inner, target = y + a * inner
            for i in 0..<inner { target[i] = source[i] - top[i] }
            if log {
                ActivationMath.exp(target, exponentials, inner)
                for i in 0..<inner { total[i] += exponentials[i] }
            } else {
                ActivationMath.exp(target, target, inner)
                for i in 0..<inner { total[i] += target[i] }
            }
        }
        if log {
            for i in 0..<inner { total[i] = Foundation.log(total[i]) }
            for a in 0..<axis {
                let target = y + a * inner
                for i in 0..<inner { target[i] -= total[i] }
            }
        } else {
            for i in 0..<inner { total[i] = 1 / total[i] }
            for a in 0..<axis {
                let target = y + a * inner
                for i in 0..<inner { target[i] *= total[i] }
            }
        }
    }

    /// (x - mean) / √(variance + epsilon) over one row, then ·scale + bias element by element (LayerNorm).
    /// Returns the mean and the inverse standard deviation.
    @discardableResult
    static func layerNormRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int,
                             epsilon: Float, scale: UnsafePointer<Float>,
                             bias: UnsafePointer<Float>?) -> (mean: Float, inverseDeviation: Float) {
        let mean = sum(x, count) / Float(count)
        let variance = squaredDeviations(x, count, mean: mean) / Float(count)
        let inverse = 1 / (variance + epsilon).squareRoot()
        if let bias {
            for i in 0..<count { y[i] = (x[i] - mean) * inverse * scale[i] + bias[i] }
        } else {
            for i in 0..<count { y[i] = (x[i] - mean) * inverse * scale[i] }
        }
        return (mean, inverse)
    }
}
