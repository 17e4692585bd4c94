"""Writes a benchmark network as a TensorFlow frozen graph, NHWC, built with TensorFlow itself.

    .venv-tensorflow/bin/python -m bench_formats.tensorflow_writer <spec_dir> <out_dir>    (from tools/)

<spec_dir> holds network.py's layers.json + weights.npz and check_input.npy (NCHW) / check_output.npy
(onnxruntime's output of the ONNX model). Writes <out_dir>/frozen_graph.pb and graph_meta.json, then runs the
frozen graph in a TensorFlow Session on the check input (transposed to NHWC) and fails unless it gives
onnxruntime's output to 1e-3 of its largest value: the two files hold the same network.

The graph is what a TensorFlow user's export looks like: a tf.function over tf.Variables frozen with
convert_variables_to_constants_v2; Conv2D / DepthwiseConv2dNative with HWIO / HWC1 filters, FusedBatchNormV3,
Relu6 / Relu, AddV2, Mean over H and W, MatMul + BiasAdd. ONNX's symmetric pads become SAME where TensorFlow's
SAME pads the same way (stride 1), else an explicit Pad and VALID, as Keras's ZeroPadding2D does (the strided
convolutions and ResNet's max pool, whose input is a ReLU output, so zero padding equals -inf padding).
"""

import json
import math
import os
import sys

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf  # noqa: E402
from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2  # noqa: E402

from .network import CHANNELS, IMAGE_SIZE, INPUT_NAME, Network, check_close  # noqa: E402


def tf_padding(size, kernel, stride, pad):
    """"SAME" or "VALID" when TensorFlow's own padding of that name equals `pad` on every side, else None."""
    if pad == 0:
        return "VALID"
    total = max((math.ceil(size / stride) - 1) * stride + kernel - size, 0)
    return "SAME" if total // 2 == pad and total - total // 2 == pad else None


def filter_layout(layer, weight):
    """ONNX OIHW weights in TensorFlow's layout: HWIO for Conv2D, [H, W, C, 1] for a depthwise convolution."""
    out_channels, in_per_group = weight.shape[:2]
    if layer["group"] == 1:
        return weight.transpose(2, 3, 1, 0), False
    if in_per_group == 1 and layer["group"] == out_channels:
        return weight.transpose(2, 3, 0, 1), True
    raise ValueError(f"{layer['name']}: grouped convolution with {layer['group']} groups has no TensorFlow op here")


