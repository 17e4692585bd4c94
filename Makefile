# cluster-serving: `make run` sets up and starts the server; `make test` runs every test.
# Both install what is missing first (Debian packages, pip packages).

APT_PACKAGES := liblmdb-dev libopenblas-dev redis-server redis-tools
PIP_PACKAGES := redis pytest
PORT ?= 6379
DIR ?= ./cluster-serving-data
BIN_DEBUG := $(CURDIR)/.build/debug/cluster-serving

.PHONY: setup build run test unit-test compat-test compat-test-redis bench clean

setup:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	@python3 -c "import redis, pytest" 2>/dev/null || python3 -m pip install -q $(PIP_PACKAGES)

build: setup
	swift build -c release

# Runs the store server in the foreground (Ctrl-C stops it; data stays in $(DIR)).
run: build
	.build/release/cluster-serving server --port $(PORT) --dir $(DIR)

test: setup unit-test compat-test compat-test-redis

unit-test:
	swift build --build-tests
	swift test --skip-build

# Stock clients (redis-py, redis-cli) against the binary; CS_TARGET=redis runs the same suite against redis-server.
compat-test:
	swift build --product cluster-serving
	CLUSTER_SERVING_BIN=$(BIN_DEBUG) python3 -m pytest compat/tests -q

# The same suite against redis-server 7, so that every assertion is checked to be what Redis does.
compat-test-redis:
	CS_TARGET=redis python3 -m pytest compat/tests -q

bench: build
	bench/resp.sh

clean:
	rm -rf .build
