#!/usr/bin/env python3
"""Builds the Caffe fixtures in Tests/Fixtures/inference/caffe/.

    .venv-caffe/bin/python tools/make_caffe_fixtures.py [out_dir]

Caffe has no runtime on PyPI or Debian 12, so every net is written with protoc-generated Python of the reader's
own schema (Sources/Inference/Formats/Caffe/caffe-subset.proto, whose field numbers are Caffe's): the
.prototxt through protobuf's text_format, the .caffemodel as the binary NetParameter with the weight blobs.
The reference outputs come from the same net run in NumPy float64 (tools/fixtures/caffe_reference.py). Each
case is <name>/model/<name>.{prototxt,caffemodel}, inputs/*.npy (batch 16) and outputs/*.npy; manifest.json
lists them. Seeded: a re-run rewrites the same files.

Needs: protoc (Debian protobuf-compiler 3.21) and requirements/caffe.txt (numpy, protobuf).
"""

import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixtures import caffe_reference as ref  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROTO = os.path.join(REPO, "Sources", "Inference", "Formats", "Caffe", "caffe-subset.proto")
DEFAULT_OUT = os.path.join(REPO, "Tests", "Fixtures", "inference", "caffe")
BATCH = 16


def load_schema():
    """Compiles caffe-subset.proto to Python in a temporary folder and imports it."""
    folder = tempfile.mkdtemp(prefix="caffe-proto-")
    subprocess.run(["protoc", f"--proto_path={os.path.dirname(PROTO)}", f"--python_out={folder}", PROTO], check=True)
    sys.path.insert(0, folder)
    return importlib.import_module("caffe_subset_pb2")


pb = load_schema()
from google.protobuf import text_format  # noqa: E402


def f32(values):
    """Values as the files store them (float32), kept in float64 for the reference computation."""
    return np.asarray(values, dtype=np.float32).astype(np.float64)


