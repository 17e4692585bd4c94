/// Shape, table, reduction and lookup modules. BigDL counts dimensions from 1; `nInputDims`/`numInputDims`
/// (when set) say how many dimensions a sample has, so an input with one more has a batch dimension in front.
enum BigDLShapeLayers {
    static let translations: [String: BigDLTranslation] = [
        "Input": passThrough,
        "Identity": passThrough,
        // Dropout scales while training only (BigDL's default scale = true); at inference it is the identity.
        "Dropout": passThrough,
        "View": view,
        "Reshape": reshape,
        "Squeeze": squeeze,
        "Unsqueeze": unsqueeze,
        "Transpose": transpose,
        "JoinTable": joinTable,
        "SplitTable": splitTable,
        "CAddTable": { c in try elementwiseTable(c, "Add") },
        "CMulTable": { c in try elementwiseTable(c, "Mul") },
        "Mean": { c in try reduction(c, averages: true) },
        "Sum": { c in try reduction(c, averages: try c.bool("sizeAverage", default: false)) },
        "Normalize": normalize,
        "LookupTable": lookupTable,
    ]

    private static func passThrough(_ c: BigDLLayerContext) throws -> BigDLActivity { c.input }

    /// A 1-based BigDL dimension as a 0-based axis: negative counts from the end; with `nInputDims` > 0 an
    /// input of nInputDims + 1 dimensions has a batch dimension in front.
    private static func axis(_ c: BigDLLayerContext, _ value: BigDLValue, dimension: Int,
                             nInputDims: Int) throws -> Int {
        var dimension = dimension
        if dimension < 0 {
            dimension += try c.rank(of: value, for: "a negative dimension") + 1
        } else if nInputDims > 0 {
            // An input of unknown rank is taken to be batched, as served inputs are.
            if (value.rank ?? nInputDims + 1) == nInputDims + 1 { dimension += 1 }
        }
        guard dimension >= 1, dimension <= value.rank ?? Int.max else {
            let rank = value.rank.map(String.init) ?? "?"
            throw c.invalid("dimension \(dimension) is out of range for a \(rank)-D input")
        }
        return dimension - 1
    }

    /// The product of `sizes`, or nil on overflow.
    private static func product(_ sizes: [Int]) -> Int? {
        var result = 1
        for size in sizes {
            let (next, overflow) = result.multipliedReportingOverflow(by: size)
            guard !overflow else { return nil }
            result = next
        }
        return result
    }

    // MARK: Shapes

    /// View(sizes): when the input holds more than prod(sizes) elements, BigDL keeps the leading (batch)
    /// dimension and views each sample as `sizes`. (With a batch of exactly one BigDL drops the batch
    /// dimension; the engine keeps it, so batches of any size give the same rows.) A -1 in sizes means a
    /// plain view of the whole input.
    private static func view(_ c: BigDLLayerContext) throws -> BigDLActivity {
        let source = try c.single()
        guard let sizes = try c.ints("sizes"), !sizes.isEmpty, sizes.allSatisfy({ $0 > 0 || $0 == -1 }),
              sizes.filter({ $0 == -1 }).count <= 1, product(sizes) != nil else {
            throw c.invalid("sizes \((try? c.ints("sizes")) ?? nil ?? []) are not a valid shape")
        }
        if sizes.contains(-1) {
            return c.output("Reshape", [source.name, c.int64s(sizes, "shape")], dims: sizes.map { $0 < 0 ? nil : $0 })
        }
        return c.output("Reshape", [source.name, c.int64s([-1] + sizes, "shape")],
                        dims: [source.dims?.first ?? nil] + sizes.map { Optional($0) })
    }

    /// Reshape(size, batchMode): batchMode 0 (None) or 2 (true) keeps the input's first dimension as the
    /// batch; 1 (false) reshapes the whole input to `size`.
    private static func reshape(_ c: BigDLLayerContext) throws -> BigDLActivity {
        let source = try c.single()
        guard let size = try c.ints("size"), size.allSatisfy({ $0 > 0 || $0 == -1 }), product(size) != nil else {
            throw c.invalid("size is not a valid shape")
        }
        let batchMode = try c.int("batchMode", default: 0)
        if batchMode == 1 {
            return c.output("Reshape", [source.name, c.int64s(size, "shape")], dims: size.map { $0 < 0 ? nil : $0 })
        }
        return c.output("Reshape", [source.name, c.int64s([0] + size, "shape")],
                        dims: [source.dims?.first ?? nil] + size.map { $0 < 0 ? nil : $0 })
    }

