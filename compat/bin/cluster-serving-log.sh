#!/usr/bin/env bash
# Drop-in for the original cluster-serving-log.sh: follows the serving log of config.yaml's job.
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/cluster-serving-common.sh"
exec "$CLUSTER_SERVING" log --follow "$@"
