/// Weights of a BigDL file. `saveModule` writes every tensor as a view (size, stride, 1-based offset) of a
/// storage, and the storages' contents once, in the top module's `global_storage` attribute (tensor id → a
/// tensor carrying its full storage). Views are resolved here with checked arithmetic: a hostile file gets an
/// error, never a trap or an allocation larger than the data it carries.
struct BigDLTensors {
    let file: String
    /// Storage id → its elements as float (double, int and long storages are converted).
    private var storages: [Int32: [Float]] = [:]

    init(file: String, top: Bigdl_BigDLModule) throws {
        self.file = file
        guard let global = top.attr["global_storage"] else { return }
        guard case .nameAttrListValue(let list)? = global.value else {
            throw InferenceError.malformedModel(
                file: file, reason: "the global_storage attribute holds no storage list")
        }
        for (key, entry) in list.attr {
            guard case .tensorValue(let tensor)? = entry.value else {
                throw InferenceError.malformedModel(
                    file: file, reason: "global_storage entry '\(key)' is not a tensor")
            }
            guard tensor.hasStorage, let values = try Self.elements(of: tensor.storage, file: file) else { continue }
            storages[tensor.storage.id] = values
        }
    }

    /// The storage's elements as float; nil when it carries no data (only its id).
    private static func elements(of storage: Bigdl_TensorStorage, file: String) throws -> [Float]? {
        if !storage.floatData.isEmpty { return storage.floatData }
        if !storage.doubleData.isEmpty { return storage.doubleData.map { Float($0) } }
        if !storage.intData.isEmpty { return storage.intData.map { Float($0) } }
        if !storage.longData.isEmpty { return storage.longData.map { Float($0) } }
        if !storage.boolData.isEmpty { return storage.boolData.map { $0 ? 1 : 0 } }
        if !storage.stringData.isEmpty || !storage.bytesData.isEmpty {
            throw InferenceError.malformedModel(
                file: file,
                reason: "storage \(storage.id) holds strings or bytes, which are not weights this engine reads")
        }
        return nil
    }

    /// The float32 tensor `proto` describes; `what` names it in errors ("weight of Linear 'fc1'").
    func tensor(_ proto: Bigdl_BigDLTensor, _ what: String) throws -> Tensor {
        func bad(_ reason: String) -> InferenceError {
            .malformedModel(file: file, reason: "\(what): \(reason)")
        }
        guard proto.tensorType == 0 else { throw bad("quantized tensors are not supported") }
        switch proto.datatype {
        case .float, .double, .int32, .int64: break
        default: throw bad("element type \(proto.datatype) is not a number type")
        }
        let shape = proto.isScalar ? [] : proto.size.map { Int($0) }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw bad("negative size \(proto.size)") }
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw bad("size \(proto.size) is too large") }
            count = product
        }
        let strides = proto.stride.isEmpty ? shape.contiguousStrides : proto.stride.map { Int($0) }
        guard strides.count == shape.count else {
            throw bad("\(proto.stride.count) strides for \(shape.count) dimensions")
        }
        guard strides.allSatisfy({ $0 >= 0 }) else { throw bad("negative stride \(proto.stride)") }
        let values: [Float]
        if let inline = try Self.elements(of: proto.storage, file: file) {
            values = inline
        } else if let shared = storages[proto.storage.id] {
            values = shared
        } else if count == 0 {
            values = []
        } else {
            throw bad("its data (storage \(proto.storage.id)) is not in the file; weights saved to a separate "
                      + "file (saveModule with a weight path) are not supported: save the module with "
                      + "saveModule(path) and no weight path")
        }
        guard count > 0 else { return Tensor(floats: [], shape: shape) }
        // The offset is 1-based; the last element sits at offset - 1 + Σ (size - 1) · stride.
        let first = Int(proto.offset) - 1
        guard first >= 0 else { throw bad("offset \(proto.offset) is below 1 (offsets are 1-based)") }
        var last = first
        for (size, stride) in zip(shape, strides) {
            let (span, overflow) = (size - 1).multipliedReportingOverflow(by: stride)
            let (sum, overflow2) = last.addingReportingOverflow(span)
            guard !overflow, !overflow2 else { throw bad("size \(proto.size) with stride \(proto.stride) overflows") }
            last = sum
        }
        guard last < values.count else {
            throw bad("size \(proto.size), stride \(proto.stride) and offset \(proto.offset) reach element "
                      + "\(last + 1) of a storage of \(values.count)")
        }
        // Contiguous views (what saveModule writes) are one slice; others are gathered element by element.
        if strides == shape.contiguousStrides {
            return Tensor(floats: Array(values[first..<first + count]), shape: shape)
        }
        var result = [Float](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: shape.count)
        var position = first
        for element in 0..<count {
            result[element] = values[position]
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                position += strides[axis]
                if index[axis] < shape[axis] { break }
                position -= strides[axis] * index[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return Tensor(floats: result, shape: shape)
    }
}

extension Array where Element == Int {
    /// Row-major strides of a shape (callers have checked that the element count does not overflow).
    var contiguousStrides: [Int] {
        var strides = [Int](repeating: 1, count: count)
        var running = 1
        for axis in indices.reversed() {
            strides[axis] = running
            running = running &* Swift.max(self[axis], 1)
        }
        return strides
    }
}
