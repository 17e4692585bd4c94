#!/usr/bin/env python3
"""Builds the demo model: a digit classifier for 8x8 images, as ONNX and as OpenVINO IR, plus example images.

    python3 tools/make_demo_model.py [--out .]

Trains a small MLP (64 -> 64 ReLU -> 10 softmax) on scikit-learn's bundled digits dataset (1,797 grey 8x8 images,
values 0-16; nothing is downloaded), with fixed seeds, and writes:

    models/digits/digits.onnx                 input "image" float32 [batch, 3, 8, 8], output "probabilities" [batch, 10]
    models/digits-openvino/digits.xml, .bin   the same graph converted by OpenVINO's own converter (f32 weights)
    examples/digits/<index>-<label>.png       one test image per digit 0-9 (index = position in load_digits)
    examples/digits/labels.json               {file name: label}

The model takes what the server feeds an image: raw pixel values 0-255, channels first, BGR (here all three channels
are equal). The graph itself does the preprocessing: grey = mean over the channels, x / 255 (= the dataset's value / 16,
the MLP's input scale), flatten to [batch, 64], then Gemm, Relu, Gemm, Softmax.

Checks, each of which stops the script if it fails: test accuracy >= 0.95; onnx.checker; onnxruntime reproduces
scikit-learn's probabilities on the test split (test images replicated to 3 channels and scaled x 255/16) within
1e-5; OpenVINO (CPU, f32) reproduces onnxruntime within 1e-5. Running the script again writes the same bytes.
"""

import os

# One BLAS thread: training then gives the same weights on every machine and every run.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

SEED = 0
HIDDEN = 64
OPSET = 13
TOLERANCE = 1e-5
MIN_ACCURACY = 0.95


def train():
    digits = load_digits()
    x = digits.data.astype(np.float64)  # [1797, 64], 0..16
    y = digits.target
    indices = np.arange(len(y))
    x_train, x_test, y_train, y_test, _, idx_test = train_test_split(
        x, y, indices, test_size=0.25, random_state=SEED, stratify=y)
    clf = MLPClassifier(hidden_layer_sizes=(HIDDEN,), activation="relu", solver="adam", alpha=1e-3,
                        learning_rate_init=1e-3, max_iter=600, random_state=SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(x_train / 16.0, y_train)
    accuracy = clf.score(x_test / 16.0, y_test)
    return clf, x_test, y_test, idx_test, accuracy


def build_onnx(clf):
    (w1, w2), (b1, b2) = clf.coefs_, clf.intercepts_
    inits = [
        numpy_helper.from_array(np.array(1.0 / 255.0, dtype=np.float32), "scale"),
        numpy_helper.from_array(w1.astype(np.float32), "fc1.weight"),  # [64, HIDDEN]
        numpy_helper.from_array(b1.astype(np.float32), "fc1.bias"),
        numpy_helper.from_array(w2.astype(np.float32), "fc2.weight"),  # [HIDDEN, 10]
        numpy_helper.from_array(b2.astype(np.float32), "fc2.bias"),
    ]
    nodes = [
        # BGR 0-255 -> grey 0-255 -> the dataset's 0-16 / 16, as the MLP was trained.
        helper.make_node("ReduceMean", ["image"], ["grey"], name="grey", axes=[1], keepdims=0),
        helper.make_node("Mul", ["grey", "scale"], ["scaled"], name="scale"),
        helper.make_node("Flatten", ["scaled"], ["features"], name="flatten", axis=1),
        helper.make_node("Gemm", ["features", "fc1.weight", "fc1.bias"], ["fc1"], name="fc1"),
        helper.make_node("Relu", ["fc1"], ["hidden"], name="relu"),
        helper.make_node("Gemm", ["hidden", "fc2.weight", "fc2.bias"], ["logits"], name="fc2"),
        helper.make_node("Softmax", ["logits"], ["probabilities"], name="softmax", axis=1),
    ]
    graph = helper.make_graph(
        nodes, "digits",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", 3, 8, 8])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 10])],
        initializer=inits)
    graph.doc_string = ("Digit classifier (scikit-learn digits, MLP 64-%d-10). Input: BGR pixels 0-255, CHW, "
                        "as Cluster Serving feeds an image. Output: class probabilities." % HIDDEN)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="cluster-serving-demo")
    # The lowest IR version that carries opset 13 (7): every onnxruntime and OpenVINO reads it.
    model.ir_version = helper.find_min_ir_version_for([helper.make_opsetid("", OPSET)])
    onnx.checker.check_model(model, full_check=True)
    onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    return model


def served_input(x64):
    """Dataset rows (0-16) -> what the server feeds for the matching 8-bit image, kept as float (no rounding)."""
    grey = (x64 * (255.0 / 16.0)).reshape(-1, 1, 8, 8)
    return np.repeat(grey, 3, axis=1).astype(np.float32)


def to_uint8_image(x64_row):
    """One dataset row -> the 8x8 3-channel uint8 image written to examples/."""
    grey = np.rint(x64_row * (255.0 / 16.0)).astype(np.uint8).reshape(8, 8)
    return np.repeat(grey[:, :, None], 3, axis=2)


def write_if_changed(path, data):
    """Writes bytes only when they differ, so that a second run leaves files (and mtimes) alone."""
    if os.path.exists(path):
        with open(path, "rb") as f:
            if f.read() == data:
                return False
    with open(path, "wb") as f:
        f.write(data)
    return True


