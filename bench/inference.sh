#!/usr/bin/env bash
# Inference throughput of our engine beside onnxruntime, on MobileNetV2 and ResNet-18 (random weights).
#
# Builds the release binary if it is missing, makes the benchmark models in .bench-models/ if they are missing,
# then runs bench/inference_bench.py: for each model x threads x batch, interleaved rounds (ours, onnxruntime,
# ours, ...), each in its own process; the table shows the medians, the ratio and our GFLOP/s.
#
#   bench/inference.sh
#   ROUNDS=5 DURATION=10 bench/inference.sh
#   MODELS=resnet18 THREADS=4 BATCHES="1 8" bench/inference.sh
#   BIN=/path/to/cluster-serving bench/inference.sh        # skips the build
#
# Needs the project's .venv with the frameworks (make bench-inference installs them).

set -euo pipefail
# Seconds per measurement (not SECONDS, which is bash's own clock).
MEASURE_SECONDS=${DURATION:-5}

cd "$(dirname "$0")/.."
source bench/lib.sh  # the scripts run from the repository root (cd above)
ROUNDS=${ROUNDS:-3}
BATCHES=${BATCHES:-"1 4 16"}
THREADS=${THREADS:-"1 2"}
MODELS=${MODELS:-"mobilenetv2 resnet18"}
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
  if [ ! -f "$MODELS_DIR/$model/model.onnx" ] || [ ! -f "$MODELS_DIR/flops.json" ]; then
    echo "making the benchmark models in $MODELS_DIR" >&2
    python3 tools/make_bench_models.py "$MODELS_DIR"
    break
  fi
done

exec python3 bench/inference_bench.py --bin "$BIN" --models-dir "$MODELS_DIR" --models "$MODELS" \
  --batches "$BATCHES" --threads "$THREADS" --rounds "$ROUNDS" --seconds "$MEASURE_SECONDS"
