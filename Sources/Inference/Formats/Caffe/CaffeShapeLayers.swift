/// Layers that combine, split or rearrange blobs: Eltwise, Concat, Slice, Split, Flatten, Reshape, Permute and
/// ArgMax.
enum CaffeShapeLayers {
    static let translations: [String: CaffeLayers.Translation] = [
        "Eltwise": eltwise,
        "Concat": concat,
        "Slice": slice,
        "Split": split,
        "Flatten": flatten,
        "Reshape": reshape,
        "Permute": permute,
        "ArgMax": argMax,
    ]

    /// SUM (each bottom times its coeff, 1 when none are given), PROD or MAX of equally shaped bottoms.
    static func eltwise(_ context: CaffeLayerContext) throws {
        try context.requireBottoms(2)
        let parameters = context.layer.eltwiseParam
        let shape = context.shape
        guard context.inputShapes.allSatisfy({ $0 == shape }) else {
            throw context.invalid("bottoms have different shapes: "
                                  + context.inputShapes.map(CaffeLayerContext.describe).joined(separator: ", "))
        }
        var terms = context.inputs
        let opType: String
        switch parameters.operation {
        case .sum:
            opType = "Add"
            if !parameters.coeff.isEmpty {
                guard parameters.coeff.count == terms.count else {
                    throw context.invalid("\(parameters.coeff.count) coeff for \(terms.count) bottoms")
                }
                terms = zip(terms, parameters.coeff).map { term, coefficient in
                    coefficient == 1 ? term
                        : context.emitValue("Mul", [term, context.scalar(coefficient, "coeff")], shape: shape)
                }
            }
        case .prod, .max:
            guard parameters.coeff.isEmpty else { throw context.invalid("coeff is only allowed with SUM") }
            opType = parameters.operation == .prod ? "Mul" : "Max"
        }
        // Pairwise, so that the optimiser sees the residual Add it fuses into a convolution.
        var accumulated = terms[0]
        for (index, term) in terms.dropFirst().enumerated() {
            if index == terms.count - 2 {
                context.produce(opType, [accumulated, term], shape: shape)
            } else {
                accumulated = context.emitValue(opType, [accumulated, term], shape: shape)
            }
        }
    }

    static func concat(_ context: CaffeLayerContext) throws {
        try context.requireBottoms(1)
        let parameters = context.layer.concatParam
        let shape = context.shape
        let axis = parameters.hasConcatDim && !parameters.hasAxis
            ? Int(parameters.concatDim) : try context.axis(parameters.axis, rank: shape.count)
        guard axis < shape.count else { throw context.invalid("concat_dim \(axis) is out of range") }
        var total: Int? = 0
        for other in context.inputShapes {
            guard other.count == shape.count,
                  other.indices.allSatisfy({ $0 == axis || other[$0] == shape[$0] }) else {
                throw context.invalid("bottoms do not match outside axis \(axis): "
                                      + context.inputShapes.map(CaffeLayerContext.describe).joined(separator: ", "))
            }
            total = total.flatMap { sum in other[axis].map { sum + $0 } }
        }
        var output = shape
        output[axis] = total
        context.produce("Concat", context.inputs, shape: output, ["axis": .int(axis)])
    }

    /// Cuts the bottom along an axis at the slice points, or into equal parts (one per top).
    static func slice(_ context: CaffeLayerContext) throws {
        try context.requireBottoms(1)
        let parameters = context.layer.sliceParam
        let shape = context.shape
        let axis = parameters.hasSliceDim && !parameters.hasAxis
            ? Int(parameters.sliceDim) : try context.axis(parameters.axis, rank: shape.count)
        guard axis < shape.count, let extent = shape[axis] else {
            throw context.invalid("the sliced axis must be known in \(CaffeLayerContext.describe(shape))")
        }
        let parts = context.outputs.count
        var sizes: [Int]
        if parameters.slicePoint.isEmpty {
            guard extent % parts == 0 else { throw context.invalid("\(extent) does not split into \(parts) equal parts") }
            sizes = [Int](repeating: extent / parts, count: parts)
        } else {
            let points = parameters.slicePoint.map { Int($0) }
            guard points.count == parts - 1, zip([0] + points, points + [extent]).allSatisfy({ $0 < $1 }) else {
                throw context.invalid("slice_point \(points) does not cut \(extent) into \(parts) parts")
            }
            sizes = zip([0] + points, points + [extent]).map { $1 - $0 }
        }
        if parts == 1 {
            context.produceCopy(of: context.inputs[0])
            return
        }
        context.emit("Split", [context.inputs[0], context.int64s(sizes, "split")], context.outputs, ["axis": .int(axis)])
        for (output, size) in zip(context.outputs, sizes) {
            var sliced = shape
            sliced[axis] = size
            context.builder.setShape(sliced, of: output)
        }
    }

