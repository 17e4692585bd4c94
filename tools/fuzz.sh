#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer (docs/reliability.md).
#   tools/fuzz.sh build [NAME ...] builds the harnesses (Sources/Fuzz/<Name>; all by default) with
#                                  -sanitize=fuzzer,address in .build-fuzz
#   tools/fuzz.sh run [NAME ...]   runs each harness for FUZZ_SECONDS on a copy of its seed corpus; exits 1 if any
#                                  crashed or hung, with the input kept under .build-fuzz/findings/<NAME>/
# FUZZ_SECONDS (default 60), FUZZ_CONFIG (debug; release runs faster but builds slower), FUZZ_ARGS (more libFuzzer
# flags, e.g. "-fork=1 -ignore_crashes=1" for a long campaign), FUZZ_EXCLUDE (commands FuzzCommands leaves out).
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH=${FUZZ_SECONDS:-60}
CONFIG=${FUZZ_CONFIG:-debug}
SCRATCH=.build-fuzz
# name:max_len:dictionary
HARNESSES=(
  FuzzRESPDecoder:4096:resp.dict
  FuzzCommands:4096:resp.dict
  FuzzArrowIPC:16384:
  FuzzONNX:8192:
  FuzzOpenVINO:65536:
  FuzzTensorFlow:65536:
  FuzzCaffe:65536:
  FuzzBigDL:65536:
  FuzzNumPy:4096:
  FuzzImage:16384:
  FuzzPredictJSON:8192:json.dict
  FuzzConfig:8192:yaml.dict
)

# Whether harness $1 is among the names given (all when none are).
wanted() {
  local name=$1; shift
  [ $# -eq 0 ] || [[ " $* " == *" $name "* ]]
}

build() {
  # The harnesses reach internal readers with @testable import: release builds need -enable-testing too.
  local flags=(-Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld)
  [ "$CONFIG" = release ] && flags+=(-Xswiftc -enable-testing)
  for entry in "${HARNESSES[@]}"; do
    wanted "${entry%%:*}" "$@" || continue
    CS_FUZZ=1 swift build --scratch-path "$SCRATCH" -c "$CONFIG" "${flags[@]}" --product "${entry%%:*}" 2>&1 \
      | grep -v "Cannot export local symbol" | grep -E "error|warning: .*Sources/Fuzz|Compiling|complete" | grep -v "^\[" || true
    [ -x "$SCRATCH/$CONFIG/${entry%%:*}" ] || { echo "fuzz: ${entry%%:*} did not build" >&2; exit 1; }
  done
}

WORK=""
trap '[ -z "$WORK" ] || rm -rf "$WORK"' EXIT

run() {
  local failed=() work
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/cs-fuzz.XXXXXX")
  work=$WORK
  for entry in "${HARNESSES[@]}"; do
    IFS=: read -r name maxlen dict <<<"$entry"
    wanted "$name" "$@" || continue
    mkdir -p "$work/$name/corpus" "$work/$name/artifacts"
    cp Tests/Fuzz/corpus/$name/* "$work/$name/corpus/"
    local args=(-max_total_time="$SECONDS_EACH" -max_len="$maxlen" -timeout=10 -rss_limit_mb=2048 -detect_leaks=0
                -print_final_stats=1 -artifact_prefix="$work/$name/artifacts/")
    [ -n "$dict" ] && args+=(-dict="Tests/Fuzz/dictionaries/$dict")
    # SWIFT_BACKTRACE: Swift's own crash reporter would run under ASan and hide the trap (libFuzzer prints it).
    # Leaks are not checked: the Swift runtime's and Foundation's caches are reported as leaks.
    # shellcheck disable=SC2086
    if SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 "$SCRATCH/$CONFIG/$name" "${args[@]}" ${FUZZ_ARGS:-} "$work/$name/corpus" \
         >"$work/$name/log" 2>&1; then
      echo "fuzz: $name ok: $(grep -h 'number_of_executed_units' "$work/$name/log" | tail -1 | awk '{print $2}') runs," \
           "$(grep -hoE 'cov: [0-9]+' "$work/$name/log" | tail -1)"
    else
      mkdir -p "$SCRATCH/findings/$name"
      cp "$work/$name/log" "$SCRATCH/findings/$name/log"
      cp "$work/$name/artifacts/"* "$SCRATCH/findings/$name/" 2>/dev/null || true
      echo "fuzz: $name FAILED; input and log in $SCRATCH/findings/$name/:" >&2
      grep -E "Fatal error|ERROR:|SUMMARY|#[0-9]+ .* in .*(Sources|LLVMFuzzerTestOneInput)" "$work/$name/log" | head -15 >&2
      failed+=("$name")
    fi
  done
  [ ${#failed[@]} -eq 0 ] || { echo "fuzz: failed: ${failed[*]}" >&2; exit 1; }
}

case "${1:-}" in
  build) shift; build "$@" ;;
  run) shift; run "$@" ;;
  *) echo "usage: tools/fuzz.sh build|run [NAME ...]" >&2; exit 2 ;;
esac
