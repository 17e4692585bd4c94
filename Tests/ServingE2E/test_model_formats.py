"""The original's other model formats served end to end: a TensorFlow frozen graph and SavedModel, a Caffe net and
a BigDL module, each in its model directory as the original laid them out, fed by the stock client. The answers
are the frameworks' own (the fixtures' references, written by TensorFlow and BigDL, or a float64 Caffe reference)."""
import json

import cv2
import numpy as np
import pytest

from conftest import REPO, run_cli

FIXTURES = REPO / "Tests" / "Fixtures" / "inference"


def fixture(folder, name):
    """The manifest entry `name` of a format's folder, with its paths made absolute."""
    entries = json.loads((FIXTURES / folder / "manifest.json").read_text())
    entry = next(e for e in entries if e["name"] == name)
    root = FIXTURES / folder
    return {"model": root / entry["model"], "atol": entry["atol"], "rtol": entry["rtol"],
            "inputs": [np.load(root / entry["inputs"][n]) for n in entry["input_order"]],
            "outputs": [np.load(root / entry["outputs"][n]) for n in entry["output_order"]]}


@pytest.mark.parametrize("folder,name,model_type", [
    ("tensorflow", "cnn_bn", None),
    ("tensorflow", "savedmodel_keras_cnn", "tf.savedModel"),
    ("caffe", "caffe_lenet", None),
    ("bigdl", "bigdl_cnn", "BigDL"),
])
def test_the_stock_client_gets_the_frameworks_answer(serving, folder, name, model_type):
    case = fixture(folder, name)
    s = serving(modelPath=str(case["model"]), modelType=model_type, batchSize=2)
    s.start()
    queue = s.input_queue()
    rows = 3
    for row in range(rows):
        queue.enqueue(f"{name}-{row}", image=case["inputs"][0][row])
    out = s.output_queue()
    for row in range(rows):
        s.wait_result(f"{name}-{row}")
        got = out.query(f"{name}-{row}")
        np.testing.assert_allclose(got, case["outputs"][0][row], rtol=case["rtol"], atol=case["atol"])


@pytest.mark.parametrize("suffix", [".jpg", ".png"])
def test_a_tensorflow_model_takes_images_channels_last(serving, tmp_path, suffix):
    """Spec 7.2: TensorFlow models get HWC images (BGR 0-255, as the original decoded them with OpenCV)."""
    case = fixture("tensorflow", "cnn_bn")
    height, width = case["inputs"][0].shape[1:3]
    pixels = np.random.default_rng(5).integers(0, 256, (height, width, 3), dtype=np.uint8)
    image = tmp_path / f"photo{suffix}"
    cv2.imwrite(str(image), pixels)
    s = serving(modelPath=str(case["model"]))
    s.start()
    s.input_queue().enqueue("photo", image=str(image))
    s.wait_result("photo")
    got = s.output_queue().query("photo")
    # OpenCV's pixels through `predict` as a [1, H, W, 3] float tensor: the serving job must have fed exactly that.
    np.save(tmp_path / "hwc.npy", cv2.imread(str(image)).astype(np.float32)[None])
    run_cli("predict", "--model", str(case["model"]), "--input", str(tmp_path / "hwc.npy"),
            "--output", str(tmp_path / "expected.npy"))
    np.testing.assert_allclose(got, np.load(tmp_path / "expected.npy")[0], rtol=1e-5, atol=1e-6)


def test_model_type_must_name_a_format_it_can_read(serving):
    case = fixture("caffe", "caffe_lenet")
    s = serving(modelPath=str(case["model"]), modelType="PyTorch")
    result = s.cli("start", "--detach", check=False)
    assert result.returncode != 0
    assert "modelType PyTorch is not one of ONNX, OpenVINO, tf.frozenModel, tf.savedModel, Caffe, BigDL" in (
        result.stdout + result.stderr)
