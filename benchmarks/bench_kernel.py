"""Kernel ratio: the project's M/M/8 against the smallest plain-SimPy M/M/8, whole processes.

Usage: python benchmarks/bench_kernel.py [--days 730] [--repeat 5] [--write]
       python benchmarks/bench_kernel.py --instructions [--days 120] [--write]

The project side runs ``python run_sim.py run tests/validation/scenarios/mm8.yaml --reps 1
--horizon 730d --set run.warmup=0d --out TMP`` (lambda = 6/h, 8 bays with 8 mechanics, mean
labour 1 h, round the clock, zero reception, QC and delivery, no parts), results folder
written, and the same for a one-day horizon; the difference is the cost of the simulated
customers, start-up (interpreter, imports, scenario checks) cancelled. The yardstick runs
``python benchmarks/mm8_simpy.py N`` with N the customers the project's runs saw (from its
``flow.csv``), big and small, netted the same way. The four commands alternate within each
round, the order flipping from round to round, and the ratio of each round's net times is
reported with the median over rounds. ``--write`` puts the table in benchmarks/README.md.

Wall times on a shared VM drift by tens of per cent from minute to minute, so the wall
ratio of one round can be anywhere from 0.9 to 2. ``--instructions`` counts instead the
machine instructions each of the four commands executes, with valgrind's cachegrind
(``--cache-sim=no``; address randomisation and hash seeds fixed), and gives the same net
ratio from one run of each: a figure that repeats to within a few per cent, whatever the
machine is doing. Instructions are not time (cache misses and branches cost differently),
but both sides run the same interpreter on the same kind of work.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import tempfile
from pathlib import Path

from common import PYTHON, instructions, load_average, machine_line, timed, write_section

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


def instruction_ratio(days: float, write: bool) -> None:
    """The kernel ratio in instructions: one valgrind run of each command."""
    tmp = Path(tempfile.mkdtemp(prefix="bench_kernel_"))
    big, small = tmp / "big", tmp / "small"
    timed(project_cmd(1, tmp / "warm-up"))  # the bytecode cache written, untimed
    counts = {"project_big": instructions(project_cmd(days, big))}
    counts["project_small"] = instructions(project_cmd(1, small))
    n_big, n_small = customers(big), customers(small)
    yard = [PYTHON, "benchmarks/mm8_simpy.py"]
    counts["simpy_big"] = instructions([*yard, str(n_big)])
    counts["simpy_small"] = instructions([*yard, str(n_small)])
    project = counts["project_big"] - counts["project_small"]
    simpy_net = counts["simpy_big"] - counts["simpy_small"]
    per = n_big - n_small
    text = "\n".join(
        [
            f"Machine: {machine_line(('simpy', 'numpy', 'pandas'))}.",
            "",
            f"`python benchmarks/bench_kernel.py --instructions --days {days:g}`: "
            f"{n_big:,} customers in {days:g} days, {n_small:,} in the one-day run; "
            "instructions counted by valgrind (cachegrind, no cache simulation).",
            "",
            "| side | big run | small run | net | per customer |",
            "|---|---|---|---|---|",
            f"| project (`run_sim.py run`) | {counts['project_big']:,} | "
            f"{counts['project_small']:,} | {project:,} | {project / per:,.0f} |",
            f"| plain SimPy (`mm8_simpy.py`) | {counts['simpy_big']:,} | "
            f"{counts['simpy_small']:,} | {simpy_net:,} | {simpy_net / per:,.0f} |",
            "",
            f"**Instruction ratio {project / simpy_net:.2f}×.**",
        ]
    )
    print(text)
    if write:
        write_section("kernel_instructions", text)


def main() -> None:
    """Time both sides in alternating rounds and print (optionally write) the table."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--days", type=float, default=None, help="730 (120 with --instructions)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--instructions", action="store_true", help="count instructions instead")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    if args.instructions:
        instruction_ratio(args.days or 120.0, args.write)
        return
    args.days = args.days or 730.0
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
