#!/usr/bin/env python3
"""Helpers of bench/http.sh (standard library only).

    python3 bench/http_bench.py bodies  --url http://127.0.0.1:10020 --model serving_stream --out DIR
    python3 bench/http_bench.py check   --url http://127.0.0.1:10020 --model serving_stream --dir DIR
    python3 bench/http_bench.py cpu     PID
    python3 bench/http_bench.py phase   --before A.json --after B.json (--wrk wrk.log | --direct direct.log)
                                        --model M --route R [--conns C] [--round K] --out RESULTS.jsonl
    python3 bench/http_bench.py summary RESULTS.jsonl [--header TEXT]

bodies: reads the model's first input from KServe metadata (GET /v2/models/<model>) and writes one instance of
  it (batch of one, fixed seed, values in [0, 1) rounded to 4 decimals, 3 above 10,000 values) as the two request
  bodies: DIR/predict.json ({"instances":[{name: nested list}]}) and DIR/infer.json ({"inputs":[{"name", "shape"
  [1, ...], "datatype": "FP32", "data": flat list}]}). Prints the input's name and shape.
check: posts each body once; both must answer 200 with the same output (predictions[0] -> value -> data, and
  outputs[0].data), which is written to DIR/answer.json for bench/http_direct.py to compare its result with.
cpu: one snapshot as JSON: the process's CPU seconds (all threads, dead ones included), the seconds of each live
  thread with its group (by thread name), and the machine's busy and total CPU seconds (/proc/stat).
phase: appends one JSON line to RESULTS.jsonl from two snapshots and wrk's output (its WRK_JSON line) or the
  direct client's (its last line), with the labels given, and prints the figures as one line of text.
summary: the table bench/http.sh prints at the end.
"""

import argparse
import json
import os
import statistics
import sys
import urllib.error
import urllib.request

TICKS = os.sysconf("SC_CLK_TCK")


def get_json(url, timeout=30):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.load(response)


