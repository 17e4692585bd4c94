"""What the benchmark clients share (bench/e2e_client.py, bench/http_direct.py): unique uris split over client
processes, the processes started together behind a barrier, and the rotating window the parent polls results in."""

import multiprocessing as mp
import queue
import signal
import sys
import time
import uuid


def split_uris(n, procs, tag):
    """`n` unique uris dealt over `procs` processes: the lists per process, and the order they should arrive in
    (round-robin over the processes)."""
    run = uuid.uuid4().hex[:8]
    shares = [n // procs + (1 if k < n % procs else 0) for k in range(procs)]
    uris = [[f"{tag}-{run}-{k}-{i}" for i in range(share)] for k, share in enumerate(shares)]
    order = [uris[k][i] for i in range(max(shares)) for k in range(procs) if i < shares[k]]
    return uris, order


def start_producers(target, per_process_args, label):
    """Starts one process per argument tuple (`target(*args, barrier, reports)`), releases them together and
    returns (processes, reports queue, start time). A producer reports tuples whose last item is its error message;
    when one fails before the start, the others are stopped and the program exits saying why."""
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(len(per_process_args) + 1)
    reports = ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args, barrier, reports), daemon=True) for args in per_process_args]
    for p in procs:
        p.start()
    # SIGTERM -> SystemExit, so that multiprocessing's exit handler terminates the producers too.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        barrier.wait(timeout=60)
    except Exception:  # noqa: BLE001 - a producer failed before its first request, or did not start in time
        time.sleep(0.2)
        for p in procs:
            p.terminate()
        failures = []
        while True:
            try:
                failures.append(reports.get_nowait()[-1])
            except queue.Empty:
                break
        sys.exit(f"{label}client processes did not start: {'; '.join(f for f in failures if f) or 'barrier timeout'}")
    return procs, reports, time.perf_counter()


def window(pending, cursor, size):
    """The next keys to poll: all of them when few, else `size` from `cursor` (wrapping); and the cursor used."""
    if len(pending) <= size:
        return pending, 0
    cursor %= len(pending)
    return pending[cursor:cursor + size], cursor


def stop_producers(procs):
    for p in procs:
        p.join(timeout=5)
        if p.is_alive():
            p.terminate()
