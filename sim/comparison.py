"""Paired comparison against a baseline: common random numbers, replication by replication.

Replication r of every scenario of a batch sees the same cars and jobs (docs/model.md
4.4), so the difference scenario − baseline is taken per replication and its
t-interval is built from those differences. ``variance_reduction`` says what the pairing
bought: the variance of the difference of means had the runs been independent,
(s_x² + s_y²)/n, over the paired variance s_d²/n. Undefined cells (fewer than two pairs, a
zero paired variance) are empty, never an error.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.experiment import CONFIDENCE, t_interval
from sim.kpi import KPI_COLUMNS

COMPARISON_COLUMNS: tuple[str, ...] = (
    "scenario",
    "baseline",
    "kpi",
    "baseline_mean",
    "mean_diff",
    "std_diff",
    "ci_low",
    "ci_high",
    "n",
    "variance_reduction",
)


@dataclass(frozen=True)
class PairedDiff:
    """Mean, sd and t-interval of x − y over the pairs where both are defined."""

    baseline_mean: float
    mean_diff: float
    std_diff: float
    ci_low: float
    ci_high: float
    n: int
    variance_reduction: float


def _var(xs: Sequence[float]) -> float:
    m = math.fsum(xs) / len(xs)
    return math.fsum((x - m) ** 2 for x in xs) / (len(xs) - 1)


def paired_difference(
    x: Sequence[float | None], y: Sequence[float | None], confidence: float = CONFIDENCE
) -> PairedDiff:
    """The paired difference x − y; pairs with a missing or NaN side are left out."""
    if len(x) != len(y):
        raise ValueError(f"paired samples differ in length ({len(x)} and {len(y)})")
    pairs = [
        (float(a), float(b))
        for a, b in zip(x, y, strict=True)
        if a is not None and b is not None and not math.isnan(a) and not math.isnan(b)
    ]
    n = len(pairs)
    xs, ys = [a for a, _ in pairs], [b for _, b in pairs]
    ci = t_interval([a - b for a, b in pairs], confidence)
    base_mean = math.fsum(ys) / n if n else math.nan
    reduction = math.nan
    if n >= 2:
        paired_var = ci.std**2
        unpaired_var = _var(xs) + _var(ys)
        if paired_var > 0:
            reduction = unpaired_var / paired_var
    return PairedDiff(base_mean, ci.mean, ci.std, ci.ci_low, ci.ci_high, n, reduction)


def compare(
    reps: pd.DataFrame,
    baseline: str,
    kpis: Sequence[str] = KPI_COLUMNS,
    confidence: float = CONFIDENCE,
) -> pd.DataFrame:
    """One row per (scenario other than ``baseline``, kpi), in ``COMPARISON_COLUMNS``.

    Scenarios keep their order in ``reps``; replications pair by their index.
    """
    absent = [c for c in ("scenario", "replication", *kpis) if c not in reps.columns]
    if absent:
        raise ValueError(f"replications frame lacks column(s) {', '.join(absent)}")
    base = reps[reps["scenario"] == baseline].set_index("replication")
    rows = []
    for name in pd.unique(reps["scenario"]):
        if name == baseline:
            continue
        other = reps[reps["scenario"] == name].set_index("replication")
        common = other.index.intersection(base.index).sort_values()
        for kpi in kpis:
            d = paired_difference(
                other.loc[common, kpi].tolist(), base.loc[common, kpi].tolist(), confidence
            )
            rows.append(
                (
                    name,
                    baseline,
                    kpi,
                    d.baseline_mean,
                    d.mean_diff,
                    d.std_diff,
                    d.ci_low,
                    d.ci_high,
                    d.n,
                    d.variance_reduction,
                )
            )
    frame = pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))
    return frame.astype({"n": "int64"})


def read_comparison(out: str | Path) -> pd.DataFrame:
    """``comparison.csv`` of a results folder, with empty cells as NaN."""
    frame = pd.read_csv(
        Path(out) / "comparison.csv", dtype={"scenario": str, "baseline": str, "kpi": str}
    )
    return frame[list(COMPARISON_COLUMNS)]