    /// Squeeze(dims, batchMode): 1-based dims, shifted by one in batch mode; no dims squeezes every
    /// dimension known to be 1 (except the batch in batch mode).
    private static func squeeze(_ c: BigDLLayerContext) throws -> BigDLActivity {
        let source = try c.single()
        let batchMode = try c.bool("batchMode", default: false)
        var axes: [Int]
        if let dims = try c.ints("dims"), !dims.isEmpty {
            axes = try dims.map { dim in
                try axis(c, source, dimension: dim < 0 ? dim : dim + (batchMode ? 1 : 0), nInputDims: 0)
            }
        } else {
            guard let known = source.dims, !known.isEmpty else {
                throw c.invalid("squeezing every dimension of size 1 needs the input's dimensions, not known at load")
            }
            axes = known.indices.filter { known[$0] == 1 && !(batchMode && $0 == 0) }
        }
        axes = Array(Set(axes)).sorted()
        let dims = source.dims.map { dims in dims.indices.filter { !axes.contains($0) }.map { dims[$0] } }
        return c.output("Squeeze", [source.name, c.int64s(axes, "axes")], dims: dims)
    }

    /// Unsqueeze(pos, numInputDims): inserts dimensions of size 1 at the 1-based positions (counted after
    /// a batch dimension when numInputDims is set and the input has more dimensions).
    private static func unsqueeze(_ c: BigDLLayerContext) throws -> BigDLActivity {
        let source = try c.single()
        guard let positions = try c.ints("pos"), !positions.isEmpty, positions.allSatisfy({ $0 >= 1 }) else {
            throw c.invalid("pos is missing or not positive")
        }
        let numInputDims = try c.int("numInputDims", default: Int(Int32.min))
        var shift = 0
        if numInputDims > 0, let rank = source.rank, rank > numInputDims { shift = rank - numInputDims }
        let axes = positions.map { $0 - 1 + shift }.sorted()
        var dims = source.dims
        if var known = dims {
            for axis in axes {
                guard axis <= known.count else { throw c.invalid("position \(axis + 1) is beyond the input's rank") }
                known.insert(1, at: axis)
            }
            dims = known
        }
        return c.output("Unsqueeze", [source.name, c.int64s(axes, "axes")], dims: dims)
    }

    /// Transpose(permutations): 1-based pairs of dimensions swapped in order (`permutation_<i>`, `size` pairs).
    private static func transpose(_ c: BigDLLayerContext) throws -> BigDLActivity {
        let source = try c.single()
        let count = try c.int("size", default: 0)
        guard count >= 0, count <= 1024 else { throw c.invalid("size \(count) is out of range") }
        let pairs = try (0..<count).map { index -> [Int] in
            guard let pair = try c.ints("permutation_\(index)"), pair.count == 2, pair.allSatisfy({ $0 >= 1 }) else {
                throw c.invalid("permutation_\(index) is not a pair of dimensions")
            }
            return pair
        }
        let rank = try c.rank(of: source, for: "Transpose")
        var perm = Array(0..<rank)
        for pair in pairs {
            guard pair[0] <= rank, pair[1] <= rank else {
                throw c.invalid("swaps dimensions \(pair[0]) and \(pair[1]) of a \(rank)-D input")
            }
            perm.swapAt(pair[0] - 1, pair[1] - 1)
        }
        return .tensor(c.transpose(source, perm, final: true))
    }

    // MARK: Tables

    private static func joinTable(_ c: BigDLLayerContext) throws -> BigDLActivity {
        let values = try c.table()
        let axis = try axis(c, values[0], dimension: try c.int("dimension", default: 1),
                            nInputDims: try c.int("nInputDims", default: 0))
        var dims = values[0].dims
        if var known = dims, axis < known.count {
            known[axis] = values.reduce(Optional(0)) { sum, value in
                guard let sum, let size = value.dims?[safe: axis] ?? nil else { return nil }
                return sum + size
            }
            dims = known
        }
        return c.output("Concat", values.map(\.name), ["axis": .int(axis)], dims: dims)
    }

    /// SplitTable(dimension, nInputDims, keepDim): one tensor per index along the dimension, whose size must
    /// be known when the model is loaded.
    private static func splitTable(_ c: BigDLLayerContext) throws -> BigDLActivity {
        let source = try c.single()
        let axis = try axis(c, source, dimension: try c.int("dimension", default: 1),
                            nInputDims: try c.int("nInputDims", default: -1))
        guard let size = source.dims?[safe: axis] ?? nil, size > 0, size <= 4096 else {
            throw c.invalid("the size of dimension \(axis + 1) is not known when the model is loaded")
        }
        let keepDim = try c.bool("keepDim", default: false)
        var pieceDims = source.dims ?? []
        pieceDims[axis] = 1
        let names = (0..<size).map { c.builder.uniqueValueName("\(c.name)/\($0 + 1)") }
        c.builder.addNode(Node(name: c.name, opType: "Split", inputs: [source.name], outputs: names,
                               attributes: ["axis": .int(axis)]))
        let pieces = names.map { BigDLValue(name: $0, dims: pieceDims) }
        guard !keepDim else { return .table(pieces) }
        let axes = c.int64s([axis], "axes")
        var squeezedDims = pieceDims
        squeezedDims.remove(at: axis)
        return .table(pieces.map { piece in
            c.emitValue("Squeeze", [piece.name, axes], dims: squeezedDims)
        })
    }