class Net:
    """A net being written and run at once: each layer method adds the layer to the .prototxt (no blobs) and
    to the .caffemodel (with blobs), and computes its tops in float64."""

    def __init__(self, name, seed):
        self.name = name
        self.rng = np.random.default_rng(seed)
        self.deploy = pb.NetParameter(name=name)
        self.trained = pb.NetParameter(name=name)
        self.blobs = {}  # Caffe blob name -> float64 value
        self.inputs = {}
        self.order = []  # blobs in the order first written

    def weights(self, *shape, scale=0.5):
        return f32(self.rng.standard_normal(shape) * scale)

    def set(self, top, value):
        if top not in self.blobs:
            self.order.append(top)
        self.blobs[top] = value

    # Inputs, in the three ways a prototxt declares them.

    def input_layer(self, top, shape):
        layer = self.deploy.layer.add(name=top, type="Input", top=[top])
        layer.input_param.shape.add(dim=shape)
        self.trained.layer.add(name=top, type="Input", top=[top])
        self.add_input(top, shape)

    def net_input(self, top, shape, legacy_dims=False):
        self.deploy.input.append(top)
        if legacy_dims:
            self.deploy.input_dim.extend(shape)
        else:
            self.deploy.input_shape.add(dim=shape)
        self.add_input(top, shape)

    def add_input(self, top, shape):
        value = f32(self.rng.standard_normal((BATCH,) + tuple(shape[1:])))
        self.inputs[top] = value
        self.set(top, value)

    def layer(self, name, kind, bottoms, tops, value, blobs=(), **params):
        """Adds a layer; `value` is its tops' values (one array, or a list for several tops); params are
        <field>=dict set on the LayerParameter (e.g. convolution_param={...})."""
        for target, with_blobs in ((self.deploy, False), (self.trained, True)):
            layer = target.layer.add(name=name, type=kind, bottom=bottoms, top=tops)
            for field, settings in params.items():
                message = getattr(layer, field)
                for key, setting in settings.items():
                    if isinstance(setting, (list, tuple)):
                        getattr(message, key).extend(setting)
                    elif isinstance(setting, dict):
                        getattr(message, key).dim.extend(setting["dim"])
                    else:
                        setattr(message, key, setting)
                message.SetInParent()
            if with_blobs:
                for blob in blobs:
                    proto = layer.blobs.add()
                    proto.shape.dim.extend(blob.shape)
                    proto.data.extend(blob.astype(np.float32).ravel().tolist())
        values = value if isinstance(value, list) else [value]
        for top, v in zip(tops, values):
            self.set(top, v)

    def x(self, blob):
        return self.blobs[blob]

    # Layers used often enough to deserve a shorthand.

    def conv(self, name, bottom, top, out, k, stride=1, pad=0, dilation=1, group=1, bias=True):
        cin = self.x(bottom).shape[1]
        w = self.weights(out, cin // group, k, k, scale=1.0 / np.sqrt(cin // group * k * k))
        b = self.weights(out, scale=0.1) if bias else None
        y = ref.conv2d(self.x(bottom), w, b, (stride, stride), (pad, pad), (dilation, dilation), group)
        param = {"num_output": out, "kernel_size": [k], "stride": [stride], "pad": [pad], "group": group}
        if dilation != 1:
            param["dilation"] = [dilation]
        if not bias:
            param["bias_term"] = False
        self.layer(name, "Convolution", [bottom], [top], y, [w] + ([b] if bias else []), convolution_param=param)

    def bn_scale(self, name, blob):
        """BatchNorm then Scale with bias, both in place, as ResNet deploy nets write them."""
        c = self.x(blob).shape[1]
        factor = 0.5
        mean, var = f32(self.weights(c, scale=0.3) * factor), f32((self.rng.random(c) + 0.5) * factor)
        eps = 1e-5
        y = ref.batch_norm(self.x(blob), mean, var, factor, eps)
        self.layer(f"{name}_bn", "BatchNorm", [blob], [blob], y, [mean, var, np.array([factor])],
                   batch_norm_param={"use_global_stats": True, "eps": eps})
        gamma, beta = f32(self.rng.random(c) + 0.5), self.weights(c, scale=0.2)
        y = y * ref.broadcast_at(gamma, 1, y.ndim) + ref.broadcast_at(beta, 1, y.ndim)
        self.layer(f"{name}_scale", "Scale", [blob], [blob], y, [gamma, beta], scale_param={"bias_term": True})

    def relu(self, name, blob, slope=0.0):
        y = np.where(self.x(blob) > 0, self.x(blob), slope * self.x(blob))
        self.layer(name, "ReLU", [blob], [blob], y, **({"relu_param": {"negative_slope": slope}} if slope else {}))

    def fc(self, name, bottom, top, out, axis=1, transpose=False):
        k = int(np.prod(self.x(bottom).shape[axis:]))
        w = self.weights(*((k, out) if transpose else (out, k)), scale=1.0 / np.sqrt(k))
        b = self.weights(out, scale=0.1)
        y = ref.inner_product(self.x(bottom), w, b, axis, transpose)
        param = {"num_output": out}
        if axis != 1:
            param["axis"] = axis
        if transpose:
            param["transpose"] = True
        self.layer(name, "InnerProduct", [bottom], [top], y, [w, b], inner_product_param=param)

    def pool(self, name, bottom, top, method, k, stride, pad=0):
        y = ref.pool2d(self.x(bottom), method, (k, k), (stride, stride), (pad, pad))
        self.layer(name, "Pooling", [bottom], [top], y,
                   pooling_param={"pool": getattr(pb.PoolingParameter, method), "kernel_size": k, "stride": stride,
                                  "pad": pad})

    def outputs(self):
        """Blobs no layer reads after their last write (Caffe's net outputs), in the order first written."""
        read_after = set()
        last_write = {}
        for index, layer in enumerate(self.deploy.layer):
            for top in layer.top:
                last_write[top] = index
        for index, layer in enumerate(self.deploy.layer):
            for bottom in layer.bottom:
                if last_write.get(bottom, -1) < index:
                    read_after.add(bottom)
        return [b for b in self.order if b not in read_after and b not in self.inputs]


# The nets.

def lenet():
    net = Net("lenet", 1)
    net.input_layer("data", [1, 1, 12, 12])
    net.conv("conv1", "data", "conv1", 4, 3)
    net.pool("pool1", "conv1", "pool1", "MAX", 3, 2)  # 10 -> 5: rounding up matters (floor gives 4)
    net.fc("ip1", "pool1", "ip1", 16)
    net.relu("relu1", "ip1")
    net.fc("ip2", "ip1", "ip2", 10, transpose=True)
    net.layer("prob", "Softmax", ["ip2"], ["prob"], ref.softmax(net.x("ip2"), 1))
    return net, "LeNet-style: Convolution, Pooling MAX (ceil), InnerProduct (one transposed), in-place ReLU, Softmax"


def resnet_block():
    net = Net("resnet_block", 2)
    net.net_input("data", [1, 4, 8, 8])
    net.conv("conv1", "data", "conv1", 8, 3, pad=1, bias=False)
    net.bn_scale("conv1", "conv1")
    net.relu("conv1_relu", "conv1")
    net.conv("conv2", "conv1", "conv2", 8, 3, pad=1, bias=False)
    net.bn_scale("conv2", "conv2")
    net.conv("proj", "data", "proj", 8, 1, bias=False)
    net.bn_scale("proj", "proj")
    net.layer("sum", "Eltwise", ["conv2", "proj"], ["sum"], net.x("conv2") + net.x("proj"))
    net.relu("sum_relu", "sum")
    net.layer("pool", "Pooling", ["sum"], ["pool"], net.x("sum").mean(axis=(2, 3), keepdims=True),
              pooling_param={"pool": pb.PoolingParameter.AVE, "global_pooling": True})
    return net, "ResNet-style block: Conv + BatchNorm + Scale + ReLU in place, projection, Eltwise SUM, global AVE pool"


def mobilenet_block():
    net = Net("mobilenet_block", 3)
    net.net_input("data", [1, 8, 10, 10], legacy_dims=True)
    net.conv("dw1", "data", "dw1", 8, 3, stride=2, pad=1, group=8, bias=False)
    net.bn_scale("dw1", "dw1")
    net.relu("dw1_relu", "dw1")
    net.conv("pw1", "dw1", "pw1", 16, 1)
    net.relu("pw1_relu", "pw1")
    net.conv("dilated", "pw1", "dilated", 6, 3, pad=2, dilation=2, group=2)
    net.relu("dilated_relu", "dilated", slope=0.1)
    net.layer("gmax", "Pooling", ["dilated"], ["gmax"], net.x("dilated").max(axis=(2, 3), keepdims=True),
              pooling_param={"pool": pb.PoolingParameter.MAX, "global_pooling": True})
    return net, "MobileNet-style: depthwise (group) conv stride 2, pointwise, dilated grouped conv, leaky ReLU, global MAX"


def deconvolution():
    net = Net("deconvolution", 4)
    net.input_layer("data", [1, 4, 5, 5])
    w1, b1 = net.weights(4, 3, 4, 4, scale=0.3), net.weights(6, scale=0.1)
    y = ref.deconv2d(net.x("data"), w1, b1, (2, 2), (1, 1), (1, 1), 2)
    net.layer("up1", "Deconvolution", ["data"], ["up1"], y, [w1, b1],
              convolution_param={"num_output": 6, "kernel_size": [4], "stride": [2], "pad": [1], "group": 2})
    net.relu("up1_relu", "up1")
    w2 = net.weights(6, 3, 3, 2, scale=0.3)
    y = ref.deconv2d(net.x("up1"), w2, None, (1, 2), (0, 1), (1, 1), 1)
    net.layer("up2", "Deconvolution", ["up1"], ["up2"], y, [w2],
              convolution_param={"num_output": 3, "kernel_h": 3, "kernel_w": 2, "stride_h": 1, "stride_w": 2,
                                 "pad_h": 0, "pad_w": 1, "bias_term": False})
    return net, "Deconvolution: grouped stride 2 with pad, then _h/_w kernel, stride and pad without bias"


def shapes():
    net = Net("shapes", 5)
    net.input_layer("data", [1, 6, 4, 4])
    x = net.x("data")
    net.layer("slice", "Slice", ["data"], ["a", "b"], [x[:, :2], x[:, 2:]], slice_param={"axis": 1, "slice_point": [2]})
    net.layer("halves", "Slice", ["b"], ["b1", "b2"], [x[:, 2:4], x[:, 4:]], slice_param={"axis": 1})
    net.layer("copy", "Split", ["a"], ["a1", "a2"], [net.x("a"), net.x("a")])
    net.layer("prod", "Eltwise", ["b1", "b2"], ["prod"], net.x("b1") * net.x("b2"),
              eltwise_param={"operation": pb.EltwiseParameter.PROD})
    net.layer("max", "Eltwise", ["a1", "prod"], ["max"], np.maximum(net.x("a1"), net.x("prod")),
              eltwise_param={"operation": pb.EltwiseParameter.MAX})
    net.layer("wsum", "Eltwise", ["a2", "max"], ["wsum"], 0.5 * net.x("a2") - 2 * net.x("max"),
              eltwise_param={"operation": pb.EltwiseParameter.SUM, "coeff": [0.5, -2.0]})
    cat = np.concatenate([net.x("b"), net.x("wsum")], axis=1)
    net.layer("concat", "Concat", ["b", "wsum"], ["concat"], cat, concat_param={"axis": 1})
    # A partial order: the axes it leaves out follow in increasing order, so [0, 2] is [0, 2, 1, 3].
    net.layer("permute", "Permute", ["concat"], ["permute"], cat.transpose(0, 2, 1, 3), permute_param={"order": [0, 2]})
    p = net.x("permute")  # N x 4 x 6 x 4
    net.layer("reshape", "Reshape", ["permute"], ["reshape"], p.reshape(BATCH, 8, -1),
              reshape_param={"shape": {"dim": [0, 8, -1]}})
    net.fc("ip_axis2", "reshape", "ip_axis2", 5, axis=2)  # N x 8 x 5
    net.layer("flatten", "Flatten", ["ip_axis2"], ["flatten"], net.x("ip_axis2").reshape(BATCH, -1))
    s = net.x("concat")
    net.layer("flat_mid", "Flatten", ["concat"], ["flat_mid"], s.reshape(BATCH, 6, 16),
              flatten_param={"axis": 2, "end_axis": -1})
    net.layer("softmax_axis2", "Softmax", ["flat_mid"], ["softmax_axis2"], ref.softmax(net.x("flat_mid"), 2),
              softmax_param={"axis": 2})
    return net, "Slice (points, equal), Split, Eltwise PROD/MAX/SUM with coeff, Concat, Permute, Reshape 0/-1, " \
                "InnerProduct axis 2, Flatten, Softmax axis 2"


def scale_bias():
    net = Net("scale_bias", 6)
    net.input_layer("data", [1, 4, 3, 3])
    x = net.x("data")
    gamma = net.weights(4)
    net.layer("scale", "Scale", ["data"], ["scaled"], x * ref.broadcast_at(gamma, 1, 4), [gamma])
    bias = net.weights(4, 3)
    net.layer("bias", "Bias", ["scaled"], ["biased"], net.x("scaled") + ref.broadcast_at(bias, 1, 4), [bias],
              bias_param={"axis": 1, "num_axes": 2})
    net.fc("squeeze", "data", "squeeze", 4)
    net.layer("gate", "Sigmoid", ["squeeze"], ["squeeze"], 1 / (1 + np.exp(-net.x("squeeze"))))
    net.layer("excite", "Scale", ["biased", "squeeze"], ["excite"],
              net.x("biased") * net.x("squeeze")[:, :, None, None], scale_param={"axis": 0})
    shift = net.weights(3, 3)
    net.layer("spatial_bias", "Bias", ["excite"], ["out"], net.x("excite") + ref.broadcast_at(shift, 2, 4), [shift],
              bias_param={"axis": -2, "num_axes": -1})
    return net, "Scale (blob; second bottom, SE-style), Bias (two axes; negative axis to the end), Sigmoid"


def lrn():
    net = Net("lrn", 7)
    net.input_layer("data", [1, 5, 6, 6])
    net.layer("across", "LRN", ["data"], ["across"], ref.lrn_across(net.x("data"), 3, 0.3, 0.75, 2.0),
              lrn_param={"local_size": 3, "alpha": 0.3, "beta": 0.75, "k": 2.0})
    net.layer("within", "LRN", ["data"], ["within"], ref.lrn_within(net.x("data"), 3, 0.4, 0.6),
              lrn_param={"local_size": 3, "alpha": 0.4, "beta": 0.6, "norm_region": pb.LRNParameter.WITHIN_CHANNEL})
    return net, "LRN ACROSS_CHANNELS (k) and WITHIN_CHANNEL, two outputs"


def activations():
    net = Net("activations", 8)
    net.input_layer("data", [1, 3, 4, 4])
    slopes = net.weights(3, scale=0.3)
    net.layer("prelu", "PReLU", ["data"], ["prelu"], ref.prelu(net.x("data"), slopes), [slopes])
    net.layer("elu", "ELU", ["prelu"], ["prelu"], ref.elu(net.x("prelu"), 0.7), elu_param={"alpha": 0.7})
    net.layer("abs", "AbsVal", ["prelu"], ["abs"], np.abs(net.x("prelu")))
    net.layer("power", "Power", ["abs"], ["abs"], ref.power(net.x("abs"), 1.5, 0.5, 0.25),
              power_param={"power": 1.5, "scale": 0.5, "shift": 0.25})
    net.layer("log", "Log", ["abs"], ["log"], ref.log_layer(net.x("abs"), 10.0, 2.0, 1.0),
              log_param={"base": 10.0, "scale": 2.0, "shift": 1.0})
    net.layer("ln", "Log", ["abs"], ["ln"], ref.log_layer(net.x("abs"), -1, 1.0, 0.5), log_param={"shift": 0.5})
    net.layer("exp", "Exp", ["log"], ["exp"], ref.exp_layer(net.x("log"), 2.0, 0.3, 0.2),
              exp_param={"base": 2.0, "scale": 0.3, "shift": 0.2})
    net.layer("exp_e", "Exp", ["ln"], ["exp_e"], ref.exp_layer(net.x("ln"), -1, -0.5, 0.0), exp_param={"scale": -0.5})
    net.layer("tanh", "TanH", ["data"], ["tanh"], np.tanh(net.x("data")))
    net.layer("clip", "Clip", ["tanh"], ["tanh"], np.clip(net.x("tanh"), -0.5, 0.4), clip_param={"min": -0.5, "max": 0.4})
    shared = np.array([0.25])
    net.layer("prelu_shared", "PReLU", ["data"], ["shared"], ref.prelu(net.x("data"), shared), [shared],
              prelu_param={"channel_shared": True})
    net.layer("bnll", "BNLL", ["shared"], ["shared"], np.log1p(np.exp(net.x("shared"))))
    net.layer("dropout", "Dropout", ["shared"], ["shared"], net.x("shared"), dropout_param={"dropout_ratio": 0.3})
    net.layer("dropout_unscaled", "Dropout", ["shared"], ["unscaled"], net.x("shared") * 0.8,
              dropout_param={"dropout_ratio": 0.2, "scale_train": False})
    return net, "PReLU (per channel, shared), ELU, AbsVal, Power, Log (base 10, e), Exp (base 2, e), TanH, Clip, " \
                "BNLL, Dropout (both scalings)"


def pooling():
    net = Net("pooling", 9)
    net.input_layer("data", [1, 3, 8, 8])
    net.pool("ave", "data", "ave", "AVE", 3, 2, pad=1)  # 5 outputs; the last window's divisor counts 1 pad row
    net.pool("ave_clip", "data", "ave_clip", "AVE", 3, 3, pad=2)  # a window starting in the padding is dropped
    net.pool("max_clip", "data", "max_clip", "MAX", 3, 3, pad=2)
    y = ref.pool2d(net.x("data"), "MAX", (3, 2), (2, 2), (0, 0), ceil=False)
    net.layer("max_floor", "Pooling", ["data"], ["max_floor"], y,
              pooling_param={"pool": pb.PoolingParameter.MAX, "kernel_h": 3, "kernel_w": 2, "stride": 2,
                             "round_mode": pb.PoolingParameter.FLOOR})
    return net, "Pooling AVE with pad and ceil (Caffe's divisor), windows starting in the padding dropped, " \
                "MAX with _h/_w kernel and FLOOR rounding"


def argmax():
    net = Net("argmax", 10)
    net.input_layer("data", [1, 4, 3, 3])
    x = net.x("data")
    net.layer("top1", "ArgMax", ["data"], ["top1"], ref.argmax(x))
    net.layer("top3", "ArgMax", ["data"], ["top3"], ref.argmax(x, 3, True), argmax_param={"top_k": 3, "out_max_val": True})
    net.layer("channel", "ArgMax", ["data"], ["channel"], ref.argmax(x, axis=1), argmax_param={"axis": 1})
    net.layer("channel_max", "ArgMax", ["data"], ["channel_max"], ref.argmax(x, 2, True, axis=1),
              argmax_param={"axis": 1, "top_k": 2, "out_max_val": True})
    return net, "ArgMax: flattened top 1, top 3 with values (N×2×3), along an axis, top 2 values along an axis"


NETS = [lenet, resnet_block, mobilenet_block, deconvolution, shapes, scale_bias, lrn, activations, pooling, argmax]


def write(net, description, out):
    case = os.path.join(out, net.name)
    model = os.path.join(case, "model")
    os.makedirs(model)
    os.makedirs(os.path.join(case, "inputs"))
    os.makedirs(os.path.join(case, "outputs"))
    with open(os.path.join(model, f"{net.name}.prototxt"), "w") as f:
        f.write(text_format.MessageToString(net.deploy))
    with open(os.path.join(model, f"{net.name}.caffemodel"), "wb") as f:
        f.write(net.trained.SerializeToString())
    entry = {"name": f"caffe_{net.name}", "kind": "model", "model": f"{net.name}/model", "format": "caffe",
             "inputs": {}, "outputs": {}, "input_order": [], "output_order": [], "atol": 1e-5, "rtol": 1e-4,
             "batch_invariant": True, "description": description}
    for name, value in net.inputs.items():
        path = f"{net.name}/inputs/{name}.npy"
        np.save(os.path.join(out, path), value.astype(np.float32))
        entry["inputs"][name] = path
        entry["input_order"].append(name)
    for name in net.outputs():
        path = f"{net.name}/outputs/{name}.npy"
        np.save(os.path.join(out, path), net.x(name).astype(np.float32))
        entry["outputs"][name] = path
        entry["output_order"].append(name)
    return entry


def main():
    out = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUT)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    manifest = []
    for make in NETS:
        net, description = make()
        manifest.append(write(net, description, out))
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    print(f"wrote {len(manifest)} Caffe cases to {out}")


if __name__ == "__main__":
    main()
