#!/usr/bin/env bash
# Throughput of our RESP server against redis-server, measured with redis-benchmark in one run.
#
# Both servers run on loopback ports picked here, with the same durability: Redis with
# `appendonly yes appendfsync <mode>`, ours with `--appendfsync <mode>`. Rounds are interleaved
# (ours, Redis, ours, Redis, ...) and each line prints the median of the rounds and the ratio.
#
#   bench/resp.sh                      # everysec, then always
#   ROUNDS=5 REQUESTS=400000 bench/resp.sh
#   MODES=everysec bench/resp.sh
set -euo pipefail
set -f   # the commands contain `*`

cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
REQUESTS=${REQUESTS:-200000}      # per pipelined run; unpipelined runs use a quarter
CLIENTS=${CLIENTS:-50}
MODES=${MODES:-"everysec always"}
BIN=${CLUSTER_SERVING_BIN:-.build/release/cluster-serving}
[ -x "$BIN" ] || { echo "build first: swift build -c release (missing $BIN)" >&2; exit 1; }
command -v redis-benchmark >/dev/null && command -v redis-server >/dev/null \
  || { echo "needs redis-server and redis-benchmark (apt-get install redis-server redis-tools)" >&2; exit 1; }

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

wait_ready() {
  for _ in $(seq 1 100); do
    redis-cli -p "$1" PING 2>/dev/null | grep -q PONG && return 0
    sleep 0.1
  done
  echo "server on port $1 did not start" >&2; exit 1
}

VALUE=$(printf 'x%.0s' $(seq 1 64))
TESTS=(
  "PING|PING"
  "SET|SET key:__rand_int__ $VALUE"
  "GET|GET key:__rand_int__"
  "HSET|HSET bench_hash field:__rand_int__ $VALUE"
  "XADD|XADD bench_stream * uri __rand_int__ data $VALUE"
)

# One redis-benchmark run; prints requests per second.
run_one() {
  local port=$1 pipeline=$2 n=$3; shift 3
  redis-benchmark -h 127.0.0.1 -p "$port" -c "$CLIENTS" -n "$n" -P "$pipeline" -r 100000 --csv "$@" 2>/dev/null \
    | awk -F'","' 'NR==2 {print $2}'
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

for mode in $MODES; do
  ours_port=$(free_port); redis_port=$(free_port)
  mkdir -p "$WORK/$mode/ours" "$WORK/$mode/redis"
  # shellcheck disable=SC2086
  "$BIN" server --port "$ours_port" --bind 127.0.0.1 --dir "$WORK/$mode/ours" --appendfsync "$mode" ${SERVER_ARGS:-} \
    >"$WORK/$mode/ours.log" 2>&1 &
  PIDS+=($!); ours_pid=$!
  redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$WORK/$mode/redis" --save '' \
    --appendonly yes --appendfsync "$mode" >"$WORK/$mode/redis.log" 2>&1 &
  PIDS+=($!); redis_pid=$!
  wait_ready "$ours_port"; wait_ready "$redis_port"

  echo "appendfsync $mode: $CLIENTS clients, median of $ROUNDS interleaved rounds (requests/s)"
  printf '%-6s %3s %12s %12s %7s\n' test P ours redis ratio
  for pipeline in 1 16; do
    n=$REQUESTS; [ "$pipeline" = 1 ] && n=$((REQUESTS / 4))
    for spec in "${TESTS[@]}"; do
      name=${spec%%|*}; cmd=${spec#*|}
      ours=(); theirs=()
      for _ in $(seq 1 "$ROUNDS"); do
        # shellcheck disable=SC2086
        ours+=("$(run_one "$ours_port" "$pipeline" "$n" $cmd)")
        # shellcheck disable=SC2086
        theirs+=("$(run_one "$redis_port" "$pipeline" "$n" $cmd)")
      done
      o=$(printf '%s\n' "${ours[@]}" | median); r=$(printf '%s\n' "${theirs[@]}" | median)
      printf '%-6s %3s %12.0f %12.0f %7.2f\n' "$name" "$pipeline" "$o" "$r" "$(awk -v o="$o" -v r="$r" 'BEGIN {print (r>0)?o/r:0}')"
    done
  done
  kill "$ours_pid" "$redis_pid"; wait "$ours_pid" "$redis_pid" 2>/dev/null || true
  echo
done
