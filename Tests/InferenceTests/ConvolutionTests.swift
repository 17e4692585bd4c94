import Testing
@testable import Inference

/// Conv against a direct six-loop reference over many geometries, and the errors it reports.
@Suite struct ConvolutionTests {
    struct Case: Sendable, CustomStringConvertible {
        var batch = 2, channels = 4, height = 7, width = 6, outChannels = 6, kernel = (3, 3), group = 1
        var stride = (1, 1), dilation = (1, 1), pads = [1, 1, 1, 1], autoPad = "NOTSET", bias = true
        var description: String {
            "c\(channels)→\(outChannels) k\(kernel) g\(group) s\(stride) d\(dilation) p\(pads) \(autoPad) bias \(bias)"
        }
    }

    static let cases: [Case] = [
        Case(),
        Case(kernel: (1, 1), pads: [0, 0, 0, 0]),
        Case(kernel: (1, 1), stride: (2, 2), pads: [0, 0, 0, 0], bias: false),
        Case(group: 2),
        Case(outChannels: 4, group: 4),
        Case(outChannels: 8, group: 4, stride: (2, 2)),
        Case(height: 9, width: 9, outChannels: 4, group: 4, stride: (2, 2), pads: [0, 1, 1, 0]),
        Case(dilation: (2, 2), pads: [2, 2, 2, 2]),
        Case(stride: (2, 2), pads: [0, 1, 2, 0]),
        Case(height: 8, width: 5, stride: (2, 2), autoPad: "SAME_UPPER"),
        Case(height: 8, width: 5, stride: (2, 2), autoPad: "SAME_LOWER"),
        Case(height: 8, width: 5, outChannels: 4, kernel: (3, 3), group: 4, stride: (2, 2), autoPad: "SAME_UPPER"),
        Case(kernel: (2, 3), stride: (1, 2), pads: [0, 0, 0, 0], autoPad: "VALID"),
        Case(height: 5, width: 5, kernel: (5, 5), pads: [2, 2, 2, 2]),
        // Winograd F(2×2, 3×3): 3×3, stride 1, at least 16 channels each way; odd and even sizes, any pads.
        Case(batch: 3, channels: 16, height: 9, width: 11, outChannels: 16),
        Case(batch: 1, channels: 24, height: 8, width: 8, outChannels: 32, pads: [0, 0, 0, 0]),
        Case(batch: 2, channels: 17, height: 5, width: 21, outChannels: 19, pads: [1, 0, 2, 1]),
        Case(batch: 2, channels: 16, height: 7, width: 7, outChannels: 16, autoPad: "SAME_UPPER"),
        Case(batch: 2, channels: 16, height: 3, width: 3, outChannels: 16, bias: false),
        // 1×1 through the packed-weights kernel (128+ output pixels): whole 16-column blocks, a tail, and
        // output channels that do not fill the last six-row panel.
        Case(batch: 2, channels: 5, height: 12, width: 13, outChannels: 7, kernel: (1, 1), pads: [0, 0, 0, 0]),
        Case(batch: 1, channels: 24, height: 16, width: 16, outChannels: 12, kernel: (1, 1), pads: [0, 0, 0, 0]),
    ]

    @Test(arguments: cases)
    func matchesDirectConvolution(_ c: Case) throws {
        let x = Tensor(floats: pseudoRandom(c.batch * c.channels * c.height * c.width, seed: 1),
                       shape: [c.batch, c.channels, c.height, c.width])
        let w = Tensor(floats: pseudoRandom(c.outChannels * c.channels / c.group * c.kernel.0 * c.kernel.1, seed: 2),
                       shape: [c.outChannels, c.channels / c.group, c.kernel.0, c.kernel.1])
        let b = Tensor(floats: pseudoRandom(c.outChannels, seed: 3), shape: [c.outChannels])
        var attributes: [String: Attribute] = [
            "group": .int(c.group), "strides": .ints([c.stride.0, c.stride.1]),
            "dilations": .ints([c.dilation.0, c.dilation.1]), "kernel_shape": .ints([c.kernel.0, c.kernel.1]),
        ]
        if c.autoPad == "NOTSET" { attributes["pads"] = .ints(c.pads) } else { attributes["auto_pad"] = .string(c.autoPad) }
        for threads in [1, 2] {
            let y = try runNode("Conv", inputs: [("x", x)], constants: [("w", w)] + (c.bias ? [("b", b)] : []),
                                attributes: attributes, threads: threads)[0]
            let expected = referenceConvolution(x, w, c.bias ? b : nil, c)
            #expect(y.shape == expected.shape, "\(c)")
            expectClose(y.floatArray, expected.floats, atol: 1e-4, rtol: 1e-4, "\(c)")
        }
    }

