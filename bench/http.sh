#!/usr/bin/env bash
# HTTP frontend throughput: wrk POSTs one tensor per request to /predict (the original frontend's API) and to
# /v2/models/serving_stream/infer (KServe v2) at increasing concurrency, against
#   cluster-serving start -c config.yaml --detach   (store + job + HTTP frontend in one process),
# and, on the same server in the same run, the direct-queue anchor: the same record XADDed straight into the stream
# by redis-py from several processes (bench/http_direct.py), timed until every result is there. The ratio HTTP
# throughput / direct throughput says whether the frontend is the bottleneck (target >= 0.9).
#
#   bench/http.sh
#   CONNS="1 8 32 128" DURATION=10 bench/http.sh
#   MODELS=digits,mobilenetv2 bench/http.sh
#   BIN=/path/to/cluster-serving bench/http.sh
#
# Order per model: start, check (one request per route, both must agree), WARMUP s of wrk, direct round 1, /predict
# at each concurrency, direct round 2, /infer at each concurrency, direct round 3, shutdown. The anchor is the
# median of the 3 direct rounds. Per line: requests/s, p50 and p99 latency (wrk), errors (non-2xx answers plus
# socket errors and timeouts: any is flagged), cores busy with the server, with wrk and with anything else on the
# machine (a line where other work took more than 0.2 core is flagged), the server's CPU per request, and at the
# end where the server's CPU went, per request, by thread (HTTP event loops, Swift tasks: the route handlers, the
# job and store threads, the RESP loop). The exit status is 1 when a line had errors; the target is reported, not
# enforced.
#
# Environment: MODELS (digits; comma-separated, from digits and mobilenetv2), CONNS ("1 8 32 128"), DURATION (10 s
# per wrk run), WRK_THREADS (2; at most the connections), WARMUP (3 s), N (direct records per round: 20000 for
# digits, 1000 for mobilenetv2), PROCS (4 direct client processes), BATCH (8: batchSize), TIMEOUT (120 s per direct
# round), BIN (.build/release/cluster-serving; not built by this script), MODELS_DIR (.bench-models, for
# mobilenetv2: made by tools/make_bench_models.py when missing).
# Needs wrk (apt-get install wrk), curl, python3 with numpy, pyarrow and redis, and the stock client
# (make setup installs them into .venv).

set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)

MODELS=${MODELS:-digits}
CONNS=${CONNS:-"1 8 32 128"}
DURATION=${DURATION:-10}
WRK_THREADS=${WRK_THREADS:-2}
WARMUP=${WARMUP:-3}
N=${N:-}
PROCS=${PROCS:-4}
BATCH=${BATCH:-8}
TIMEOUT=${TIMEOUT:-120}
BIN=${BIN:-.build/release/cluster-serving}
MODELS_DIR=${MODELS_DIR:-.bench-models}

die() { echo "http.sh: $*" >&2; exit 1; }

[ -f "$BIN" ] && [ -x "$BIN" ] || die "no cluster-serving executable at $BIN
  build it first (swift build -c release --product cluster-serving) or set BIN=/path/to/cluster-serving"
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"
command -v wrk >/dev/null || die "needs wrk (apt-get install wrk)"
command -v curl >/dev/null || die "needs curl (apt-get install curl)"
python3 -c 'import numpy, pyarrow, redis' 2>/dev/null || die "needs python3 with numpy, pyarrow and redis"
python3 -c 'import zoo.serving.client' 2>/dev/null || python3 -c 'import bigdl.serving.client' 2>/dev/null \
  || die "needs the stock client: make setup"
for c in $CONNS; do
  [[ "$c" =~ ^[1-9][0-9]*$ ]] || die "CONNS must be positive integers (got '$CONNS')"
done
[[ "$DURATION" =~ ^[1-9][0-9]*$ ]] || die "DURATION must be a positive number of seconds (got '$DURATION')"
[[ "$WARMUP" =~ ^[0-9]+$ ]] || die "WARMUP must be a number of seconds (got '$WARMUP')"
[ -z "$N" ] || [[ "$N" =~ ^[1-9][0-9]*$ ]] || die "N must be a positive integer (got '$N')"
IFS=, read -r -a MODEL_LIST <<<"$MODELS"
for m in "${MODEL_LIST[@]}"; do
  case "$m" in digits | mobilenetv2) ;; *) die "MODELS: unknown model '$m' (digits, mobilenetv2)" ;; esac
done
TOP_CONNS=$(for c in $CONNS; do echo "$c"; done | sort -n | tail -n 1)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cs-http.XXXXXX")
RESULTS="$WORK/results.jsonl"
PIDS=()          # background processes started here and not yet stopped
OURS_CONFIG=""   # config of a server started here and not yet shut down
FAILED=0

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  local i
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${PIDS[i]}"; done
  if [ -n "$OURS_CONFIG" ]; then  # interrupted, or a step failed: make sure nothing of ours is left running
    "$BIN" shutdown -c "$OURS_CONFIG" >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

source bench/lib.sh  # the scripts run from the repository root (cd above)