    /// Every top a copy of the bottom.
    static func split(_ context: CaffeLayerContext) throws {
        try context.requireBottoms(1)
        for index in context.outputs.indices { context.produceCopy(of: context.inputs[0], top: index) }
    }

    /// Axes axis...end_axis merged into one.
    static func flatten(_ context: CaffeLayerContext) throws {
        try context.requireBottoms(1)
        let shape = context.shape
        let parameters = context.layer.flattenParam
        let start = try context.axis(parameters.axis, rank: shape.count, "axis")
        let end = try context.axis(parameters.endAxis, rank: shape.count, "end_axis")
        guard start <= end else { throw context.invalid("axis \(start) is after end_axis \(end)") }
        let target = Array(shape[..<start]) + [Array(shape[start...end]).knownProduct] + Array(shape[(end + 1)...])
        _ = try context.reshape(context.inputs[0], to: target, keptPrefix: start, output: 0)
    }

    /// Caffe's Reshape replaces axes [axis, axis + num_axes) by the given dimensions: 0 copies the bottom's
    /// dimension at the same position, -1 is inferred.
    static func reshape(_ context: CaffeLayerContext) throws {
        try context.requireBottoms(1)
        let shape = context.shape
        let parameters = context.layer.reshapeParam
        let dims = parameters.shape.dim.map { Int($0) }
        // A negative axis counts from after the last axis (-1 is the end).
        let start = parameters.axis >= 0 ? Int(parameters.axis) : shape.count + Int(parameters.axis) + 1
        let end = parameters.numAxes == -1 ? shape.count : start + Int(parameters.numAxes)
        guard start >= 0, start <= end, end <= shape.count, parameters.numAxes >= -1 else {
            throw context.invalid("axis \(parameters.axis) and num_axes \(parameters.numAxes) do not fit rank \(shape.count)")
        }
        guard dims.allSatisfy({ $0 >= -1 }), dims.filter({ $0 == -1 }).count <= 1,
              dims.enumerated().allSatisfy({ $1 != 0 || start + $0 < shape.count }) else {
            throw context.invalid("shape \(dims) is not a valid Caffe reshape (0 copies, one -1 infers)")
        }
        var middle: [Int?] = dims.enumerated().map { index, dim in dim == 0 ? shape[start + index] : (dim == -1 ? nil : dim) }
        let prefix = Array(shape[..<start]), suffix = Array(shape[end...])
        if let inferredIndex = dims.firstIndex(of: -1) {
            // Known when the batch (if any) stays a dimension of its own in the output.
            guard let inputKnown = shape.compactMap({ $0 }).map(Optional.init).knownProduct,
                  let outputKnown = (prefix + middle + suffix).compactMap({ $0 }).map(Optional.init).knownProduct else {
                throw context.invalid("shape \(dims) is too large")
            }
            let batchKept = !shape.contains(nil) || (prefix + suffix).contains(nil)
                || dims.indices.contains { dims[$0] == 0 && shape[start + $0] == nil }
            if batchKept {
                guard outputKnown > 0, inputKnown % outputKnown == 0 else {
                    throw context.invalid("shape \(dims) does not fit the bottom \(CaffeLayerContext.describe(shape))")
                }
                middle[inferredIndex] = inputKnown / outputKnown
            }
        }
        // ONNX's 0 also copies the dimension at the same index, which the prefix and the middle keep.
        var spec = prefix.map { _ in 0 } + dims
        for (offset, dim) in suffix.enumerated() {
            let position = prefix.count + dims.count + offset
            if position == end + offset { spec.append(0) } else if let dim { spec.append(dim) } else {
                throw context.invalid("the batch axis cannot move in a reshape")
            }
        }
        _ = try context.reshape(context.inputs[0], spec: spec, shape: prefix + middle + suffix, output: 0)
    }

