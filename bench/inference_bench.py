#!/usr/bin/env python3
"""Inference throughput of our engine beside onnxruntime on the same ONNX models (run by bench/inference.sh).

For each model x threads x batch, rounds alternate ours, onnxruntime, ours, onnxruntime, ...; each measurement
runs in its own process (so thread pools do not mix) for --seconds. The table shows the median over rounds.

    python3 bench/inference_bench.py --bin .build/release/cluster-serving --models-dir .bench-models

Ours:        <bin> benchmark --model <dir> --batch B --seconds S --threads T
             prints one JSON line {"images_per_second", "p50_ms", "p99_ms", "batch", "threads"}.
onnxruntime: this script with --ort-worker, which prints the same JSON line.
Defaults come from the environment: ROUNDS, DURATION, BATCHES, THREADS, MODELS, BIN.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np


# ---------------------------------------------------------------------------------------------- onnxruntime worker

def ort_worker(model_path, batch, threads, seconds):
    """Measures onnxruntime as it is normally used (all graph optimisations) and prints one JSON line."""
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(model_path, so, providers=["CPUExecutionProvider"])
    inp = sess.get_inputs()[0]
    shape = [batch if i == 0 or not isinstance(d, int) else d for i, d in enumerate(inp.shape)]
    feed = {inp.name: np.random.default_rng(0).standard_normal(shape).astype(np.float32)}

    warm_until = time.perf_counter() + 1.0
    runs = 0
    while runs < 3 or time.perf_counter() < warm_until:  # warm-up: at least 3 runs or about a second
        sess.run(None, feed)
        runs += 1

    latencies = []
    start = time.perf_counter()
    end = start + seconds
    now = start
    while now < end or not latencies:
        t0 = now
        sess.run(None, feed)
        now = time.perf_counter()
        latencies.append(now - t0)
    elapsed = now - start
    ms = np.array(latencies) * 1e3
    print(json.dumps({"images_per_second": batch * len(latencies) / elapsed, "p50_ms": float(np.percentile(ms, 50)),
                      "p99_ms": float(np.percentile(ms, 99)), "batch": batch, "threads": threads}))


# ---------------------------------------------------------------------------------------------- measurements

class MeasureError(Exception):
    pass


def parse_result(stdout):
    """The last stdout line that starts with `{`, as a dict with the benchmark's fields."""
    lines = [line.strip() for line in stdout.splitlines() if line.strip().startswith("{")]
    if not lines:
        raise MeasureError("no JSON line on stdout")
    result = json.loads(lines[-1])
    for key in ("images_per_second", "p50_ms", "p99_ms"):
        if not isinstance(result.get(key), (int, float)):
            raise MeasureError(f"JSON line lacks a number for {key}: {lines[-1]}")
    return result


def run_measurement(cmd, timeout):
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
        raise MeasureError(f"exit status {proc.returncode}: {tail}")
    return parse_result(proc.stdout)


def ours_cmd(args, model, batch, threads):
    return [args.bin, "benchmark", "--model", os.path.join(args.models_dir, model), "--batch", str(batch),
            "--seconds", str(args.seconds), "--threads", str(threads)]


def ort_cmd(args, model, batch, threads):
    return [sys.executable, os.path.abspath(__file__), "--ort-worker",
            "--model-file", os.path.join(args.models_dir, model, "model.onnx"),
            "--batch", str(batch), "--threads", str(threads), "--seconds", str(args.seconds)]


def measure_config(args, model, threads, batch):
    """Interleaved rounds; returns {"ours": [results], "ort": [results], "errors": {...}}."""
    runs = {"ours": [], "ort": [], "errors": {}}
    timeout = args.seconds * 4 + 120  # loading and warm-up included
    for r in range(args.rounds):
        for side, cmd in (("ours", ours_cmd(args, model, batch, threads)), ("ort", ort_cmd(args, model, batch, threads))):
            if side in runs["errors"]:
                continue  # a side that failed once is not retried in later rounds
            try:
                result = run_measurement(cmd, timeout)
                runs[side].append(result)
                note = f"{result['images_per_second']:.1f} img/s"
            except (MeasureError, subprocess.TimeoutExpired, OSError, ValueError) as err:
                runs["errors"][side] = str(err)
                note = f"FAILED: {err}"
            print(f"  {model} threads={threads} batch={batch} round {r + 1}/{args.rounds} {side}: {note}",
                  file=sys.stderr, flush=True)
    return runs


# ---------------------------------------------------------------------------------------------- report

def median_of(results, key):
    return statistics.median(r[key] for r in results) if results else None


def fmt(value, spec):
    return "-" if value is None else format(value, spec)


