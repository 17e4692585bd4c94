#!/usr/bin/env bash
# Drop-in for the original stop-cluster-serving.sh: `cluster-serving stop`. Takes -c/--config_path like the original start.
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/cluster-serving-common.sh"
config=config.yaml
while [ $# -gt 0 ]; do
    case "$1" in
        -c|--config_path|--config) config="$2"; shift 2 ;;
        *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
done
exec "$CLUSTER_SERVING" stop -c "$config"
