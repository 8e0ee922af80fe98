"""This checkout against another (an older commit): the same whole command, interleaved.

Usage: python benchmarks/bench_versus.py OTHER [SCENARIO] [--horizon 365d] [--repeat 9]
       [--write]
       python benchmarks/bench_versus.py OTHER [SCENARIO] --instructions [--horizon 365d]
       [--write] [--section NAME]

OTHER is another checkout of the project, e.g. ``git worktree add /tmp/before COMMIT``. Each
round runs ``python run_sim.py run SCENARIO --reps 1 --horizon H --out TMP`` in both
checkouts, then the same for one day (start-up), flipping the order from round to round:
on a VM whose speed drifts by tens of per cent from minute to minute, only commands run
side by side compare. Reported: the median and range of each, and the median over rounds
of this checkout's time over the other's. ``--write`` puts the table in README.md (in the
section ``--section``, by default ``versus``).

``--instructions`` counts instead the machine instructions of each command, once each, with
valgrind (``common.instructions``): the horizon's run, the one-day run and their difference
(the simulated days, start-up cancelled). Counts repeat to within a few thousand
instructions, so a difference of a fraction of a per cent between two commits shows, where
wall times on a busy machine move by tens of per cent.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from common import (
    PYTHON,
    ROOT,
    instructions,
    load_average,
    machine_line,
    peak_rss_mb,
    timed,
    write_section,
)


def git_head(path: Path) -> str:
    """The short commit of a checkout ("?" outside git)."""
    done = subprocess.run(
        ["git", "-C", str(path), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or "?"


def main() -> None:
    """Time both checkouts in interleaved rounds; print (optionally write) the table."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("other", type=Path)
    ap.add_argument("scenario", nargs="?", default="scenarios/default.yaml")
    ap.add_argument("--horizon", default="365d")
    ap.add_argument("--repeat", type=int, default=9)
    ap.add_argument("--instructions", action="store_true", help="count instructions instead")
    ap.add_argument("--write", action="store_true")
    ap.add_argument(
        "--section", help="the README section --write replaces (versus, versus_instructions)"
    )
    args = ap.parse_args()
    other = args.other.resolve()
    if not (other / "run_sim.py").is_file():
        raise SystemExit(f"error: {other}: no run_sim.py (not a checkout of the project)")
    out = Path(tempfile.mkdtemp(prefix="bench_versus_"))
    sides = {"this": ROOT, "other": other}

    def command(side: str, horizon: str, tag: str) -> tuple[list[str], Path]:
        cmd = [PYTHON, "run_sim.py", "run", args.scenario, "--reps", "1", "--horizon", horizon]
        return [*cmd, "--out", str(out / f"{side}-{tag}")], sides[side]

    for side in sides:  # bytecode caches written, files cached; untimed
        cmd, cwd = command(side, "1d", "warm-up")
        timed(cmd, cwd=cwd)
    if args.instructions:
        count_instructions(args, sides, command)
        return
    load = load_average()
    year: dict[str, list[tuple[float, float]]] = {"this": [], "other": []}
    day: dict[str, list[float]] = {"this": [], "other": []}
    for r in range(args.repeat):
        order = ["this", "other"] if r % 2 == 0 else ["other", "this"]
        for side in order:
            cmd, cwd = command(side, args.horizon, f"y{r}")
            year[side].append(peak_rss_mb(cmd, cwd=cwd))
        for side in order:
            cmd, cwd = command(side, "1d", f"d{r}")
            day[side].append(peak_rss_mb(cmd, cwd=cwd)[0])
    med = statistics.median
    ratios = [a[0] / b[0] for a, b in zip(year["this"], year["other"], strict=True)]

    def row(side: str) -> str:
        walls = [w for w, _ in year[side]]
        return (
            f"| {side} (`{git_head(sides[side])}`) | **{med(walls):.2f} s** | "
            f"{min(walls):.2f}–{max(walls):.2f} s | {max(m for _, m in year[side]):.0f} MB | "
            f"{med(day[side]):.2f} s |"
        )

    text = "\n".join(
        [
            f"Machine: {machine_line(('simpy', 'numpy', 'pandas'))}. Load average before: "
            f"{load:.2f}.",
            "",
            f"`python benchmarks/bench_versus.py OTHER {args.scenario} --horizon "
            f"{args.horizon} --repeat {args.repeat}`: whole commands, one replication, "
            "interleaved rounds.",
            "",
            f"| checkout | {args.horizon}, median | range | max RSS | one day, median |",
            "|---|---|---|---|---|",
            row("this"),
            row("other"),
            "",
            f"Median over rounds of this checkout's time over the other's: "
            f"**{med(ratios):.2f}** (rounds {min(ratios):.2f} to {max(ratios):.2f}).",
        ]
    )
    print(text)
    if args.write:
        write_section(args.section or "versus", text)


def count_instructions(
    args: argparse.Namespace,
    sides: dict[str, Path],
    command: Callable[[str, str, str], tuple[list[str], Path]],
) -> None:
    """One valgrind count of each side's horizon and one-day commands; the table."""
    counts: dict[str, tuple[int, int]] = {}
    for side in sides:
        big = instructions(*command(side, args.horizon, "i-big"))
        small = instructions(*command(side, "1d", "i-day"))
        counts[side] = (big, small)

    def row(side: str) -> str:
        big, small = counts[side]
        return f"| {side} (`{git_head(sides[side])}`) | {big:,} | {small:,} | {big - small:,} |"

    (b1, s1), (b2, s2) = counts["this"], counts["other"]
    text = "\n".join(
        [
            f"Machine: {machine_line(('simpy', 'numpy', 'pandas'))}.",
            "",
            f"`python benchmarks/bench_versus.py OTHER {args.scenario} --instructions "
            f"--horizon {args.horizon}`: whole commands, one replication; instructions "
            "counted by valgrind (cachegrind, no cache simulation).",
            "",
            f"| checkout | {args.horizon} | one day | difference (the simulated days) |",
            "|---|---|---|---|",
            row("this"),
            row("other"),
            "",
            f"This checkout over the other: **{b1 / b2:.3f}** for the whole {args.horizon} "
            f"command, {(b1 - s1) / (b2 - s2):.3f} for the simulated days alone.",
        ]
    )
    print(text)
    if args.write:
        write_section(args.section or "versus_instructions", text)


if __name__ == "__main__":
    main()
