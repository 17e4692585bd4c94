import Foundation
import Serving

extension ModelInfo {
    /// A model from its `SERVING METADATA` JSON (nil when not known) and its `SERVING LIST` figures.
    static func decode(name: String, state: String, path: String, metadata json: JSONValue?, stats: [String: Double]) -> ModelInfo {
        func tensors(_ key: String) -> [Tensor] {
            guard case .array(let items)? = json?[key] else { return [] }
            return items.compactMap { item in
                guard case .string(let name)? = item["name"], case .string(let datatype)? = item["datatype"] else { return nil }
                var shape: [Int]?
                if case .array(let dims)? = item["shape"] {
                    shape = dims.compactMap { if case .number(let n) = $0 { Int(exactly: n) } else { nil } }
                }
                return Tensor(name: name, datatype: datatype, shape: shape)
            }
        }
        var format = ""
        if case .string(let f)? = json?["format"] { format = f }
        return ModelInfo(name: name, state: state, modelPath: path, format: format, inputs: tensors("inputs"),
                         outputs: tensors("outputs"), stats: stats)
    }
}
