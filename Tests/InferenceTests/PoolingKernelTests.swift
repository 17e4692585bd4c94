import Testing
@testable import Inference

/// The vectorised pooling and depthwise kernels against scalar references that check bounds per tap, over
/// many shapes: planes narrower than a vector, odd sizes, strides 1–3, asymmetric pads, ceil_mode,
/// count_include_pad, dilations, auto_pad, 1-D windows, and both pooling strategies.
@Suite struct PoolingKernelTests {
    struct PoolCase: Sendable, CustomStringConvertible {
        var height = 9, width = 11, kernel = (3, 3), stride = (1, 1), dilation = (1, 1)
        var pads = [0, 0, 0, 0], autoPad = "NOTSET", ceil = false, includePad = false
        var description: String {
            "\(height)×\(width) k\(kernel) s\(stride) d\(dilation) p\(pads) \(autoPad) ceil \(ceil)"
                + " includePad \(includePad)"
        }

        func node(_ opType: String) -> Node {
            var attributes: [String: Attribute] = [
                "kernel_shape": .ints([kernel.0, kernel.1]), "strides": .ints([stride.0, stride.1]),
                "ceil_mode": .int(ceil ? 1 : 0), "count_include_pad": .int(includePad ? 1 : 0),
            ]
            if dilation != (1, 1) { attributes["dilations"] = .ints([dilation.0, dilation.1]) }
            if autoPad == "NOTSET" {
                attributes["pads"] = .ints(pads)
            } else {
                attributes["auto_pad"] = .string(autoPad)
            }
            return Node(name: "pool", opType: opType, inputs: ["x"], outputs: ["y"], attributes: attributes)
        }
    }

    static let poolCases: [PoolCase] = {
        var cases: [PoolCase] = []
        // The common windows over sizes around the vector width.
        for (height, width) in [(1, 1), (2, 3), (5, 7), (8, 8), (9, 9), (7, 16), (12, 17), (17, 33), (6, 40)] {
            cases.append(PoolCase(height: height, width: width, kernel: (1, 1)))
            if height >= 2 && width >= 2 {
                cases.append(PoolCase(height: height, width: width, kernel: (2, 2), stride: (2, 2)))
            }
            cases.append(PoolCase(height: height, width: width, stride: (2, 2), pads: [1, 1, 1, 1]))
            cases.append(PoolCase(height: height, width: width, pads: [1, 1, 1, 1]))
            cases.append(PoolCase(height: height, width: width, pads: [1, 1, 1, 1], includePad: true))
            cases.append(PoolCase(height: height, width: width, stride: (2, 2), pads: [1, 1, 1, 1], ceil: true))
            cases.append(PoolCase(height: height, width: width, stride: (2, 2), pads: [1, 1, 1, 1], ceil: true,
                                  includePad: true))
        }
        cases += [
            PoolCase(height: 7, width: 7, kernel: (7, 7)),
            PoolCase(height: 7, width: 7, kernel: (7, 7), pads: [1, 2, 0, 1], includePad: true),
            PoolCase(height: 14, width: 14, kernel: (7, 7), stride: (7, 7)),
            PoolCase(height: 10, width: 30, kernel: (3, 9), stride: (2, 8), pads: [1, 2, 1, 3]),
            PoolCase(height: 10, width: 30, kernel: (3, 9), stride: (2, 8), pads: [1, 2, 1, 3], includePad: true),
            PoolCase(height: 9, width: 13, kernel: (2, 3), stride: (1, 3), pads: [0, 2, 1, 0]),
            PoolCase(height: 9, width: 13, kernel: (3, 2), stride: (3, 1), pads: [2, 0, 0, 1], ceil: true),
            PoolCase(height: 11, width: 19, kernel: (5, 5), stride: (3, 3), pads: [2, 2, 2, 2], ceil: true,
                     includePad: true),
            PoolCase(height: 8, width: 21, kernel: (4, 4), stride: (3, 3), pads: [3, 3, 3, 3]),
            PoolCase(height: 8, width: 21, stride: (2, 2), autoPad: "SAME_UPPER"),
            PoolCase(height: 8, width: 21, stride: (2, 2), autoPad: "SAME_LOWER", includePad: true),
            PoolCase(height: 8, width: 21, kernel: (2, 4), stride: (2, 3), autoPad: "VALID"),
            PoolCase(height: 10, width: 12, kernel: (3, 3), stride: (2, 2), pads: [1, 1, 1, 1], ceil: true),
            PoolCase(height: 112, width: 112, stride: (2, 2), pads: [1, 1, 1, 1]),
        ]
        return cases
    }()

