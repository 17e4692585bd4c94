"""A benchmark network as a framework-neutral list of layers with NumPy weights (NCHW, ONNX conventions).

Made from one of tools/make_bench_models.py's ONNX models (`from_onnx`, needs the onnx package) and saved as
layers.json + weights.npz (`save`/`load`, NumPy only), so that each format's writer can run in the Python
environment of its own framework. Layers, in graph order (each has "name", "inputs", "output"):

    conv            kernel, stride, pad (the same on all four sides), group, weight [O, I/group, kH, kW], bias|None
    batchnorm       scale, offset, mean, var, epsilon (inference form)
    relu, relu6     (relu6 = ONNX Clip(0, 6))
    maxpool         kernel, stride, pad (floor-rounded output, as ONNX)
    add             two inputs
    global_avgpool  [N, C, H, W] -> [N, C, 1, 1]
    flatten         [N, C, 1, 1] -> [N, C]
    dense           weight [out, in], bias [out]  (ONNX Gemm with transB = 1)

Weights are stored under "<layer name>.<role>" keys; a layer refers to them by that key.
"""

import json
import os

import numpy as np

INPUT_NAME = "input"
OUTPUT_NAME = "output"
IMAGE_SIZE = 224
CHANNELS = 3


class Network:
    def __init__(self, name, layers, weights):
        self.name = name
        self.layers = layers
        self.weights = weights  # key -> float32 array

    def weight(self, layer, role):
        key = layer.get(role)
        return None if key is None else self.weights[key]

    def consumers(self):
        """Value name -> number of layers reading it (the graph output counts as one reader)."""
        counts = {OUTPUT_NAME: 1}
        for layer in self.layers:
            for value in layer["inputs"]:
                counts[value] = counts.get(value, 0) + 1
        return counts

    def save(self, folder):
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "layers.json"), "w") as f:
            json.dump({"name": self.name, "layers": self.layers}, f, indent=1)
        np.savez(os.path.join(folder, "weights.npz"), **self.weights)

    @staticmethod
    def load(folder):
        with open(os.path.join(folder, "layers.json")) as f:
            spec = json.load(f)
        with np.load(os.path.join(folder, "weights.npz")) as data:
            weights = {key: data[key].astype(np.float32) for key in data.files}
        return Network(spec["name"], spec["layers"], weights)


def from_onnx(path, name):
    """Reads one of tools/make_bench_models.py's models; refuses anything outside the ops listed above."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(path)
    inits = {t.name: numpy_helper.to_array(t).astype(np.float32) for t in model.graph.initializer}
    weights, layers = {}, []

    def keep(layer, role, tensor_name):
        key = f"{layer['name']}.{role}"
        weights[key] = inits[tensor_name]
        layer[role] = key

    for node in model.graph.node:
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        layer = {"name": node.output[0], "inputs": [node.input[0]], "output": node.output[0]}
        op = node.op_type
        if op == "Conv":
            pads = attrs.get("pads", [0, 0, 0, 0])
            kernel, strides = attrs["kernel_shape"], attrs.get("strides", [1, 1])
            if len(set(pads)) != 1 or kernel[0] != kernel[1] or strides[0] != strides[1] or "auto_pad" in attrs:
                raise ValueError(f"{path}: Conv {node.name} is not square with symmetric pads")
            layer.update(op="conv", kernel=kernel[0], stride=strides[0], pad=pads[0], group=attrs.get("group", 1),
                         bias=None)
            keep(layer, "weight", node.input[1])
            if len(node.input) > 2:
                keep(layer, "bias", node.input[2])
        elif op == "BatchNormalization":
            layer.update(op="batchnorm", epsilon=float(attrs.get("epsilon", 1e-5)))
            for role, tensor_name in zip(("scale", "offset", "mean", "var"), node.input[1:]):
                keep(layer, role, tensor_name)
        elif op == "Clip":
            bounds = [float(inits[n]) for n in node.input[1:]]
            if bounds != [0.0, 6.0]:
                raise ValueError(f"{path}: Clip {node.name} is not ReLU6 ({bounds})")
            layer["op"] = "relu6"
        elif op == "Relu":
            layer["op"] = "relu"
        elif op == "MaxPool":
            pads, kernel, strides = attrs.get("pads", [0, 0, 0, 0]), attrs["kernel_shape"], attrs["strides"]
            if len(set(pads)) != 1 or kernel[0] != kernel[1] or strides[0] != strides[1] or attrs.get("ceil_mode"):
                raise ValueError(f"{path}: MaxPool {node.name} is not square with symmetric pads")
            layer.update(op="maxpool", kernel=kernel[0], stride=strides[0], pad=pads[0])
        elif op == "Add":
            layer.update(op="add", inputs=list(node.input))
        elif op == "GlobalAveragePool":
            layer["op"] = "global_avgpool"
        elif op == "Flatten":
            layer["op"] = "flatten"
        elif op == "Gemm":
            if attrs.get("transB") != 1 or attrs.get("transA", 0) != 0:
                raise ValueError(f"{path}: Gemm {node.name} is not a Linear layer (transB = 1)")
            layer.update(op="dense")
            keep(layer, "weight", node.input[1])
            keep(layer, "bias", node.input[2])
        else:
            raise ValueError(f"{path}: no writer handles ONNX {op} ({node.name})")
        layers.append(layer)
    if [i.name for i in model.graph.input] != [INPUT_NAME] or layers[-1]["output"] != OUTPUT_NAME:
        raise ValueError(f"{path}: expected one input '{INPUT_NAME}' and the last node writing '{OUTPUT_NAME}'")
    return Network(name, layers, weights)


def check_close(what, got, expected, rtol=1e-3):
    """Raises unless |got - expected| <= rtol * max|expected| everywhere (and top-1 agrees); returns the error."""
    got, expected = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    if got.shape != expected.shape:
        raise AssertionError(f"{what}: shape {got.shape}, expected {expected.shape}")
    error = float(np.max(np.abs(got - expected)))
    scale = float(np.max(np.abs(expected)))
    if not error <= rtol * scale or not np.array_equal(got.argmax(-1), expected.argmax(-1)):
        raise AssertionError(f"{what}: max |diff| {error:.3g} against max |ref| {scale:.3g} (rtol {rtol})")
    return error, scale
