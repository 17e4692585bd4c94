#!/usr/bin/env bash
# Drop-in for the original redis-log.sh: follows the store server's log.
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/cluster-serving-common.sh"
exec "$CLUSTER_SERVING" store-log --follow "$@"
