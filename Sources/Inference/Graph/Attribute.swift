/// A node attribute, as model formats carry them (ONNX's AttributeProto kinds; OpenVINO attributes are
/// converted to these by its loader).
public enum Attribute: Sendable {
    case int(Int)
    case float(Float)
    case string(String)
    case ints([Int])
    case floats([Float])
    case strings([String])
    case tensor(Tensor)
}

extension Node {
    // Typed attribute readers: a missing optional attribute yields the default; an attribute of the wrong kind
    // is an error that names it.

    public func int(_ name: String, default value: Int) throws(OpError) -> Int {
        guard let attribute = attributes[name] else { return value }
        switch attribute {
        case .int(let v): return v
        case .float(let v) where v == v.rounded(): return Int(v)
        default: throw OpError("attribute '\(name)' should be an integer")
        }
    }

    public func float(_ name: String, default value: Float) throws(OpError) -> Float {
        guard let attribute = attributes[name] else { return value }
        switch attribute {
        case .float(let v): return v
        case .int(let v): return Float(v)
        default: throw OpError("attribute '\(name)' should be a float")
        }
    }

    public func string(_ name: String, default value: String) throws(OpError) -> String {
        guard let attribute = attributes[name] else { return value }
        guard case .string(let v) = attribute else { throw OpError("attribute '\(name)' should be a string") }
        return v
    }

    public func ints(_ name: String) throws(OpError) -> [Int]? {
        guard let attribute = attributes[name] else { return nil }
        switch attribute {
        case .ints(let v): return v
        case .int(let v): return [v]
        default: throw OpError("attribute '\(name)' should be a list of integers")
        }
    }

    public func floats(_ name: String) throws(OpError) -> [Float]? {
        guard let attribute = attributes[name] else { return nil }
        switch attribute {
        case .floats(let v): return v
        case .float(let v): return [v]
        default: throw OpError("attribute '\(name)' should be a list of floats")
        }
    }

    public func tensor(_ name: String) throws(OpError) -> Tensor? {
        guard let attribute = attributes[name] else { return nil }
        guard case .tensor(let v) = attribute else { throw OpError("attribute '\(name)' should be a tensor") }
        return v
    }
}
