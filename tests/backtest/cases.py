"""Back-test cases: fixed-seed runs whose results are stored in ``tests/backtest/stored``.

Speed work must never change the answer silently. Each case runs a scenario with a fixed
seed and a trace, and condenses the result into a fingerprint: every KPI, the flow balance,
the month rows, and the count and sum of every numeric column of the trace tables (so a
single job finishing at another time shows). ``tests/backtest/test_backtest.py`` compares a
fresh run with the stored fingerprint; ``python -m tests.backtest.regenerate`` rewrites the
stored files, which is done only when a change deliberately alters the results (for example
how random numbers are consumed), in the same commit, with a CHANGELOG entry.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.loading import load_scenario
from sim.model.world import CENTRE_PARTS_KEY, DEALERS_KEY, simulate
from sim.region import load_region

HERE = Path(__file__).resolve().parent
STORED = HERE / "stored"
REPO = HERE.parent.parent
SCENARIOS = REPO / "scenarios"
VALIDATION = REPO / "tests" / "validation" / "scenarios"

# The back-test's tolerance: identical up to floating-point rounding (a reordered sum).
REL_TOL = 1e-9
ABS_TOL = 1e-9


@dataclass(frozen=True)
class Case:
    """One fixed-seed run to fingerprint."""

    key: str
    file: Path
    overrides: tuple[str, ...] = ()
    horizon: str = "14d"
    replications: tuple[int, ...] = (0, 1)
    region: bool = False  # a region file: every dealer's and the centre's results


CASES: tuple[Case, ...] = (
    Case("default", SCENARIOS / "default.yaml", horizon="30d"),
    Case("small_dealer", SCENARIOS / "small_dealer.yaml", horizon="30d"),
    Case(
        "default_zero_steps",
        SCENARIOS / "default.yaml",
        ("workshop.reception=0min", "workshop.qc=0min", "workshop.delivery=0min"),
    ),
    Case(
        "default_continuous_park",
        SCENARIOS / "default.yaml",
        ("supply.call_off.every=continuous", "workshop.stockout=park"),
    ),
    Case(
        "default_on_empty_eta",
        SCENARIOS / "default.yaml",
        ("supply.kanban.release=on_empty", "workshop.promise.parts_eta=true"),
    ),
    Case("default_order_up_to", SCENARIOS / "default.yaml", ("supply.policy=order_up_to",)),
    Case("default_reorder_point", SCENARIOS / "default.yaml", ("supply.policy=reorder_point",)),
    Case(
        "default_disrupted",
        SCENARIOS / "default.yaml",
        (
            "supply.disruptions=[{kind: outage, start: 9d, end: 10d},"
            " {kind: delay, start: 12d, end: 14d, delay: 3h}]",
        ),
    ),
    Case("mm8", VALIDATION / "mm8.yaml", ("run.warmup=1d",), horizon="7d"),
    Case("mmc_rework", VALIDATION / "mmc_rework.yaml", ("run.warmup=1d",), horizon="20d"),
    Case("order_up_to_part", VALIDATION / "order_up_to.yaml", horizon="20d"),
    Case("kanban_part", VALIDATION / "kanban.yaml", horizon="20d"),
    Case("north_region", SCENARIOS / "regions" / "north.yaml", region=True),
    Case(
        "north_region_short",
        SCENARIOS / "regions" / "north.yaml",
        ("centre.stock.target_fill=0.6",),
        region=True,
    ),
)


def _number(v: Any) -> float | None:
    if v is None:
        return None
    f = float(v)
    return None if math.isnan(f) else f


def _table(df: Any) -> dict[str, list[float | None]]:
    """Count and sum of every numeric or boolean column (NaN skipped)."""
    out = {}
    for col in df.columns:
        try:
            s = df[col].astype(float)  # booleans with missing values are objects
        except ValueError:
            continue  # names: part numbers, pools, job types
        out[col] = [int(s.notna().sum()), _number(s.sum())]
    return out


def _columns(table: dict[str, list[Any]]) -> dict[str, list[float | None]]:
    """Count and sum of every numeric column of a table given as column lists."""
    out = {}
    for col, values in table.items():
        numbers = [_number(v) for v in values if isinstance(v, int | float)]
        if len(numbers) == len(values):
            kept = [v for v in numbers if v is not None]
            out[col] = [len(kept), _number(math.fsum(kept))]
    return out


def _region_fingerprint(case: Case) -> dict[str, Any]:
    """Each replication of a region: the centre's KPIs, flow and parts, and every dealer's
    KPIs, flow, months and parts (a region keeps no trace tables)."""
    region = load_region(case.file, [*case.overrides, f"run.horizon={case.horizon}"])
    reps = []
    for rep in case.replications:
        res = simulate(region, rep)
        dealers = {
            name: {
                "kpis": {k: _number(v) for k, v in d.kpis.items()},
                "flow": {k: _number(v) for k, v in d.flow.items()},
                "months": [{k: _number(v) for k, v in m.items()} for m in d.extra["months"]],
                "parts": _columns(d.extra["parts"]),
            }
            for name, d in res.extra[DEALERS_KEY].items()
        }
        reps.append(
            {
                "replication": rep,
                "kpis": {k: _number(v) for k, v in res.kpis.items()},
                "flow": {k: _number(v) for k, v in res.flow.items()},
                "centre_parts": _columns(res.extra[CENTRE_PARTS_KEY]),
                "dealers": dealers,
            }
        )
    return {"case": case.key, "scenario_digest": region.digest(), "replications": reps}


def fingerprint(case: Case) -> dict[str, Any]:
    """The fingerprint of every replication of a case."""
    if case.region:
        return _region_fingerprint(case)
    scn = load_scenario(case.file, list(case.overrides), horizon=case.horizon)
    reps = []
    for rep in case.replications:
        # Untraced runs take shortcuts that a trace turns off (zero-length holds are logged),
        # so both are fingerprinted: the answer from the plain run, the tables from the traced.
        plain = simulate(scn, rep)
        res = simulate(scn, rep, trace=True)
        reps.append(
            {
                "replication": rep,
                "kpis": {k: _number(v) for k, v in plain.kpis.items()},
                "kpis_traced": {k: _number(v) for k, v in res.kpis.items()},
                "flow": {k: _number(v) for k, v in plain.flow.items()},
                "months": [{k: _number(v) for k, v in m.items()} for m in plain.extra["months"]],
                "jobs": _table(res.jobs),
                "stock": _table(res.stock),
                "pools": _table(res.extra["pools"]),
                "trucks": _table(res.extra["trucks"]),
            }
        )
    return {"case": case.key, "scenario_digest": scn.digest(), "replications": reps}


def differences(stored: Any, fresh: Any, path: str = "") -> list[str]:
    """Where two fingerprints differ beyond floating-point rounding."""
    if isinstance(stored, dict) and isinstance(fresh, dict):
        out = []
        for k in sorted(set(stored) | set(fresh)):
            if k not in stored or k not in fresh:
                out.append(f"{path}.{k}: only in {'stored' if k in stored else 'fresh'}")
            else:
                out += differences(stored[k], fresh[k], f"{path}.{k}")
        return out
    if isinstance(stored, list) and isinstance(fresh, list):
        if len(stored) != len(fresh):
            return [f"{path}: {len(stored)} items stored, {len(fresh)} now"]
        out = []
        for i, (a, b) in enumerate(zip(stored, fresh, strict=True)):
            out += differences(a, b, f"{path}[{i}]")
        return out
    if isinstance(stored, float) and isinstance(fresh, int | float):
        if math.isclose(stored, fresh, rel_tol=REL_TOL, abs_tol=ABS_TOL):
            return []
    elif stored == fresh:
        return []
    return [f"{path}: stored {stored!r}, now {fresh!r}"]