class FrozenNetwork(tf.Module):
    """The network's weights as tf.Variables (what a trained model has before freezing) and its NHWC forward."""

    def __init__(self, network):
        super().__init__(name=None)
        self.network = network
        self.variables_by_key = {}
        for layer in network.layers:
            for role in ("weight", "bias", "scale", "offset", "mean", "var"):
                key = layer.get(role)
                if key is None:
                    continue
                value = network.weights[key]
                if layer["op"] == "conv" and role == "weight":
                    value, _ = filter_layout(layer, value)
                elif layer["op"] == "dense" and role == "weight":
                    value = value.T  # [in, out] for x @ W
                self.variables_by_key[key] = tf.Variable(np.ascontiguousarray(value), name=key, trainable=False)

    def var(self, layer, role):
        return self.variables_by_key[layer[role]]

    @tf.function(input_signature=[tf.TensorSpec([None, IMAGE_SIZE, IMAGE_SIZE, CHANNELS], tf.float32,
                                                name=INPUT_NAME)])
    def __call__(self, images):
        values = {INPUT_NAME: images}
        for layer in self.network.layers:
            with tf.name_scope(layer["name"]):
                values[layer["output"]] = self.apply(layer, [values[name] for name in layer["inputs"]])
        return values[self.network.layers[-1]["output"]]

    def pad_for(self, x, kernel, stride, pad):
        padding = tf_padding(int(x.shape[1]), kernel, stride, pad)
        if padding is None:
            x, padding = tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]]), "VALID"
        return x, padding

    def apply(self, layer, inputs):
        op, x = layer["op"], inputs[0]
        if op == "conv":
            x, padding = self.pad_for(x, layer["kernel"], layer["stride"], layer["pad"])
            _, depthwise = filter_layout(layer, self.network.weights[layer["weight"]])
            strides = [1, layer["stride"], layer["stride"], 1]
            if depthwise:
                y = tf.nn.depthwise_conv2d(x, self.var(layer, "weight"), strides, padding)
            else:
                y = tf.nn.conv2d(x, self.var(layer, "weight"), strides, padding)
            return y if layer.get("bias") is None else tf.nn.bias_add(y, self.var(layer, "bias"))
        if op == "batchnorm":
            y, _, _ = tf.compat.v1.nn.fused_batch_norm(
                x, self.var(layer, "scale"), self.var(layer, "offset"), mean=self.var(layer, "mean"),
                variance=self.var(layer, "var"), epsilon=layer["epsilon"], data_format="NHWC", is_training=False)
            return y
        if op == "relu6":
            return tf.nn.relu6(x)
        if op == "relu":
            return tf.nn.relu(x)
        if op == "maxpool":
            x, padding = self.pad_for(x, layer["kernel"], layer["stride"], layer["pad"])
            return tf.nn.max_pool2d(x, layer["kernel"], layer["stride"], padding)
        if op == "add":
            return tf.add(inputs[0], inputs[1])
        if op == "global_avgpool":
            return tf.reduce_mean(x, axis=[1, 2])  # [N, C]: the flatten that follows has nothing left to do
        if op == "flatten":
            return x
        if op == "dense":
            return tf.nn.bias_add(tf.matmul(x, self.var(layer, "weight")), self.var(layer, "bias"))
        raise ValueError(f"no TensorFlow form for layer {layer['name']} ({op})")


def frozen_session(graph_def, threads):
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(graph_def, name="")
    config = tf.compat.v1.ConfigProto(intra_op_parallelism_threads=threads, inter_op_parallelism_threads=1)
    return tf.compat.v1.Session(graph=graph, config=config)


def main():
    spec_dir, out_dir = sys.argv[1:3]
    network = Network.load(spec_dir)
    module = FrozenNetwork(network)
    frozen = convert_variables_to_constants_v2(module.__call__.get_concrete_function())
    graph_def = frozen.graph.as_graph_def()
    input_name, output_name = frozen.inputs[0].name, frozen.outputs[0].name
    os.makedirs(out_dir, exist_ok=True)
    tf.io.write_graph(graph_def, out_dir, "frozen_graph.pb", as_text=False)
    with open(os.path.join(out_dir, "graph_meta.json"), "w") as f:
        json.dump({"input_names": [input_name], "output_names": [output_name]}, f)
        f.write("\n")

    # Read back what was written, as the benchmark's TensorFlow side will.
    written = tf.compat.v1.GraphDef()
    with open(os.path.join(out_dir, "frozen_graph.pb"), "rb") as f:
        written.ParseFromString(f.read())
    images = np.load(os.path.join(spec_dir, "check_input.npy")).transpose(0, 2, 3, 1)
    with frozen_session(written, threads=2) as session:
        got = session.run(output_name, {input_name: images})
    error, scale = check_close(f"{network.name} TensorFlow", got, np.load(os.path.join(spec_dir, "check_output.npy")))
    ops = {}
    for node in written.node:
        ops[node.op] = ops.get(node.op, 0) + 1
    print(f"{network.name}-tensorflow: {len(written.node)} nodes ({', '.join(f'{k} {v}' for k, v in sorted(ops.items()))}); "
          f"TensorFlow {tf.__version__} matches onnxruntime: max |diff| {error:.2g} (max |ref| {scale:.3g})")


if __name__ == "__main__":
    main()
