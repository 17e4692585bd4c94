"""Writes a benchmark network as a Caffe deploy net: net.prototxt + net.caffemodel (NCHW).

    .venv-caffe/bin/python -m bench_formats.caffe_writer <spec_dir> <out_dir>    (from tools/)

Caffe has no runtime on PyPI or Debian 12, so the files are written with protoc-generated Python of the Caffe
reader's own schema (Sources/Inference/Formats/Caffe/caffe-subset.proto, Caffe's field numbers), as
tools/make_caffe_fixtures.py does. To show the files hold the same network, they are read back and run in NumPy
float64 with Caffe's layer semantics (tools/fixtures/caffe_reference.py) on the first image of the check input;
the result must match onnxruntime's output of the ONNX model to 1e-3 of its largest value.

Layers as Caffe model zoos write them: Input; Convolution (bias_term false, group = channels for depthwise);
BatchNorm (use_global_stats, the three blobs with scale factor 1) + Scale (bias_term) in place; Clip(0, 6) or
ReLU in place; Pooling MAX with round_mode FLOOR (ONNX's rounding; Caffe's default CEIL would add a row);
Eltwise SUM; Pooling AVE global_pooling; InnerProduct (which flattens its input).
"""

import importlib
import os
import subprocess
import sys
import tempfile

import numpy as np

from .network import CHANNELS, IMAGE_SIZE, INPUT_NAME, Network, check_close

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROTO = os.path.join(REPO, "Sources", "Inference", "Formats", "Caffe", "caffe-subset.proto")


def load_schema():
    folder = tempfile.mkdtemp(prefix="caffe-proto-")
    subprocess.run(["protoc", f"--proto_path={os.path.dirname(PROTO)}", f"--python_out={folder}", PROTO], check=True)
    sys.path.insert(0, folder)
    return importlib.import_module("caffe_subset_pb2")


def blob(pb, array):
    array = np.asarray(array, np.float32)
    return pb.BlobProto(shape=pb.BlobShape(dim=list(array.shape)), data=array.ravel().tolist())


def build(pb, network):
    """Returns (deploy NetParameter without blobs, trained NetParameter with blobs)."""
    deploy, trained = pb.NetParameter(name=network.name), pb.NetParameter(name=network.name)
    consumers = network.consumers()
    blob_of = {INPUT_NAME: INPUT_NAME}  # network value -> Caffe blob (in-place layers keep their bottom's name)

    def add(name, kind, bottoms, top, blobs=(), **params):
        layers = []
        for net in (deploy, trained):
            layer = net.layer.add(name=name, type=kind, bottom=bottoms, top=[top])
            for field, value in params.items():
                getattr(layer, field).CopyFrom(value)
            layers.append(layer)
        layers[1].blobs.extend(blob(pb, b) for b in blobs)

    add(INPUT_NAME, "Input", [], INPUT_NAME,
        input_param=pb.InputParameter(shape=[pb.BlobShape(dim=[1, CHANNELS, IMAGE_SIZE, IMAGE_SIZE])]))
    for layer in network.layers:
        op, name = layer["op"], layer["name"]
        bottoms = [blob_of[v] for v in layer["inputs"]]
        # In place (top = bottom) as Caffe nets do for BatchNorm/Scale/activations, when nothing else reads
        # the bottom.
        in_place = op in ("batchnorm", "relu", "relu6") and consumers.get(layer["inputs"][0], 0) == 1
        top = bottoms[0] if in_place else name
        blob_of[layer["output"]] = top
        if op == "conv":
            weight = network.weight(layer, "weight")
            bias = network.weight(layer, "bias")
            param = pb.ConvolutionParameter(num_output=weight.shape[0], kernel_size=[layer["kernel"]],
                                            stride=[layer["stride"]], pad=[layer["pad"]], group=layer["group"],
                                            bias_term=bias is not None)
            add(name, "Convolution", bottoms, top, [weight] + ([bias] if bias is not None else []),
                convolution_param=param)
        elif op == "batchnorm":
            add(name, "BatchNorm", bottoms, top,
                [network.weight(layer, "mean"), network.weight(layer, "var"), np.ones(1, np.float32)],
                batch_norm_param=pb.BatchNormParameter(use_global_stats=True, eps=layer["epsilon"]))
            add(name + ".scale", "Scale", [top], top,
                [network.weight(layer, "scale"), network.weight(layer, "offset")],
                scale_param=pb.ScaleParameter(bias_term=True))
        elif op == "relu6":
            add(name, "Clip", bottoms, top, clip_param=pb.ClipParameter(min=0.0, max=6.0))
        elif op == "relu":
            add(name, "ReLU", bottoms, top)
        elif op == "maxpool":
            add(name, "Pooling", bottoms, top, pooling_param=pb.PoolingParameter(
                pool=pb.PoolingParameter.MAX, kernel_size=layer["kernel"], stride=layer["stride"], pad=layer["pad"],
                round_mode=pb.PoolingParameter.FLOOR))
        elif op == "add":
            add(name, "Eltwise", bottoms, top,
                eltwise_param=pb.EltwiseParameter(operation=pb.EltwiseParameter.SUM))
        elif op == "global_avgpool":
            add(name, "Pooling", bottoms, top,
                pooling_param=pb.PoolingParameter(pool=pb.PoolingParameter.AVE, global_pooling=True))
        elif op == "flatten":
            blob_of[layer["output"]] = bottoms[0]  # InnerProduct flattens its input itself
        elif op == "dense":
            weight, bias = network.weight(layer, "weight"), network.weight(layer, "bias")
            add(name, "InnerProduct", bottoms, top, [weight, bias],
                inner_product_param=pb.InnerProductParameter(num_output=weight.shape[0]))
        else:
            raise ValueError(f"no Caffe form for layer {name} ({op})")
    return deploy, trained


