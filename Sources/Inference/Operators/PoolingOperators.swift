/// MaxPool, AveragePool (1-D and 2-D; pads, auto_pad, strides, dilations for MaxPool, ceil_mode,
/// count_include_pad) and the global pools over every spatial axis. Planes run in parallel; the window
/// kernels are in `PoolingWindow`.
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
        let placement = try geometry.place(height: height, width: width)
        let planes = x.shape[0] * x.shape[1]
        let outputShape = Array(x.shape.prefix(2))
            + (spatial == 1 ? [placement.outputW] : [placement.outputH, placement.outputW])
        let y = context.allocate(.float32, outputShape)
        let window = PoolingWindow(kind: kind, geometry: geometry, placement: placement, height: height,
                                   width: width, countIncludePad: countIncludePad)
        // The divisors every plane shares, then one padded plane per worker.
        let shared = window.divisorCount, perWorker = window.scratchSize
        let scratchTensor = context.scratchFloats(max(1, shared + perWorker * context.workerCount(planes)))
        let scratch = scratchTensor.floats
        window.divisors(into: scratch)
        let source = UnsafePointer(x.floats), target = y.floats
        let inputPlane = height * width, outputPlane = placement.outputH * placement.outputW
        withExtendedLifetime(scratchTensor) {
            context.parallelWorkers(planes) { worker, range in
                for plane in range {
                    window.plane(source + plane * inputPlane, target + plane * outputPlane,
                                 scratch: scratch + shared + worker * perWorker, divisors: UnsafePointer(scratch))
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
                target[plane] = Maximum.reduce(input, count: size, into: Maximum.identity)
            case .average:
                target[plane] = size > 0 ? Sum.reduce(input, count: size, into: 0) / Float(size) : 0
            }
        }
        return [y]
    }
}
