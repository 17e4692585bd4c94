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

# Runs `cluster-serving <subcommand> -c <config>` with the original scripts' -c/--config_path option.
run_with_config() {
    local subcommand=$1 config=config.yaml
    shift
    while [ $# -gt 0 ]; do
        case "$1" in
            -c|--config_path|--config) config="$2"; shift 2 ;;
            *) echo "unknown option: $1" >&2; exit 2 ;;
        esac
    done
    exec "$CLUSTER_SERVING" "$subcommand" -c "$config"
}
