"""The default dealer for one simulated year: wall time and peak memory, trace off and on.

Usage: python benchmarks/bench_dealer.py [SCENARIO] [--horizon 365d] [--repeat 7] [--write]

Two views, each the median of ``--repeat`` runs of replication 0 (the commands in
interleaved rounds):

* the whole command, ``/usr/bin/time -v python run_sim.py run SCENARIO --reps 1 --horizon
  365d --out TMP`` (interpreter, imports, scenario checks, catalogue, the run, the results
  folder), with and without ``--trace``: wall seconds and maximum resident set size;
* the same command for a one-day horizon: what the command costs besides the year;
* the run alone, ``simulate(scenario, 0)`` in one process after a first untimed call (the
  catalogue is then cached, as in a batch), with and without ``trace=True``.

``--write`` puts the table in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import (
    PYTHON,
    ROOT,
    load_average,
    machine_line,
    peak_rss_mb,
    timed,
    write_section,
)

sys.path.insert(0, str(ROOT))

from sim.loading import load_scenario
from sim.model.world import simulate


def main() -> None:
    """Time the command and the run, print (optionally write) the table."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("scenario", nargs="?", default="scenarios/default.yaml")
    ap.add_argument("--horizon", default="365d")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    med = statistics.median
    load = load_average()
    out = Path(tempfile.mkdtemp(prefix="bench_dealer_"))
    cmd = [PYTHON, "run_sim.py", "run", args.scenario, "--reps", "1", "--horizon", args.horizon]
    day_cmd = [PYTHON, "run_sim.py", "run", args.scenario, "--reps", "1", "--horizon", "1d"]
    # Rounds of (trace off, trace on, one day): the VM's speed drifts by tens of per cent
    # from minute to minute, and interleaving lets every variant see the same drift.
    timed([*day_cmd, "--out", str(out / "warm-up")])  # writes the bytecode cache; untimed
    rounds: dict[str, list[tuple[float, float]]] = {"off": [], "on": [], "day": []}
    for i in range(args.repeat):
        rounds["off"].append(peak_rss_mb([*cmd, "--out", str(out / f"off{i}")]))
        rounds["on"].append(peak_rss_mb([*cmd, "--out", str(out / f"on{i}"), "--trace"]))
        rounds["day"].append(peak_rss_mb([*day_cmd, "--out", str(out / f"day{i}")]))
    whole = {
        trace: (med(w for w, _ in rounds[key]), max(m for _, m in rounds[key]))
        for trace, key in ((False, "off"), (True, "on"))
    }
    off_walls = [w for w, _ in rounds["off"]]
    startup = med(w for w, _ in rounds["day"])
    scn = load_scenario(ROOT / args.scenario, horizon=args.horizon)
    simulate(scn, 0)  # the catalogue is read once per process
    alone, jobs = {}, 0.0
    for trace in (False, True):
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            res = simulate(scn, 0, trace=trace)
            times.append(time.perf_counter() - t)
        alone[trace] = med(times)
        jobs = res.flow["jobs_arrived"]
    w0, m0 = whole[False]
    w1, m1 = whole[True]
    text = "\n".join(
        [
            f"Machine: {machine_line(('simpy', 'numpy', 'pandas', 'pyarrow'))}. "
            f"Load average before: {load:.2f}.",
            "",
            f"`python benchmarks/bench_dealer.py {args.scenario} --horizon {args.horizon} "
            f"--repeat {args.repeat}`: one replication, {args.horizon} after the "
            f"{scn.run.warmup / 1440:g}-day warm-up, {jobs:,.0f} jobs; medians.",
            "",
            "| what | trace off | with `--trace` | extra for the trace |",
            "|---|---|---|---|",
            f"| whole command, wall | **{w0:.2f} s** | {w1:.2f} s | +{w1 - w0:.2f} s |",
            f"| whole command, wall, fastest and slowest run | {min(off_walls):.2f} s, "
            f"{max(off_walls):.2f} s | | |",
            f"| whole command, max RSS | **{m0:.0f} MB** | {m1:.0f} MB | +{m1 - m0:.0f} MB |",
            f"| the same command for one day (start-up, checks, results) | {startup:.2f} s | | |",
            f"| `simulate` alone | **{alone[False]:.2f} s** | {alone[True]:.2f} s | "
            f"+{alone[True] - alone[False]:.2f} s |",
            f"| `simulate` per job | {alone[False] / jobs * 1e6:.0f} µs | "
            f"{alone[True] / jobs * 1e6:.0f} µs | |",
        ]
    )
    print(text)
    if args.write:
        write_section("dealer", text)


if __name__ == "__main__":
    main()
