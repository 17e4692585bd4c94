# Sourced by the drop-in commands: finds the cluster-serving binary.
# Order: $CLUSTER_SERVING_BIN, `cluster-serving` on PATH, then the repository's own release and debug builds.
find_cluster_serving() {
    if [ -n "${CLUSTER_SERVING_BIN:-}" ]; then echo "$CLUSTER_SERVING_BIN"; return; fi
    if command -v cluster-serving >/dev/null 2>&1; then command -v cluster-serving; return; fi
    local repo
    repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
    for candidate in "$repo/.build/release/cluster-serving" "$repo/.build/debug/cluster-serving"; do
        if [ -x "$candidate" ]; then echo "$candidate"; return; fi
    done
    echo "cluster-serving binary not found: run 'make build' in $repo or set CLUSTER_SERVING_BIN" >&2
    exit 127
}
CLUSTER_SERVING="$(find_cluster_serving)"
