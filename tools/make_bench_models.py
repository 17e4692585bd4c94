#!/usr/bin/env python3
"""Builds the benchmark models: MobileNetV2 (width 1.0) and ResNet-18, 224x224, 1000 classes, random weights.

    python3 tools/make_bench_models.py <out_dir>

Writes <out_dir>/mobilenetv2/model.onnx, <out_dir>/resnet18/model.onnx and <out_dir>/flops.json (floating-point
operations per image: 2 x the multiply-adds of every Conv and Gemm). The graphs look like framework exports:
opset 17, BatchNormalization left as separate nodes after every conv, ReLU6 as Clip(0, 6), input "input"
[N,3,224,224] with a dynamic batch, output "output" [N,1000]. Weights are He-initialised from fixed seeds; the
numbers are meaningless but the arithmetic is the real models'.
"""

import json
import os
import sys

import numpy as np
import onnx

from fixtures.builder import FLOAT, GraphBuilder
from fixtures.common import ort_session

INPUT = ("input", FLOAT, ["N", 3, 224, 224])
OUTPUT = ("output", FLOAT, ["N", 1000])

# MobileNetV2 inverted-residual settings: expansion t, output channels c, repeats n, first stride s.
MOBILENETV2_CONFIG = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2),
                      (6, 320, 1, 1)]


def conv_bn(b, x, cin, cout, k, stride=1, group=1, hint="conv"):
    """Conv without bias followed by BatchNormalization, as frameworks export conv + BN layers."""
    return b.bn(b.conv(x, cin, cout, k, stride=stride, group=group, bias=False, hint=hint), cout, f"{hint}.bn")


def mobilenetv2():
    b = GraphBuilder(np.random.default_rng(20))
    x = b.clip6(conv_bn(b, "input", 3, 32, 3, stride=2, hint="features.0"))
    cin, index = 32, 1
    for t, c, n, s in MOBILENETV2_CONFIG:
        for i in range(n):
            stride = s if i == 0 else 1
            hidden = cin * t
            hint = f"features.{index}"
            y = x
            if t != 1:
                y = b.clip6(conv_bn(b, y, cin, hidden, 1, hint=f"{hint}.expand"))
            y = b.clip6(conv_bn(b, y, hidden, hidden, 3, stride=stride, group=hidden, hint=f"{hint}.dw"))
            y = conv_bn(b, y, hidden, c, 1, hint=f"{hint}.project")  # linear bottleneck: no activation
            x = b.node("Add", [x, y], f"{hint}.add") if stride == 1 and cin == c else y
            cin, index = c, index + 1
    x = b.clip6(conv_bn(b, x, cin, 1280, 1, hint=f"features.{index}"))
    x = b.node("Flatten", [b.node("GlobalAveragePool", [x])], axis=1)
    b.nodes.append(onnx.helper.make_node("Gemm", [x, *gemm_params(b, 1280, 1000)], ["output"], transB=1))
    return b.model("mobilenetv2", [INPUT], [OUTPUT])


def resnet18():
    b = GraphBuilder(np.random.default_rng(18))
    x = b.node("Relu", [conv_bn(b, "input", 3, 64, 7, stride=2, hint="conv1")])
    x = b.node("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    cin = 64
    for stage, cout in enumerate([64, 128, 256, 512], start=1):
        for block in range(2):
            stride = 2 if stage > 1 and block == 0 else 1
            hint = f"layer{stage}.{block}"
            y = b.node("Relu", [conv_bn(b, x, cin, cout, 3, stride=stride, hint=f"{hint}.conv1")])
            y = conv_bn(b, y, cout, cout, 3, hint=f"{hint}.conv2")
            shortcut = x
            if stride != 1 or cin != cout:
                shortcut = conv_bn(b, x, cin, cout, 1, stride=stride, hint=f"{hint}.downsample")
            x = b.node("Relu", [b.node("Add", [y, shortcut], f"{hint}.add")])
            cin = cout
    x = b.node("Flatten", [b.node("GlobalAveragePool", [x])], axis=1)
    b.nodes.append(onnx.helper.make_node("Gemm", [x, *gemm_params(b, 512, 1000)], ["output"], transB=1))
    return b.model("resnet18", [INPUT], [OUTPUT])


def gemm_params(b, cin, cout):
    w = b.const_f32("fc.weight", b.rng.standard_normal((cout, cin)) * np.sqrt(1.0 / cin))
    return w, b.const_f32("fc.bias", b.rng.standard_normal(cout) * 0.01)


def count_flops(model):
    """2 x multiply-adds per image of every Conv and Gemm, from the shapes ONNX shape inference gives."""
    inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    shapes = {}
    for vi in list(inferred.graph.value_info) + list(inferred.graph.input) + list(inferred.graph.output):
        shapes[vi.name] = [d.dim_value if d.HasField("dim_value") else None for d in vi.type.tensor_type.shape.dim]
    for t in model.graph.initializer:
        shapes[t.name] = list(t.dims)
    total = 0
    for node in model.graph.node:
        if node.op_type == "Conv":
            _, cin_per_group, kh, kw = shapes[node.input[1]]
            _, cout, oh, ow = shapes[node.output[0]]
            total += 2 * cout * oh * ow * cin_per_group * kh * kw
        elif node.op_type == "Gemm":
            cout, cin = shapes[node.input[1]]  # transB=1: weight [out, in]
            total += 2 * cin * cout
    return total


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_bench_models.py <out_dir>")
    out = sys.argv[1]
    flops = {}
    for name, build in (("mobilenetv2", mobilenetv2), ("resnet18", resnet18)):
        model = build()
        onnx.checker.check_model(model, full_check=True)
        os.makedirs(os.path.join(out, name), exist_ok=True)
        path = os.path.join(out, name, "model.onnx")
        onnx.save(model, path)
        # Load and run once: the model must be one onnxruntime accepts, with finite, non-degenerate outputs.
        x = np.random.default_rng(0).standard_normal((2, 3, 224, 224)).astype(np.float32)
        y = ort_session(path, optimize=True).run(None, {"input": x})[0]
        assert y.shape == (2, 1000) and np.all(np.isfinite(y)), f"{name}: bad output"
        flops[name] = count_flops(model)
        print(f"{name}: {flops[name] / 1e9:.3f} GFLOP per image ({flops[name] / 2e9:.3f} G multiply-adds), "
              f"{len(model.graph.node)} nodes, {os.path.getsize(path) / 1e6:.1f} MB, "
              f"output std {float(y.std()):.3g}")
    with open(os.path.join(out, "flops.json"), "w") as f:
        json.dump(flops, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
