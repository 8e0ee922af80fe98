"""``parts.csv``: one row per (scenario, part_no), each figure the mean over replications.

The model puts a replication's per-part figures in ``RunResult.extra["parts"]``: a dict of
equal-length lists, one entry per catalogue part in catalogue order (``PART_COLUMNS`` plus
the size columns of the scenario's policy: the size fields of its config block, e.g.
``cards`` for kanban, ``level`` for order-up-to, ``point`` and ``qty`` for reorder point).
A result without that key (results of an older model, or replications read back from an
older batch folder) contributes nothing: a scenario gets rows only when every one of its
replications has the table, and no ``parts.csv`` is written when no scenario does.

Aggregation: ``stocked`` and the sizes are the same in every replication (the first is
taken); every other column is the mean over the replications where it is defined, so
``fill_rate`` (None for a part with no unit requested) is averaged over the replications
that requested the part and is empty when none did. Rows follow the scenarios' run order,
then catalogue order. Plain Python only: ``run --out`` must not import pandas.

Summed over parts, ``stockout_events`` and ``emergency_orders`` equal the replication's KPIs
of the same name (``parts_sum_mismatches`` checks one result), so the column sums of
``parts.csv`` equal those KPIs' means in ``summary.csv``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.experiment import ScenarioRun
    from sim.model.records import RunResult

PARTS_KEY = "parts"  # the key of RunResult.extra
POLICY_SIZE_COLUMNS: dict[str, tuple[str, ...]] = {
    "kanban": ("cards",),
    "order_up_to": ("level",),
    "reorder_point": ("point", "qty"),
}
SIZE_COLUMNS: tuple[str, ...] = ("cards", "level", "point", "qty")  # their order in parts.csv
MEAN_COLUMNS: tuple[str, ...] = (
    "lines",
    "units_requested",
    "fill_rate",
    "stockout_events",
    "parts_wait_h",
    "avg_inventory_units",
    "avg_inventory_value",
    "emergency_orders",
)
PART_COLUMNS: tuple[str, ...] = ("part_no", "stocked", *MEAN_COLUMNS)  # besides the sizes
SUMMED_KPIS: tuple[str, ...] = ("stockout_events", "emergency_orders")

Table = tuple[list[str], list[tuple[Any, ...]]]  # column names and rows


_PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python number or bool it holds; anything else unchanged."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def plain_parts(parts: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The parts table with every column a list of plain Python values (for JSON).

    Columns may arrive as numpy arrays or hold numpy scalars; JSON writes neither. (The
    model's columns are plain lists already: they are copied as they are.)
    """
    out: dict[str, list[Any]] = {}
    for key, column in parts.items():
        values = column.tolist() if hasattr(column, "tolist") else list(column)
        if not all(type(v) in _PLAIN_TYPES for v in values):
            values = [_plain(v) for v in values]
        out[str(key)] = values
    return out


def expected_size_columns(scenario: Any) -> tuple[str, ...] | None:
    """The size columns of the scenario's policy: the size fields of its config block
    (``supply.policy_block.SIZE_FIELDS``) where the scenario declares them, else
    ``POLICY_SIZE_COLUMNS``; None for a policy neither knows."""
    supply = getattr(scenario, "supply", None)
    fields = getattr(getattr(supply, "policy_block", None), "SIZE_FIELDS", None)
    if fields:
        return tuple(str(f[0]) for f in fields)
    return POLICY_SIZE_COLUMNS.get(str(getattr(supply, "policy", "")))


def size_columns(
    parts: Mapping[str, Any], expected: tuple[str, ...] | None, where: str
) -> tuple[str, ...]:
    """Check one replication's parts table; return its size columns (``expected``'s order).

    Every column besides ``PART_COLUMNS`` is a size column; they must be ``expected`` (the
    policy's, when known; else some of ``SIZE_COLUMNS``). Raises ValueError (naming
    ``where``) for a missing column, other size columns, columns of unequal length or a
    repeated part number.
    """
    missing = [c for c in PART_COLUMNS if c not in parts]
    if missing:
        raise ValueError(f"{where}: parts table lacks column(s) {', '.join(missing)}")
    sizes = tuple(str(c) for c in parts if c not in PART_COLUMNS)
    if expected is not None and set(sizes) != set(expected):
        raise ValueError(
            f"{where}: parts table has size column(s) {list(sizes)}, expected {list(expected)}"
        )
    if expected is None and (not sizes or any(c not in SIZE_COLUMNS for c in sizes)):
        raise ValueError(f"{where}: parts table has size column(s) {list(sizes)}")
    sizes = expected if expected is not None else sizes
    lengths = {c: len(parts[c]) for c in (*PART_COLUMNS, *sizes)}
    if len(set(lengths.values())) != 1:
        raise ValueError(f"{where}: parts table columns differ in length: {lengths}")
    part_nos = [str(p) for p in parts["part_no"]]
    if len(set(part_nos)) != len(part_nos):
        raise ValueError(f"{where}: parts table repeats a part_no")
    return sizes