# Runs a command in the background and waits for it (so that a signal to this script is handled at once: cleanup
# stops it); its output goes to $1. Returns its exit status.
run_logged() {
  local log=$1 rc=0
  shift
  "$@" >"$log" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  wait "$pid" || rc=$?
  forget_pid "$pid"
  return "$rc"
}

indent() { sed 's/^/    /'; }

# Sets CHILDREN_CPU to the CPU seconds (user + system) of this script's waited-for children so far: wrk and the
# direct clients. (`times` runs in this shell: in a $(...) subshell it would count that subshell's children.)
children_cpu() {
  times >"$WORK/times"
  CHILDREN_CPU=$(tail -n 1 "$WORK/times" \
    | awk '{ s = 0; for (i = 1; i <= NF; i++) { split($i, p, "m"); s += p[1] * 60 + p[2] }; printf "%.3f", s }')
}

# The model directory (exactly one model in it) for a model name.
model_dir() {
  case "$1" in
    digits) echo "$REPO/models/digits" ;;
    mobilenetv2)
      if [ ! -f "$MODELS_DIR/mobilenetv2/model.onnx" ]; then
        echo "making the benchmark models in $MODELS_DIR" >&2
        python3 tools/make_bench_models.py "$MODELS_DIR" >&2
      fi
      mkdir -p "$WORK/models/mobilenetv2"
      cp "$MODELS_DIR/mobilenetv2/model.onnx" "$WORK/models/mobilenetv2/mobilenetv2.onnx"
      echo "$WORK/models/mobilenetv2"
      ;;
  esac
}

# One wrk run, measured: $1 model, $2 route (predict|infer), $3 connections, $4 seconds, $5 "record" or "warmup",
# $6 the model's work directory (bodies, logs), $7 the frontend's URL, $8 the server's pid.
run_wrk() {
  local model=$1 route=$2 conns=$3 seconds=$4 mode=$5 dir=$6 url=$7 pid=$8
  local threads=$((conns < WRK_THREADS ? conns : WRK_THREADS))
  local log="$dir/wrk-$route-$conns-$mode.log" rc=0
  python3 bench/http_bench.py cpu "$pid" >"$dir/before.json"
  local clients
  children_cpu
  clients=$CHILDREN_CPU
  local path=/predict
  [ "$route" = infer ] && path=/v2/models/serving_stream/infer
  HTTP_BENCH_BODY="$dir/$route.json" HTTP_BENCH_PATH="$path" \
    run_logged "$log" timeout $((seconds + 60)) \
    wrk -t"$threads" -c"$conns" -d"${seconds}s" --timeout 30s --latency -s bench/http_post.lua "$url" || rc=$?
  children_cpu
  clients=$(awk -v a="$clients" -v b="$CHILDREN_CPU" 'BEGIN { printf "%.3f", b - a }')
  python3 bench/http_bench.py cpu "$pid" >"$dir/after.json"
  if [ "$rc" != 0 ] || ! grep -q '^WRK_JSON ' "$log"; then
    echo "  $route c=$conns: wrk failed (exit $rc):" >&2
    indent <"$log" >&2
    FAILED=1
  fi
  [ "$mode" = record ] || return 0
  python3 bench/http_bench.py phase --before "$dir/before.json" --after "$dir/after.json" --wrk "$log" \
    --clients-cpu "$clients" --model "$model" --route "$route" --conns "$conns" --out "$RESULTS" | indent
  if grep -qE '^ *(Non-2xx or 3xx responses|Socket errors):' "$log"; then
    grep -E '^ *(Non-2xx or 3xx responses|Socket errors):' "$log" | indent
    FAILED=1
  fi
}

# One direct round: $1 model, $2 round, $3 records, $4 the model's work directory, $5 the store's port, $6 the
# server's pid.
run_direct() {
  local model=$1 round=$2 records=$3 dir=$4 port=$5 pid=$6
  local log="$dir/direct-$round.log" rc=0
  python3 bench/http_bench.py cpu "$pid" >"$dir/before.json"
  local clients
  children_cpu
  clients=$CHILDREN_CPU
  run_logged "$log" timeout $((TIMEOUT + 60)) python3 bench/http_direct.py --port "$port" --name serving_stream \
    --body "$dir/predict.json" --expect "$dir/answer.json" -n "$records" -p "$PROCS" --timeout "$TIMEOUT" \
    --label "direct round $round" || rc=$?
  children_cpu
  clients=$(awk -v a="$clients" -v b="$CHILDREN_CPU" 'BEGIN { printf "%.3f", b - a }')
  python3 bench/http_bench.py cpu "$pid" >"$dir/after.json"
  { grep -v '^{' "$log" || true; } | indent
  if [ "$rc" != 0 ]; then
    echo "  direct round $round: the client reported errors (exit $rc)" >&2
    FAILED=1
  fi
  python3 bench/http_bench.py phase --before "$dir/before.json" --after "$dir/after.json" --direct "$log" \
    --clients-cpu "$clients" --model "$model" --route direct --round "$round" --out "$RESULTS" | indent
}

