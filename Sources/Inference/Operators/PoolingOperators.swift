/// MaxPool, AveragePool (1-D and 2-D; pads, auto_pad, strides, dilations for MaxPool, ceil_mode,
/// count_include_pad) and the global pools over every spatial axis. Planes run in parallel.
enum PoolingOperators {
    static let factories: [String: OperatorFactory] = [
        "MaxPool": { spec in try WindowPool(spec, kind: .max) },
        "AveragePool": { spec in try WindowPool(spec, kind: .average) },
        "GlobalAveragePool": { _ in GlobalPool(kind: .average) },
        "GlobalMaxPool": { _ in GlobalPool(kind: .max) },
    ]
}

enum PoolKind: Sendable { case max, average }

struct WindowPool: Operator {
    let kind: PoolKind
    let geometry: WindowGeometry
    let countIncludePad: Bool

    init(_ spec: OperatorSpec, kind: PoolKind) throws {
        self.kind = kind
        let node = spec.node
        guard let kernel = try node.ints("kernel_shape") else { throw OpError("kernel_shape is missing") }
        geometry = try WindowGeometry(node: node, spatialRank: kernel.count, kernelShape: nil)
        countIncludePad = try node.int("count_include_pad", default: 0) != 0
        if kind == .max && node.outputs.count > 1 && !node.outputs[1].isEmpty {
            throw OpError("the Indices output of MaxPool is not supported")
        }
        if kind == .average && geometry.dilation != (1, 1) {
            throw OpError("AveragePool with dilations is not supported")
        }
    }

    func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0, "X")
        try x.expect(.float32, "X")
        let spatial = geometry.kernel.h == 1 && x.rank == 3 ? 1 : 2
        guard x.rank == spatial + 2 else { throw OpError("X has shape \(x.shape) for a \(spatial)-D window") }
        let height = spatial == 1 ? 1 : x.shape[2], width = x.shape[x.rank - 1]
        let p = try geometry.place(height: height, width: width)
        let planes = x.shape[0] * x.shape[1]
        let outputShape = Array(x.shape.prefix(2)) + (spatial == 1 ? [p.outputW] : [p.outputH, p.outputW])
        let y = context.allocate(.float32, outputShape)
        let source = UnsafePointer(x.floats), target = y.floats
        let (kh, kw) = geometry.kernel, (sh, sw) = geometry.stride, (dh, dw) = geometry.dilation
        let kind = self.kind, includePad = countIncludePad
        context.parallelFor(planes) { plane in
            let input = source + plane * height * width
            let output = target + plane * p.outputH * p.outputW
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
                            let value = input[iy * width + ix]
                            best = Swift.max(best, value)
                            sum += value
                            cells += 1
                        }
                    }
                    switch kind {
                    case .max:
                        output[oy * p.outputW + ox] = best
                    case .average:
                        var divisor = cells
                        if includePad {
                            // Padding counts, but not the overhang a ceil_mode window has past the pads.
                            let hEnd = Swift.min(y0 + kh, height + p.padBottom), wEnd = Swift.min(x0 + kw, width + p.padRight)
                            divisor = (hEnd - y0) * (wEnd - x0)
                        }
                        output[oy * p.outputW + ox] = divisor > 0 ? sum / Float(divisor) : 0
                    }
                }
            }
        }
        return [y]
    }
}

struct GlobalPool: Operator {
    let kind: PoolKind

    func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0, "X")
        try x.expect(.float32, "X")
        guard x.rank >= 3 else { throw OpError("X should be N×C×spatial, got shape \(x.shape)") }
        let planes = x.shape[0] * x.shape[1], size = x.count / max(planes, 1)
        let y = context.allocate(.float32, Array(x.shape.prefix(2)) + [Int](repeating: 1, count: x.rank - 2))
        let source = UnsafePointer(x.floats), target = y.floats, kind = self.kind
        context.parallelFor(planes) { plane in
            let input = source + plane * size
            switch kind {
            case .max:
                var best = -Float.infinity
                for i in 0..<size { best = Swift.max(best, input[i]) }
                target[plane] = best
            case .average:
                var sum: Float = 0
                for i in 0..<size { sum += input[i] }
                target[plane] = size > 0 ? sum / Float(size) : 0
            }
        }
        return [y]
    }
}
