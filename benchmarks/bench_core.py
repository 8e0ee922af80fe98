"""Wall time of one replication of a scenario, in-process, per simulated horizon.

Usage: python benchmarks/bench_core.py [SCENARIO] [--horizon 28d] [--repeat 5] [--trace]

Prints the median and minimum wall time of ``simulate`` (the catalogue is loaded and cached
by a first untimed call, as it is once per process in real runs), the number of jobs, and the
peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import simpy  # noqa: E402

from sim.loading import load_scenario  # noqa: E402
from sim.model.world import simulate  # noqa: E402


def main() -> None:
    """Time ``simulate`` on a scenario and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "default.yaml"))
    ap.add_argument("--horizon", default="28d")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--trace", action="store_true")
    args = ap.parse_args()
    scn = load_scenario(args.scenario, horizon=args.horizon)
    simulate(scn, 0)  # warm the catalogue cache
    times, jobs = [], 0.0
    for rep in range(args.repeat):
        t = time.perf_counter()
        res = simulate(scn, rep, trace=args.trace)
        times.append(time.perf_counter() - t)
        jobs = res.flow["jobs_arrived"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"python {platform.python_version()}, simpy {simpy.__version__}, {platform.machine()}")
    print(
        f"{Path(args.scenario).name} horizon {args.horizon} (+ warm-up), trace={args.trace}: "
        f"median {statistics.median(times):.3f} s, min {min(times):.3f} s over {args.repeat} "
        f"replications; {jobs:.0f} jobs in the last; peak RSS {peak_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