    /// Transpose by `order`; axes it leaves out follow in their order.
    static func permute(_ context: CaffeLayerContext) throws {
        try context.requireBottoms(1)
        let shape = context.shape
        var order = context.layer.permuteParam.order.map { Int($0) }
        guard order.allSatisfy({ $0 < shape.count }), Set(order).count == order.count else {
            throw context.invalid("order \(order) is not a permutation of the bottom's \(shape.count) axes")
        }
        order += (0..<shape.count).filter { !order.contains($0) }
        context.produce("Transpose", [context.inputs[0]], shape: order.map { shape[$0] }, ["perm": .ints(order)])
    }

    /// The top_k largest along `axis` (indices as floats, or with out_max_val the values); without an axis,
    /// over each item's flattened values, giving N×1×k (N×2×k: indices then values with out_max_val).
    static func argMax(_ context: CaffeLayerContext) throws {
        try context.requireBottoms(1)
        let parameters = context.layer.argmaxParam
        let shape = context.shape
        let k = Int(parameters.topK)
        var input = context.inputs[0]
        var axis: Int
        var reduced: [Int?]
        if parameters.hasAxis {
            axis = try context.axis(parameters.axis, rank: shape.count)
            reduced = shape
        } else {
            axis = 1
            reduced = [shape.first ?? nil, Array(shape.dropFirst()).knownProduct]
            if shape.count != 2 { input = context.emitValue("Flatten", [input], shape: reduced, ["axis": .int(1)]) }
        }
        guard let extent = reduced[axis], k >= 1, k <= extent else {
            throw context.invalid("top_k \(k) must be between 1 and the reduced axis' known extent")
        }
        reduced[axis] = k
        var indices: String?
        var values: String?
        if k == 1 && !parameters.outMaxVal {
            // Caffe ranks equal values by the larger index.
            indices = context.emitValue("ArgMax", [input], shape: reduced,
                                        ["axis": .int(axis), "keepdims": .int(1), "select_last_index": .int(1)])
        } else {
            let topValues = context.builder.uniqueValueName("\(context.name)/values")
            let topIndices = context.builder.uniqueValueName("\(context.name)/indices")
            context.emit("TopK", [input, context.int64s([k], "k")], [topValues, topIndices],
                         ["axis": .int(axis), "largest": .int(1), "sorted": .int(1)])
            context.builder.setShape(reduced, of: topValues)
            context.builder.setShape(reduced, of: topIndices)
            (values, indices) = (topValues, parameters.hasAxis && parameters.outMaxVal ? nil : topIndices)
        }
        let floatIndices = indices.map { context.emitValue("Cast", [$0], shape: reduced, ["to": .int(1)]) }
        if parameters.hasAxis {
            guard let result = parameters.outMaxVal ? values : floatIndices else { return }
            context.produceCopy(of: result)
            return
        }
        let batch = reduced[0]
        guard let floatIndices else { return }
        let indexRows = try context.reshape(floatIndices, to: [batch, 1, k], keptPrefix: 1)
        guard parameters.outMaxVal, let values else {
            context.produceCopy(of: indexRows)
            return
        }
        let valueRows = try context.reshape(values, to: [batch, 1, k], keptPrefix: 1)
        context.produce("Concat", [indexRows, valueRows], shape: [batch, 2, k], ["axis": .int(1)])
    }
}

/// Every layer type the reader translates, by Caffe's type name.
enum CaffeLayers {
    typealias Translation = @Sendable (CaffeLayerContext) throws -> Void

    static let translations: [String: Translation] = CaffeConvolutionLayers.translations
        .merging(CaffeActivationLayers.translations) { first, _ in first }
        .merging(CaffeNormalizationLayers.translations) { first, _ in first }
        .merging(CaffeShapeLayers.translations) { first, _ in first }
}
