"""Replications of one scenario and their summary: mean and Student-t confidence intervals.

``replicate`` only loops over replications in order, calling a ``simulate`` function that is
pure (docs/architecture.md, "The pure core"), so running it here, in another process or
on a cluster gives the same numbers. The t quantile is computed here rather than taken from
scipy, which is a test-only dependency; the tests check it against ``scipy.stats.t.ppf``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist
from typing import TYPE_CHECKING, Any, Protocol

from sim.kpi import KPI_COLUMNS
from sim.labels import clip_interval
from sim.model.records import RunResult
from sim.scenario import Scenario
from sim.scenario_region import Region

if TYPE_CHECKING:
    import pandas as pd

ID_COLUMNS: tuple[str, ...] = ("scenario", "replication")
REPLICATION_COLUMNS: tuple[str, ...] = (*ID_COLUMNS, *KPI_COLUMNS)  # replications.csv
SUMMARY_COLUMNS: tuple[str, ...] = ("scenario", "kpi", "mean", "std", "ci_low", "ci_high", "n")
CONFIDENCE = 0.95


class Simulate(Protocol):
    """The signature of ``sim.model.world.simulate``: one replication of one scenario."""

    def __call__(
        self, scenario: Scenario | Region, replication: int, trace: bool = False
    ) -> RunResult:
        """Run replication ``replication`` of ``scenario``."""
        ...


@dataclass(frozen=True)
class ScenarioRun:
    """The replications of one scenario (or region), in order, with the wall time each one
    took."""

    scenario: Scenario | Region
    results: tuple[RunResult, ...]
    seconds: tuple[float, ...]


def _model_simulate() -> Simulate:
    from sim.model.world import simulate

    return simulate


def replicate(
    scenario: Scenario | Region,
    simulate: Simulate | None = None,
    *,
    trace: bool = False,
    progress: Callable[[RunResult], object] | None = None,
) -> ScenarioRun:
    """Run replications ``0 .. scenario.run.replications - 1`` of ``scenario`` in order.

    ``simulate`` defaults to the model's; ``progress`` is called after each replication (the
    command line uses it to advance its progress bar; what it returns is ignored).
    """
    sim_fn = simulate if simulate is not None else _model_simulate()
    results: list[RunResult] = []
    seconds: list[float] = []
    for rep in range(scenario.run.replications):
        start = time.perf_counter()
        result = sim_fn(scenario, rep, trace=trace)
        seconds.append(time.perf_counter() - start)
        if result.scenario != scenario.name or result.replication != rep:
            raise RuntimeError(
                f"simulate({scenario.name!r}, {rep}) returned the result of "
                f"({result.scenario!r}, {result.replication})"
            )
        results.append(result)
        if progress is not None:
            progress(result)
    return ScenarioRun(scenario=scenario, results=tuple(results), seconds=tuple(seconds))


def replication_rows(results: Iterable[RunResult]) -> list[tuple[Any, ...]]:
    """One row per result: scenario, replication, then the KPI columns (None becomes NaN).

    Raises ValueError when a result lacks a KPI column, since a silently missing column would
    read as "undefined in every replication". The rows are plain tuples, so the command line
    writes and prints them without importing pandas.
    """
    rows = []
    for res in results:
        missing = [k for k in KPI_COLUMNS if k not in res.kpis]
        if missing:
            raise ValueError(
                f"result ({res.scenario!r}, {res.replication}) lacks KPI(s) {', '.join(missing)}"
            )
        values = (res.kpis[k] for k in KPI_COLUMNS)
        rows.append(
            (
                res.scenario,
                int(res.replication),
                *(math.nan if v is None else float(v) for v in values),
            )
        )
    return rows


def replications_frame(results: Iterable[RunResult]) -> pd.DataFrame:
    """:func:`replication_rows` as a DataFrame: KPI columns float64, replication int64."""
    import pandas as pd

    frame = pd.DataFrame(replication_rows(results), columns=list(REPLICATION_COLUMNS))
    frame["replication"] = frame["replication"].astype("int64")
    return frame.astype({k: "float64" for k in KPI_COLUMNS})


# --- Student t quantile -------------------------------------------------------------------


def _beta_cf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz method)."""
    tiny, eps = 1e-300, 1e-16
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 1000):
        m2 = 2 * m
        for aa in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1.0 + aa * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + aa / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < eps:
            break
    return h


def _beta_inc(a: float, b: float, x: float, y: float) -> float:
    """The regularized incomplete beta function I_x(a, b), given x and y = 1 - x.

    Taking y separately keeps full precision when x is close to 1 (large df, small t).
    """
    if x <= 0.0:
        return 0.0
    if y <= 0.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(y)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_cf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_cf(b, a, y) / b


