"""Kernel ratio: the project's M/M/8 against the smallest plain-SimPy M/M/8, whole processes.

Usage: python benchmarks/bench_kernel.py [--days 730] [--repeat 5] [--write]

The project side runs ``python run_sim.py run tests/validation/scenarios/mm8.yaml --reps 1
--horizon 730d --set run.warmup=0d --out TMP`` (lambda = 6/h, 8 bays with 8 mechanics, mean
labour 1 h, round the clock, zero reception, QC and delivery, no parts), results folder
written, and the same for a one-day horizon; the difference is the cost of the simulated
customers, start-up (interpreter, imports, scenario checks) cancelled. The yardstick runs
``python benchmarks/mm8_simpy.py N`` with N the customers the project's runs saw (from its
``flow.csv``), big and small, netted the same way. The four commands alternate within each
round, the order flipping from round to round, and the ratio of each round's net times is
reported with the median over rounds. ``--write`` puts the table in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import tempfile
from pathlib import Path

from common import PYTHON, load_average, machine_line, timed, write_section

SCENARIO = "tests/validation/scenarios/mm8.yaml"


def project_cmd(days: float, out: Path) -> list[str]:
    """The project's whole run of ``days`` simulated days, writing its results folder."""
    return [
        PYTHON, "run_sim.py", "run", SCENARIO, "--reps", "1", "--horizon", f"{days:g}d",
        "--set", "run.warmup=0d", "--out", str(out),
    ]  # fmt: skip


def customers(out: Path) -> int:
    """Jobs that arrived in the project's run (its flow.csv)."""
    with (out / "flow.csv").open() as f:
        return int(next(csv.DictReader(f))["jobs_arrived"])


def main() -> None:
    """Time both sides in alternating rounds and print (optionally write) the table."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--days", type=float, default=730.0)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_kernel_"))
    big, small = tmp / "big", tmp / "small"
    # One untimed round first: file caches warm, customers counted.
    timed(project_cmd(args.days, big))
    timed(project_cmd(1, small))
    n_big, n_small = customers(big), customers(small)
    yard = [PYTHON, "benchmarks/mm8_simpy.py"]
    commands = {
        "project_big": project_cmd(args.days, big),
        "project_small": project_cmd(1, small),
        "simpy_big": [*yard, str(n_big)],
        "simpy_small": [*yard, str(n_small)],
    }
    order = list(commands)
    rows = []
    loads = []
    for r in range(args.repeat):
        loads.append(load_average())
        t = {k: timed(commands[k]) for k in (order if r % 2 == 0 else order[::-1])}
        project = t["project_big"] - t["project_small"]
        simpy_net = t["simpy_big"] - t["simpy_small"]
        rows.append((project, simpy_net, project / simpy_net, t))
        print(
            f"round {r + 1}: project {t['project_big']:.2f} - {t['project_small']:.2f} = "
            f"{project:.2f} s, plain SimPy {t['simpy_big']:.2f} - {t['simpy_small']:.2f} = "
            f"{simpy_net:.2f} s, ratio {project / simpy_net:.2f}"
        )
    med = statistics.median
    ratios = [r[2] for r in rows]
    per_job_project = med(r[0] for r in rows) / (n_big - n_small) * 1e6
    per_job_simpy = med(r[1] for r in rows) / (n_big - n_small) * 1e6
    text = "\n".join(
        [
            f"Machine: {machine_line(('simpy', 'numpy', 'pandas'))}. "
            f"Load average before the rounds: {min(loads):.2f} to {max(loads):.2f}.",
            "",
            f"`python benchmarks/bench_kernel.py --days {args.days:g} --repeat {args.repeat}`: "
            f"{n_big:,} customers in {args.days:g} days, {n_small:,} in the one-day run.",
            "",
            "| round | project: big − 1 day (s) | plain SimPy: big − small (s) | ratio |",
            "|---|---|---|---|",
            *(
                f"| {i + 1} | {t['project_big']:.2f} − {t['project_small']:.2f} = {p:.2f} | "
                f"{t['simpy_big']:.2f} − {t['simpy_small']:.2f} = {s:.2f} | {q:.2f} |"
                for i, (p, s, q, t) in enumerate(rows)
            ),
            "",
            f"**Median ratio {med(ratios):.2f}×** (min {min(ratios):.2f}, max {max(ratios):.2f}); "
            f"per customer {per_job_project:.1f} µs against {per_job_simpy:.1f} µs.",
        ]
    )
    print(text)
    if args.write:
        write_section("kernel", text)


if __name__ == "__main__":
    main()