run_model() {
  local model=$1 dir port http_port modeldir records pid rc=0
  dir="$WORK/$model"
  mkdir -p "$dir"
  modeldir=$(model_dir "$model")
  records=${N:-$([ "$model" = digits ] && echo 20000 || echo 1000)}
  port=$(free_port)
  http_port=$(free_port)
  while [ "$http_port" = "$port" ]; do http_port=$(free_port); done
  cat >"$dir/config.yaml" <<EOF
modelPath: $modeldir
jobName: serving_stream
redisUrl: 127.0.0.1:$port
batchSize: $BATCH
storeDir: $dir/data
frontend:
  interface: 127.0.0.1
  port: $http_port
  parallelism: 1000
  predictTimeout: 30000
EOF
  local url="http://127.0.0.1:$http_port"
  echo
  echo "$model: cluster-serving (store 127.0.0.1:$port, HTTP $url), batchSize $BATCH; wrk ${DURATION}s per line," \
    "connections $CONNS; direct: $records records from $PROCS processes per round"
  OURS_CONFIG="$dir/config.yaml"
  run_logged "$dir/start.log" timeout 180 "$BIN" start -c "$dir/config.yaml" --detach || rc=$?
  indent <"$dir/start.log"
  [ "$rc" = 0 ] || die "cluster-serving start -c $dir/config.yaml --detach failed (exit $rc)"
  pid=$(grep -o '(pid [0-9]*)' "$dir/start.log" | grep -o '[0-9]*' | head -n 1)
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || die "no server pid in the start output"
  local i
  for i in $(seq 100); do
    curl -sf "$url/v2/health/ready" >/dev/null 2>&1 && break
    [ "$i" = 100 ] && die "the HTTP frontend at $url is not ready after 10 s"
    sleep 0.1
  done
  python3 bench/http_bench.py bodies --url "$url" --model serving_stream --out "$dir" | indent
  python3 bench/http_bench.py check --url "$url" --model serving_stream --dir "$dir" | indent \
    || die "the check requests failed"
  if [ "$WARMUP" -gt 0 ]; then
    run_wrk "$model" predict "$TOP_CONNS" "$WARMUP" warmup "$dir" "$url" "$pid"
  fi
  run_direct "$model" 1 "$records" "$dir" "$port" "$pid"
  for c in $CONNS; do run_wrk "$model" predict "$c" "$DURATION" record "$dir" "$url" "$pid"; done
  run_direct "$model" 2 "$records" "$dir" "$port" "$pid"
  for c in $CONNS; do run_wrk "$model" infer "$c" "$DURATION" record "$dir" "$url" "$pid"; done
  run_direct "$model" 3 "$records" "$dir" "$port" "$pid"
  # What the job counted, and whether anything was left behind (results the frontend did not delete).
  "$BIN" list -c "$dir/config.yaml" 2>&1 | indent || true
  python3 - "$port" <<'PY' | indent
import sys, time, redis
db = redis.Redis(port=int(sys.argv[1]))
time.sleep(0.5)
left = sum(1 for _ in db.scan_iter("cluster-serving_serving_stream:*", count=1000))
print(f"left behind: {left} result keys, stream length {db.xlen('serving_stream')}")
PY
  rc=0
  run_logged "$dir/shutdown.log" timeout 60 "$BIN" shutdown -c "$dir/config.yaml" || rc=$?
  OURS_CONFIG=""
  [ "$rc" = 0 ] || { indent <"$dir/shutdown.log"; die "cluster-serving shutdown failed (exit $rc)"; }
}

# Percent of the machine's cores busy over one second (/proc/stat), before anything of ours runs.
machine_busy() {
  local a b
  a=$(head -n 1 /proc/stat)
  sleep 1
  b=$(head -n 1 /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN { split(a, x); split(b, y); t = 0
    for (k = 2; k <= 9; k++) t += y[k] - x[k]
    idle = (y[5] - x[5]) + (y[6] - x[6]); printf "%d", (t > 0 ? 100 * (t - idle) / t : 0) }'
}

echo "http: wrk (${WRK_THREADS} threads) against /predict and /v2/models/serving_stream/infer, one instance per" \
  "request, against the direct queue (redis-py XADD); models: $MODELS"
CPU_NAME=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
BUSY=$(machine_busy)
echo "machine: $(nproc) cores ($CPU_NAME), shared by the server, wrk and the direct clients; $BUSY% busy before the run"
if [ "$BUSY" -gt 20 ]; then
  echo "http.sh: warning: other work keeps the machine $BUSY% busy: the figures will be low and noisy" >&2
fi
for m in "${MODEL_LIST[@]}"; do run_model "$m"; done

python3 bench/http_bench.py summary "$RESULTS" --header "HTTP frontend against the direct queue: wrk -t$WRK_THREADS\
 -d${DURATION}s, one instance per request; batchSize $BATCH; $(nproc) cores ($CPU_NAME), $BUSY% busy before the run" \
  || FAILED=1
exit "$FAILED"
