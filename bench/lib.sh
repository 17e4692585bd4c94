# Shell helpers the benchmark scripts share (sourced): free loopback ports and stopping only our own processes.
# The sourcing script keeps the PIDs it started in the array PIDS.

# The project's pinned Python tools (`make setup` makes .venv) come before any other python3.
if [ -x "$(dirname "${BASH_SOURCE[0]}")/../.venv/bin/python3" ]; then
  PATH="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.venv/bin:$PATH"
fi

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Removes a pid from PIDS (once it has been waited for, so that it is never signalled again).
forget_pid() {
  local pid=$1 i rest=()
  for i in "${PIDS[@]}"; do [ "$i" = "$pid" ] || rest+=("$i"); done
  PIDS=("${rest[@]+"${rest[@]}"}")
}

# Stops one process this script started: SIGTERM, up to 10 s, then SIGKILL.
stop_pid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  forget_pid "$pid"
}
