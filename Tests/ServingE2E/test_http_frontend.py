"""The HTTP frontend over real HTTP on loopback: the original's routes and options, the stock client's HTTP
helpers, bad input, and the standalone frontend (`cluster-serving http`) in front of a separate store."""
import concurrent.futures
import json
import subprocess
import time

import httpx
import numpy as np
import pytest

from conftest import BIN, digits_model_output, free_port

IMAGE = np.full((3, 8, 8), 100.0, dtype=np.float32)


def url(s, path=""):
    return f"http://127.0.0.1:{s.http_port}{path}"


def predict_body(*images):
    return json.dumps({"instances": [{"image": image.tolist()} for image in images]})


def served(serving, **frontend):
    s = serving()
    s.keys["frontend"].update(frontend)
    s.write_config()
    s.start()
    return s


def test_welcome_route_answers_plain_text(serving):
    s = served(serving)
    out = subprocess.run(["curl", "-s", "-i", url(s, "/")], capture_output=True, text=True).stdout
    assert "200" in out.splitlines()[0] and "text/plain" in out
    assert out.rstrip().endswith("welcome to BigDL web serving frontend")


def test_predict_answers_each_instance_in_the_original_shape(serving):
    s = served(serving)
    other = np.arange(192, dtype=np.float32).reshape(3, 8, 8)
    r = httpx.post(url(s, "/predict"), content=predict_body(IMAGE, other), timeout=30)
    assert r.status_code == 200
    predictions = r.json()["predictions"]
    assert len(predictions) == 2 and all(isinstance(p, str) for p in predictions)
    for prediction, image in zip(predictions, (IMAGE, other)):
        value = json.loads(json.loads(prediction)["value"])
        assert value["shape"] == [10]
        np.testing.assert_allclose(value["data"], digits_model_output([image])[0], rtol=1e-4, atol=1e-5)
    assert s.redis().keys("cluster-serving_*") == []  # the frontend takes its results


def test_the_stock_clients_http_helpers_read_the_reply(serving, capsys):
    from zoo.serving.client import http_response_to_ndarray, perdict
    s = served(serving)
    r = httpx.post(url(s, "/predict"), content=predict_body(IMAGE), timeout=30)
    np.testing.assert_allclose(http_response_to_ndarray(r), digits_model_output([IMAGE])[0], rtol=1e-4, atol=1e-5)
    perdict(url(s), predict_body(IMAGE))  # fire and forget, as the stock helper does
    bad = httpx.post(url(s, "/predict"), content="{not json", timeout=30)
    assert http_response_to_ndarray(bad) == "[]"
    assert "Invalid input format" in capsys.readouterr().out


def test_bad_requests_are_400_with_a_message_naming_the_problem(serving):
    s = served(serving)
    r = httpx.post(url(s, "/predict"), content="{not json", timeout=30)
    assert r.status_code == 400 and "not valid JSON" in r.text and "Wrong content format" in r.text
    r = httpx.post(url(s, "/predict"), content=json.dumps({"instance": []}), timeout=30)
    assert r.status_code == 400 and "keyword should be 'instances'" in r.text
    r = httpx.post(url(s, "/predict"), content=json.dumps({"instances": [{"image": [[1, 2], [3]]}]}), timeout=30)
    assert r.status_code == 400 and "'image'" in r.text


def test_a_record_the_model_cannot_take_answers_nan(serving):
    s = served(serving)
    r = httpx.post(url(s, "/predict"), content=json.dumps({"instances": [{"image": [1.0, 2.0]}]}), timeout=30)
    assert r.status_code == 200
    assert json.loads(r.json()["predictions"][0])["value"] == "NaN"


def test_unknown_models_are_404_on_every_api(serving):
    s = served(serving)
    body = {"inputs": [{"name": "image", "shape": [1], "datatype": "FP32", "data": [1]}]}
    assert httpx.post(url(s, "/models/nope/versions/1/predict"), content=predict_body(IMAGE)).status_code == 404
    r = httpx.post(url(s, "/v2/models/nope/infer"), json=body)
    assert r.status_code == 404 and "nope" in r.json()["error"]
    assert httpx.post(url(s, "/v1/models/nope:predict"), json={"instances": [1]}).status_code == 404
    assert httpx.get(url(s, "/v2/models/nope")).status_code == 404


def test_an_oversize_body_is_413(serving):
    s = served(serving, maxBodyBytes=4096)
    r = httpx.post(url(s, "/predict"), content=predict_body(*[IMAGE] * 10), timeout=30)
    assert r.status_code == 413


def test_parallelism_bounds_requests_in_flight_with_503(serving):
    s = served(serving, parallelism=1, predictTimeout=3000)
    s.cli("stop")  # nothing answers: the first request holds the only slot until its timeout

    def post():
        return httpx.post(url(s, "/predict"), content=predict_body(IMAGE), timeout=30)

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        first = pool.submit(post)
        time.sleep(0.5)
        second = post()
        assert second.status_code == 503 and second.headers["retry-after"] == "1"
        assert first.result().status_code == 504