def _mean(values: Sequence[Any]) -> float | None:
    """The mean of the defined values (None and NaN left out); None when there is none."""
    try:
        total = math.fsum(values)  # exactly rounded: the same sum in any order
    except TypeError:  # a None (or a number as text)
        total = math.nan
    if values and not math.isnan(total):
        return total / len(values)  # every value defined: the common case, at C speed
    xs = [x for x in (float(v) for v in values if v is not None) if not math.isnan(x)]
    return math.fsum(xs) / len(xs) if xs else None


def scenario_parts(run: ScenarioRun) -> tuple[tuple[str, ...], list[dict[str, Any]]] | None:
    """The size columns and the aggregated rows (dicts) of one scenario's replications.

    None when a replication lacks the parts table (or there are no replications). Raises
    ValueError when the replications disagree on the parts or their size columns.
    """
    found = [res.extra.get(PARTS_KEY) for res in run.results]
    tables = [t for t in found if isinstance(t, Mapping)]
    if not tables or len(tables) != len(found):
        return None
    name, expected = run.scenario.name, expected_size_columns(run.scenario)
    first = tables[0]
    sizes = size_columns(first, expected, f"{name!r} replication {run.results[0].replication}")
    part_nos = [str(p) for p in first["part_no"]]
    for res, table in zip(run.results[1:], tables[1:], strict=True):
        where = f"{name!r} replication {res.replication}"
        if size_columns(table, expected, where) != sizes:
            raise ValueError(f"{where}: parts table size columns differ from replication 0's")
        if [str(p) for p in table["part_no"]] != part_nos:
            raise ValueError(f"{where}: parts table lists other parts than the first one")
    columns: list[list[Any]] = [[name] * len(part_nos), part_nos]
    columns.append([bool(v) for v in first["stocked"]])
    columns += [[None if v is None else int(v) for v in first[c]] for c in sizes]
    columns += [_means([t[c] for t in tables]) for c in MEAN_COLUMNS]
    keys = ("scenario", "part_no", "stocked", *sizes, *MEAN_COLUMNS)
    return sizes, [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]


def _means(columns: Sequence[Sequence[Any]]) -> list[float | None]:
    """Per part, the :func:`_mean` over replications (one column each)."""
    return [_mean(values) for values in zip(*columns, strict=True)]


def parts_table(runs: Sequence[ScenarioRun]) -> Table | None:
    """The rows of ``parts.csv`` for ``runs``, or None when no scenario has a parts table.

    Columns: scenario, part_no, stocked, the size columns of the scenarios' policies (in
    ``SIZE_COLUMNS`` order, then any other policy's in order of appearance; a scenario's
    cell in another policy's column is empty), then ``MEAN_COLUMNS``.
    """
    per_scenario = [p for p in (scenario_parts(run) for run in runs) if p is not None]
    if not per_scenario:
        return None
    used = list(dict.fromkeys(c for sizes, _ in per_scenario for c in sizes))
    ordered = [c for c in SIZE_COLUMNS if c in used] + [c for c in used if c not in SIZE_COLUMNS]
    columns = ["scenario", "part_no", "stocked", *ordered]
    columns += MEAN_COLUMNS
    rows = [tuple(row.get(c) for c in columns) for _, block in per_scenario for row in block]
    return columns, rows


def parts_sum_mismatches(result: RunResult, rel_tol: float = 1e-9) -> list[str]:
    """Where a result's per-part sums differ from its KPIs (``SUMMED_KPIS``); [] when they
    agree, when the result has no parts table, or the KPI is undefined."""
    table = result.extra.get(PARTS_KEY)
    if not isinstance(table, Mapping):
        return []
    out = []
    for kpi in SUMMED_KPIS:
        want = result.kpis.get(kpi)
        if want is None or kpi not in table:
            continue
        got = math.fsum(float(v) for v in table[kpi] if v is not None)
        if not math.isclose(got, float(want), rel_tol=rel_tol, abs_tol=rel_tol):
            out.append(
                f"({result.scenario!r}, {result.replication}): {kpi} summed over parts is "
                f"{got!r}, the KPI is {want!r}"
            )
    return out
