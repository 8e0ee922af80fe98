"""A region of N default dealers on one finite parts centre: one simulated year, one core.

    python benchmarks/bench_region.py [--dealers 1 5 20 50 100] [--horizon 365d] [--write]

For each N it writes a region file (N copies of ``scenarios/default.yaml``, the centre of
``scenarios/regions/north.yaml``) and runs one replication of it as a whole command,
``python run_sim.py run REGION --reps 1``, in a fresh process, under ``/usr/bin/time -v``:
wall time and peak memory. ``--write`` replaces the README's ``region`` section.
"""

from __future__ import annotations

import argparse
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
    ap.add_argument("--write", action="store_true", help="replace the README section")
    args = ap.parse_args()
    load = load_average()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.dealers:
            path = region_file(Path(tmp), n, args.horizon)
            cmd = [PYTHON, str(ROOT / "run_sim.py"), "run", str(path), "--reps", "1"]
            wall, rss = peak_rss_mb(cmd)
            rows.append((n, wall, rss))
            print(f"{n} dealers: {wall:.1f} s, {rss:.0f} MB", flush=True)
    lines = [
        f"Machine: {machine_line()}. Load average before the runs: {load:.2f}.",
        "",
        f"`python benchmarks/bench_region.py --dealers {' '.join(map(str, args.dealers))}"
        f" --horizon {args.horizon}`: one replication of a region of N default dealers on a"
        f" finite centre, {args.horizon} after a 30-day warm-up, whole command on one core.",
        "",
        "| dealers | wall | per dealer | peak memory |",
        "|---|---|---|---|",
        *(f"| {n} | {w:.1f} s | {w / n:.2f} s | {m:.0f} MB |" for n, w, m in rows),
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section("region", text)


if __name__ == "__main__":
    main()
