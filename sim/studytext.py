"""How the notebooks print numbers: plain notation in tables, and the headline figures a
conclusion quotes, computed from the run just made.

A planner reads ``1,423,180`` and ``0.9872``, not ``1.423180e+06``: :func:`plain_display`
makes pandas print every float that way (tables in the notebook, text and HTML alike).
:func:`quote` and :func:`quote_difference` write a mean or a paired difference with its
95 % interval as the conclusions do, so that a reader can set the small run's figures beside
the full-size ones; a difference whose interval includes zero says so.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from sim.studies import RegionStudy, Study

MONTH_DAYS = 30.0


# (below this size, decimals): four for rates, shares and small counts, fewer as numbers grow
DIGIT_TIERS = ((10.0, 4), (100.0, 2), (1000.0, 1))


def auto_digits(value: float) -> int:
    """Decimals for ``value``: four below 10, two below 100, one below 1,000, none above
    (by the rounded value: 999.96 prints as 1,000, not 1,000.0)."""
    size = abs(value)
    if math.isnan(size):
        return DIGIT_TIERS[0][1]
    for bound, digits in DIGIT_TIERS:
        if round(size, digits) < bound:
            return digits
    return 0


def plain_number(value: float, digits: int | None = None, signed: bool = False) -> str:
    """``value`` without an exponent, with thousands separators.

    ``digits`` decimals, or when None by size (:func:`auto_digits`): ``1,423,180``,
    ``174.8``, ``16.13``, ``9.9581``, ``1.0000``, ``0.0018``; a column of rates lines up.
    ``signed``: a ``+`` before positive values. NaN is ``n/a``; a value that rounds to zero
    prints without a minus sign.
    """
    value = float(value)
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return ("+" if signed and value > 0 else "") + ("inf" if value > 0 else "-inf")
    if digits is None:
        digits = auto_digits(value)
    if round(value, digits) == 0:
        return f"{0.0:.{digits}f}"
    return f"{value:{'+' if signed else ''},.{digits}f}"


def plain_display(width: int = 160) -> None:
    """Print every pandas float in plain notation (:func:`plain_number`), ``width`` wide."""
    pd.set_option("display.float_format", plain_number)
    pd.set_option("display.width", width)


def with_intervals(frame: pd.DataFrame, index: str, columns: str, digits: int = 3) -> pd.DataFrame:
    """``frame`` (columns ``mean``, ``ci_low``, ``ci_high``) pivoted to ``index`` x
    ``columns``, each cell ``mean [low, high]`` with ``digits`` decimals."""

    def cell(row: pd.Series) -> str:
        m, lo, hi = (plain_number(row[c], digits) for c in ("mean", "ci_low", "ci_high"))
        return f"{m} [{lo}, {hi}]"

    cells = frame.assign(_cell=frame.apply(cell, axis=1))
    return cells.pivot(index=index, columns=columns, values="_cell").rename_axis(
        index=index, columns=columns
    )


def interval_text(
    mean: float,
    low: float,
    high: float,
    *,
    scale: float = 1.0,
    unit: str = "",
    digits: int | None = None,
    signed: bool = False,
) -> str:
    """``mean`` with its 95 % interval, times ``scale``: ``98.9 % (95 % interval 98.7 to
    99.1)``. ``unit`` follows the mean (``" %"``, ``" CNY"``, ``" h"``); the three numbers
    share ``digits`` decimals (when None, those of the largest, :func:`auto_digits`)."""
    if digits is None:
        finite = [abs(v * scale) for v in (mean, low, high) if not math.isnan(v)]
        digits = auto_digits(max(finite, default=math.nan))
    fmt: Callable[[float], str] = lambda v: plain_number(v * scale, digits, signed)  # noqa: E731
    return f"{fmt(mean)}{unit} (95 % interval {fmt(low)} to {fmt(high)})"


def distinguishable(low: float, high: float) -> bool:
    """Whether a 95 % interval of a difference excludes zero."""
    return bool(low > 0 or high < 0)


def difference_text(mean: float, low: float, high: float, **how: Any) -> str:
    """A paired difference as :func:`interval_text` (signed), and when its interval includes
    zero, that the run cannot tell it from no difference (or that there is none at all)."""
    text = interval_text(mean, low, high, signed=True, **how)
    if mean == low == high == 0:
        text += " -- none in any replication"
    elif not distinguishable(low, high):
        text += " -- includes 0: not distinguishable from no difference in this run"
    return text


def against_target(low: float, high: float, target: float) -> str:
    """Whether a 95 % interval meets ``target`` (its lower bound reaches it), falls short of
    it (its upper bound is below), or the run cannot tell."""
    if low >= target:
        return "meets it"
    if high < target:
        return "falls short of it"
    return "cannot tell at this size (the interval straddles it)"


def pick(frame: pd.DataFrame, **where: Any) -> pd.Series:
    """The one row of ``frame`` whose columns equal ``where`` (an error if none or several)."""
    rows = frame
    for col, value in where.items():
        rows = rows[rows[col] == value]
    if len(rows) != 1:
        raise ValueError(f"{len(rows)} rows where {where}, not one")
    return rows.iloc[0]


def quote(study: Study, scenario: str, kpi: str, **how: Any) -> str:
    """The mean of ``kpi`` for ``scenario`` over the replications, with its 95 % interval
    (:func:`interval_text`; ``scale``, ``unit``, ``digits``)."""
    row = pick(study.summary, scenario=scenario, kpi=kpi)
    return interval_text(row["mean"], row["ci_low"], row["ci_high"], **how)


def quote_difference(study: Study, scenario: str, kpi: str, **how: Any) -> str:
    """``scenario`` minus the batch's baseline in ``kpi``, paired by replication, with its
    95 % interval and whether it is distinguishable from zero (:func:`difference_text`)."""
    if study.comparison is None:
        raise ValueError(f"batch {study.batch.name!r} has no baseline to compare with")
    row = pick(study.comparison, scenario=scenario, kpi=kpi)
    return difference_text(row["mean_diff"], row["ci_low"], row["ci_high"], **how)


def window_days(study: Study | RegionStudy) -> float:
    """The measurement window of the study's scenarios, in days (one for all of them)."""
    days = {s.run.horizon / 1440.0 for s in study.scenarios.values()}
    if len(days) != 1:
        raise ValueError(f"the scenarios measure different windows: {sorted(days)} days")
    return days.pop()


def per_month(study: Study | RegionStudy) -> float:
    """The factor from a total over the study's window to one over a 30-day month: costs and
    counts of a 14-day small run compare with a 30-day full run's once scaled."""
    return MONTH_DAYS / window_days(study)


def size_line(study: Study | RegionStudy, size_name: str) -> str:
    """What the figures come from: ``small run: 3 replications of 14 days`` (a region's
    replication counted once, not once per dealer)."""
    reps = study.reps.groupby("scenario")["replication"].nunique()
    return f"{size_name} run: {int(reps.min())} replications of {window_days(study):g} days"