def post(url, path, timeout=60):
    with open(path, "rb") as f:
        body = f.read()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def nested(values, shape):
    if not shape:
        return values[0]
    if len(shape) == 1:
        return values
    step = len(values) // shape[0]
    return [nested(values[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def cmd_bodies(args):
    meta = get_json(f"{args.url}/v2/models/{args.model}")
    inputs = meta.get("inputs") or []
    if not inputs:
        sys.exit(f"bodies: the model {args.model} reports no inputs: {meta}")
    if len(inputs) > 1:
        print(f"bodies: the model has {len(inputs)} inputs; only the first one is sent", file=sys.stderr)
    name, shape = inputs[0]["name"], [int(d) for d in inputs[0]["shape"]]
    if inputs[0].get("datatype", "FP32") != "FP32":
        sys.exit(f"bodies: input {name} is {inputs[0].get('datatype')}, only FP32 is written")
    row = [1 if d < 0 else d for d in shape[1:]]  # without the batch dimension
    if any(d == 0 for d in row) or not row:
        sys.exit(f"bodies: cannot make an instance for shape {shape}")
    size = 1
    for d in row:
        size *= d
    import random
    rng = random.Random(8)
    digits = 4 if size <= 10_000 else 3
    values = [round(rng.random(), digits) for _ in range(size)]
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "predict.json"), "w") as f:
        json.dump({"instances": [{name: nested(values, row)}]}, f, separators=(",", ":"))
    with open(os.path.join(args.out, "infer.json"), "w") as f:
        json.dump({"inputs": [{"name": name, "shape": [1] + row, "datatype": "FP32", "data": values}]}, f,
                  separators=(",", ":"))
    sizes = [os.path.getsize(os.path.join(args.out, b)) for b in ("predict.json", "infer.json")]
    print(f"input {name} {[1] + row} FP32; bodies: /predict {sizes[0]} bytes, /infer {sizes[1]} bytes")


def cmd_check(args):
    status, body = post(f"{args.url}/predict", os.path.join(args.dir, "predict.json"))
    if status != 200:
        sys.exit(f"check: POST /predict answered {status}: {body[:500].decode(errors='replace')}")
    try:
        value = json.loads(json.loads(body)["predictions"][0])["value"]
        # One output: {"data":[...],"shape":[...]}; several are concatenated (only the first is compared).
        predict = json.JSONDecoder().raw_decode(value)[0]
        predict_data, predict_shape = predict["data"], predict["shape"]
    except Exception as e:  # noqa: BLE001
        sys.exit(f"check: POST /predict: unexpected answer ({type(e).__name__}: {e}): {body[:500]!r}")
    status, body = post(f"{args.url}/v2/models/{args.model}/infer", os.path.join(args.dir, "infer.json"))
    if status != 200:
        sys.exit(f"check: POST /v2/models/{args.model}/infer answered {status}: {body[:500].decode(errors='replace')}")
    try:
        output = json.loads(body)["outputs"][0]
        infer_data, infer_shape = output["data"], output["shape"]
    except Exception as e:  # noqa: BLE001
        sys.exit(f"check: POST /infer: unexpected answer ({type(e).__name__}: {e}): {body[:500]!r}")
    if len(infer_data) != len(predict_data) or max(abs(a - b) for a, b in zip(infer_data, predict_data)) > 1e-6:
        sys.exit(f"check: /predict and /infer disagree: {predict_data[:5]}... against {infer_data[:5]}...")
    with open(os.path.join(args.dir, "answer.json"), "w") as f:
        json.dump(predict_data, f)
    print(f"check: /predict and /infer answer 200 with the same output (/predict shape {predict_shape}, "
          f"/infer shape {infer_shape} {output.get('name', '')})")


def cpu_snapshot(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    process = (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14 and 15)
    threads = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                text = f.read()
        except OSError:
            continue  # the thread ended
        name = text[text.index("(") + 1:text.rindex(")")]
        rest = text.rsplit(")", 1)[1].split()
        threads[tid] = [thread_group(name), (int(rest[11]) + int(rest[12])) / TICKS]
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    idle = cpu[3] + cpu[4]  # idle, iowait
    total = sum(cpu[:8])    # without guest time (already in user)
    return {"process": process, "threads": threads, "machine_busy": (total - idle) / TICKS,
            "machine_total": total / TICKS}


def thread_group(name):
    """Thread names (15 characters at most) as the parts of the server."""
    if name.startswith("NIO-SGLTN"):
        return "HTTP (NIO singleton loops)"
    if name.startswith("NIO-ELT"):
        return "RESP (NIO loop)"
    if name.endswith("qos") or "qos." in name:
        return "Swift tasks"
    if name == "cluster-serving":
        return "job+store+waiter threads"
    return name


def cmd_cpu(args):
    print(json.dumps(cpu_snapshot(args.pid)))


def cmd_phase(args):
    with open(args.before) as f:
        before = json.load(f)
    with open(args.after) as f:
        after = json.load(f)
    row = {"model": args.model, "route": args.route, "conns": args.conns, "round": args.round}
    if args.wrk:
        lines = [line for line in open(args.wrk, errors="replace") if line.startswith("WRK_JSON ")]
        if not lines:
            row.update(failed=True, requests=0, seconds=0.0, throughput=0.0, errors=0)
        else:
            w = json.loads(lines[-1][len("WRK_JSON "):])
            seconds = w["duration_us"] / 1e6
            socket_errors = w["connect"] + w["read"] + w["write"] + w["timeout"]
            # Throughput counts the 2xx answers only (wrk's Requests/sec counts every answer), so that a run of
            # fast refusals cannot look good; the errors are flagged anyway.
            row.update(requests=w["requests"], seconds=seconds, throughput=(w["requests"] - w["status"]) / seconds,
                       p50_ms=w["p50_us"] / 1000, p99_ms=w["p99_us"] / 1000, max_ms=w["max_us"] / 1000,
                       non2xx=w["status"], socket_errors=socket_errors, timeouts=w["timeout"],
                       errors=w["status"] + socket_errors)
    else:
        lines = [line for line in open(args.direct, errors="replace") if line.startswith("{")]
        if not lines:
            row.update(failed=True, requests=0, seconds=0.0, throughput=0.0, errors=0)
        else:
            d = json.loads(lines[-1])
            row.update(requests=d["served"], seconds=d["seconds"], throughput=d["throughput"], errors=d["errors"])
    wall_busy = after["machine_busy"] - before["machine_busy"]
    wall_total = after["machine_total"] - before["machine_total"]
    server = after["process"] - before["process"]
    elapsed = wall_total / (os.cpu_count() or 1)  # seconds between the snapshots
    row["server_cpu_s"] = server
    row["clients_cpu_s"] = args.clients_cpu
    row["machine_busy"] = wall_busy / wall_total if wall_total > 0 else 0.0
    # Cores kept busy by anything else (other processes on the machine, the kernel's own threads, the snapshots).
    row["other_cores"] = max(0.0, wall_busy - server - args.clients_cpu) / elapsed if elapsed > 0 else 0.0
    # Per thread (a thread that started in between counts from 0; one that ended is not seen: its time is in
    # "(threads that ended)", the rest of the process's time).
    groups = {}
    for tid, (group, seconds) in after["threads"].items():
        was = before["threads"].get(tid)
        groups[group] = groups.get(group, 0.0) + seconds - (was[1] if was and was[0] == group else 0.0)
    ended = server - sum(groups.values())
    if ended > 0.01 * max(server, 1e-9) and ended > 0.005:
        groups["(threads that ended)"] = ended
    row["groups"] = groups
    with open(args.out, "a") as f:
        f.write(json.dumps(row) + "\n")
    # One line for the log: the figures and where the server's CPU went.
    label = f"{args.route} c={args.conns}" if args.route != "direct" else f"direct round {args.round}"
    if row.get("failed"):
        print(f"{label}: no result (see the output above)")
        return
    cores = server / row["seconds"] if row["seconds"] else 0.0
    top = sorted(row["groups"].items(), key=lambda kv: -kv[1])[:4]
    cpu = ", ".join(f"{g} {v / row['seconds'] if row['seconds'] else 0:.2f}" for g, v in top)
    latency = (f", p50 {row['p50_ms']:.2f} ms, p99 {row['p99_ms']:.2f} ms, non-2xx {row['non2xx']}, "
               f"socket errors {row['socket_errors']}") if "p50_ms" in row else f", errors {row['errors']}"
    clients = f"wrk {args.clients_cpu / row['seconds']:.2f}, " if args.wrk and row["seconds"] else ""
    print(f"{label}: {row['throughput']:.0f}/s{latency}; cores: server {cores:.2f} ({cpu}), "
          f"{clients}others {row['other_cores']:.2f}")


def cmd_summary(args):
    rows = [json.loads(line) for line in open(args.results) if line.strip()]
    if args.header:
        print()
        print(args.header)
    if not rows:
        print("no results")
        return 1
    status = 0
    for model in dict.fromkeys(r["model"] for r in rows):
        mine = [r for r in rows if r["model"] == model]
        direct = [r for r in mine if r["route"] == "direct" and not r.get("failed")]
        anchor = statistics.median(r["throughput"] for r in direct) if direct else 0.0
        print()
        print(f"{model}: HTTP throughput against the direct queue (anchor = median of {len(direct)} direct rounds: "
              + ", ".join(f"{r['throughput']:.0f}" for r in direct) + " records/s)")
        print(f"{'route':8s} {'conns':>5s} {'req/s':>8s} {'p50 ms':>8s} {'p99 ms':>8s} {'errors':>7s} "
              f"{'server':>7s} {'client':>7s} {'others':>7s} {'us/req':>7s} {'ratio':>6s}")
        noisy = False
        for r in [r for r in mine if r["route"] != "direct"] + direct:
            per_request = r["server_cpu_s"] / r["requests"] * 1e6 if r["requests"] else 0.0
            cores = lambda v: v / r["seconds"] if r["seconds"] else 0.0  # noqa: E731
            errors = "FAILED" if r.get("failed") else str(r["errors"])
            ratio = r["throughput"] / anchor if anchor else 0.0
            flags = []
            if r.get("failed") or r["errors"]:
                flags.append("<- errors")
            if r.get("other_cores", 0) > 0.2:
                flags.append("<- other work on the machine")
                noisy = True
            if r["route"] == "direct":
                conns, p50, p99 = "r" + str(r["round"]), "-", "-"
            else:
                conns, p50, p99 = str(r["conns"]), f"{r.get('p50_ms', 0):.2f}", f"{r.get('p99_ms', 0):.2f}"
            # The direct clients' CPU includes their start (imports) and the result checks, outside the clock.
            client = "-" if r["route"] == "direct" else f"{cores(r.get('clients_cpu_s', 0)):.2f}"
            print(f"{r['route']:8s} {conns:>5s} {r['throughput']:8.0f} {p50:>8s} {p99:>8s} {errors:>7s} "
                  f"{cores(r['server_cpu_s']):7.2f} {client:>7s} "
                  f"{r.get('other_cores', 0):7.2f} {per_request:7.0f} {ratio:6.2f}   " + " ".join(flags))
        print("(server, client, others: cores busy with the server, with wrk, and with anything else on the machine; "
              "us/req: server CPU per request)")
        # Where the server's CPU went, per request, for the busiest line of each route and the anchor.
        picks = []
        for route in ("predict", "infer"):
            lines = [r for r in mine if r["route"] == route and r["requests"]]
            if lines:
                picks.append((f"{route} c={max(lines, key=lambda r: r['throughput'])['conns']}",
                              max(lines, key=lambda r: r["throughput"])))
        if direct:
            picks.append(("direct", sorted(direct, key=lambda r: r["throughput"])[len(direct) // 2]))
        groups = sorted({g for _, r in picks for g in r["groups"]},
                        key=lambda g: -max(r["groups"].get(g, 0) / r["requests"] for _, r in picks))
        if picks:
            print(f"server CPU per record (us), by thread: " + " | ".join(label for label, _ in picks))
            for g in groups:
                print(f"  {g:28s} " + " | ".join(f"{r['groups'].get(g, 0) / r['requests'] * 1e6:7.0f}" for _, r in picks))
        verdicts = []
        for route in ("predict", "infer"):
            lines = [r for r in mine if r["route"] == route and not r.get("failed")]
            if lines and anchor:
                best = max(lines, key=lambda r: r["throughput"])
                ratio = best["throughput"] / anchor
                verdicts.append(f"/{route} {ratio:.2f} (c={best['conns']})")
        failed = [r for r in mine if r.get("failed") or r["errors"]]
        print(f"best HTTP/direct: {', '.join(verdicts) or 'n/a'}; target >= 0.9: "
              + ("met" if verdicts and all(float(v.split()[1]) >= 0.9 for v in verdicts) else "NOT met"))
        if noisy:
            print("WARNING: other work used the machine during the lines marked: their figures are low")
        if failed:
            print(f"WARNING: {len(failed)} line(s) with errors or no result: "
                  + ", ".join(f"{r['route']} {r['conns'] if r['route'] != 'direct' else 'r' + str(r['round'])}"
                              for r in failed))
            status = 1
    return status


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("bodies")
    p.add_argument("--url", required=True)
    p.add_argument("--model", default="serving_stream")
    p.add_argument("--out", required=True)
    p = sub.add_parser("check")
    p.add_argument("--url", required=True)
    p.add_argument("--model", default="serving_stream")
    p.add_argument("--dir", required=True)
    p = sub.add_parser("cpu")
    p.add_argument("pid", type=int)
    p = sub.add_parser("phase")
    p.add_argument("--before", required=True)
    p.add_argument("--after", required=True)
    p.add_argument("--wrk")
    p.add_argument("--direct")
    p.add_argument("--model", required=True)
    p.add_argument("--route", required=True)
    p.add_argument("--conns", default="-")
    p.add_argument("--round", type=int, default=0)
    p.add_argument("--clients-cpu", type=float, default=0.0, help="CPU seconds of wrk or the direct clients")
    p.add_argument("--out", required=True, help="RESULTS.jsonl to append the line to")
    p = sub.add_parser("summary")
    p.add_argument("results")
    p.add_argument("--header", help="a line to print first")
    args = parser.parse_args()
    return {"bodies": cmd_bodies, "check": cmd_check, "cpu": cmd_cpu, "phase": cmd_phase,
            "summary": cmd_summary}[args.command](args) or 0


if __name__ == "__main__":
    sys.exit(main())
