"""Small deterministic scenarios for hand-checked model tests.

``make_scenario(overrides, parts=...)`` deep-merges ``overrides`` into ``BASE`` (mappings merge
key by key, anything else replaces; the value ``DELETE`` removes a key), writes the parts
catalogue to a temporary CSV and validates the result with ``sim.loading.validate_raw``.

The base scenario, worked out once here so the tests can build on it:

- calendar 08:00-17:00 every day, no breaks: 540 working minutes a day; time 0 is Monday 00:00;
- one booking a day on the only slot (``slot: 9h`` fits once in 9 opening hours), lateness 0,
  no no-shows, no walk-ins: one car arrives at 08:00 (minute 480) of every open day;
- one job type ``service``: one operation on [bays, mechanics], 2h standard (set at job level,
  so ``{"standard_hours": ...}`` on the job type changes it), efficiency 1, labour rate
  100/h, no parts lines, qc_fail 0, comeback 0;
- reception 15min, QC 10min, delivery 5min, promise buffer 30min, parts ETA on, wait in bay;
- one part P1: unit cost 40, price 50, container 1, weight 1; kanban with 1 card (1 unit on
  the shelf at time 0: ``start_stock: full``), call-offs every 2h from 08:00 to 16:00,
  constant lead time 1h;
- labour cost 55/h; horizon 1d, no warm-up, seed 1.

So the lone car is received 08:00-08:15, works 08:15-10:15, QC 10:15-10:25, delivery
10:25-10:30, and its promise is 08:15 + 2h + 10min + 5min + 30min = 11:00.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from sim.kpi import KPI_COLUMNS
from sim.loading import validate_raw
from sim.model.records import RunResult
from sim.model.world import simulate
from sim.scenario import Scenario

DELETE = "<delete>"

BASE: dict[str, Any] = {
    "name": "model-test",
    "run": {"horizon": "1d", "warmup": "0d", "replications": 1, "seed": 1},
    "calendar": {"open": "08:00", "close": "17:00", "breaks": [], "days": "all"},
    "resources": {"advisors": 1, "qc": 1, "bays": 1, "mechanics": 1},
    "demand": {
        "appointments": {
            "per_day": 1,
            "slot": "9h",
            "no_show": 0.0,
            "cancel_after": "30min",
            "lateness": "0min",
        },
        "job_types": {
            "service": {
                "share": 1.0,
                "route": [{"op": "repair", "uses": ["bays", "mechanics"]}],
                "standard_hours": "2h",
                "parts": {"lines": 0, "qty": 1},
                "labour_rate": 100,
                "qc_fail": 0.0,
                "comeback": 0.0,
            }
        },
    },
    "workshop": {
        "reception": "15min",
        "qc": "10min",
        "delivery": "5min",
        "promise": {"buffer": "30min", "parts_eta": True},
        "stockout": "wait_in_bay",
    },
    "parts": {"catalogue": "<written by make_scenario>"},
    "supply": {
        "policy": "kanban",
        "call_off": {"every": "2h", "first": "08:00", "last": "16:00"},
        "lead_time": "1h",
        "kanban": {"cards": 1, "release": "on_request"},
        "start_stock": "full",
    },
    "economics": {"currency": "CNY", "labour_cost_per_hour": 55},
}

P1 = {"part_no": "P1", "unit_cost": 40, "unit_price": 50, "container_qty": 1, "weight": 1}


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` merged onto a copy of ``base``; ``DELETE`` removes a key."""
    out = copy.deepcopy(dict(base))
    for k, v in over.items():
        if v == DELETE:
            out.pop(k, None)
        elif isinstance(v, Mapping) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def _catalogue_text(rows: list[dict[str, Any]]) -> str:
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


@pytest.fixture(scope="session")
def catalogue_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("model_catalogues")


@pytest.fixture
def make_scenario(catalogue_dir: Path) -> Callable[..., Scenario]:
    """Build a validated Scenario from ``BASE`` deep-merged with ``overrides``.

    ``parts`` is a list of catalogue rows (default: the single part P1); ``part`` is a dict
    merged into P1 for the common one-part case.
    """

    def make(
        overrides: Mapping[str, Any] | None = None,
        *,
        parts: list[dict[str, Any]] | None = None,
        part: Mapping[str, Any] | None = None,
    ) -> Scenario:
        rows = parts if parts is not None else [{**P1, **(part or {})}]
        text = _catalogue_text(rows)
        path = catalogue_dir / f"cat_{hashlib.sha256(text.encode()).hexdigest()[:16]}.csv"
        if not path.exists():
            path.write_text(text, encoding="utf-8")
        raw = deep_merge(BASE, {"parts": {"catalogue": str(path)}})
        raw = deep_merge(raw, overrides or {})
        return validate_raw(raw, file="<test>")

    return make


@pytest.fixture
def run() -> Callable[..., RunResult]:
    """``simulate`` with the trace on by default."""

    def _run(scenario: Scenario, replication: int = 0, trace: bool = True) -> RunResult:
        return simulate(scenario, replication, trace=trace)

    return _run


@pytest.fixture
def check_kpis() -> Callable[[Mapping[str, float | None], Mapping[str, float | None]], None]:
    """Assert the named KPIs (None means an empty cell) to 1e-9 relative precision."""

    def check(kpis: Mapping[str, float | None], expected: Mapping[str, float | None]) -> None:
        assert set(kpis) == set(KPI_COLUMNS)
        wrong = {}
        for name, want in expected.items():
            assert name in KPI_COLUMNS, f"not a KPI column: {name}"
            got = kpis[name]
            if want is None:
                ok = got is None
            else:
                ok = got is not None and math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9)
            if not ok:
                wrong[name] = (got, want)
        assert not wrong, f"KPI (got, expected): {wrong}"

    return check


@pytest.fixture
def busy_at() -> Callable[[Any, str, float], int]:
    """Busy units of ``pool`` just after every change at or before ``t_h`` (trace pools table)."""

    def busy(pools: Any, pool: str, t_h: float) -> int:
        rows = pools[(pools["pool"] == pool) & (pools["time_h"] <= t_h + 1e-12)]
        return int(rows["busy"].iloc[-1]) if len(rows) else 0

    return busy
