#!/usr/bin/env bash
# Drop-in for the 0.7/0.8 seed's start-cluster-serving.sh: the same as cluster-serving-start.
exec "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/cluster-serving-start" "$@"
