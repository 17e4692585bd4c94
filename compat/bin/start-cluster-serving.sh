#!/usr/bin/env bash
# Drop-in for the 0.7/0.8 seed's start-cluster-serving.sh (same as cluster-serving-start): starts the job of config.yaml and returns once it serves
# (as the Flink job submission did). -c/--config_path as the original; -o/--omp N sets OMP_NUM_THREADS as the
# original did (our engine sizes its own threads from the config, so it only matters to other programs);
# --foreground keeps the job attached to this terminal instead.
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/cluster-serving-common.sh"
config=config.yaml
mode=--detach
usage() { echo "usage: cluster-serving-start [-c|--config_path config.yaml] [-o|--omp N] [--foreground] [-h]"; }
while [ $# -gt 0 ]; do
    case "$1" in
        -c|--config_path|--config) config="$2"; shift 2 ;;
        -o|--omp) export OMP_NUM_THREADS="$2"; shift 2 ;;
        -p|--parallelism) echo "note: -p is set by modelParallelism in $config here" >&2; shift 2 ;;
        --foreground) mode=""; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
done
exec "$CLUSTER_SERVING" start -c "$config" $mode