    @Test func oneDimensionalConvolutionMatchesTheTwoDimensionalOne() throws {
        let x = Tensor(floats: pseudoRandom(2 * 3 * 10, seed: 4), shape: [2, 3, 10])
        let w = Tensor(floats: pseudoRandom(5 * 3 * 3, seed: 5), shape: [5, 3, 3])
        let y = try runNode("Conv", inputs: [("x", x)], constants: [("w", w)],
                            attributes: ["pads": .ints([1, 1]), "strides": .ints([2])])[0]
        let y2 = try runNode("Conv", inputs: [("x", x.reshaped([2, 3, 1, 10]))], constants: [("w", w.reshaped([5, 3, 1, 3]))],
                             attributes: ["pads": .ints([0, 1, 0, 1]), "strides": .ints([1, 2])])[0]
        #expect(y.shape == [2, 5, 5])
        expectClose(y.floatArray, y2.floatArray)
    }

    @Test func weightsGivenAtRunTimeWork() throws {
        let x = Tensor(floats: [1, 2, 3, 4], shape: [1, 1, 2, 2])
        let w = Tensor(floats: [1, 1, 1, 1], shape: [1, 1, 2, 2])
        let y = try runNode("Conv", inputs: [("x", x), ("w", w)])[0]
        #expect(y.shape == [1, 1, 1, 1])
        #expect(y.floatArray == [10])
    }

    @Test func channelMismatchIsReportedWithShapes() throws {
        let x = Tensor(zeros: .float32, shape: [1, 3, 4, 4])
        let w = Tensor(zeros: .float32, shape: [2, 2, 3, 3])
        #expect {
            _ = try runNode("Conv", inputs: [("x", x)], constants: [("w", w)])
        } throws: { error in
            "\(error)".contains("3 channels") && "\(error)".contains("Conv node 'node'")
        }
    }

    @Test func outputChannelsThatDoNotSplitIntoGroupsAreRefusedAtLoad() throws {
        let x = Tensor(zeros: .float32, shape: [1, 4, 4, 4])
        let w = Tensor(zeros: .float32, shape: [3, 2, 3, 3])
        #expect {
            _ = try runNode("Conv", inputs: [("x", x)], constants: [("w", w)], attributes: ["group": .int(2)])
        } throws: { error in
            "\(error)".contains("do not divide into 2 groups")
        }
    }
}

/// Deterministic values in [-1, 1) (a linear congruential generator; the tests need no real randomness).
func pseudoRandom(_ count: Int, seed: UInt64) -> [Float] {
    var state = seed &* 6364136223846793005 &+ 1442695040888963407
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(state >> 40) / Float(1 << 23) - 1
    }
}

/// The textbook convolution, written for clarity rather than speed.
private func referenceConvolution(_ x: Tensor, _ w: Tensor, _ b: Tensor?, _ c: ConvolutionTests.Case)
    -> (shape: [Int], floats: [Float]) {
    let (kh, kw) = c.kernel, (sh, sw) = c.stride, (dh, dw) = c.dilation
    var (top, left, bottom, right) = (c.pads[0], c.pads[1], c.pads[2], c.pads[3])
    var oh = (c.height + top + bottom - dh * (kh - 1) - 1) / sh + 1
    var ow = (c.width + left + right - dw * (kw - 1) - 1) / sw + 1
    if c.autoPad == "VALID" {
        (top, left, bottom, right) = (0, 0, 0, 0)
        oh = (c.height - dh * (kh - 1) - 1) / sh + 1
        ow = (c.width - dw * (kw - 1) - 1) / sw + 1
    } else if c.autoPad != "NOTSET" {
        oh = (c.height + sh - 1) / sh
        ow = (c.width + sw - 1) / sw
        let totalH = max(0, (oh - 1) * sh + dh * (kh - 1) + 1 - c.height)
        let totalW = max(0, (ow - 1) * sw + dw * (kw - 1) + 1 - c.width)
        top = c.autoPad == "SAME_UPPER" ? totalH / 2 : totalH - totalH / 2
        left = c.autoPad == "SAME_UPPER" ? totalW / 2 : totalW - totalW / 2
    }
    let xs = x.floatArray, ws = w.floatArray, bs = b?.floatArray
    let inPerGroup = c.channels / c.group, outPerGroup = c.outChannels / c.group
    var out = [Float](repeating: 0, count: c.batch * c.outChannels * oh * ow)
    for n in 0..<c.batch {
        for o in 0..<c.outChannels {
            let g = o / outPerGroup
            for oy in 0..<oh {
                for ox in 0..<ow {
                    var sum: Float = bs?[o] ?? 0
                    for ci in 0..<inPerGroup {
                        for ky in 0..<kh {
                            for kx in 0..<kw {
                                let iy = oy * sh - top + ky * dh, ix = ox * sw - left + kx * dw
                                guard iy >= 0, iy < c.height, ix >= 0, ix < c.width else { continue }
                                let channel = g * inPerGroup + ci
                                sum += xs[((n * c.channels + channel) * c.height + iy) * c.width + ix]
                                    * ws[((o * inPerGroup + ci) * kh + ky) * kw + kx]
                            }
                        }
                    }
                    out[((n * c.outChannels + o) * oh + oy) * ow + ox] = sum
                }
            }
        }
    }
    return ([c.batch, c.outChannels, oh, ow], out)
}
