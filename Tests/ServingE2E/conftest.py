"""End-to-end tests of the serving job: the stock Python clients from PyPI, unchanged, against the binary.

Each test gets its own store on a free loopback port and its own directory. Servers are started with
`cluster-serving start --detach` and always shut down by the test (and, should that fail, killed by their PID).
"""
import base64
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import redis

REPO = Path(__file__).resolve().parents[2]
BIN = os.environ.get("CLUSTER_SERVING_BIN", str(REPO / ".build" / "debug" / "cluster-serving"))
DIGITS_ONNX = REPO / "models" / "digits"
DIGITS_IR = REPO / "models" / "digits-openvino"
EXAMPLES = REPO / "examples" / "digits"
MAX_PIXEL = Path(__file__).resolve().parent / "fixtures" / "max-pixel"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(*args, cwd=None, timeout=120, check=True):
    result = subprocess.run([BIN, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"cluster-serving {' '.join(args)} failed ({result.returncode}):\n"
                             f"{result.stdout}\n{result.stderr}")
    return result


class Serving:
    """One directory with a config.yaml, and the store server its start launched."""

    def __init__(self, directory, port, **keys):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = port
        self.config = self.dir / "config.yaml"
        self.http_port = free_port()
        self.keys = {"modelPath": str(DIGITS_ONNX), "jobName": "serving_stream",
                     "redisUrl": f"127.0.0.1:{port}", "batchSize": 4,
                     "frontend": {"interface": "127.0.0.1", "port": self.http_port}, **keys}
        self.write_config()
        self.pid = None
        self.started = False

    def write_config(self):
        lines = []
        for key, value in self.keys.items():
            if isinstance(value, dict):
                lines.append(f"{key}:\n" + "".join(f"  {k}: {v}\n" for k, v in value.items()))
            elif value is not None:
                lines.append(f"{key}: {value}\n")
        self.config.write_text("".join(lines))

    @property
    def job(self):
        return self.keys["jobName"]

    def cli(self, *args, check=True, timeout=120):
        return run_cli(*args, "-c", str(self.config), cwd=self.dir, check=check, timeout=timeout)

    def start(self):
        out = self.cli("start", "--detach")
        self.started = True
        self.pid = int(self.info()[b"pid"])
        return out

    def info(self):
        reply = self.redis().execute_command("SERVING", "INFO")
        return reply if isinstance(reply, dict) else dict(zip(reply[::2], reply[1::2]))

    def redis(self):
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=30)

    def input_queue(self, client="zoo"):
        module = client_module(client)
        return module.InputQueue(host="127.0.0.1", port=str(self.port), name=self.job)

    def output_queue(self, client="zoo"):
        module = client_module(client)
        return module.OutputQueue(host="127.0.0.1", port=str(self.port), name=self.job)

    def wait_result(self, uri, timeout=30):
        key = f"cluster-serving_{self.job}:{uri}"
        r = self.redis()
        deadline = time.time() + timeout
        while time.time() < deadline:
            fields = r.hgetall(key)
            if fields:
                return {k.decode(): v.decode() for k, v in fields.items()}
            time.sleep(0.02)
        raise AssertionError(f"no result for {uri} within {timeout} s")

    def kill(self):
        """SIGKILL, then wait until the process is gone (it is not our child: poll it)."""
        if not self.pid:
            return
        try:
            os.kill(self.pid, signal.SIGKILL)
            deadline = time.time() + 10
            while time.time() < deadline:
                os.kill(self.pid, 0)
                with open(f"/proc/{self.pid}/stat") as stat:
                    if stat.read().split(") ")[1].startswith("Z"):
                        break  # a zombie: dead, waiting for its parent
                time.sleep(0.01)
        except (ProcessLookupError, FileNotFoundError):
            pass


def client_module(name):
    if name == "zoo":
        import zoo.serving.client as module
    else:
        import bigdl.serving.client as module
    return module


@pytest.fixture
def serving(tmp_path):
    """A factory of Serving directories; every store it started is shut down (or killed) at the end."""
    made = []

    def make(name="job", port=None, **keys):
        s = Serving(tmp_path / name, port or free_port(), **keys)
        made.append(s)
        return s

    yield make
    for s in made:
        if s.started:
            s.cli("shutdown", check=False, timeout=60)
            s.kill()


def digits_model_output(images_chw):
    """The demo model's reference outputs, from onnxruntime on the committed ONNX file."""
    import onnxruntime as ort
    session = ort.InferenceSession(str(DIGITS_ONNX / "digits.onnx"), providers=["CPUExecutionProvider"])
    batch = np.asarray(images_chw, dtype=np.float32)
    return session.run(None, {session.get_inputs()[0].name: batch})[0]


def example_images():
    """The demo's example digits: (path, label)."""
    import json
    labels = json.loads((EXAMPLES / "labels.json").read_text())
    return [(EXAMPLES / name, label) for name, label in sorted(labels.items())]


def as_client_sends(path):
    """The model input the server builds from an image path the stock client enqueues: the client re-encodes the
    image as JPEG (cv2.imencode), the server decodes it to BGR and feeds float CHW."""
    import cv2
    ok, jpeg = cv2.imencode(".jpg", cv2.imread(str(path)))
    assert ok
    decoded = cv2.imdecode(jpeg, cv2.IMREAD_COLOR)
    return decoded.astype(np.float32).transpose(2, 0, 1)
