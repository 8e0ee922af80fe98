"""A region of N default dealers on one finite parts centre: one simulated year, one core.

    python benchmarks/bench_region.py [--dealers 1 5 20 50 100] [--horizon 365d]
                                      [--repeat 1] [--write]

For each N it writes a region file (N copies of ``scenarios/default.yaml``, the centre of
``scenarios/regions/north.yaml``) and runs one replication of it as a whole command,
``python run_sim.py run REGION --reps 1``, in a fresh process, under ``/usr/bin/time -v``:
wall time and peak memory. With ``--repeat K`` every size runs K times, in rounds (each
round runs every size once, so all see the host's drift alike): the median wall time, the
fastest and slowest, and the largest peak memory. ``--write`` replaces the README's
``region`` section.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

import yaml
from common import PYTHON, ROOT, load_average, machine_line, peak_rss_mb, write_section

CENTRE = {
    "stock": {"policy": "order_up_to", "review": "1d", "level": "auto", "target_fill": 0.95},
    "supply_lead_time": {"dist": "triangular", "low": "2d", "mode": "3d", "high": "6d"},
}


def region_file(folder: Path, dealers: int, horizon: str) -> Path:
    """A region of ``dealers`` default dealers, a year after a 30-day warm-up."""
    default = str(ROOT / "scenarios" / "default.yaml")
    data = {
        "name": f"bench-{dealers}",
        "run": {"horizon": horizon, "warmup": "30d", "replications": 1, "seed": 1},
        "centre": CENTRE,
        "dealers": [{"name": f"d{k:03d}", "scenario": default} for k in range(dealers)],
    }
    path = folder / f"region_{dealers}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dealers", type=int, nargs="+", default=[1, 5, 20, 50, 100])
    ap.add_argument("--horizon", default="365d")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each size, in rounds")
    ap.add_argument("--write", action="store_true", help="replace the README section")
    args = ap.parse_args()
    load = load_average()
    runs: dict[int, list[tuple[float, float]]] = {n: [] for n in args.dealers}
    with tempfile.TemporaryDirectory() as tmp:
        cmds = {
            n: [PYTHON, str(ROOT / "run_sim.py"), "run", str(path), "--reps", "1"]
            for n in args.dealers
            for path in [region_file(Path(tmp), n, args.horizon)]
        }
        for r in range(args.repeat):
            for n in args.dealers:
                wall, rss = peak_rss_mb([*cmds[n], "--out", str(Path(tmp) / f"out{n}_{r}")])
                runs[n].append((wall, rss))
                print(f"round {r + 1}, {n} dealers: {wall:.1f} s, {rss:.0f} MB", flush=True)
    rows = [
        (
            n,
            statistics.median(w for w, _ in runs[n]),
            min(w for w, _ in runs[n]),
            max(w for w, _ in runs[n]),
            max(m for _, m in runs[n]),
        )
        for n in args.dealers
    ]
    lines = [
        f"Machine: {machine_line()}. Load average before the runs: {load:.2f}.",
        "",
        f"`python benchmarks/bench_region.py --dealers {' '.join(map(str, args.dealers))}"
        f" --horizon {args.horizon} --repeat {args.repeat}`: one replication of a region of N"
        f" default dealers on a finite centre, {args.horizon} after a 30-day warm-up, whole"
        f" command on one core;"
        f" {args.repeat} run(s) of each size in rounds, the median wall time.",
        "",
        "| dealers | wall (median) | fastest, slowest | per dealer | peak memory |",
        "|---|---|---|---|---|",
        *(
            f"| {n} | {w:.1f} s | {lo:.1f} s, {hi:.1f} s | {w / n:.2f} s | {m:.0f} MB |"
            for n, w, lo, hi, m in rows
        ),
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section("region", text)


if __name__ == "__main__":
    main()