    private static func elementwiseTable(_ c: BigDLLayerContext, _ opType: String) throws -> BigDLActivity {
        let values = try c.table()
        guard values.count > 1 else { return .tensor(values[0]) }
        var running = values[0]
        for (index, value) in values.dropFirst().enumerated() {
            running = c.emitValue(opType, [running.name, value.name], dims: running.dims,
                                  final: index == values.count - 2)
        }
        return .tensor(running)
    }

    // MARK: Reductions

    /// Mean and Sum(dimension, nInputDims, squeeze; Sum's sizeAverage averages).
    private static func reduction(_ c: BigDLLayerContext, averages: Bool) throws -> BigDLActivity {
        let source = try c.single()
        let axis = try axis(c, source, dimension: try c.int("dimension", default: 1),
                            nInputDims: try c.int("nInputDims", default: -1))
        let squeeze = try c.bool("squeeze", default: true)
        var dims = source.dims
        if var known = dims, axis < known.count {
            // BigDL does not squeeze a 1-D result into a scalar.
            if squeeze && known.count > 1 { known.remove(at: axis) } else { known[axis] = 1 }
            dims = known
        }
        let keep = !(squeeze && (source.rank ?? 2) > 1)
        if averages {
            return c.output("ReduceMean", [source.name], ["axes": .ints([axis]), "keepdims": .int(keep ? 1 : 0)],
                            dims: dims)
        }
        return c.output("ReduceSum", [source.name, c.int64s([axis], "axes")], ["keepdims": .int(keep ? 1 : 0)],
                        dims: dims)
    }

    /// x / (Σ|x|^p + eps)^(1/p) along dimension 2 (features or channels); p = Double.MaxValue is the max norm
    /// plus eps.
    private static func normalize(_ c: BigDLLayerContext) throws -> BigDLActivity {
        let source = try c.single()
        let p = try c.double("p", default: 2)
        let eps = Float(try c.double("eps", default: 1e-10))
        guard p > 0, p.isFinite else { throw c.invalid("p \(p) is not a positive norm order") }
        let keep: [String: Attribute] = ["keepdims": .int(1)]
        let norm: BigDLValue
        if p == Double.greatestFiniteMagnitude {
            let absolute = c.emitValue("Abs", [source.name], dims: nil)
            let maximum = c.emitValue("ReduceMax", [absolute.name], ["axes": .ints([1]), "keepdims": .int(1)],
                                      dims: nil)
            norm = c.emitValue("Add", [maximum.name, c.scalar(eps, "eps")], dims: nil)
        } else {
            let powered: BigDLValue
            if p == 2 {
                powered = c.emitValue("Mul", [source.name, source.name], dims: nil)
            } else {
                let absolute = c.emitValue("Abs", [source.name], dims: nil)
                powered = c.emitValue("Pow", [absolute.name, c.scalar(Float(p), "p")], dims: nil)
            }
            let sum = c.emitValue("ReduceSum", [powered.name, c.int64s([1], "axes")], keep, dims: nil)
            let smoothed = c.emitValue("Add", [sum.name, c.scalar(eps, "eps")], dims: nil)
            norm = p == 2 ? c.emitValue("Sqrt", [smoothed.name], dims: nil)
                : c.emitValue("Pow", [smoothed.name, c.scalar(Float(1 / p), "inverse_p")], dims: nil)
        }
        return c.output("Div", [source.name, norm.name], dims: source.dims)
    }

    // MARK: Lookup

    /// LookupTable(nIndex, nOutput, ..., maxNorm, maskZero): BigDL's indices are 1-based floats. The table
    /// gets a zero row in front, so index k reads row k directly and index 0 (maskZero's padding) reads zeros.
    private static func lookupTable(_ c: BigDLLayerContext) throws -> BigDLActivity {
        let count = try c.int("nIndex", default: 0), width = try c.int("nOutput", default: 0)
        guard try c.double("maxNorm", default: .greatestFiniteMagnitude) >= Double.greatestFiniteMagnitude else {
            throw c.invalid("maxNorm (renormalising rows while running) is not supported")
        }
        let source = try c.single()
        if source.dims == nil { c.builder.noteInputDims(source, [nil, nil]) }
        let weight = try c.requireParameter(0, "weight", shape: [count, width])
        let padded = Tensor(floats: [Float](repeating: 0, count: width) + weight.floatArray, shape: [count + 1, width])
        let indices = c.emitValue("Cast", [source.name], ["to": .int(ElementType.int64.onnxCode)], dims: source.dims)
        return c.output("Gather", [c.constant(padded, "weight"), indices.name], ["axis": .int(0)],
                        dims: source.dims.map { $0 + [width] })
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
