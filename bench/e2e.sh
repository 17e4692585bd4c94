#!/usr/bin/env bash
# End-to-end throughput: N 224x224 JPEG images through the stock Python client from several processes, as the
# original's perf-benchmark/e2e_throughput.py measures it (first enqueue to last result), against
#   (a) ours:     cluster-serving start -c config.yaml --detach (store + MobileNetV2 in one process), and
#   (b) baseline: what a user would build instead: redis-server + bench/baseline_worker.py (XREADGROUP, pyarrow,
#                 OpenCV, onnxruntime, HSET), same model, same threads and batch size.
# Rounds are interleaved (ours, baseline, ours, ...); the summary shows the medians and the ratio ours/baseline.
#
#   bench/e2e.sh
#   N=5000 PROCS=4 THREADS=2 BATCH=4 ROUNDS=3 bench/e2e.sh
#   BIN=/path/to/cluster-serving bench/e2e.sh
#   ONLY=baseline bench/e2e.sh           # one half only (ONLY=ours or ONLY=baseline)
#
# Environment: N (2000 images), PROCS (4 client processes), THREADS (2: coreNumberPerMachine / onnxruntime
# intra-op threads), BATCH (4: batchSize / XREADGROUP COUNT), ROUNDS (1), TIMEOUT (300 s per measurement),
# BIN (.build/release/cluster-serving; not built by this script), MODELS_DIR (.bench-models).
# Needs redis-server and python3 with numpy, opencv, pyarrow, redis, onnx, onnxruntime and the stock client
# (make setup installs them into .venv).

set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)

N=${N:-2000}
PROCS=${PROCS:-4}
THREADS=${THREADS:-2}
BATCH=${BATCH:-4}
ROUNDS=${ROUNDS:-1}
TIMEOUT=${TIMEOUT:-300}
BIN=${BIN:-.build/release/cluster-serving}
MODELS_DIR=${MODELS_DIR:-.bench-models}
ONLY=${ONLY:-}

die() { echo "e2e.sh: $*" >&2; exit 1; }

case "$ONLY" in
  "" | ours | baseline) ;;
  *) die "ONLY must be empty, ours or baseline (got '$ONLY')" ;;
esac
if [ "$ONLY" != baseline ]; then
  [ -f "$BIN" ] && [ -x "$BIN" ] || die "no cluster-serving executable at $BIN
  build it first (swift build -c release --product cluster-serving) or set BIN=/path/to/cluster-serving;
  ONLY=baseline runs the redis-server + Python half alone"
  BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"
fi
if [ "$ONLY" != ours ]; then
  command -v redis-server >/dev/null || die "needs redis-server (apt-get install redis-server)"
fi
python3 -c 'import numpy, cv2, pyarrow, redis, onnx, onnxruntime' 2>/dev/null \
  || die "needs python3 with numpy, opencv-python-headless, pyarrow, redis, onnx and onnxruntime"
python3 -c 'import zoo.serving.client' 2>/dev/null || python3 -c 'import bigdl.serving.client' 2>/dev/null \
  || die "needs the stock client: make setup"

MODEL="$MODELS_DIR/mobilenetv2/model.onnx"
if [ ! -f "$MODEL" ]; then
  echo "making the benchmark models in $MODELS_DIR" >&2
  python3 tools/make_bench_models.py "$MODELS_DIR"
fi
MODEL="$(cd "$(dirname "$MODEL")" && pwd)/$(basename "$MODEL")"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cs-e2e.XXXXXX")
PIDS=()          # background processes started here and not yet stopped
OURS_CONFIG=""   # config of a job started here and not yet shut down

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$OURS_CONFIG" ]; then  # interrupted, or start failed: make sure nothing of ours is left running
    "$BIN" shutdown -c "$OURS_CONFIG" >/dev/null 2>&1 || true
  fi
  # Newest first: the client, then the worker, then the redis-server it talks to.
  local i
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${PIDS[i]}"; done
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

source bench/lib.sh  # the scripts run from the repository root (cd above)

indent() { sed 's/^/    /'; }

# The image: 224x224, smooth shapes and texture from a fixed seed, JPEG quality 95.
IMAGE="$WORK/image.jpg"
python3 - "$IMAGE" <<'PY'
import sys
import cv2
import numpy as np
rng = np.random.default_rng(224)
# Low-frequency colour field (sky/ground-like gradients), a few soft shapes, fine grain.
img = cv2.resize(rng.uniform(40, 220, (4, 4, 3)).astype(np.float32), (224, 224), interpolation=cv2.INTER_CUBIC)
for _ in range(6):
    colour = [float(c) for c in rng.uniform(0, 255, 3)]
    centre = (int(rng.integers(20, 204)), int(rng.integers(20, 204)))
    axes = (int(rng.integers(10, 60)), int(rng.integers(10, 60)))
    cv2.ellipse(img, centre, axes, float(rng.uniform(0, 180)), 0, 360, colour, -1, cv2.LINE_AA)
img = cv2.GaussianBlur(img, (0, 0), 3)
texture = cv2.GaussianBlur(rng.normal(0, 18, (224, 224, 3)).astype(np.float32), (0, 0), 0.8)
img = np.clip(img + texture, 0, 255).astype(np.uint8)
assert cv2.imwrite(sys.argv[1], img, [cv2.IMWRITE_JPEG_QUALITY, 95])
PY

# The model directory for ours: exactly one model in it.
mkdir -p "$WORK/model"
cp "$MODEL" "$WORK/model/mobilenetv2.onnx"

CLIENT_ARGS=(-n "$N" -p "$PROCS" --name serving_stream --image "$IMAGE" --timeout "$TIMEOUT" --check-model "$MODEL")
FAILED=0

