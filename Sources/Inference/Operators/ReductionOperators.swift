import Foundation

/// ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceL1, ReduceL2, ReduceSumSquare, ReduceLogSum;
/// TopK, ArgMax and ArgMin are in their own files.
enum ReductionOperators {
    static let factories: [String: OperatorFactory] = {
        var table: [String: OperatorFactory] = [
            "TopK": { spec in try TopK(spec) },
            "ArgMax": { spec in try ArgExtreme(spec, largest: true) },
            "ArgMin": { spec in try ArgExtreme(spec, largest: false) },
        ]
        for kind in Kind.allCases {
            table[kind.rawValue] = { spec in try Reduce(spec, kind: kind) }
        }
        return table
    }()

    enum Kind: String, CaseIterable, Sendable {
        case sum = "ReduceSum", mean = "ReduceMean", max = "ReduceMax", min = "ReduceMin"
        case product = "ReduceProd", l1 = "ReduceL1", l2 = "ReduceL2", sumSquare = "ReduceSumSquare"
        case logSum = "ReduceLogSum"

        var combine: ReductionKernels.Combine {
            switch self {
            case .max: return .maximum
            case .min: return .minimum
            case .product: return .product
            default: return .sum
            }
        }

        var premap: ReductionKernels.Premap {
            switch self {
            case .l1: return .absolute
            case .l2, .sumSquare: return .square
            default: return .identity
            }
        }

        /// The opset from which the axes are an input rather than an attribute.
        var axesInputOpset: Int { self == .sum ? 13 : 18 }
    }

    /// Axes from an attribute or a load-time constant input, or read from an input at run time.
    enum Axes: Sendable {
        case fixed([Int])
        case input(Int)
    }

    struct Reduce: Operator {
        let kind: Kind
        let axes: Axes
        let keepDims: Bool
        let noopWithEmptyAxes: Bool

        init(_ spec: OperatorSpec, kind: Kind) throws {
            self.kind = kind
            keepDims = try spec.node.int("keepdims", default: 1) != 0
            noopWithEmptyAxes = try spec.node.int("noop_with_empty_axes", default: 0) != 0
            // Either form is accepted at any opset: the attribute if present, else the optional input.
            if let attribute = try spec.node.ints("axes") {
                axes = .fixed(attribute)
            } else if spec.hasInput(1) {
                axes = spec.constant(1).map { .fixed($0.integerValues) } ?? .input(1)
            } else {
                axes = .fixed([])
            }
        }

        func run(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
            let x = try inputs.required(0, "data")
            var requested: [Int]
            switch axes {
            case .fixed(let values): requested = values
            case .input(let index): requested = inputs.optional(index)?.integerValues ?? []
            }
            if requested.isEmpty {
                if noopWithEmptyAxes { return [x] }
                requested = Array(0..<x.rank)
            }
            var reduced = Set<Int>()
            for axis in requested { reduced.insert(try Shapes.axis(axis, rank: x.rank)) }
            let plan = ReductionPlan(shape: x.shape, reduced: reduced)
            let outputShape = x.shape.indices.compactMap { axis -> Int? in
                reduced.contains(axis) ? (keepDims ? 1 : nil) : x.shape[axis]
            }
            return [try compute(x, plan, outputShape, context)]
        }

        private func compute(_ x: Tensor, _ plan: ReductionPlan, _ outputShape: [Int],
                             _ context: ExecutionContext) throws(OpError) -> Tensor {
            let output = context.allocate(x.elementType, outputShape)
            guard output.count > 0 else { return output }
            switch x.elementType {
            case .float32:
                plan.execute(input: x, output: output, context: context) { source, target, pass, first in
                    ReductionKernels.reduce(source.assumingMemoryBound(to: Float.self),
                                            target.assumingMemoryBound(to: Float.self),
                                            outer: pass.outer, length: pass.length, inner: pass.inner,
                                            combine: kind.combine, premap: first ? kind.premap : .identity,
                                            context: context)
                }
                finishFloats(output, reducedCount: plan.reducedCount)
            case .int64:
                try integer(Int64.self, x, output, plan, context)
            case .int32:
                try integer(Int32.self, x, output, plan, context)
            case .bool:
                throw OpError("\(kind.rawValue) does not take bool input")
            }
            return output
        }

