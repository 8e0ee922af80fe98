"""``breakdown.csv``: per pool and per job type, each figure summarised over replications.

The model puts a replication's breakdown in ``RunResult.extra["breakdown"]``
(``sim.kpi.breakdown_rows``): ``{"pool": {name: {kpi: value}}, "job_type": {name: {kpi:
value}}}``, plain floats, None where a figure is undefined. ``breakdown.csv`` is long, like
``summary.csv``: one row per (scenario, group, name, kpi) with the mean, standard deviation
and 95 % Student-t interval over the replications where the figure is defined
(``sim.experiment.t_interval``, cut to what the figure can be:
``sim.labels.clip_interval``), and ``n`` counting them.

A result without the key (an older model, or a replication read back from an older batch
folder) contributes nothing: a scenario gets rows only when every one of its replications
has a breakdown, and no ``breakdown.csv`` is written when no scenario does. Rows follow the
scenarios' run order, then the groups (pools, then job types), then names and kpis in the
order the first replication gives them. Plain Python only: ``run --out`` must not import
pandas.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sim.experiment import CONFIDENCE, t_interval
from sim.labels import clip_interval

if TYPE_CHECKING:
    from sim.experiment import ScenarioRun

BREAKDOWN_KEY = "breakdown"  # the key of RunResult.extra
GROUPS: tuple[str, ...] = ("pool", "job_type")
BREAKDOWN_COLUMNS: tuple[str, ...] = (
    "scenario",
    "group",
    "name",
    "kpi",
    "mean",
    "std",
    "ci_low",
    "ci_high",
    "n",
)

Table = tuple[list[str], list[tuple[Any, ...]]]  # column names and rows
Breakdown = dict[str, dict[str, dict[str, float | None]]]


def _value(v: Any) -> float | None:
    """A figure as a plain float; None for None or NaN. Raises ValueError otherwise."""
    if v is None:
        return None
    if isinstance(v, bool | str):
        raise ValueError(f"not a number: {v!r}")
    try:
        x = float(v)
    except TypeError:
        raise ValueError(f"not a number: {v!r}") from None
    return None if math.isnan(x) else x


def plain_breakdown(table: Any) -> Breakdown:
    """The breakdown with every figure a plain float or None (for JSON); ValueError when it
    is not ``{group: {name: {kpi: number}}}`` with the groups of ``GROUPS``."""
    if not isinstance(table, Mapping) or set(table) != set(GROUPS):
        raise ValueError(f"a breakdown has the groups {list(GROUPS)}")
    out: Breakdown = {}
    for group in GROUPS:
        names = table[group]
        if not isinstance(names, Mapping):
            raise ValueError(f"breakdown group {group!r} is not a mapping")
        out[group] = {}
        for name, kpis in names.items():
            if not isinstance(kpis, Mapping):
                raise ValueError(f"breakdown {group} {name!r} is not a mapping")
            out[group][str(name)] = {str(k): _value(v) for k, v in kpis.items()}
    return out


def scenario_breakdown(run: ScenarioRun, confidence: float = CONFIDENCE) -> list[tuple] | None:
    """The ``breakdown.csv`` rows of one scenario, or None when a replication lacks the
    breakdown (or there are none). Raises ValueError for a malformed breakdown."""
    found = [res.extra.get(BREAKDOWN_KEY) for res in run.results]
    if not found or any(t is None for t in found):
        return None
    tables = []
    for res, table in zip(run.results, found, strict=True):
        try:
            tables.append(plain_breakdown(table))
        except ValueError as exc:
            where = f"{run.scenario.name!r} replication {res.replication}"
            raise ValueError(f"{where}: {exc}") from None
    rows = []
    for group in GROUPS:
        keys: dict[tuple[str, str], None] = {}
        for table in tables:  # names and kpis in order of first appearance
            for name, kpis in table[group].items():
                keys.update(((name, kpi), None) for kpi in kpis)
        for name, kpi in keys:
            values = [table[group].get(name, {}).get(kpi) for table in tables]
            ci = t_interval(values, confidence)
            low, high, _ = clip_interval(kpi, ci.ci_low, ci.ci_high)
            rows.append((run.scenario.name, group, name, kpi, ci.mean, ci.std, low, high, ci.n))
    return rows


def breakdown_table(runs: Sequence[ScenarioRun]) -> Table | None:
    """The rows of ``breakdown.csv`` for ``runs``, or None when no scenario has a breakdown."""
    blocks = [b for b in (scenario_breakdown(run) for run in runs) if b is not None]
    if not blocks:
        return None
    return list(BREAKDOWN_COLUMNS), [row for block in blocks for row in block]
