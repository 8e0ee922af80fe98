"""Growth of run time with the simulated horizon and with the catalogue size.

Usage: python benchmarks/bench_growth.py [--repeat 3] [--write]

``simulate(scenario, 0)`` of ``scenarios/default.yaml`` in one process (median of
``--repeat``, after an untimed call that caches the catalogue), split into building the
replication (``World(...)``: parts, sizes, initial stock) and running it to its KPI row:

* horizons of 1, 3 and 12 months (30, 91, 365 days) with the default 2,000-part catalogue:
  the run's cost per job should stay flat (linear in jobs);
* catalogues of 200, 2,000 and 20,000 generated parts (``parts.generate``, Zipf s = 1), one
  year each: the run's cost per job should stay flat too (no call-off loops over parts
  without a released card); only the build grows with the number of parts.

``--write`` puts the tables in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from common import ROOT, load_average, machine_line, write_section

sys.path.insert(0, str(ROOT))

from sim.kpi import compute_kpis, job_columns, month_rows
from sim.loading import load_scenario
from sim.model.world import World, collector_paused
from sim.scenario import Scenario

DEFAULT = ROOT / "scenarios" / "default.yaml"


def measure(scn: Scenario, repeat: int) -> tuple[float, float, float, int]:
    """Median build and run seconds, run µs per job, and jobs, of replication 0."""
    World(scn, 0)  # catalogue cached, as in real runs
    builds, runs, jobs = [], [], 0
    for _ in range(repeat):
        with collector_paused():  # as simulate does
            t0 = time.perf_counter()
            world = World(scn, 0)
            t1 = time.perf_counter()
            world.run()
            rec = world.records()
            cols = job_columns(rec)
            compute_kpis(rec, cols)
            month_rows(rec, cols)
            t2 = time.perf_counter()
        builds.append(t1 - t0)
        runs.append(t2 - t1)
        jobs = len(world.jobs)
    run = statistics.median(runs)
    return statistics.median(builds), run, run / jobs * 1e6, jobs


def main() -> None:
    """Measure both sweeps and print (optionally write) the tables."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    load = load_average()
    lines = [
        f"Machine: {machine_line()}. Load average before: {load:.2f}.",
        "",
        f"`python benchmarks/bench_growth.py --repeat {args.repeat}` (medians):",
        "",
        "| horizon | jobs | build (s) | run (s) | run per job (µs) |",
        "|---|---|---|---|---|",
    ]
    for months, days in ((1, 30), (3, 91), (12, 365)):
        scn = load_scenario(DEFAULT, horizon=f"{days}d")
        build, run, per_job, jobs = measure(scn, args.repeat)
        lines.append(
            f"| {months} month{'s' if months > 1 else ''} ({days} d + 7 d warm-up) | {jobs:,} | "
            f"{build:.3f} | {run:.2f} | {per_job:.0f} |"
        )
        print(lines[-1])
    lines += [
        "",
        "| catalogue (generated parts) | jobs | build (s) | run (s) | run per job (µs) |",
        "|---|---|---|---|---|",
    ]
    for parts in (200, 2_000, 20_000):
        scn = load_scenario(
            DEFAULT,
            ["parts.catalogue=null", f"parts.generate={{count: {parts}, zipf_s: 1.0}}"],
            horizon="365d",
        )
        build, run, per_job, jobs = measure(scn, args.repeat)
        lines.append(f"| {parts:,} | {jobs:,} | {build:.3f} | {run:.2f} | {per_job:.0f} |")
        print(lines[-1])
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section("growth", text)


if __name__ == "__main__":
    main()