        private func integer<T: FixedWidthInteger & SignedInteger>(
            _ type: T.Type, _ x: Tensor, _ output: Tensor, _ plan: ReductionPlan, _ context: ExecutionContext
        ) throws(OpError) {
            guard [.sum, .mean, .max, .min, .product, .l1, .sumSquare].contains(kind) else {
                throw OpError("\(kind.rawValue) needs float32 input, got \(x.elementType)")
            }
            plan.execute(input: x, output: output, context: context) { source, target, pass, first in
                ReductionKernels.reduce(source.assumingMemoryBound(to: T.self), target.assumingMemoryBound(to: T.self),
                                        outer: pass.outer, length: pass.length, inner: pass.inner,
                                        combine: kind.combine, premap: first ? kind.premap : .identity)
            }
            if kind == .mean && plan.reducedCount > 0 {
                let values = ElementwiseKernels.elements(output, as: T.self), divisor = T(truncatingIfNeeded: plan.reducedCount)
                for i in 0..<output.count { values[i] /= divisor }
            }
        }

        /// Mean, L2 and LogSum finish each reduced value.
        private func finishFloats(_ output: Tensor, reducedCount: Int) {
            let values = output.floats
            switch kind {
            case .mean:
                let divisor = Float(reducedCount)
                for i in 0..<output.count { values[i] /= divisor }
            case .l2:
                for i in 0..<output.count { values[i] = values[i].squareRoot() }
            case .logSum:
                for i in 0..<output.count { values[i] = Foundation.log(values[i]) }
            default:
                break
            }
        }
    }
}

/// A reduction over any set of axes as a sequence of [outer, length, inner] → [outer, inner] passes: adjacent
/// dimensions that are both reduced or both kept merge, then the innermost reduced group goes first.
struct ReductionPlan {
    struct Pass {
        let outer: Int
        let length: Int
        let inner: Int
    }

    let passes: [Pass]
    /// How many input elements go into each output element.
    let reducedCount: Int

    init(shape: [Int], reduced: Set<Int>) {
        var groups: [(size: Int, reduced: Bool)] = []
        for (axis, size) in shape.enumerated() where size != 1 {
            let isReduced = reduced.contains(axis)
            if let last = groups.last, last.reduced == isReduced {
                groups[groups.count - 1].size *= size
            } else {
                groups.append((size, isReduced))
            }
        }
        reducedCount = groups.filter(\.reduced).map(\.size).reduce(1, *)
        var passes: [Pass] = []
        while let index = groups.lastIndex(where: \.reduced) {
            passes.append(Pass(outer: groups[..<index].map(\.size).reduce(1, *), length: groups[index].size,
                               inner: groups[(index + 1)...].map(\.size).reduce(1, *)))
            groups.remove(at: index)
            // The kept groups on either side are now neighbours.
            if index > 0 && index < groups.count {
                groups[index - 1].size *= groups[index].size
                groups.remove(at: index)
            }
        }
        // Nothing to reduce (the reduced dimensions are all 1): one pass still applies the element function.
        self.passes = passes.isEmpty ? [Pass(outer: shape.elementCount, length: 1, inner: 1)] : passes
    }

    /// Runs `pass(source, target, pass, isFirst)` for each pass, the last into `output`, the others into
    /// scratch tensors of the output's element type.
    func execute(input: Tensor, output: Tensor, context: ExecutionContext,
                 _ pass: (UnsafeRawPointer, UnsafeMutableRawPointer, Pass, Bool) -> Void) {
        var source = input
        for (index, step) in passes.enumerated() {
            let isLast = index == passes.count - 1
            let target = isLast ? output : context.allocate(output.elementType, [step.outer * step.inner])
            pass(UnsafeRawPointer(source.storage.bytes), target.storage.bytes, step, index == 0)
            source = target
        }
    }
}
