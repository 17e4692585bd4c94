"""The stock clients (analytics-zoo-serving 0.11.2 and bigdl-serving 2.4.0), unchanged, against a running job."""
import base64
import json

import cv2
import numpy as np
import pytest

from conftest import MAX_PIXEL, as_client_sends, digits_model_output, example_images


def test_ndarray_result_equals_the_models_reference(serving):
    s = serving()
    s.start()
    image = np.arange(3 * 8 * 8, dtype=np.float32).reshape(3, 8, 8) % 256
    s.input_queue().enqueue("tensor-1", image=image)
    s.wait_result("tensor-1")
    got = s.output_queue().query("tensor-1")
    expected = digits_model_output([image])[0]
    assert got.shape == (10,)  # the batch dimension is removed, as AZ 0.10+
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


def test_image_paths_are_classified_as_their_labels(serving):
    s = serving()
    s.start()
    queue = s.input_queue()
    images = example_images()
    for path, _ in images:
        queue.enqueue(path.stem, image=str(path))
    out = s.output_queue()
    for path, label in images:
        s.wait_result(path.stem)
        probabilities = out.query(path.stem, delete=True)
        np.testing.assert_allclose(probabilities, digits_model_output([as_client_sends(path)])[0], rtol=1e-4, atol=1e-5)
        assert int(np.argmax(probabilities)) == label


def test_b64_png_is_decoded_exactly(serving):
    s = serving()
    s.start()
    path, label = example_images()[3]
    png = base64.b64encode(path.read_bytes()).decode()
    s.input_queue().enqueue("png", image={"b64": png})
    s.wait_result("png")
    got = s.output_queue().query("png")
    expected = digits_model_output([cv2.imread(str(path)).astype(np.float32).transpose(2, 0, 1)])[0]
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_sparse_tensor_is_served_as_its_dense_form(serving):
    s = serving()
    s.start()
    dense = np.zeros((3, 8, 8), dtype=np.float32)
    indices = np.array([[0, 1, 2, 2], [1, 4, 6, 7], [2, 3, 5, 0]])
    values = np.array([200.0, 150.0, 255.0, 90.0], dtype=np.float32)
    dense[tuple(indices)] = values
    s.input_queue().enqueue("sparse", image=[indices, values, np.array([3, 8, 8])])
    s.wait_result("sparse")
    np.testing.assert_allclose(s.output_queue().query("sparse"), digits_model_output([dense])[0], rtol=1e-4, atol=1e-5)


def test_string_tensor_gets_nan_and_an_error_naming_the_input(serving):
    s = serving()
    s.start()
    s.input_queue().enqueue("strings", image=["a", "bb", "ccc"])
    result = s.wait_result("strings")
    assert result["value"] == "NaN"
    assert "string tensor" in result["error"] and "image" in result["error"]
    assert s.output_queue().query("strings") == "NaN"


def test_corrupt_image_fails_alone_and_its_batch_is_served(serving):
    s = serving(batchSize=8, batchWindow=200)
    s.start()
    queue = s.input_queue()
    good = np.full((3, 8, 8), 100, dtype=np.float32)
    queue.enqueue("good-1", image=good)
    queue.enqueue("corrupt", image={"b64": base64.b64encode(b"\xff\xd8\xff\xe0 not really a jpeg").decode()})
    queue.enqueue("wrong-shape", image=np.zeros((3, 9, 9), dtype=np.float32))
    queue.enqueue("good-2", image=good)
    corrupt = s.wait_result("corrupt")
    assert corrupt["value"] == "NaN" and "image" in corrupt["error"]
    wrong = s.wait_result("wrong-shape")
    assert wrong["value"] == "NaN" and "[3, 9, 9]" in wrong["error"]
    for uri in ("good-1", "good-2"):
        s.wait_result(uri)
        np.testing.assert_allclose(s.output_queue().query(uri), digits_model_output([good])[0], rtol=1e-4, atol=1e-5)
    errors = (s.dir / "cluster-serving-error.log").read_text()
    assert "corrupt" in errors and "wrong-shape" in errors


def test_dequeue_returns_every_result_and_deletes_them(serving):
    s = serving()
    s.start()
    queue = s.input_queue()
    for i in range(5):
        queue.enqueue(f"d{i}", image=np.full((3, 8, 8), 20 * i, dtype=np.float32))
    for i in range(5):
        s.wait_result(f"d{i}")
    results = s.output_queue().dequeue()
    assert sorted(results) == [f"d{i}" for i in range(5)]
    assert all(v.shape == (10,) for v in results.values())
    assert s.redis().keys(f"cluster-serving_{s.job}:*") == []


