# cluster-serving: `make run` sets up and starts the server; `make test` runs every test.
# Both install what is missing first (Debian packages, pip packages).

APT_PACKAGES := liblmdb-dev libopenblas-dev libturbojpeg0-dev libpng-dev redis-server redis-tools curl openssl
# The stock Cluster Serving clients' own dependencies (they are installed with --no-deps: their pins are old),
# plus onnxruntime for the end-to-end tests' reference outputs.
PIP_PACKAGES := redis pytest numpy pyarrow opencv-python-headless httpx pyyaml onnxruntime
STOCK_CLIENTS := analytics-zoo-serving==0.11.2 bigdl-serving==2.4.0
# Only for regenerating fixtures and for bench/inference.sh (the frameworks whose outputs are the references).
FRAMEWORK_PACKAGES := onnx onnxruntime openvino numpy
# Where `make install` links the binary and the drop-in cluster-serving-* commands.
PREFIX ?= $(HOME)/.local
BIN_DEBUG := $(CURDIR)/.build/debug/cluster-serving

.PHONY: setup build install run test unit-test cli-test e2e-test compat-test compat-test-redis bench bench-inference bench-e2e bench-http fixtures demo-model fuzz clean

setup:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	@python3 -c "import redis, pytest, numpy, pyarrow, cv2, httpx, yaml, onnxruntime" 2>/dev/null || python3 -m pip install -q $(PIP_PACKAGES)
	@python3 -c "import zoo.serving.client, bigdl.serving.client" 2>/dev/null || python3 -m pip install -q --no-deps $(STOCK_CLIENTS)

build: setup
	swift build -c release

# Links cluster-serving and the drop-in commands (compat/bin) into $(PREFIX)/bin.
install: build
	@mkdir -p $(PREFIX)/bin
	@ln -sf $(CURDIR)/.build/release/cluster-serving $(PREFIX)/bin/cluster-serving
	@for f in compat/bin/cluster-serving-* compat/bin/*.sh; do \
	  case $$f in *common.sh) ;; *) ln -sf $(CURDIR)/$$f $(PREFIX)/bin/$$(basename $$f) ;; esac; done
	@case ":$$PATH:" in *":$(PREFIX)/bin:"*) ;; *) echo "add $(PREFIX)/bin to PATH: export PATH=$(PREFIX)/bin:\$$PATH" ;; esac
	@echo "installed cluster-serving and the cluster-serving-* commands in $(PREFIX)/bin"

# Serves the demo model (models/digits) with the repository's config.yaml, enqueues the example digits with the
# stock client and prints the predictions; then shuts the server down.
run: install
	.build/release/cluster-serving start -c config.yaml --detach
	python3 examples/digits_client.py --images examples/digits; status=$$?; \
	.build/release/cluster-serving shutdown -c config.yaml; exit $$status

test: setup unit-test cli-test e2e-test compat-test compat-test-redis

unit-test:
	swift build --build-tests
	swift test --skip-build

# The model subcommands (predict, benchmark, inspect) on the committed fixtures.
cli-test:
	swift build --product cluster-serving
	CLUSTER_SERVING_BIN=$(BIN_DEBUG) python3 -m pytest Tests/CLITests -q

# The serving job end to end: the stock Cluster Serving clients from PyPI against the binary.
e2e-test:
	swift build --product cluster-serving
	CLUSTER_SERVING_BIN=$(BIN_DEBUG) python3 -m pytest Tests/ServingE2E -q

# Stock clients (redis-py, redis-cli) against the binary; CS_TARGET=redis runs the same suite against redis-server.
compat-test:
	swift build --product cluster-serving
	CLUSTER_SERVING_BIN=$(BIN_DEBUG) python3 -m pytest compat/tests -q

# The same suite against redis-server 7, so that every assertion is checked to be what Redis does.
compat-test-redis:
	CS_TARGET=redis python3 -m pytest compat/tests -q

bench: build
	bench/resp.sh

# MobileNetV2 and ResNet-18 against onnxruntime (builds the models first; see docs/benchmarks.md).
bench-inference: build
	@python3 -c "import onnx, onnxruntime" 2>/dev/null || python3 -m pip install -q $(FRAMEWORK_PACKAGES)
	BIN=$(CURDIR)/.build/release/cluster-serving bench/inference.sh

# The stock client end to end through ours and through redis-server + a Python onnxruntime worker (docs/benchmarks.md).
bench-e2e: build
	@python3 -c "import onnx, onnxruntime" 2>/dev/null || python3 -m pip install -q $(FRAMEWORK_PACKAGES)
	BIN=$(CURDIR)/.build/release/cluster-serving bench/e2e.sh

# The HTTP frontend under wrk (/predict and KServe infer) beside the direct queue (docs/benchmarks.md).
bench-http: build
	BIN=$(CURDIR)/.build/release/cluster-serving bench/http.sh

# Retrains the demo digits classifier (scikit-learn's bundled digits) and exports it to ONNX and OpenVINO IR.
demo-model:
	@python3 -c "import onnx, onnxruntime, openvino, sklearn" 2>/dev/null || python3 -m pip install -q $(FRAMEWORK_PACKAGES) scikit-learn
	python3 tools/make_demo_model.py

# Rebuilds Tests/Fixtures/inference from the frameworks' own exporters and runtimes.
fixtures:
	@python3 -c "import onnx, onnxruntime, openvino" 2>/dev/null || python3 -m pip install -q $(FRAMEWORK_PACKAGES)
	python3 tools/make_fixtures.py

clean:
	rm -rf .build

# Coverage-guided fuzzing (libFuzzer + AddressSanitizer, docs/reliability-fuzzing.md): builds the harnesses in
# .build-fuzz, runs each for FUZZ_SECONDS on a copy of its seed corpus (Tests/Fuzz/corpus); fails if any crashes.
# FUZZ_HARNESSES="FuzzNumPy FuzzArrowIPC" limits both steps to those.
FUZZ_SECONDS ?= 60
FUZZ_HARNESSES ?=
fuzz:
	tools/fuzz.sh build $(FUZZ_HARNESSES)
	FUZZ_SECONDS=$(FUZZ_SECONDS) tools/fuzz.sh run $(FUZZ_HARNESSES)