def test_token_bucket_refuses_with_limited(serving):
    s = served(serving, tokenBucketEnabled="true", tokensPerSecond=1, tokenAcquireTimeout=10)
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        replies = list(pool.map(lambda _: httpx.post(url(s, "/predict"), content=predict_body(IMAGE), timeout=30),
                                range(6)))
    limited = [r for r in replies if r.status_code == 429]
    assert limited and all(r.json() == {"error": "limited"} for r in limited)
    assert any(r.status_code == 200 for r in replies)


def test_time_window_writes_concurrent_inputs_together(serving):
    s = served(serving, timeWindow=400, countWindow=100, predictTimeout=1500)
    s.cli("stop")
    started = time.time()
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        list(pool.map(lambda _: httpx.post(url(s, "/predict"), content=predict_body(IMAGE), timeout=30), range(3)))
    entries = s.redis().xrange(s.job)
    assert len(entries) == 3
    # One write for the three: the same millisecond, consecutive sequence numbers.
    assert len({entry_id.split(b"-")[0] for entry_id, _ in entries}) == 1
    assert time.time() - started >= 0.4


def test_count_window_flushes_before_the_time_window(serving):
    s = served(serving, timeWindow=5000, countWindow=2)
    started = time.time()
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        replies = list(pool.map(lambda _: httpx.post(url(s, "/predict"), content=predict_body(IMAGE), timeout=30), range(2)))
    assert all(r.status_code == 200 for r in replies)
    assert time.time() - started < 4


def test_a_timed_out_prediction_is_504_and_its_late_result_is_deleted(serving):
    s = served(serving, predictTimeout=500)
    s.cli("stop")
    r = httpx.post(url(s, "/predict"), content=predict_body(IMAGE), timeout=30)
    assert r.status_code == 504 and "predictTimeout" in r.text
    s.cli("start", "--detach")  # the job comes back and answers the waiting entry
    deadline = time.time() + 20
    while time.time() < deadline and (s.redis().xlen(s.job) or s.redis().keys("cluster-serving_*")):
        time.sleep(0.1)
    assert s.redis().xlen(s.job) == 0
    assert s.redis().keys("cluster-serving_*") == []


def test_metrics_are_the_original_timers_or_prometheus_text(serving):
    s = served(serving)
    httpx.post(url(s, "/predict"), content=predict_body(IMAGE), timeout=30)
    timers = httpx.get(url(s, "/metrics")).json()
    names = [t["name"] for t in timers]
    assert "bigdl.serving.request.overall" in names and names == sorted(names)
    overall = timers[names.index("bigdl.serving.request.overall")]
    assert overall["count"] == 1 and {"meanRate", "median", "_99thPercentile"} <= set(overall)
    text = httpx.get(url(s, "/metrics"), headers={"Accept": "text/plain"}).text
    assert 'cluster_serving_http_requests_total{route="/predict",status="200"} 1' in text
    assert "cluster_serving_http_request_duration_seconds_bucket" in text
    assert 'cluster_serving_job_queue_depth{job="serving_stream"}' in text
    assert 'cluster_serving_job_inference_ms{job="serving_stream"}' in text


def test_models_routes_describe_the_jobs(serving):
    s = served(serving)
    models = httpx.get(url(s, "/models")).json()
    assert [m["modelName"] for m in models] == ["serving_stream"] and models[0]["modelVersion"] == "1"
    assert httpx.get(url(s, "/models/serving_stream")).json()[0]["redisInputQueue"] == "serving_stream"
    assert httpx.get(url(s, "/models/serving_stream/versions/1")).json()["state"] == "serving"
    assert httpx.get(url(s, "/models/serving_stream/versions/2")).status_code == 404
    r = httpx.post(url(s, "/models/serving_stream/versions/1/predict"), content=predict_body(IMAGE), timeout=30)
    value = json.loads(json.loads(r.json()["predictions"][0])["value"])
    np.testing.assert_allclose(value["data"], digits_model_output([IMAGE])[0], rtol=1e-4, atol=1e-5)


def test_bearer_token_guards_every_route_but_welcome_and_health(serving):
    s = served(serving, bearerToken="s3cret")
    assert httpx.get(url(s, "/")).status_code == 200
    assert httpx.get(url(s, "/v2/health/live")).status_code == 200
    r = httpx.post(url(s, "/predict"), content=predict_body(IMAGE), timeout=30)
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    ok = httpx.post(url(s, "/predict"), content=predict_body(IMAGE), headers={"Authorization": "Bearer s3cret"}, timeout=30)
    assert ok.status_code == 200