def test_predict_waits_for_its_result(serving):
    # A one-value model: the stock predict() compares its result with "[]", which numpy 2 refuses for longer arrays.
    s = serving(modelPath=str(MAX_PIXEL))
    s.start()
    image = np.arange(192, dtype=np.float32).reshape(3, 8, 8)
    request = json.dumps({"instances": [{"image": image.tolist()}]})
    got = s.input_queue().predict(request)
    np.testing.assert_allclose(got, [191.0])
    got = s.input_queue().predict({"image": image * 0.5})
    np.testing.assert_allclose(got, [95.5])


def test_serde_stream_json_records_are_served(serving):
    s = serving()
    s.start()
    image = np.full((3, 8, 8), 70, dtype=np.float32)
    body = json.dumps({"instances": [{"image": image.tolist()}]})
    s.redis().xadd(s.job, {"uri": "json-1", "data": body, "serde": "stream"})
    s.wait_result("json-1")
    np.testing.assert_allclose(s.output_queue().query("json-1"), digits_model_output([image])[0], rtol=1e-4, atol=1e-5)


def test_top_n_filter_answers_the_original_text(serving):
    s = serving(postProcessing="topN(2)")
    s.start()
    image = np.full((3, 8, 8), 120, dtype=np.float32)
    s.input_queue().enqueue("top", image=image)
    value = s.wait_result("top")["value"]
    expected = digits_model_output([image])[0]
    best = np.argsort(-expected)[:2]
    pairs = json.loads(value)
    assert [p[0] for p in pairs] == [int(i) for i in best]
    np.testing.assert_allclose([p[1] for p in pairs], expected[best], rtol=1e-5)


def test_bigdl_client_enqueues_and_queries(serving):
    s = serving()
    s.start()
    image = np.full((3, 8, 8), 30, dtype=np.float32)
    s.input_queue("bigdl").enqueue("bigdl-1", image=image)
    s.wait_result("bigdl-1")
    got = s.output_queue("bigdl").query("bigdl-1")
    np.testing.assert_allclose(got, digits_model_output([image])[0], rtol=1e-4, atol=1e-5)


def test_openvino_ir_model_serves_the_same_answers(serving):
    from conftest import DIGITS_IR
    s = serving(modelPath=str(DIGITS_IR))
    s.start()
    image = np.full((3, 8, 8), 90, dtype=np.float32)
    s.input_queue().enqueue("ir-1", image=image)
    s.wait_result("ir-1")
    np.testing.assert_allclose(s.output_queue().query("ir-1"), digits_model_output([image])[0], rtol=1e-4, atol=1e-5)


def test_image_resize_is_applied_before_the_model(serving, tmp_path):
    s = serving(imageResize="8,8")
    s.start()
    rng = np.random.default_rng(7)
    big = rng.integers(0, 256, size=(16, 24, 3), dtype=np.uint8)
    path = tmp_path / "big.png"
    cv2.imwrite(str(path), big)
    s.input_queue().enqueue("resized", image={"b64": base64.b64encode(path.read_bytes()).decode()})
    s.wait_result("resized")
    expected_input = cv2.resize(big, (8, 8)).astype(np.float32).transpose(2, 0, 1)
    np.testing.assert_allclose(s.output_queue().query("resized"), digits_model_output([expected_input])[0],
                               rtol=1e-5, atol=1e-6)


def test_the_nested_config_generation_serves_too(serving):
    from conftest import DIGITS_ONNX
    s = serving()
    s.config.write_text(f"""
model:
  path: {DIGITS_ONNX}
  name: nested_job
data:
  src: 127.0.0.1:{s.port}
  shape: 3,8,8
params:
  batch_size: 2
frontend:
  interface: 127.0.0.1
  port: {s.http_port}
""")
    s.keys = {"jobName": "nested_job"}
    s.start()
    image = np.full((3, 8, 8), 60, dtype=np.float32)
    s.input_queue().enqueue("nested-1", image=image)
    s.wait_result("nested-1")
    np.testing.assert_allclose(s.output_queue().query("nested-1"), digits_model_output([image])[0], rtol=1e-4, atol=1e-5)