def convert_openvino(onnx_path, xml_path, tmp_dir):
    import openvino as ov
    # Convert into a scratch dir, then copy bytes over only if they changed.
    os.makedirs(tmp_dir, exist_ok=True)
    tmp_xml = os.path.join(tmp_dir, "digits.xml")
    ov.save_model(ov.convert_model(onnx_path), tmp_xml, compress_to_fp16=False)
    for ext in (".xml", ".bin"):
        with open(tmp_xml[:-4] + ext, "rb") as f:
            write_if_changed(xml_path[:-4] + ext, f.read())
        os.remove(tmp_xml[:-4] + ext)
    os.rmdir(tmp_dir)


def run_openvino(xml_path, x):
    import openvino as ov
    core = ov.Core()
    # f32 explicitly: on CPUs with bf16 support the CPU plugin would otherwise compute in bf16.
    compiled = core.compile_model(xml_path, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    return compiled({compiled.inputs[0]: x})[compiled.outputs[0]]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."),
                        help="repository root to write models/ and examples/ under (default: this repo)")
    args = parser.parse_args()
    out = os.path.abspath(args.out)

    clf, x_test, y_test, idx_test, accuracy = train()
    print(f"MLP 64-{HIDDEN}-10 trained on {len(load_digits().target) - len(y_test)} images; "
          f"test accuracy {accuracy:.4f} on {len(y_test)} images")
    if accuracy < MIN_ACCURACY:
        sys.exit(f"test accuracy {accuracy:.4f} < {MIN_ACCURACY}")

    # ONNX
    model = build_onnx(clf)
    onnx_dir = os.path.join(out, "models", "digits")
    os.makedirs(onnx_dir, exist_ok=True)
    onnx_path = os.path.join(onnx_dir, "digits.onnx")
    write_if_changed(onnx_path, model.SerializeToString())

    x_served = served_input(x_test)
    reference = clf.predict_proba(x_test / 16.0)
    session = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    ort_out = session.run(["probabilities"], {"image": x_served})[0]
    ort_diff = float(np.max(np.abs(ort_out - reference)))
    ort_agree = int(np.sum(ort_out.argmax(1) == reference.argmax(1)))
    print(f"onnxruntime {ort.__version__} vs scikit-learn: max abs diff {ort_diff:.3g}, "
          f"argmax agrees on {ort_agree}/{len(y_test)}")
    if ort_diff > TOLERANCE:
        sys.exit(f"onnxruntime differs from scikit-learn by {ort_diff:.3g} > {TOLERANCE}")

    # OpenVINO IR
    ov_dir = os.path.join(out, "models", "digits-openvino")
    os.makedirs(ov_dir, exist_ok=True)
    xml_path = os.path.join(ov_dir, "digits.xml")
    convert_openvino(onnx_path, xml_path, os.path.join(ov_dir, ".convert-tmp"))
    ov_out = run_openvino(xml_path, x_served)
    ov_diff = float(np.max(np.abs(ov_out - ort_out)))
    ov_sk_diff = float(np.max(np.abs(ov_out - reference)))
    print(f"OpenVINO IR vs onnxruntime: max abs diff {ov_diff:.3g} (vs scikit-learn {ov_sk_diff:.3g})")
    if ov_diff > TOLERANCE:
        sys.exit(f"OpenVINO differs from onnxruntime by {ov_diff:.3g} > {TOLERANCE}")

    # Example images: the first test image of each digit, in test-split order.
    ex_dir = os.path.join(out, "examples", "digits")
    os.makedirs(ex_dir, exist_ok=True)
    labels = {}
    for digit in range(10):
        row = int(np.flatnonzero(y_test == digit)[0])
        name = f"{int(idx_test[row])}-{digit}.png"
        ok, png = cv2.imencode(".png", to_uint8_image(x_test[row]))
        assert ok
        write_if_changed(os.path.join(ex_dir, name), png.tobytes())
        labels[name] = digit
    write_if_changed(os.path.join(ex_dir, "labels.json"), (json.dumps(labels, indent=1) + "\n").encode())

    # What the server will see for the examples: the PNG read back, and (as the stock client sends a path) after
    # cv2.imencode(".jpg") + cv2.imdecode.
    pngs, jpgs = [], []
    for name in labels:
        img = cv2.imread(os.path.join(ex_dir, name), cv2.IMREAD_COLOR)
        pngs.append(img.transpose(2, 0, 1).astype(np.float32))
        jpgs.append(cv2.imdecode(cv2.imencode(".jpg", img)[1], cv2.IMREAD_COLOR).transpose(2, 0, 1)
                    .astype(np.float32))
    truth = np.array(list(labels.values()))
    for kind, batch in (("PNG", pngs), ("JPEG round trip", jpgs)):
        p = session.run(["probabilities"], {"image": np.stack(batch)})[0]
        print(f"examples ({kind}): {int(np.sum(p.argmax(1) == truth))}/{len(truth)} correct, "
              f"min top probability {float(p.max(1).min()):.3f}")

    for path in (onnx_path, xml_path, xml_path[:-4] + ".bin"):
        print(f"wrote {os.path.relpath(path, out)} ({os.path.getsize(path)} bytes)")
    print(f"wrote {len(labels)} images and labels.json in {os.path.relpath(ex_dir, out)}")


if __name__ == "__main__":
    main()
