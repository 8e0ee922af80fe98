"""Replications per minute of a batch on each executor: serial, local processes, Dask.

Usage: python benchmarks/bench_batch.py [BATCH.yaml] [--reps 20] [--horizon 28d]
       [--workers 2] [--executors serial,local,dask] [--repeat 3] [--write]

Runs the whole command, ``python run_sim.py batch BATCH.yaml --reps N --out TMP ...``, once
per executor and round (rounds alternate the executors, so that other work on the machine
hits them alike), and times it end to end: interpreter start, imports, worker or cluster
start-up, every replication file, the tables. Prints per executor the best and median wall
time, replications per minute at the best, and the speed-up over serial, best against best
and median against median; and checks that every run wrote the same
``replications.csv``. The load average before each run is printed, since other work on the
machine slows every figure. ``--write`` puts the table in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, bench_env, machine_line, write_section

sys.path.insert(0, str(ROOT))

from sim.batch import load_batch


def run_once(batch: str, executor: str, args: argparse.Namespace, out: Path) -> float:
    """Wall seconds of one ``run_sim.py batch`` command."""
    cmd = [sys.executable, str(ROOT / "run_sim.py"), "batch", batch, "--reps", str(args.reps)]
    cmd += ["--out", str(out), "--executor", executor]
    if args.horizon:
        cmd += ["--horizon", args.horizon]
    if executor != "serial":
        cmd += ["--workers", str(args.workers)]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, text=True, env=bench_env())
    return time.perf_counter() - start


def main() -> None:
    """Time the batch command on each executor and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    default = ROOT / "scenarios" / "batches" / "call_off_interval.yaml"
    ap.add_argument("batch", nargs="?", default=str(default))
    ap.add_argument("--reps", type=int, default=20, help="replications of every scenario")
    ap.add_argument("--horizon", default=None, help="measurement window (default: the base's)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--executors", default="serial,local,dask")
    ap.add_argument("--repeat", type=int, default=3, help="rounds over the executors")
    ap.add_argument("--write", action="store_true", help="put the table in README.md")
    args = ap.parse_args()

    batch = load_batch(args.batch, replications=args.reps, horizon=args.horizon)
    total = sum(s.run.replications for s in batch.scenarios)
    run = batch.scenarios[0].run
    names = args.executors.split(",")
    print(f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores")
    print(
        f"batch {batch.name}: {len(batch.scenarios)} scenarios x {args.reps} replications = "
        f"{total}, horizon {run.horizon / 1440:g} d after warm-up {run.warmup / 1440:g} d"
    )
    walls: dict[str, list[float]] = {n: [] for n in names}
    loads: list[float] = []
    outputs: set[bytes] = set()
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):
            for name in names:
                load = os.getloadavg()[0]
                loads.append(load)
                out = Path(tmp) / f"{name}-{i}"
                wall = run_once(args.batch, name, args, out)
                walls[name].append(wall)
                outputs.add((out / "replications.csv").read_bytes())
                print(f"  round {i + 1} {name:7s} {wall:7.2f} s   (load average before {load:.2f})")
    base = walls.get("serial")
    rows = [
        f"Machine: {machine_line(('simpy', 'numpy', 'distributed'))}. Load average before "
        f"the runs: {min(loads):.2f} to {max(loads):.2f}.",
        "",
        f"`python benchmarks/bench_batch.py --reps {args.reps} --repeat {args.repeat} "
        f"--workers {args.workers}`: batch `{batch.name}`, {len(batch.scenarios)} scenarios × "
        f"{args.reps} replications = {total}, horizon {run.horizon / 1440:g} d after a "
        f"{run.warmup / 1440:g}-day warm-up; whole commands, {args.repeat} rounds.",
        "",
        "| executor | best wall | median wall | replications / min (best) | "
        "speed-up over serial (best / median) |",
        "|---|---|---|---|---|",
    ]
    for name in names:
        best, med = min(walls[name]), statistics.median(walls[name])
        label = "serial" if name == "serial" else f"{name}, {args.workers} workers"
        up = f"{min(base) / best:.2f} / {statistics.median(base) / med:.2f}" if base else ""
        rows.append(
            f"| {label} | {best:.1f} s | {med:.1f} s | **{total / best * 60:.0f}** | {up} |"
        )
    rows += ["", f"Every run wrote the same `replications.csv`: {len(outputs) == 1}."]
    text = "\n".join(rows)
    print()
    print(text)
    if args.write:
        write_section("batch", text)


if __name__ == "__main__":
    main()
