#!/usr/bin/env bash
# Drop-in for the original stop-cluster-serving.sh: `cluster-serving stop`. Takes -c/--config_path like the original start.
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/cluster-serving-common.sh"
run_with_config stop "$@"