    /// MaxPool-only cases: dilations (AveragePool refuses them).
    static let dilatedCases: [PoolCase] = [
        PoolCase(height: 9, width: 20, dilation: (2, 2), pads: [2, 2, 2, 2]),
        PoolCase(height: 9, width: 20, stride: (2, 3), dilation: (1, 2), pads: [1, 0, 1, 2], ceil: true),
        PoolCase(height: 6, width: 5, kernel: (2, 2), dilation: (2, 3)),
        PoolCase(height: 9, width: 20, kernel: (3, 9), dilation: (2, 1), pads: [2, 1, 2, 1]),
    ]

    @Test(arguments: poolCases + dilatedCases)
    func maxPoolMatchesTheScalarLoopExactly(_ c: PoolCase) throws {
        try checkPool(c, kind: .max)
    }

    @Test(arguments: poolCases)
    func averagePoolMatchesTheScalarLoop(_ c: PoolCase) throws {
        try checkPool(c, kind: .average)
    }

    /// Runs the operator (1 and 2 threads) and both strategies directly, against `referencePool`.
    private func checkPool(_ c: PoolCase, kind: PoolKind) throws {
        let node = c.node(kind == .max ? "MaxPool" : "AveragePool")
        let geometry = try WindowGeometry(node: node, spatialRank: 2, kernelShape: nil)
        let placement = try geometry.place(height: c.height, width: c.width)
        let planes = 3
        let x = kernelTestValues(planes * c.height * c.width, seed: 11)
        let expected = referencePool(x, planes: planes, height: c.height, width: c.width, kind: kind,
                                     geometry: geometry, placement: placement, includePad: c.includePad)
        let chosen = PoolingWindow(kind: kind, geometry: geometry, placement: placement, height: c.height,
                                   width: c.width, countIncludePad: c.includePad).strategy
        for threads in [1, 2] {
            let y = try runNode(node.opType, inputs: [("x", Tensor(floats: x, shape: [1, planes, c.height, c.width]))],
                                attributes: node.attributes, threads: threads)[0]
            #expect(y.shape == [1, planes, placement.outputH, placement.outputW], "\(c)")
            expectPoolResult(y.floatArray, expected, kind: kind, strategy: chosen, "\(c) operator")
        }
        // Spans need contiguous window rows (no column dilation).
        let strategies: [PoolingWindow.Strategy] = geometry.dilation.w == 1 ? [.columns, .spans] : [.columns]
        for strategy in strategies {
            let window = PoolingWindow(kind: kind, geometry: geometry, placement: placement, height: c.height,
                                       width: c.width, countIncludePad: c.includePad, strategy: strategy)
            let actual = runWindow(window, x, planes: planes)
            expectPoolResult(actual, expected, kind: kind, strategy: strategy, "\(c) \(strategy)")
        }
    }

    /// Maxima and column-strategy averages combine the same values in the same order as the scalar loop.
    private func expectPoolResult(_ actual: [Float], _ expected: [Float], kind: PoolKind,
                                  strategy: PoolingWindow.Strategy, _ comment: String) {
        if kind == .max || strategy == .columns {
            #expect(actual == expected, "\(comment)")
        } else {
            expectClose(actual, expected, atol: 1e-6, rtol: 1e-5, comment)
        }
    }

