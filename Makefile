# cluster-serving: `make run` sets up and starts the server; `make test` runs every test.
# Both install what is missing first: Debian packages, and the Python tools into the project's .venv at the exact
# versions of requirements/*.txt (nothing goes into the system interpreter).

APT_PACKAGES := liblmdb-dev libopenblas-dev libturbojpeg0-dev libpng-dev zlib1g-dev redis-server redis-tools curl \
	openssl python3-venv
# Where `make install` links the binary and the drop-in cluster-serving-* commands.
PREFIX ?= $(HOME)/.local
BIN_DEBUG := $(CURDIR)/.build/debug/cluster-serving
VENV := $(CURDIR)/.venv
# Every recipe and every script it starts finds the project's pinned python3, pytest and pip first.
export PATH := $(VENV)/bin:$(PATH)
export VIRTUAL_ENV := $(VENV)
# The pip cache stays out of the way of a fresh-machine check; pip's version check needs no network.
PIP := $(VENV)/bin/python3 -m pip --disable-pip-version-check -q

.PHONY: setup apt-packages build fuzz fuzz-commands install run test unit-test cli-test e2e-test compat-test compat-test-redis bench bench-inference bench-e2e bench-formats bench-http fixtures fixtures-tensorflow fixtures-caffe fixtures-bigdl demo-model clean

setup: apt-packages $(VENV)/.installed

apt-packages:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

# The virtualenv is made anew whenever a requirements file changes (pip never upgrades in place).
$(VENV)/.installed: requirements/test.txt requirements/clients.txt | apt-packages
	rm -rf $(VENV)
	/usr/bin/env python3 -m venv $(VENV)
	$(PIP) install -r requirements/test.txt
	$(PIP) install --no-deps -r requirements/clients.txt
	@# The client packages also install the original's Java launchers (cluster-serving-start, ...) into .venv/bin,
	@# where they would shadow our drop-ins (compat/bin) for anyone with .venv/bin on PATH.
	cd $(VENV)/bin && rm -rf cluster-serving-* cluster-with-numactl.sh download-serving-jar.sh config.yaml __pycache__
	touch $@

# The frameworks (onnx, OpenVINO, scikit-learn) for fixtures, the demo model and the inference benchmarks.
$(VENV)/.frameworks: $(VENV)/.installed requirements/frameworks.txt
	$(PIP) install -r requirements/test.txt -r requirements/frameworks.txt
	touch $@

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

# Coverage-guided fuzzing (libFuzzer + AddressSanitizer, docs/reliability.md): builds the harnesses in
# .build-fuzz, runs each for FUZZ_SECONDS on a copy of its seed corpus (Tests/Fuzz/corpus); fails if any crashes.
# FUZZ_HARNESSES="FuzzNumPy FuzzArrowIPC" limits both steps to those.
FUZZ_SECONDS ?= 60
FUZZ_HARNESSES ?=
fuzz: apt-packages
	tools/fuzz.sh build $(FUZZ_HARNESSES)
	FUZZ_SECONDS=$(FUZZ_SECONDS) tools/fuzz.sh run $(FUZZ_HARNESSES)

# A longer command-fuzzer run than the one in compat-test (docs/reliability.md): another seed, 25,000 random cases.
fuzz-commands: setup
	swift build --product cluster-serving
	CLUSTER_SERVING_BIN=$(BIN_DEBUG) CS_FUZZ_SEED=$${CS_FUZZ_SEED:-7} CS_FUZZ_CASES=$${CS_FUZZ_CASES:-25000} \
	  CS_FUZZ_BUDGET=600 python3 -m compat.fuzz.main

bench: build
	bench/resp.sh

# MobileNetV2 and ResNet-18 against onnxruntime (builds the models first; see docs/benchmarks.md).
bench-inference: build $(VENV)/.frameworks
	BIN=$(CURDIR)/.build/release/cluster-serving bench/inference.sh

# The stock client end to end through ours and through redis-server + a Python onnxruntime worker (docs/benchmarks.md).
bench-e2e: build $(VENV)/.frameworks
	BIN=$(CURDIR)/.build/release/cluster-serving bench/e2e.sh

# Ours on the same networks as TensorFlow, Caffe and BigDL files beside their ONNX form, and TensorFlow's own Session.
bench-formats: apt-packages build $(VENV)/.frameworks .venv-tensorflow/.installed .venv-caffe/.installed .venv-bigdl/.installed
	BIN=$(CURDIR)/.build/release/cluster-serving bench/formats.sh

# The HTTP frontend under wrk (/predict and KServe infer) beside the direct queue (docs/benchmarks.md).
bench-http: build
	BIN=$(CURDIR)/.build/release/cluster-serving bench/http.sh

# Retrains the demo digits classifier (scikit-learn's bundled digits) and exports it to ONNX and OpenVINO IR.
demo-model: $(VENV)/.frameworks
	python3 tools/make_demo_model.py

# Rebuilds Tests/Fixtures/inference from the frameworks' own exporters and runtimes.
fixtures: $(VENV)/.frameworks
	python3 tools/make_fixtures.py

# The TensorFlow, Caffe and BigDL fixtures, each written by that framework in a venv of its own (their pins conflict
# with the test tools'). Tests and CI read the committed files; only these targets need the frameworks.
.venv-tensorflow/.installed: requirements/tensorflow.txt
	rm -rf .venv-tensorflow && /usr/bin/env python3 -m venv .venv-tensorflow
	.venv-tensorflow/bin/python3 -m pip --disable-pip-version-check -q install -r requirements/tensorflow.txt
	touch $@

.venv-caffe/.installed: requirements/caffe.txt
	rm -rf .venv-caffe && /usr/bin/env python3 -m venv .venv-caffe
	.venv-caffe/bin/python3 -m pip --disable-pip-version-check -q install -r requirements/caffe.txt
	touch $@

# pyspark 2.4.6 (what bigdl-dllib 2.4.0 pins) is a source package that builds only without isolation; its jars, BigDL's
# and a JDK's javac run tools/bigdl/MakeBigDLFixtures.java (BigDL's Python API needs Python <= 3.7).
.venv-bigdl/.installed: requirements/bigdl.txt
	rm -rf .venv-bigdl && /usr/bin/env python3 -m venv .venv-bigdl
	.venv-bigdl/bin/python3 -m pip --disable-pip-version-check -q install setuptools==69.5.1 wheel==0.48.0
	.venv-bigdl/bin/python3 -m pip --disable-pip-version-check -q install --no-deps bigdl-dllib==2.4.0 \
	  bigdl-core==2.4.0.dev0 numpy==2.4.6
	.venv-bigdl/bin/python3 -m pip --disable-pip-version-check -q install --no-deps --no-build-isolation pyspark==2.4.6
	touch $@

# protoc writes the Caffe schema's Python; BigDL's networks are built by a Java program.
fixtures-caffe bench-formats: APT_PACKAGES += protobuf-compiler
fixtures-bigdl bench-formats: APT_PACKAGES += default-jdk-headless

fixtures-tensorflow: .venv-tensorflow/.installed
	.venv-tensorflow/bin/python3 tools/make_tensorflow_savedmodel_fixtures.py
	.venv-tensorflow/bin/python3 tools/make_tensorflow_fixtures.py

fixtures-caffe: apt-packages .venv-caffe/.installed
	.venv-caffe/bin/python3 tools/make_caffe_fixtures.py

fixtures-bigdl: apt-packages .venv-bigdl/.installed
	.venv-bigdl/bin/python3 tools/make_bigdl_fixtures.py

clean:
	rm -rf .build .build-fuzz
