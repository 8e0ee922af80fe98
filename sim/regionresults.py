"""A region's tables: every dealer's rows with a ``dealer`` column, and the centre's rows.

A region's replication (``sim.model.world.simulate``) carries each dealer's result in
``extra["dealers"]``; here it is split into one run per dealer, so that every per-dealer
table (parts, breakdown, scorecards, flow) is built by the same code as a single dealer's,
then given the region's name in ``scenario`` and the dealer's in a ``dealer`` column
after it. The centre-wide KPIs are rows whose ``dealer`` is ``region``; the centre's
per-part rows in ``parts.csv`` have ``dealer`` ``centre``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sim.experiment import (
    CONFIDENCE,
    SUMMARY_COLUMNS,
    ScenarioRun,
    replication_rows,
    summary_rows,
)
from sim.kpi import KPI_COLUMNS
from sim.model.centre import CENTRE_KPIS
from sim.model.records import CENTRE_PARTS_KEY, DEALERS_KEY, RunResult
from sim.scenario_region import CENTRE_ROW, REGION_ROW, Region

REGION_REPLICATION_COLUMNS: tuple[str, ...] = (
    "scenario",
    "dealer",
    "replication",
    *KPI_COLUMNS,
    *CENTRE_KPIS,
)
REGION_SUMMARY_COLUMNS: tuple[str, ...] = ("scenario", "dealer", *SUMMARY_COLUMNS[1:])
CENTRE_PART_MEANS = (
    "lines",
    "units_ordered",
    "fill_rate",
    "lines_short",
    "avg_on_hand",
    "avg_backorders",
    "emergency_units",
    "express_units",
)
Table = tuple[list[str], list[tuple[Any, ...]]]

if TYPE_CHECKING:
    import pandas as pd


def is_region_run(run: ScenarioRun) -> bool:
    """Whether ``run`` replicated a region."""
    return isinstance(run.scenario, Region)


def dealer_runs(run: ScenarioRun) -> list[ScenarioRun]:
    """A region's run as one run per dealer (its scenario, named by the dealer)."""
    region = run.scenario
    assert isinstance(region, Region)
    return [
        ScenarioRun(
            scenario=d.scenario,
            results=tuple(_dealer(res, d.name) for res in run.results),
            seconds=run.seconds,
        )
        for d in region.dealers
    ]


def _dealer(result: RunResult, name: str) -> RunResult:
    got = result.extra[DEALERS_KEY][name]
    if not isinstance(got, RunResult):
        raise ValueError(f"result {result.scenario!r} lacks dealer {name!r}")
    return got


def with_dealer(region: str, table: Table) -> Table:
    """A per-dealer table (its ``scenario`` column the dealer's name) as the region's:
    ``scenario`` the region, ``dealer`` after it."""
    columns, rows = table
    if columns[0] != "scenario":
        raise ValueError(f"table starts with {columns[0]!r}, not scenario")
    return ["scenario", "dealer", *columns[1:]], [(region, *row) for row in rows]


def region_replication_rows(runs: Iterable[ScenarioRun]) -> list[tuple[Any, ...]]:
    """``replications.csv`` of regions: each dealer's KPI row, then the region's row."""
    nan_centre = (math.nan,) * len(CENTRE_KPIS)
    nan_dealer = (math.nan,) * len(KPI_COLUMNS)
    rows = []
    for run in runs:
        region = run.scenario
        assert isinstance(region, Region)
        for res in run.results:
            for d in region.dealers:
                (row,) = replication_rows([_dealer(res, d.name)])
                rows.append((region.name, d.name, res.replication, *row[2:], *nan_centre))
            values = (res.kpis.get(k) for k in CENTRE_KPIS)
            centre = tuple(math.nan if v is None else float(v) for v in values)
            rows.append((region.name, REGION_ROW, res.replication, *nan_dealer, *centre))
    return rows


def region_summary_rows(
    rows: Sequence[Sequence[Any]], confidence: float = CONFIDENCE
) -> list[tuple[Any, ...]]:
    """``summary.csv`` of regions: per (scenario, dealer), the dealer KPIs of a dealer's
    rows and the centre KPIs of the region's rows."""
    columns = ["scenario", *REGION_REPLICATION_COLUMNS[2:]]
    dealer_rows = [((r[0], r[1]), *r[2:]) for r in rows if r[1] != REGION_ROW]
    region_rows = [((r[0], r[1]), *r[2:]) for r in rows if r[1] == REGION_ROW]
    out = summary_rows(columns, dealer_rows, KPI_COLUMNS, confidence)
    out += summary_rows(columns, region_rows, CENTRE_KPIS, confidence)
    order = list(dict.fromkeys((r[0], r[1]) for r in rows))
    out.sort(key=lambda r: order.index(r[0]))  # stable: KPIs keep their order
    return [(key[0], key[1], *rest) for key, *rest in out]


def centre_parts_table(runs: Iterable[ScenarioRun]) -> Table | None:
    """The centre's rows of ``parts.csv``: per part, its level and the means over
    replications of its window figures."""
    columns = ["scenario", "dealer", "part_no", "level", "unit_cost", *CENTRE_PART_MEANS]
    rows: list[tuple[Any, ...]] = []
    for run in runs:
        tables = [res.extra.get(CENTRE_PARTS_KEY) for res in run.results]
        if not tables or any(t is None for t in tables):
            continue
        first = tables[0]
        assert first is not None
        for i, part in enumerate(first["part_no"]):
            means = []
            for col in CENTRE_PART_MEANS:
                vals = [t[col][i] for t in tables if t is not None and t[col][i] is not None]
                means.append(sum(vals) / len(vals) if vals else None)
            head = (run.scenario.name, CENTRE_ROW, part, first["level"][i])
            rows.append((*head, first["unit_cost"][i], *means))
    return (columns, rows) if rows else None


def region_frames(runs: Sequence[ScenarioRun]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The replications and summary of regions' runs as DataFrames (``dealer`` columns)."""
    import pandas as pd

    rows = region_replication_rows(runs)
    reps = pd.DataFrame(rows, columns=list(REGION_REPLICATION_COLUMNS))
    reps["replication"] = reps["replication"].astype("int64")
    summary = pd.DataFrame(region_summary_rows(rows), columns=list(REGION_SUMMARY_COLUMNS))
    return reps, summary.astype({"n": "int64"})


def region_compare(reps: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """Paired differences against the baseline region, dealer by dealer (each dealer's
    KPIs) and for the centre (``region`` rows), over the same replications."""
    import pandas as pd

    from sim.comparison import compare

    frames = []
    for dealer in pd.unique(reps["dealer"]):
        kpis = CENTRE_KPIS if dealer == REGION_ROW else KPI_COLUMNS
        block = reps[reps["dealer"] == dealer].drop(columns="dealer")
        got = compare(block, baseline, kpis)
        got.insert(1, "dealer", dealer)
        frames.append(got)
    return pd.concat(frames, ignore_index=True)


def by_dealer(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame with a ``dealer`` column as one whose ``scenario`` names both
    (``north/city``), for the tables that read one scenario per row block."""
    out = frame.copy()
    out["scenario"] = out["scenario"].astype(str) + "/" + out["dealer"].astype(str)
    return out.drop(columns="dealer")