def test_https_serves_beside_http_with_a_certificate_the_test_made(serving, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    secure = free_port()
    s = served(serving, httpsEnabled="true", securePort=secure, httpsCertificatePath=str(cert), httpsKeyPath=str(key))
    r = httpx.post(f"https://127.0.0.1:{secure}/predict", content=predict_body(IMAGE), verify=str(cert), timeout=30)
    assert r.status_code == 200 and "predictions" in r.json()
    assert httpx.get(url(s, "/")).status_code == 200


def test_a_bad_frontend_option_refuses_the_start(serving):
    s = serving()
    s.keys["frontend"]["parallelism"] = -1
    s.write_config()
    result = s.cli("start", "--detach", check=False)
    assert result.returncode != 0 and "frontend: parallelism: -1" in result.stderr


class Standalone:
    def __init__(self, args):
        self.port = free_port()
        self.process = subprocess.Popen([BIN, "http", "--interface", "127.0.0.1", f"--port={self.port}", *args],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{self.port}/")
                return
            except httpx.ConnectError:
                time.sleep(0.05)
        raise AssertionError("the standalone frontend did not start: " + self.process.stderr.read())

    def close(self):
        self.process.terminate()
        self.process.wait(20)


def test_standalone_frontend_in_front_of_a_separate_store_process(serving):
    s = serving()
    s.keys["frontend"] = {"enabled": "false"}
    s.write_config()
    s.start()
    front = Standalone(["--redisHost", "127.0.0.1", "--redisPort", str(s.port)])
    try:
        base = f"http://127.0.0.1:{front.port}"
        r = httpx.post(base + "/predict", content=predict_body(IMAGE), timeout=30)
        value = json.loads(json.loads(r.json()["predictions"][0])["value"])
        np.testing.assert_allclose(value["data"], digits_model_output([IMAGE])[0], rtol=1e-4, atol=1e-5)
        assert httpx.get(base + "/v2/health/ready").status_code == 200
        meta = httpx.get(base + "/v2/models/serving_stream").json()
        assert meta["inputs"][0] == {"name": "image", "datatype": "FP32", "shape": [-1, 3, 8, 8]}
    finally:
        front.close()


def test_standalone_frontend_writes_the_stock_clients_format_to_a_real_redis_server(tmp_path):
    """redis-server with a user's own worker: the frontend's entries are what the stock client writes."""
    import pyarrow as pa
    import redis as redis_py
    port = free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
                              stdout=subprocess.DEVNULL)
    front = None
    try:
        r = redis_py.Redis(port=port)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                r.ping()
                break
            except redis_py.ConnectionError:
                time.sleep(0.05)
        front = Standalone(["--redisPort", str(port), "--redisHost", "127.0.0.1", "--predictTimeout", "10000"])
        base = f"http://127.0.0.1:{front.port}"
        assert httpx.get(base + "/v2/health/ready").status_code == 200  # reachable; jobs cannot be listed
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            reply = pool.submit(lambda: httpx.post(base + "/predict", content=predict_body(IMAGE), timeout=30))
            deadline = time.time() + 10
            while not r.xlen("serving_stream") and time.time() < deadline:
                time.sleep(0.02)
            (entry_id, fields), = r.xrange("serving_stream")
            table = pa.ipc.open_stream(__import__("base64").b64decode(fields[b"data"])).read_all()
            tensor = table.column("image").to_pylist()
            assert [row["data"] for row in tensor if row["data"]][0] == IMAGE.flatten().tolist()
            # The user's worker answers in the original's result format.
            from zoo.serving.client import OutputQueue  # noqa: F401  (the format the stock client reads)
            batch = pa.RecordBatch.from_arrays([pa.array([0.25, 0.75], type=pa.float32()), pa.array([2, None], type=pa.int32())],
                                               names=["data", "shape"])
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, batch.schema) as writer:
                writer.write_batch(batch)
            r.hset(f"cluster-serving_serving_stream:{fields[b'uri'].decode()}", "value",
                   __import__("base64").b64encode(sink.getvalue().to_pybytes()))
            value = json.loads(json.loads(reply.result().json()["predictions"][0])["value"])
            assert value == {"data": [0.25, 0.75], "shape": [2]}
    finally:
        if front:
            front.close()
        server.terminate()
        server.wait(10)


def test_a_dead_client_frees_its_slot_after_the_idle_timeout(serving):
    import socket
    s = served(serving, parallelism=1, idleTimeout=1)
    dead = socket.create_connection(("127.0.0.1", s.http_port))
    # A request head that promises a body and never sends it: it takes the only slot.
    dead.sendall(b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
    time.sleep(0.3)
    assert httpx.post(url(s, "/predict"), content=predict_body(IMAGE), timeout=30).status_code == 503
    time.sleep(1.5)
    assert httpx.post(url(s, "/predict"), content=predict_body(IMAGE), timeout=30).status_code == 200
    dead.close()
