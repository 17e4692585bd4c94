"""KServe v2 (Open Inference Protocol) and TF Serving REST requests and replies, checked against their specs."""
import json

import httpx
import numpy as np

from conftest import digits_model_output
from test_http_frontend import IMAGE, served, url


def test_kserve_server_metadata_and_health(serving):
    s = served(serving)
    meta = httpx.get(url(s, "/v2")).json()
    assert meta["name"] == "cluster-serving" and "version" in meta and meta["extensions"] == []
    assert httpx.get(url(s, "/v2/health/live")).status_code == 200
    assert httpx.get(url(s, "/v2/health/ready")).status_code == 200
    assert httpx.get(url(s, "/v2/models/serving_stream/ready")).json() == {"name": "serving_stream", "ready": True}
    s.cli("stop")
    assert httpx.get(url(s, "/v2/health/ready")).status_code == 503  # no job serves


def test_kserve_model_metadata_lists_inputs_and_outputs(serving):
    s = served(serving)
    meta = httpx.get(url(s, "/v2/models/serving_stream")).json()
    assert meta["name"] == "serving_stream" and meta["versions"] == ["1"] and meta["platform"] == "onnx"
    assert meta["inputs"] == [{"name": "image", "datatype": "FP32", "shape": [-1, 3, 8, 8]}]
    assert meta["outputs"] == [{"name": "probabilities", "datatype": "FP32", "shape": [-1, 10]}]
    assert httpx.get(url(s, "/v2/models/serving_stream/versions/1")).json()["name"] == "serving_stream"


def test_kserve_infer_splits_a_batch_into_records_and_stacks_the_outputs(serving):
    s = served(serving)
    images = np.stack([IMAGE, np.arange(192, dtype=np.float32).reshape(3, 8, 8)])
    body = {"id": "42", "inputs": [{"name": "image", "shape": [2, 3, 8, 8], "datatype": "FP32",
                                    "data": images.flatten().tolist()}]}
    r = httpx.post(url(s, "/v2/models/serving_stream/infer"), json=body, timeout=30)
    assert r.status_code == 200
    reply = r.json()
    assert reply["model_name"] == "serving_stream" and reply["model_version"] == "1" and reply["id"] == "42"
    (output,) = reply["outputs"]
    assert output["name"] == "probabilities" and output["datatype"] == "FP32" and output["shape"] == [2, 10]
    np.testing.assert_allclose(np.array(output["data"]).reshape(2, 10), digits_model_output(images), rtol=1e-4, atol=1e-5)


def test_kserve_infer_takes_nested_data_and_an_unbatched_tensor(serving):
    s = served(serving)
    body = {"inputs": [{"name": "image", "shape": [3, 8, 8], "datatype": "FP32", "data": IMAGE.tolist()}]}
    reply = httpx.post(url(s, "/v2/models/serving_stream/infer"), json=body, timeout=30).json()
    assert reply["outputs"][0]["shape"] == [10]


def test_kserve_errors_are_json_with_the_reason(serving):
    s = served(serving)
    r = httpx.post(url(s, "/v2/models/serving_stream/infer"), content="{", timeout=30)
    assert r.status_code == 400 and "JSON" in r.json()["error"]
    body = {"inputs": [{"name": "image", "shape": [1, 3, 8, 8], "datatype": "FP32", "data": [1.0, 2.0]}]}
    r = httpx.post(url(s, "/v2/models/serving_stream/infer"), json=body, timeout=30)
    assert r.status_code == 400 and "192" in r.json()["error"]
    body = {"inputs": [{"name": "image", "shape": [1, 3, 9, 9], "datatype": "FP32", "data": [0.0] * 243}]}
    r = httpx.post(url(s, "/v2/models/serving_stream/infer"), json=body, timeout=30)
    assert r.status_code == 400 and "[3, 9, 9]" in r.json()["error"]


def test_tf_serving_predict_with_rows_and_with_columns(serving):
    s = served(serving)
    other = np.arange(192, dtype=np.float32).reshape(3, 8, 8)
    expected = digits_model_output([IMAGE, other])
    rows = httpx.post(url(s, "/v1/models/serving_stream:predict"),
                      json={"signature_name": "serving_default", "instances": [IMAGE.tolist(), {"image": other.tolist()}]},
                      timeout=30).json()
    np.testing.assert_allclose(rows["predictions"], expected, rtol=1e-4, atol=1e-5)
    columns = httpx.post(url(s, "/v1/models/serving_stream:predict"),
                         json={"inputs": {"image": [IMAGE.tolist(), other.tolist()]}}, timeout=30).json()
    np.testing.assert_allclose(columns["outputs"], expected, rtol=1e-4, atol=1e-5)
    versioned = httpx.post(url(s, "/v1/models/serving_stream/versions/1:predict"),
                           json={"instances": [IMAGE.tolist()]}, timeout=30).json()
    np.testing.assert_allclose(versioned["predictions"], expected[:1], rtol=1e-4, atol=1e-5)


def test_tf_serving_status_metadata_and_errors(serving):
    s = served(serving)
    status = httpx.get(url(s, "/v1/models/serving_stream")).json()
    assert status["model_version_status"][0]["state"] == "AVAILABLE"
    assert status["model_version_status"][0]["status"]["error_code"] == "OK"
    meta = httpx.get(url(s, "/v1/models/serving_stream/metadata")).json()
    assert meta["model_spec"]["name"] == "serving_stream"
    assert "image" in meta["metadata"]["signature_def"]["signature_def"]["serving_default"]["inputs"]
    r = httpx.post(url(s, "/v1/models/serving_stream:predict"), json={"rows": []}, timeout=30)
    assert r.status_code == 400 and "instances" in r.json()["error"]
    r = httpx.post(url(s, "/v1/models/serving_stream:classify"), json={"instances": [1]}, timeout=30)
    assert r.status_code == 404 and "predict" in r.json()["error"]
