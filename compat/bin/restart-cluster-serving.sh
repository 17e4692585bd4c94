#!/usr/bin/env bash
# Drop-in for the 0.7/0.8 seed's restart-cluster-serving.sh (same as cluster-serving-restart): stop, then start (returns once the job serves).
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/cluster-serving-common.sh"
config=config.yaml
while [ $# -gt 0 ]; do
    case "$1" in
        -c|--config_path|--config) config="$2"; shift 2 ;;
        -o|--omp) export OMP_NUM_THREADS="$2"; shift 2 ;;
        *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
done
exec "$CLUSTER_SERVING" restart -c "$config" --detach
