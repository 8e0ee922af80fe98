"""Run-length helpers: MSER-5 warm-up on pilot runs, and replications for a target precision.

MSER (White 1997; MSER-5 in White, Cobb and Spratt 2000) truncates the first d batches of a
series where d minimises the squared standard error of the mean of what is left,
MSER(d) = Σ_{j>d} (Z_j − Z̄_d)² / (k − d)², the Z_j being means of consecutive batches of 5
observations. Here an observation is one day's mean of a KPI (days remove the daily rhythm of
opening hours), averaged over pilot replications that start from an empty workshop.

The replication count is the smallest n whose t-interval half-width, with the pilot's
standard deviation, is within ``target`` × |pilot mean|.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.experiment import CONFIDENCE, t_quantile

HOURS_PER_DAY = 24.0
# KPIs with a daily series from the trace jobs table: the time column that places a job on
# a day (as the KPI counts it, docs/model.md 6.1) and what is averaged.
SERIES_KPIS: tuple[str, ...] = (
    "mean_bay_wait_h",
    "mean_lead_time_h",
    "on_time_rate",
    "jobs_delivered",
    "fill_rate",
    "parts_ready_rate",
)


@dataclass(frozen=True)
class Mser:
    """The MSER truncation of one series.

    ``truncate`` observations are dropped (``batches`` batches of ``batch_size``), d being
    searched in the first half of the batches as usual; ``statistic[d]`` is MSER(d) for
    every d that leaves two batches. ``reliable`` is False when MSER is lower still in the
    second half: the run was too short to show a steady state.
    """

    truncate: int
    batches: int
    batch_size: int
    statistic: tuple[float, ...]
    reliable: bool


def mser(series: Sequence[float], batch_size: int = 5) -> Mser:
    """MSER-``batch_size`` of ``series`` (a trailing partial batch is left out).

    MSER(d) = Σ_{j>d} (Z_j − Z̄_d)² / (k − d)² over the k batch means Z_j.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, not {batch_size}")
    x = np.asarray(series, dtype=float)
    if np.isnan(x).any():
        raise ValueError("the series has undefined values; drop them first")
    k = len(x) // batch_size
    if k < 3:
        raise ValueError(
            f"MSER needs at least 3 batches of {batch_size} observations, got {len(x)} "
            "observations; lengthen the pilot run"
        )
    z = x[: k * batch_size].reshape(k, batch_size).mean(axis=1)
    stats = []
    for d in range(k - 1):
        rest = z[d:]
        stats.append(float(((rest - rest.mean()) ** 2).sum() / len(rest) ** 2))
    half = k // 2
    best = int(np.argmin(stats[: half + 1]))
    return Mser(
        truncate=best * batch_size,
        batches=best,
        batch_size=batch_size,
        statistic=tuple(stats),
        reliable=min(stats[half + 1 :], default=np.inf) >= stats[best],
    )


def daily_series(jobs: pd.DataFrame, kpi: str, days: int) -> np.ndarray:
    """One replication's KPI per day 0 .. days-1 from its trace jobs table (NaN if undefined).

    Times are hours from the start of the run; a job counts on the day its KPI counts it:
    bay wait, fill rate and parts readiness at the first operation's start, lead time,
    on-time and deliveries at delivery end.
    """
    if kpi not in SERIES_KPIS:
        raise ValueError(f"no daily series for {kpi!r}; choose from {', '.join(SERIES_KPIS)}")
    at_start = kpi in ("mean_bay_wait_h", "fill_rate", "parts_ready_rate")
    when = jobs["first_start_h"] if at_start else jobs["delivery_end_h"]
    keep = when.notna() & (when < days * HOURS_PER_DAY)
    j = jobs[keep]
    day = (when[keep] // HOURS_PER_DAY).astype(np.int64)
    if kpi == "jobs_delivered":
        counts = day.value_counts()
        return np.array([float(counts.get(d, 0)) for d in range(days)])
    if kpi == "mean_bay_wait_h":
        values = j["first_start_h"] - j["reception_end_h"]
    elif kpi == "mean_lead_time_h":
        values = j["delivery_end_h"] - j["arrival_h"]
    elif kpi == "on_time_rate":
        values = (j["delivery_end_h"] <= j["promise_h"]).astype(float)
    elif kpi == "parts_ready_rate":
        with_lines = j["lines"] > 0
        j, day = j[with_lines], day[with_lines]
        values = (j["lines_short"] == 0).astype(float)
    else:  # fill_rate: units issued at the request / units requested, per day
        issued = j["units_at_request"].groupby(day).sum()
        asked = j["units"].groupby(day).sum()
        ratio = (issued / asked.where(asked > 0)).astype(float)
        return ratio.reindex(range(days)).to_numpy(dtype=float)
    means = values.groupby(day).mean()
    return means.reindex(range(days)).to_numpy(dtype=float)


@dataclass(frozen=True)
class WarmupSuggestion:
    """MSER on the across-replication mean of a daily KPI series."""

    kpi: str
    days: np.ndarray  # day index of each observation used (days with a value)
    series: np.ndarray  # the mean over replications on those days
    result: Mser

    @property
    def warmup_days(self) -> int:
        """Days to discard: up to the first observation kept."""
        if self.result.truncate == 0:
            return 0
        return int(self.days[self.result.truncate])


def suggest_warmup(
    jobs_tables: Sequence[pd.DataFrame], kpi: str, days: int, batch_size: int = 5
) -> WarmupSuggestion:
    """MSER-``batch_size`` on the daily ``kpi`` of pilot replications (one jobs table each).

    Days on which the KPI is undefined in every replication (a closed day) are left out.
    """
    if not jobs_tables:
        raise ValueError("no pilot replications")
    matrix = np.vstack([daily_series(j, kpi, days) for j in jobs_tables])
    defined = ~np.isnan(matrix).all(axis=0)
    with np.errstate(invalid="ignore"):
        mean = np.nanmean(matrix[:, defined], axis=0)
    return WarmupSuggestion(
        kpi=kpi,
        days=np.flatnonzero(defined),
        series=mean,
        result=mser(mean, batch_size),
    )


def half_width(std: float, n: int, confidence: float = CONFIDENCE) -> float:
    """Half-width of the t-interval of a mean of ``n`` values with standard deviation ``std``."""
    return t_quantile(0.5 + confidence / 2, n - 1) * std / math.sqrt(n)


def replications_needed(
    values: Sequence[float | None], target: float, confidence: float = CONFIDENCE
) -> int | None:
    """The smallest n ≥ 2 with half-width(s, n) ≤ target × |mean|, from pilot ``values``.

    None when it cannot be told: fewer than two defined values, or a zero mean (a relative
    precision of zero is meaningless). A KPI that did not vary needs 2.
    """
    if not target > 0:
        raise ValueError(f"target must be > 0, not {target!r}")
    xs = [float(v) for v in values if v is not None and not math.isnan(v)]
    if len(xs) < 2:
        return None
    mean = math.fsum(xs) / len(xs)
    std = math.sqrt(math.fsum((x - mean) ** 2 for x in xs) / (len(xs) - 1))
    goal = target * abs(mean)
    if goal == 0:
        return None
    if std == 0:
        return 2
    z = t_quantile(0.5 + confidence / 2, 1e9)
    n = max(2, math.floor((z * std / goal) ** 2))  # t > z, so the answer is at least this
    while half_width(std, n, confidence) > goal:
        n += 1
    return n