def run_reference(pb, deploy, trained, image):
    """Runs the files as read back, in float64 with Caffe's semantics; returns the last layer's top."""
    from fixtures import caffe_reference as ref

    blobs = {layer.name: [np.asarray(b.data, np.float64).reshape(b.shape.dim) for b in layer.blobs]
             for layer in trained.layer}
    values = {}
    for layer in deploy.layer:
        kind, params = layer.type, blobs[layer.name]
        x = values.get(layer.bottom[0]) if layer.bottom else None
        if kind == "Input":
            y = image.astype(np.float64)
        elif kind == "Convolution":
            p = layer.convolution_param
            s, pad = p.stride[0], p.pad[0]  # the kernel size comes from the weights' shape
            y = ref.conv2d(x, params[0], params[1] if p.bias_term else None, (s, s), (pad, pad), (1, 1), p.group)
        elif kind == "BatchNorm":
            y = ref.batch_norm(x, params[0], params[1], params[2][0], layer.batch_norm_param.eps)
        elif kind == "Scale":
            y = x * ref.broadcast_at(params[0], 1, x.ndim) + ref.broadcast_at(params[1], 1, x.ndim)
        elif kind == "Clip":
            y = np.clip(x, layer.clip_param.min, layer.clip_param.max)
        elif kind == "ReLU":
            y = np.maximum(x, 0)
        elif kind == "Pooling":
            p = layer.pooling_param
            if p.global_pooling:
                y = x.mean(axis=(2, 3), keepdims=True)
            else:
                method = "MAX" if p.pool == pb.PoolingParameter.MAX else "AVE"
                y = ref.pool2d(x, method, (p.kernel_size,) * 2, (p.stride,) * 2, (p.pad,) * 2,
                               ceil=p.round_mode == pb.PoolingParameter.CEIL)
        elif kind == "Eltwise":
            y = values[layer.bottom[0]] + values[layer.bottom[1]]
        elif kind == "InnerProduct":
            y = ref.inner_product(x, params[0], params[1])
        else:
            raise ValueError(f"the reference run has no {kind}")
        values[layer.top[0]] = y
    return values[deploy.layer[-1].top[0]]


def main():
    spec_dir, out_dir = sys.argv[1:3]
    pb = load_schema()
    from google.protobuf import text_format

    network = Network.load(spec_dir)
    deploy, trained = build(pb, network)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "net.prototxt"), "w") as f:
        f.write(text_format.MessageToString(deploy))
    with open(os.path.join(out_dir, "net.caffemodel"), "wb") as f:
        f.write(trained.SerializeToString())

    written_deploy, written_trained = pb.NetParameter(), pb.NetParameter()
    with open(os.path.join(out_dir, "net.prototxt")) as f:
        text_format.Parse(f.read(), written_deploy)
    with open(os.path.join(out_dir, "net.caffemodel"), "rb") as f:
        written_trained.ParseFromString(f.read())
    image = np.load(os.path.join(spec_dir, "check_input.npy"))[:1]
    expected = np.load(os.path.join(spec_dir, "check_output.npy"))[:1]
    got = run_reference(pb, written_deploy, written_trained, image)
    error, scale = check_close(f"{network.name} Caffe", got, expected)
    kinds = {}
    for layer in written_deploy.layer:
        kinds[layer.type] = kinds.get(layer.type, 0) + 1
    print(f"{network.name}-caffe: {len(written_deploy.layer)} layers "
          f"({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}); NumPy float64 run of the files matches "
          f"onnxruntime: max |diff| {error:.2g} (max |ref| {scale:.3g})")


if __name__ == "__main__":
    main()
