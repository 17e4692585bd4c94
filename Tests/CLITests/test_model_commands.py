"""`cluster-serving predict / benchmark / inspect` on the committed fixtures, as a user runs them.

The binary is $CLUSTER_SERVING_BIN, else <repo>/.build/debug/cluster-serving. Reference outputs come from
onnxruntime and OpenVINO (tools/make_fixtures.py); the tolerance is the issue's |err| <= 1e-5 + 1e-4 |ref|.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "Tests" / "Fixtures" / "inference"
BIN = os.environ.get("CLUSTER_SERVING_BIN") or str(REPO / ".build" / "debug" / "cluster-serving")
MANIFEST = json.loads((FIXTURES / "manifest.json").read_text())
MODELS = [case for case in MANIFEST if case["kind"] == "model"]


def run(*args, check=True):
    result = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} failed ({result.returncode}): {result.stderr}")
    return result


def assert_close(actual, expected):
    assert actual.shape == expected.shape
    assert np.all(np.abs(actual - expected) <= 1e-5 + 1e-4 * np.abs(expected)), np.abs(actual - expected).max()


@pytest.mark.parametrize("case", MODELS, ids=[c["name"] for c in MODELS])
def test_predict_writes_every_output_matching_the_framework(case, tmp_path):
    inputs = [f"--input={name}={FIXTURES / case['inputs'][name]}" for name in case["input_order"]]
    run("predict", "--model", FIXTURES / case["model"], *inputs, "--output-dir", tmp_path)
    for name in case["output_order"]:
        safe = "".join(ch if ch.isalnum() or ch in "_.-" else "_" for ch in name)
        assert_close(np.load(tmp_path / f"{safe}.npy"), np.load(FIXTURES / case["outputs"][name]))


def test_predict_writes_the_first_output_for_positional_inputs(tmp_path):
    case = next(c for c in MODELS if c["name"] == "tiny_cnn_bn")
    out = tmp_path / "out.npy"
    run("predict", "--model", FIXTURES / case["model"], "--input", FIXTURES / case["inputs"]["input"], "--output", out)
    assert_close(np.load(out), np.load(FIXTURES / case["outputs"][case["output_order"][0]]))


def test_predict_takes_the_model_file_itself_and_float64_input(tmp_path):
    case = next(c for c in MODELS if c["name"] == "tiny_cnn_ir_fp16")
    xml = next((FIXTURES / case["model"]).glob("*.xml"))
    x64 = tmp_path / "x64.npy"
    np.save(x64, np.load(FIXTURES / case["inputs"][case["input_order"][0]]).astype(np.float64))
    out = tmp_path / "out.npy"
    run("predict", "--model", xml, "--input", x64, "--output", out)
    assert_close(np.load(out), np.load(FIXTURES / case["outputs"][case["output_order"][0]]))


def test_predict_reads_a_fortran_order_input_as_numpy_does(tmp_path):
    # A user's transposed array: np.save writes it with fortran_order True.
    case = next(c for c in MODELS if c["name"] == "tiny_cnn_bn")
    x = np.load(FIXTURES / case["inputs"]["input"])
    fortran = np.asfortranarray(x)
    assert fortran.flags["F_CONTIGUOUS"] and not fortran.flags["C_CONTIGUOUS"]
    path = tmp_path / "fortran.npy"
    np.save(path, fortran)
    out = tmp_path / "out.npy"
    run("predict", "--model", FIXTURES / case["model"], "--input", path, "--output", out)
    assert_close(np.load(out), np.load(FIXTURES / case["outputs"][case["output_order"][0]]))


def test_predict_converts_int32_indices_for_an_int64_model(tmp_path):
    case = next(c for c in MODELS if c["name"] == "mlp_embeddings")
    args = []
    for name in case["input_order"]:
        path = tmp_path / f"{name}.npy"
        np.save(path, np.load(FIXTURES / case["inputs"][name]).astype(np.int32))
        args.append(f"--input={name}={path}")
    out = tmp_path / "out.npy"
    run("predict", "--model", FIXTURES / case["model"], *args, "--output", out)
    assert_close(np.load(out), np.load(FIXTURES / case["outputs"][case["output_order"][0]]))


def test_predict_refuses_float_data_for_index_inputs(tmp_path):
    case = next(c for c in MODELS if c["name"] == "mlp_embeddings")
    bad = tmp_path / "f.npy"
    np.save(bad, np.zeros((2, 1), np.float32))
    result = run("predict", "--model", FIXTURES / case["model"], "--input", bad, "--input", bad,
                 "--output", tmp_path / "o.npy", check=False)
    assert result.returncode != 0
    assert "takes int64" in result.stderr and "f.npy holds float32" in result.stderr


def test_predict_names_a_wrong_input_shape(tmp_path):
    case = next(c for c in MODELS if c["name"] == "tiny_cnn_bn")
    bad = tmp_path / "bad.npy"
    np.save(bad, np.zeros((2, 3, 15, 16), np.float32))
    result = run("predict", "--model", FIXTURES / case["model"], "--input", bad, "--output", tmp_path / "o.npy",
                 check=False)
    assert result.returncode != 0
    assert "input 'input' should have shape [N,3,16,16], got [2, 3, 15, 16]" in result.stderr


def test_model_directories_with_no_model_or_two_models_are_refused_with_what_was_found(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("no model here")
    result = run("inspect", "--model", empty, check=False)
    assert result.returncode != 0 and "no model in" in result.stderr and "notes.txt" in result.stderr
    two = tmp_path / "two"
    two.mkdir()
    for name in ("tiny_cnn_bn", "mobilenet_block"):
        shutil.copy(FIXTURES / "models" / name / "model" / "model.onnx", two / f"{name}.onnx")
    result = run("inspect", "--model", two, check=False)
    assert result.returncode != 0
    assert "more than one model" in result.stderr and "mobilenet_block.onnx" in result.stderr


def test_a_truncated_model_is_refused_naming_the_file(tmp_path):
    source = (FIXTURES / "models" / "tiny_cnn_bn" / "model" / "model.onnx").read_bytes()
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(source[: len(source) // 2])
    result = run("inspect", "--model", broken, check=False)
    assert result.returncode != 0 and "broken.onnx" in result.stderr and "truncated" in result.stderr


def test_inspect_lists_inputs_outputs_and_operators():
    result = run("inspect", "--model", FIXTURES / "models" / "tiny_cnn_bn" / "model")
    assert "format: ONNX" in result.stdout
    assert "input: float32 [N, 3, 16, 16] NCHW" in result.stdout
    assert "output: float32 [N, 10]" in result.stdout
    assert "BatchNormalization: 2" in result.stdout
    assert "after optimisation" in result.stdout


def test_benchmark_prints_one_json_line_with_the_figures():
    result = run("benchmark", "--model", FIXTURES / "models" / "mobilenet_block" / "model", "--batch", 4,
                 "--seconds", 0.5, "--threads", 2)
    line = [l for l in result.stdout.splitlines() if l.startswith("{")][-1]
    figures = json.loads(line)
    assert figures["batch"] == 4 and figures["threads"] == 2
    assert figures["images_per_second"] > 0 and 0 < figures["p50_ms"] <= figures["p99_ms"]


def test_model_type_and_signature_choose_as_config_yaml_does():
    saved = FIXTURES / "tensorflow" / "savedmodel_keras_export" / "model"
    result = run("inspect", "--model", saved, "--signature", "serve")
    assert "format: TensorFlow SavedModel" in result.stdout and "output_0" in result.stdout
    result = run("inspect", "--model", saved, "--signature", "predict", check=False)
    assert result.returncode != 0 and "'serve', 'serving_default'" in result.stderr
    result = run("inspect", "--model", saved, "--model-type", "Caffe", check=False)
    assert result.returncode != 0 and "modelType Caffe names no model" in result.stderr
    result = run("inspect", "--model", saved, "--model-type", "tf.savedModel")
    assert "format: TensorFlow SavedModel" in result.stdout
