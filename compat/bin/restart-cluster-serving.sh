#!/usr/bin/env bash
# Drop-in for the 0.7/0.8 seed's restart-cluster-serving.sh: the same as cluster-serving-restart.
exec "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/cluster-serving-restart" "$@"