    /// `window` over each plane, with guard values after the output that must survive.
    private func runWindow(_ window: PoolingWindow, _ x: [Float], planes: Int) -> [Float] {
        let outputPlane = window.placement.outputH * window.placement.outputW, guardCount = 16
        var output = [Float](repeating: 12345, count: planes * outputPlane + guardCount)
        var scratch = [Float](repeating: .nan, count: max(1, window.scratchSize))
        var divisors = [Float](repeating: .nan, count: max(1, window.divisorCount))
        divisors.withUnsafeMutableBufferPointer { window.divisors(into: $0.baseAddress!) }
        x.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                for plane in 0..<planes {
                    window.plane(input.baseAddress! + plane * window.height * window.width,
                                 out.baseAddress! + plane * outputPlane, scratch: &scratch, divisors: divisors)
                }
            }
        }
        #expect(output.suffix(guardCount).allSatisfy { $0 == 12345 }, "wrote past the output")
        return Array(output.prefix(planes * outputPlane))
    }

    @Test func maxPoolIgnoresNaNAndKeepsInfinitiesLikeSwiftMax() throws {
        var x = kernelTestValues(2 * 10 * 12, seed: 5)
        for i in stride(from: 0, to: x.count, by: 7) { x[i] = .nan }
        x[3] = .infinity
        x[50] = -.infinity
        for c in [PoolCase(height: 10, width: 12, stride: (2, 2), pads: [1, 1, 1, 1]),
                  PoolCase(height: 10, width: 12, kernel: (10, 12))] {
            let node = c.node("MaxPool")
            let geometry = try WindowGeometry(node: node, spatialRank: 2, kernelShape: nil)
            let placement = try geometry.place(height: 10, width: 12)
            let y = try runNode("MaxPool", inputs: [("x", Tensor(floats: x, shape: [1, 2, 10, 12]))],
                                attributes: node.attributes)[0]
            let expected = referencePool(x, planes: 2, height: 10, width: 12, kind: .max, geometry: geometry,
                                         placement: placement, includePad: false)
            #expect(y.floatArray.map(\.bitPattern) == expected.map(\.bitPattern), "\(c)")
        }
    }

    @Test func oneDimensionalPoolsMatchTheirTwoDimensionalForm() throws {
        let x = kernelTestValues(2 * 3 * 29, seed: 6)
        for op in ["MaxPool", "AveragePool"] {
            let oneD = try runNode(op, inputs: [("x", Tensor(floats: x, shape: [2, 3, 29]))],
                                   attributes: ["kernel_shape": .ints([4]), "strides": .ints([3]),
                                                "pads": .ints([2, 1]), "ceil_mode": .int(1)])[0]
            let twoD = try runNode(op, inputs: [("x", Tensor(floats: x, shape: [2, 3, 1, 29]))],
                                   attributes: ["kernel_shape": .ints([1, 4]), "strides": .ints([1, 3]),
                                                "pads": .ints([0, 2, 0, 1]), "ceil_mode": .int(1)])[0]
            #expect(oneD.shape == [2, 3, 11])
            #expect(oneD.floatArray == twoD.floatArray, "\(op)")
        }
    }

    @Test(arguments: [1, 5, 8, 15, 16, 17, 49, 196, 1000])
    func globalPoolsMatchTheScalarLoop(_ size: Int) throws {
        let x = kernelTestValues(3 * size, seed: UInt64(size))
        let average = try runNode("GlobalAveragePool", inputs: [("x", Tensor(floats: x, shape: [1, 3, size, 1]))])[0]
        let maximum = try runNode("GlobalMaxPool", inputs: [("x", Tensor(floats: x, shape: [1, 3, size, 1]))])[0]
        let planes = (0..<3).map { Array(x[($0 * size)..<(($0 + 1) * size)]) }
        expectClose(average.floatArray, planes.map { $0.reduce(0, +) / Float(size) }, atol: 1e-6, rtol: 1e-5)
        #expect(maximum.floatArray == planes.map { $0.reduce(-.infinity, Swift.max) })
    }

    // MARK: Depthwise convolution

    struct DepthwiseCase: Sendable, CustomStringConvertible {
        var height = 9, width = 11, kernel = (3, 3), stride = (1, 1), dilation = (1, 1), pads = [1, 1, 1, 1]
        var description: String { "\(height)×\(width) k\(kernel) s\(stride) d\(dilation) p\(pads)" }
    }

    static let depthwiseCases: [DepthwiseCase] = {
        var cases: [DepthwiseCase] = []
        for (height, width) in [(1, 1), (3, 4), (7, 7), (8, 8), (9, 9), (14, 14), (5, 16), (6, 17), (11, 35)] {
            cases.append(DepthwiseCase(height: height, width: width))
            cases.append(DepthwiseCase(height: height, width: width, stride: (2, 2)))
            cases.append(DepthwiseCase(height: height, width: width, pads: [0, 1, 2, 0]))
        }
        cases += [
            DepthwiseCase(height: 12, width: 13, stride: (2, 2), pads: [0, 0, 1, 1]),
            DepthwiseCase(height: 12, width: 13, stride: (3, 3), pads: [1, 2, 1, 2]),
            DepthwiseCase(height: 12, width: 20, stride: (1, 2), dilation: (2, 2), pads: [2, 2, 2, 2]),
            DepthwiseCase(height: 12, width: 20, kernel: (5, 5), pads: [2, 2, 2, 2]),
            DepthwiseCase(height: 12, width: 40, kernel: (5, 5), stride: (2, 2), pads: [2, 2, 2, 2]),
            DepthwiseCase(height: 9, width: 37, kernel: (1, 1), pads: [0, 0, 0, 0]),
            DepthwiseCase(height: 9, width: 37, kernel: (3, 5), stride: (2, 3), dilation: (1, 2), pads: [1, 4, 0, 3]),
            DepthwiseCase(height: 4, width: 6, kernel: (7, 7), pads: [3, 3, 3, 3]),
        ]
        return cases
    }()

    @Test(arguments: depthwiseCases)
    func depthwisePlanesMatchTheDirectSumWithEveryEpilogue(_ c: DepthwiseCase) throws {
        let geometry = try WindowGeometry(
            node: Node(name: "conv", opType: "Conv", inputs: [], outputs: [],
                       attributes: ["strides": .ints([c.stride.0, c.stride.1]),
                                    "dilations": .ints([c.dilation.0, c.dilation.1]), "pads": .ints(c.pads)]),
            spatialRank: 2, kernelShape: [c.kernel.0, c.kernel.1])
        // Small planes with some pads leave no room for the window: nothing to check there.
        guard let placement = try? geometry.place(height: c.height, width: c.width) else { return }
        let x = kernelTestValues(c.height * c.width, seed: 21)
        let weights = kernelTestValues(c.kernel.0 * c.kernel.1, seed: 22)
        let count = placement.outputH * placement.outputW
        let residual = kernelTestValues(count, seed: 23)
        let epilogues: [(Activation?, Bool)] = [(nil, false), (.relu, false), (.clip(min: -0.5, max: 0.25), false),
                                                 (.sigmoid, false), (nil, true), (.clip(min: 0, max: 6), true)]
        for (activation, withResidual) in epilogues {
            let bias: Float = activation == nil && !withResidual ? 0 : 0.375
            var expected = referenceDepthwise(x, c, weights, geometry: geometry, placement: placement)
            for i in expected.indices { expected[i] += bias + (withResidual ? residual[i] : 0) }
            activation?.apply(&expected, count: count)
            let guardCount = 16
            var output = [Float](repeating: 12345, count: count + guardCount)
            var scratch = [Float](repeating: .nan, count: DepthwiseConvolution.scratchSize(
                height: c.height, width: c.width, geometry: geometry, placement: placement))
            residual.withUnsafeBufferPointer { residualValues in
                DepthwiseConvolution.plane(input: x, height: c.height, width: c.width, weights: weights,
                                           geometry: geometry, placement: placement, output: &output,
                                           scratch: &scratch, epilogue: Epilogue(activation: activation), bias: bias,
                                           residual: withResidual ? residualValues.baseAddress : nil)
            }
            let comment = "\(c) \(String(describing: activation)) residual \(withResidual)"
            expectClose(Array(output.prefix(count)), expected, atol: 1e-5, rtol: 1e-5, comment)
            #expect(output.suffix(guardCount).allSatisfy { $0 == 12345 }, "wrote past the output: \(comment)")
        }
    }

    @Test(arguments: [(1, 0, 0), (1, 2, 1), (2, 0, 0), (2, 1, 3), (3, 2, 0), (3, 1, 1)])
    func paddedPhasePlanesHoldTheInputAndPaddingEverywhereElse(_ setup: (Int, Int, Int)) throws {
        let (stride, top, left) = setup
        for (height, width) in [(1, 1), (3, 5), (4, 8), (5, 15), (6, 16), (3, 33), (4, 0), (0, 4)] {
            var geometry = try WindowGeometry(
                node: Node(name: "pool", opType: "MaxPool", inputs: [], outputs: [],
                           attributes: ["kernel_shape": .ints([3, 3]), "strides": .ints([stride, stride]),
                                        "pads": .ints([top, left, 1, 2])]),
                spatialRank: 2, kernelShape: nil)
            geometry.ceilMode = true
            guard let placement = try? geometry.place(height: height, width: width) else { continue }
            let layout = PaddedPhasePlane(height: height, width: width, geometry: geometry, placement: placement)
            let x = kernelTestValues(height * width, seed: 31)
            var scratch = [Float](repeating: .nan, count: layout.floatCount + 16)
            scratch.withUnsafeMutableBufferPointer {
                layout.fill($0.baseAddress!, from: x, height: height, width: width, padding: -.infinity)
            }
            for row in 0..<layout.rows {
                for phase in 0..<layout.phases {
                    for index in 0..<layout.phaseWidth {
                        let y = row - top, column = phase + index * stride - left
                        let expected = y >= 0 && y < height && column >= 0 && column < width
                            ? x[y * width + column] : -.infinity
                        let actual = scratch[row * layout.rowStride + phase * layout.phaseWidth + index]
                        #expect(actual == expected,
                                "\(height)×\(width) stride \(stride) at row \(row) phase \(phase) index \(index)")
                    }
                }
            }
            #expect(scratch[(layout.floatCount - 8)..<layout.floatCount].allSatisfy { $0 == -.infinity })
            #expect(scratch.suffix(16).allSatisfy { $0.isNaN }, "wrote past the plane")
        }
    }
}