def describe_machine():
    """The CPU model and the kernel path ours takes: OpenBLAS's core (as it picked it when loaded, in this process
    with the same environment) and the engine's own SIMD build."""
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    import ctypes
    try:
        blas = ctypes.CDLL("libopenblas.so.0")
        blas.openblas_get_corename.restype = ctypes.c_char_p
        core = blas.openblas_get_corename().decode()
    except (OSError, AttributeError):
        core = "unknown"
    coretype = os.environ.get("OPENBLAS_CORETYPE", "unset")
    print(f"machine: {nproc} CPUs available (nproc), {cpu}")
    print(f"kernels: OpenBLAS core {core} (OPENBLAS_CORETYPE {coretype}); the engine's SIMD code built for "
          "x86-64 AVX2+FMA (Package.swift)")


def print_machine(args):
    describe_machine()
    import onnxruntime
    print(f"onnxruntime {onnxruntime.__version__}; ours: {args.bin}")


def print_table(rows, flops):
    header = ["model", "threads", "batch", "ours img/s", "ort img/s", "ours/ort", "ours p50/p99 ms",
              "ort p50/p99 ms", "ours GFLOP/s", "ort GFLOP/s"]
    table = [header]
    for model, threads, batch, runs in rows:
        ours_ips, ort_ips = median_of(runs["ours"], "images_per_second"), median_of(runs["ort"], "images_per_second")
        ratio = ours_ips / ort_ips if ours_ips and ort_ips else None
        per_image = flops.get(model)

        def gflops(ips):
            return ips * per_image / 1e9 if ips is not None and per_image else None

        def lat(side):
            p50, p99 = median_of(runs[side], "p50_ms"), median_of(runs[side], "p99_ms")
            return "-" if p50 is None else f"{p50:.2f} / {p99:.2f}"

        table.append([model, str(threads), str(batch), fmt(ours_ips, ".1f"), fmt(ort_ips, ".1f"), fmt(ratio, ".2f"),
                      lat("ours"), lat("ort"), fmt(gflops(ours_ips), ".1f"), fmt(gflops(ort_ips), ".1f")])
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for i, row in enumerate(table):
        print("  ".join(cell.ljust(w) if j == 0 else cell.rjust(w) for j, (cell, w) in enumerate(zip(row, widths))))
        if i == 0:
            print("  ".join("-" * w for w in widths))


def parse_args():
    env = os.environ
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", default=env.get("BIN", ".build/release/cluster-serving"))
    p.add_argument("--models-dir", default=env.get("MODELS_DIR", ".bench-models"))
    p.add_argument("--models", default=env.get("MODELS", "mobilenetv2 resnet18"))
    p.add_argument("--batches", default=env.get("BATCHES", "1 4 16"))
    p.add_argument("--threads", default=env.get("THREADS", "1 2"))
    p.add_argument("--rounds", type=int, default=int(env.get("ROUNDS", "3")))
    p.add_argument("--seconds", type=float, default=float(env.get("DURATION", "5")))
    # Worker mode (one onnxruntime measurement, used by this script itself).
    p.add_argument("--ort-worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--model-file", help=argparse.SUPPRESS)
    p.add_argument("--batch", type=int, help=argparse.SUPPRESS)
    return p.parse_args()


def main():
    args = parse_args()
    if args.ort_worker:
        ort_worker(args.model_file, args.batch, int(args.threads), args.seconds)
        return 0

    models, batches = args.models.split(), [int(b) for b in args.batches.split()]
    threads_list = [int(t) for t in args.threads.split()]
    if args.seconds == int(args.seconds):
        args.seconds = int(args.seconds)  # "--seconds 5", not "5.0", for our binary's parser
    flops_path = os.path.join(args.models_dir, "flops.json")
    flops = json.load(open(flops_path)) if os.path.exists(flops_path) else {}
    for model in models:
        if not os.path.exists(os.path.join(args.models_dir, model, "model.onnx")):
            sys.exit(f"missing {args.models_dir}/{model}/model.onnx (make it with tools/make_bench_models.py)")

    print_machine(args)
    print(f"{args.rounds} rounds of {args.seconds} s per measurement, median shown; "
          f"GFLOP/s from {', '.join(f'{m} {flops[m] / 1e9:.3f}' for m in models if m in flops)} GFLOP per image")
    rows = []
    for model in models:
        for threads in threads_list:
            for batch in batches:
                rows.append((model, threads, batch, measure_config(args, model, threads, batch)))
    print()
    print_table(rows, flops)

    failures = sorted({(side, err) for *_, runs in rows for side, err in runs["errors"].items()})
    for side, err in failures:
        print(f"{'ours' if side == 'ours' else 'onnxruntime'} failed: {err}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