def t_sf(t: float, df: float) -> float:
    """P(T > t) for Student's t with ``df`` degrees of freedom."""
    t2 = t * t
    tail = 0.5 * _beta_inc(df / 2.0, 0.5, df / (df + t2), t2 / (df + t2))
    return tail if t >= 0 else 1.0 - tail


@lru_cache(maxsize=1024, typed=True)
def t_quantile(p: float, df: float) -> float:
    """The p-quantile of Student's t with ``df`` > 0 degrees of freedom.

    Closed forms for df = 1 and 2; otherwise Newton's method on the tail probability from a
    Cornish-Fisher start. The tail is convex for t > 0, so after at most one step Newton
    approaches the root from below and cannot overshoot. The relative error stays below 1e-8
    for df up to 1e6 (the tests check it against scipy). Remembered: a batch's summaries ask
    for the same few quantiles hundreds of times.
    """
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must lie in (0, 1), not {p!r}")
    if not df > 0:
        raise ValueError(f"df must be > 0, not {df!r}")
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    if p == 0.5:
        return 0.0
    if df == 1:
        return 1.0 / math.tan(math.pi * (1.0 - p))
    if df == 2:
        return (2.0 * p - 1.0) / math.sqrt(2.0 * p * (1.0 - p))
    alpha = 1.0 - p
    z = NormalDist().inv_cdf(p)
    t = z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
    log_norm = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    for _ in range(200):
        pdf = math.exp(log_norm - (df + 1) / 2 * math.log1p(t * t / df))
        step = (t_sf(t, df) - alpha) / pdf
        t = max(t + step, 0.0)
        if abs(step) <= 1e-14 * max(1.0, abs(t)):
            break
    return t


# --- summary ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """Mean, sample standard deviation and two-sided t interval of the defined values.

    ``std`` and the interval are NaN with fewer than two values; everything but ``n`` is NaN
    with none.
    """

    mean: float
    std: float
    ci_low: float
    ci_high: float
    n: int


def t_interval(values: Iterable[float | None], confidence: float = CONFIDENCE) -> Interval:
    """The summary of one KPI over replications; None and NaN values are left out."""
    xs = [float(v) for v in values if v is not None and not math.isnan(v)]
    n = len(xs)
    if n == 0:
        return Interval(math.nan, math.nan, math.nan, math.nan, 0)
    mean = math.fsum(xs) / n
    if n == 1:
        return Interval(mean, math.nan, math.nan, math.nan, 1)
    std = math.sqrt(math.fsum((x - mean) ** 2 for x in xs) / (n - 1))
    half = t_quantile(0.5 + confidence / 2, n - 1) * std / math.sqrt(n)
    return Interval(mean, std, mean - half, mean + half, n)


def summary_rows(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    kpis: Sequence[str] = KPI_COLUMNS,
    confidence: float = CONFIDENCE,
) -> list[tuple[Any, ...]]:
    """One row per (scenario, kpi) of replication rows named by ``columns``, in
    ``SUMMARY_COLUMNS``.

    Scenarios keep their order of first appearance and KPIs the order of ``kpis``, so the
    summary of the same replications is always the same table. Each interval is cut to what
    its KPI can be (a rate to [0, 1], a count or money received to >= 0:
    ``sim.labels.clip_interval``); ``was_clipped`` tells which were.
    """
    absent = [c for c in ("scenario", *kpis) if c not in columns]
    if absent:
        raise ValueError(f"replications lack column(s) {', '.join(absent)}")
    at = {c: i for i, c in enumerate(columns)}
    blocks: dict[Any, list[Sequence[Any]]] = {}
    for row in rows:
        blocks.setdefault(row[at["scenario"]], []).append(row)
    out = []
    for name, block in blocks.items():
        for kpi in kpis:
            i = at[kpi]
            ci = t_interval([row[i] for row in block], confidence)
            low, high, _ = clip_interval(kpi, ci.ci_low, ci.ci_high)
            out.append((name, kpi, ci.mean, ci.std, low, high, ci.n))
    return out


def was_clipped(kpi: str, mean: float, std: float, n: int, confidence: float = CONFIDENCE) -> bool:
    """Whether the t-interval of a summary row (mean, std, n) reaches outside what ``kpi``
    can be, so that ``summary_rows`` cut it (``sim.labels.clip_interval``)."""
    if n < 2 or math.isnan(std):
        return False
    half = t_quantile(0.5 + confidence / 2, n - 1) * std / math.sqrt(n)
    return clip_interval(kpi, mean - half, mean + half)[2]


def summarize(
    reps: pd.DataFrame,
    kpis: Sequence[str] = KPI_COLUMNS,
    confidence: float = CONFIDENCE,
) -> pd.DataFrame:
    """:func:`summary_rows` of a replications frame, as a DataFrame."""
    import pandas as pd

    columns = list(reps.columns)
    rows = summary_rows(columns, reps.itertuples(index=False, name=None), kpis, confidence)
    frame = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    return frame.astype({"n": "int64"})
