"""Starting, listing, cancelling, stopping and shutting down jobs, with the CLI and the drop-in scripts."""
import os
import subprocess
import time

import numpy as np
import pytest

from conftest import BIN, DIGITS_IR, REPO, digits_model_output, run_cli

COMPAT = REPO / "compat" / "bin"


def enqueue(s, uri, value=40.0):
    s.input_queue().enqueue(uri, image=np.full((3, 8, 8), value, dtype=np.float32))


def test_entries_enqueued_before_the_start_are_served(serving):
    s = serving()
    # No server yet: a stock redis-server would hold these; ours is started after, on the same data directory.
    s.cli("start", "--detach")
    s.cli("stop")  # the store runs, no job consumes
    for i in range(3):
        enqueue(s, f"early-{i}", 10.0 * i)
    assert s.redis().xlen(s.job) == 3
    s.cli("start", "--detach")
    s.started = True
    for i in range(3):
        s.wait_result(f"early-{i}")
    assert s.redis().xlen(s.job) == 0


def test_two_jobs_serve_at_once_and_cancelling_one_leaves_the_other(serving):
    a = serving("a", jobName="digits_a")
    a.start()
    b = serving("b", port=a.port, jobName="digits_b", modelPath=str(DIGITS_IR))
    out = b.cli("start", "--detach").stdout
    assert "already runs" in out and "digits_b is serving" in out
    enqueue(a, "for-a")
    enqueue(b, "for-b")
    a.wait_result("for-a")
    b.wait_result("for-b")
    listing = a.cli("list").stdout
    assert "digits_a" in listing and "digits_b" in listing and listing.count("serving") >= 2
    a.cli("cancel", "digits_a")
    assert "digits_a" not in a.cli("list").stdout
    enqueue(a, "after-cancel")
    enqueue(b, "b-after-cancel")
    b.wait_result("b-after-cancel")
    time.sleep(0.3)
    assert a.redis().xlen("digits_a") == 1  # nobody serves digits_a any more
    assert not a.redis().exists("cluster-serving_digits_a:after-cancel")


def test_the_same_job_name_twice_is_refused(serving):
    s = serving()
    s.start()
    again = s.cli("start", "--detach", check=False)
    assert again.returncode != 0
    assert "a job named 'serving_stream' is already running" in again.stderr


def test_shutdown_wipes_the_data_and_a_new_start_finds_an_empty_store(serving):
    s = serving()
    s.start()
    enqueue(s, "before-shutdown")
    s.wait_result("before-shutdown")
    out = s.cli("shutdown").stdout
    assert "Cluster Serving is shutdown." in out
    assert not (s.dir / "cluster-serving-data").exists()
    s.start()
    r = s.redis()
    assert r.keys("cluster-serving_*") == []
    assert r.xlen(s.job) == 0


def test_a_bad_config_value_is_refused_naming_key_value_and_file(serving):
    s = serving(batchSize=-3)
    result = s.cli("start", "--detach", check=False)
    assert result.returncode != 0
    assert "batchSize: -3" in result.stderr and str(s.config) in result.stderr


def test_a_model_directory_with_no_model_is_refused(serving, tmp_path):
    empty = tmp_path / "empty-model"
    empty.mkdir()
    s = serving(modelPath=str(empty))
    result = s.cli("start", "--detach", check=False)
    assert result.returncode != 0
    assert "modelPath" in result.stderr and str(empty) in result.stderr


def test_the_store_port_is_refused_when_another_redis_holds_it(serving):
    s = serving()
    redis_server = subprocess.Popen(["redis-server", "--port", str(s.port), "--bind", "127.0.0.1", "--save", ""],
                                    stdout=subprocess.DEVNULL)
    try:
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                s.redis().ping()
                break
            except Exception:
                time.sleep(0.05)
        result = s.cli("start", "--detach", check=False)
        assert result.returncode != 0
        assert "not cluster-serving" in result.stderr
    finally:
        redis_server.terminate()
        redis_server.wait(10)


def test_drop_in_scripts_start_list_stop_and_shut_down(serving):
    s = serving()
    env = dict(os.environ, CLUSTER_SERVING_BIN=BIN)

    def script(name, *args):
        return subprocess.run([str(COMPAT / name), *args], cwd=s.dir, env=env, capture_output=True, text=True,
                              timeout=120)

    started = script("cluster-serving-start", "-c", str(s.config), "-o", "2")
    assert started.returncode == 0, started.stderr
    s.started = True
    assert "serving_stream" in script("cluster-serving-cli", "list", "-c", str(s.config)).stdout
    enqueue(s, "via-scripts")
    s.wait_result("via-scripts")
    assert script("cluster-serving-cli", "stop", "serving_stream", "-c", str(s.config)).returncode == 0
    assert "No jobs" in script("cluster-serving-cli", "list", "-c", str(s.config)).stdout
    assert script("cluster-serving-restart", "-c", str(s.config)).returncode == 0
    assert "serving" in script("cluster-serving-cli", "list", "-c", str(s.config)).stdout
    shut = script("cluster-serving-shutdown", "-c", str(s.config))
    assert "Cluster Serving is shutdown." in shut.stdout


def test_init_writes_a_config_that_serves_the_demo_model(tmp_path):
    result = run_cli("init", cwd=tmp_path)
    assert "Cluster Serving config file prepared." in result.stdout
    text = (tmp_path / "config.yaml").read_text()
    assert "modelPath:" in text and "jobName:" in text and "batchSize" in text


def test_redis_cli_can_call_the_serving_commands(serving):
    s = serving()
    s.start()
    out = subprocess.run(["redis-cli", "-p", str(s.port), "SERVING", "LIST"], capture_output=True, text=True).stdout
    assert "serving_stream" in out and "records_out" in out
    assert subprocess.run(["redis-cli", "-p", str(s.port), "SERVING", "PING"], capture_output=True,
                          text=True).stdout.strip() == "PONG"


def test_logs_show_through_log_and_store_log(serving):
    s = serving()
    s.start()
    assert "serving_stream" in s.cli("log").stdout
    assert "listening" in s.cli("store-log").stdout


def test_a_store_with_requirepass_is_controlled_with_the_configs_password(serving):
    s = serving(requirepass="pw123")
    s.cli("start", "--detach")
    s.started = True
    import redis as redis_py
    r = redis_py.Redis(host="127.0.0.1", port=s.port, password="pw123")
    info = r.execute_command("SERVING", "INFO")
    s.pid = int((info if isinstance(info, dict) else dict(zip(info[::2], info[1::2])))[b"pid"])
    assert "serving_stream" in s.cli("list").stdout
    other = serving("other", port=s.port, jobName="other")  # no password in its config
    refused = other.cli("list", check=False)
    assert refused.returncode != 0 and "needs a password" in refused.stderr
    assert "Cluster Serving is shutdown." in s.cli("shutdown").stdout
