import Foundation
@testable import Inference

/// Builds small GraphDefs by hand for the TensorFlow reader's tests.
enum TensorFlowTestGraphs {
    static func node(_ name: String, _ op: String, _ inputs: [String] = [],
                     _ attributes: [String: Tensorflow_AttrValue] = [:]) -> Tensorflow_NodeDef {
        var node = Tensorflow_NodeDef()
        node.name = name
        node.op = op
        node.input = inputs
        node.attr = attributes
        return node
    }

    static func type(_ type: Tensorflow_DataType) -> Tensorflow_AttrValue {
        var value = Tensorflow_AttrValue()
        value.type = type
        return value
    }

    static func string(_ text: String) -> Tensorflow_AttrValue {
        var value = Tensorflow_AttrValue()
        value.s = Data(text.utf8)
        return value
    }

    static func ints(_ values: [Int64]) -> Tensorflow_AttrValue {
        var list = Tensorflow_AttrValue.ListValue()
        list.i = values
        var value = Tensorflow_AttrValue()
        value.list = list
        return value
    }

    static func shape(_ dims: [Int64]) -> Tensorflow_TensorShapeProto {
        var shape = Tensorflow_TensorShapeProto()
        shape.dim = dims.map { size in
            var dim = Tensorflow_TensorShapeProto.Dim()
            dim.size = size
            return dim
        }
        return shape
    }

    static func placeholder(_ name: String, _ dims: [Int64], _ dtype: Tensorflow_DataType = .dtFloat) -> Tensorflow_NodeDef {
        var shapeValue = Tensorflow_AttrValue()
        shapeValue.shape = shape(dims)
        return node(name, "Placeholder", [], ["dtype": type(dtype), "shape": shapeValue])
    }

    static func constant(_ name: String, floats: [Float], _ dims: [Int64]) -> Tensorflow_NodeDef {
        var tensor = Tensorflow_TensorProto()
        tensor.dtype = .dtFloat
        tensor.tensorShape = shape(dims)
        tensor.floatVal = floats
        var value = Tensorflow_AttrValue()
        value.tensor = tensor
        return node(name, "Const", [], ["dtype": type(.dtFloat), "value": value])
    }

    static func constant(_ name: String, ints: [Int32], _ dims: [Int64]) -> Tensorflow_NodeDef {
        var tensor = Tensorflow_TensorProto()
        tensor.dtype = .dtInt32
        tensor.tensorShape = shape(dims)
        // tensor_content, little-endian: the form TensorFlow writes for all but tiny constants.
        tensor.tensorContent = ints.withUnsafeBufferPointer { Data(buffer: $0) }
        var value = Tensorflow_AttrValue()
        value.tensor = tensor
        return node(name, "Const", [], ["dtype": type(.dtInt32), "value": value])
    }

    static func graph(_ nodes: [Tensorflow_NodeDef]) -> Tensorflow_GraphDef {
        var graph = Tensorflow_GraphDef()
        graph.node = nodes
        return graph
    }

    /// Writes the graph as `frozen_graph.pb` (and `graph_meta.json` when given) and returns the .pb's path.
    @discardableResult
    static func write(_ graph: Tensorflow_GraphDef, in directory: ScratchDirectory, name: String = "frozen_graph.pb",
                      meta: String? = nil) throws -> String {
        if let meta { try directory.write(Data(meta.utf8), to: "graph_meta.json") }
        return try directory.write(try graph.serializedData(), to: name)
    }

    /// x [N, 2] · W [2, 3] + b, Relu6; the control input on the MatMul must be ignored.
    static func dense() -> Tensorflow_GraphDef {
        graph([
            placeholder("x", [-1, 2]),
            node("init", "NoOp"),
            constant("w", floats: [1, -1, 2, 0.5, 3, -4], [2, 3]),
            constant("b", floats: [0.5, 0, -1], [3]),
            node("w/read", "Identity", ["w"], ["T": type(.dtFloat)]),
            node("matmul", "MatMul", ["x", "w/read", "^init"], ["T": type(.dtFloat)]),
            node("biased", "BiasAdd", ["matmul:0", "b"], ["T": type(.dtFloat)]),
            node("out", "Relu6", ["biased"], ["T": type(.dtFloat)]),
        ])
    }
}