/// Deterministic values in [-1, 1).
private func kernelTestValues(_ count: Int, seed: UInt64) -> [Float] {
    var state = seed &* 6364136223846793005 &+ 1442695040888963407
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(state >> 40) / Float(1 << 23) - 1
    }
}

/// The scalar pooling loop the kernels must reproduce: each window's cells inside the input, in row order;
/// Swift.max for maxima; for averages, the cells counted, or with count_include_pad the window clipped to
/// the padded input.
private func referencePool(_ x: [Float], planes: Int, height: Int, width: Int, kind: PoolKind,
                           geometry: WindowGeometry, placement p: WindowGeometry.Placement,
                           includePad: Bool) -> [Float] {
    let (kh, kw) = geometry.kernel, (sh, sw) = geometry.stride, (dh, dw) = geometry.dilation
    var output: [Float] = []
    for plane in 0..<planes {
        for oy in 0..<p.outputH {
            let y0 = oy * sh - p.padTop
            for ox in 0..<p.outputW {
                let x0 = ox * sw - p.padLeft
                var best = -Float.infinity, sum: Float = 0, cells = 0
                for ky in 0..<kh {
                    let iy = y0 + ky * dh
                    guard iy >= 0 && iy < height else { continue }
                    for kx in 0..<kw {
                        let ix = x0 + kx * dw
                        guard ix >= 0 && ix < width else { continue }
                        let value = x[(plane * height + iy) * width + ix]
                        best = Swift.max(best, value)
                        sum += value
                        cells += 1
                    }
                }
                if kind == .max {
                    output.append(best)
                } else {
                    var divisor = cells
                    if includePad {
                        divisor = (Swift.min(y0 + kh, height + p.padBottom) - y0)
                            * (Swift.min(x0 + kw, width + p.padRight) - x0)
                    }
                    output.append(divisor > 0 ? sum / Float(divisor) : 0)
                }
            }
        }
    }
    return output
}

/// One plane's convolution with one kernel, tap by tap with bounds checks (no bias).
private func referenceDepthwise(_ x: [Float], _ c: PoolingKernelTests.DepthwiseCase, _ weights: [Float],
                                geometry: WindowGeometry, placement p: WindowGeometry.Placement) -> [Float] {
    var output: [Float] = []
    for oy in 0..<p.outputH {
        for ox in 0..<p.outputW {
            var sum: Float = 0
            for ky in 0..<c.kernel.0 {
                for kx in 0..<c.kernel.1 {
                    let iy = oy * c.stride.0 - p.padTop + ky * c.dilation.0
                    let ix = ox * c.stride.1 - p.padLeft + kx * c.dilation.1
                    guard iy >= 0 && iy < c.height && ix >= 0 && ix < c.width else { continue }
                    sum += weights[ky * c.kernel.1 + kx] * x[iy * c.width + ix]
                }
            }
            output.append(sum)
        }
    }
    return output
}
