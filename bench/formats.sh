#!/usr/bin/env bash
# The benchmark networks (MobileNetV2, ResNet-18, 224x224) from TensorFlow, Caffe and BigDL files beside their
# ONNX form in our engine, and beside TensorFlow's own Session on the frozen graph.
#
# Builds the release binary if it is missing, makes the models in .bench-models/ if they are missing (the ONNX
# ones with tools/make_bench_models.py, the others with tools/make_format_bench_models.py), then runs
# bench/formats_bench.py: for each model x threads x batch, interleaved rounds (ours on ONNX, ours on each
# format, TensorFlow's Session, ...), each in its own process; the table shows medians and ratios.
#
#   bench/formats.sh
#   ROUNDS=5 DURATION=10 bench/formats.sh
#   MODELS=resnet18 FORMATS="tensorflow caffe" THREADS=2 BATCHES="1 16" bench/formats.sh
#   BIN=/path/to/cluster-serving bench/formats.sh       # skips the build
#   CHECK=1 bench/formats.sh                            # outputs of each format against the ONNX form, no timing
#
# Needs .venv (onnx, onnxruntime), and to make the models .venv-tensorflow, .venv-caffe (or any Python with
# protobuf 4.21) + protoc, .venv-bigdl + a JDK (see tools/make_format_bench_models.py). TF_PYTHON= (empty)
# leaves out the TensorFlow Session side.

set -euo pipefail
# Seconds per measurement (not SECONDS, which is bash's own clock).
MEASURE_SECONDS=${DURATION:-5}

cd "$(dirname "$0")/.."
source bench/lib.sh  # the scripts run from the repository root (cd above)
ROUNDS=${ROUNDS:-3}
BATCHES=${BATCHES:-"1 4 16"}
THREADS=${THREADS:-"1 2"}
MODELS=${MODELS:-"mobilenetv2 resnet18"}
FORMATS=${FORMATS:-"tensorflow caffe bigdl"}
MODELS_DIR=${MODELS_DIR:-.bench-models}

if [ -z "${BIN:-}" ]; then
  BIN=.build/release/cluster-serving
  # swift build is incremental: it returns at once when the binary is up to date.
  swift build -c release --product cluster-serving
fi
[ -x "$BIN" ] || { echo "no executable at $BIN" >&2; exit 1; }

python3 -c 'import onnx, onnxruntime, numpy' 2>/dev/null \
  || { echo "needs python3 with onnx, onnxruntime and numpy (make bench-inference installs them into .venv)" >&2; exit 1; }

for model in $MODELS; do
  if [ ! -f "$MODELS_DIR/$model/model.onnx" ]; then
    python3 tools/make_bench_models.py "$MODELS_DIR"
    break
  fi
done
missing=()
for fmt in $FORMATS; do
  for model in $MODELS; do
    [ -d "$MODELS_DIR/$model-$fmt" ] || missing+=("$fmt")
  done
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "making the ${missing[*]} benchmark models in $MODELS_DIR" >&2
  python3 tools/make_format_bench_models.py "$MODELS_DIR" --models "$MODELS" \
    --formats "$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')"
fi

check=()
[ -n "${CHECK:-}" ] && check=(--check)
exec python3 bench/formats_bench.py --bin "$BIN" --models-dir "$MODELS_DIR" --models "$MODELS" --formats "$FORMATS" \
  --batches "$BATCHES" --threads "$THREADS" --rounds "$ROUNDS" --seconds "$MEASURE_SECONDS" "${check[@]+"${check[@]}"}"