# Runs the client; appends its JSON line to $WORK/<half>.jsonl. $1 = half, $2 = port, $3 = log dir.
run_client() {
  local half=$1 port=$2 dir=$3 rc=0
  # In the background and waited for, so that a signal to this script is handled at once (cleanup stops it).
  python3 bench/e2e_client.py --port "$port" --label "$half" "${CLIENT_ARGS[@]}" >"$dir/client.log" 2>&1 &
  local client_pid=$!
  PIDS+=("$client_pid")
  wait "$client_pid" || rc=$?
  forget_pid "$client_pid"
  indent <"$dir/client.log"
  if [ "$rc" != 0 ]; then
    echo "  $half: the client reported errors (exit $rc)" >&2
    FAILED=1
  fi
  if tail -n 1 "$dir/client.log" | grep -q '^{'; then
    tail -n 1 "$dir/client.log" >>"$WORK/$half.jsonl"
  else
    FAILED=1
  fi
}

run_ours() {
  local dir="$WORK/ours-$1" port
  port=$(free_port)
  mkdir -p "$dir"
  cat >"$dir/config.yaml" <<EOF
modelPath: $WORK/model
jobName: serving_stream
redisUrl: 127.0.0.1:$port
batchSize: $BATCH
coreNumberPerMachine: $THREADS
storeDir: $dir/data
frontend:
  enabled: false
EOF
  echo "round $1, ours: cluster-serving on 127.0.0.1:$port, $THREADS threads, batch $BATCH"
  OURS_CONFIG="$dir/config.yaml"
  local rc=0
  "$BIN" start -c "$dir/config.yaml" --detach >"$dir/start.log" 2>&1 || rc=$?
  indent <"$dir/start.log"
  [ "$rc" = 0 ] || die "cluster-serving start -c $dir/config.yaml --detach failed (exit $rc)"
  run_client ours "$port" "$dir"
  rc=0
  "$BIN" shutdown -c "$dir/config.yaml" >"$dir/shutdown.log" 2>&1 || rc=$?
  OURS_CONFIG=""
  [ "$rc" = 0 ] || { indent <"$dir/shutdown.log"; die "cluster-serving shutdown failed (exit $rc)"; }
}

run_baseline() {
  local dir="$WORK/baseline-$1" port i
  port=$(free_port)
  mkdir -p "$dir"
  echo "round $1, baseline: redis-server on 127.0.0.1:$port + bench/baseline_worker.py, $THREADS threads, batch $BATCH"
  redis-server --port "$port" --save '' --appendonly no --bind 127.0.0.1 --daemonize no --dir "$dir" \
    >"$dir/redis.log" 2>&1 &
  local redis_pid=$!
  PIDS+=("$redis_pid")
  for i in $(seq 100); do
    python3 -c 'import redis, sys; redis.Redis(port=int(sys.argv[1])).ping()' "$port" 2>/dev/null && break
    kill -0 "$redis_pid" 2>/dev/null || { cat "$dir/redis.log" >&2; die "redis-server exited"; }
    sleep 0.1
  done
  python3 bench/baseline_worker.py --port "$port" --name serving_stream --model "$MODEL" --threads "$THREADS" \
    --batch "$BATCH" --ready-file "$dir/ready" 2>"$dir/worker.log" &
  local worker_pid=$!
  PIDS+=("$worker_pid")
  for i in $(seq 600); do
    [ -f "$dir/ready" ] && break
    kill -0 "$worker_pid" 2>/dev/null || { cat "$dir/worker.log" >&2; die "the baseline worker exited"; }
    sleep 0.1
  done
  [ -f "$dir/ready" ] || die "the baseline worker did not get ready in 60 s"
  run_client baseline "$port" "$dir"
  stop_pid "$worker_pid"
  stop_pid "$redis_pid"
  grep -v '^baseline worker' "$dir/worker.log" | indent >&2 || true
}

echo "e2e: MobileNetV2 (random weights), one 224x224 JPEG x $N through the stock client from $PROCS processes;" \
  "$THREADS threads, batch $BATCH, $ROUNDS round(s)"
for round in $(seq "$ROUNDS"); do
  [ "$ONLY" = baseline ] || run_ours "$round"
  [ "$ONLY" = ours ] || run_baseline "$round"
done

python3 - "$WORK" "$N" "$PROCS" "$THREADS" "$BATCH" "$ROUNDS" <<'PY'
import json, os, statistics, sys
work, n, procs, threads, batch, rounds = sys.argv[1:]
rows = {}
for half in ("ours", "baseline"):
    path = os.path.join(work, half + ".jsonl")
    if os.path.exists(path):
        with open(path) as f:
            rows[half] = [json.loads(line) for line in f if line.strip()]
print()
print(f"e2e throughput, MobileNetV2 224x224 JPEG, N={n}, {procs} client processes, {threads} threads, "
      f"batch {batch}: median of {rounds} round(s)")
print(f"{'':10s} {'served':>8s} {'errors':>7s} {'seconds':>9s} {'images/s':>10s}   rounds (images/s)")
medians = {}
for half, results in rows.items():
    if not results:
        continue
    medians[half] = statistics.median(r["throughput"] for r in results)
    print(f"{half:10s} {statistics.median(r['served'] for r in results):8.0f} {sum(r['errors'] for r in results):7d} "
          f"{statistics.median(r['seconds'] for r in results):9.2f} {medians[half]:10.1f}   "
          + " ".join(f"{r['throughput']:.1f}" for r in results))
if "ours" in medians and "baseline" in medians and medians["baseline"] > 0:
    print(f"ratio ours/baseline: {medians['ours'] / medians['baseline']:.2f}")
PY
exit "$FAILED"
