# cluster-serving: `make run` sets up and starts the server; `make test` runs every test.
# Both install what is missing first (Debian packages, pip packages).

APT_PACKAGES := liblmdb-dev libopenblas-dev redis-server redis-tools
PIP_PACKAGES := redis pytest numpy
# Only for regenerating fixtures and for bench/inference.sh (the frameworks whose outputs are the references).
FRAMEWORK_PACKAGES := onnx onnxruntime openvino numpy
PORT ?= 6379
DIR ?= ./cluster-serving-data
BIN_DEBUG := $(CURDIR)/.build/debug/cluster-serving

.PHONY: setup build run test unit-test cli-test compat-test compat-test-redis bench bench-inference fixtures clean

setup:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	@python3 -c "import redis, pytest, numpy" 2>/dev/null || python3 -m pip install -q $(PIP_PACKAGES)

build: setup
	swift build -c release

# Runs the store server in the foreground (Ctrl-C stops it; data stays in $(DIR)).
run: build
	.build/release/cluster-serving server --port $(PORT) --dir $(DIR)

test: setup unit-test cli-test compat-test compat-test-redis

unit-test:
	swift build --build-tests
	swift test --skip-build

# The model subcommands (predict, benchmark, inspect) on the committed fixtures.
cli-test:
	swift build --product cluster-serving
	CLUSTER_SERVING_BIN=$(BIN_DEBUG) python3 -m pytest Tests/CLITests -q

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

# Rebuilds Tests/Fixtures/inference from the frameworks' own exporters and runtimes.
fixtures:
	@python3 -c "import onnx, onnxruntime, openvino" 2>/dev/null || python3 -m pip install -q $(FRAMEWORK_PACKAGES)
	python3 tools/make_fixtures.py

clean:
	rm -rf .build
