"""The shipped default dealer answers the planner's stock question the way a parts manager
expects: stock grows with the call-off interval, slow movers are ordered per job and fast
movers come in several containers, and its figures sit in the ranges dealers report.

The ranges are the public benchmarks quoted in ``scenarios/default.yaml``; they are checked
here as requirements, not copied from the model's output.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from sim.batch import load_batch
from sim.experiment import t_quantile
from sim.model.world import simulate, sizes_for

ROOT = Path(__file__).resolve().parents[2]
BATCH = ROOT / "scenarios" / "batches" / "call_off_interval.yaml"
REPS = 4


@pytest.fixture(scope="module")
def interval_runs() -> dict[str, list[dict[str, float | None]]]:
    batch = load_batch(BATCH, horizon="30d", replications=REPS)
    return {s.name: [simulate(s, r).kpis for r in range(REPS)] for s in batch.scenarios}


def _mean(rows: list[dict[str, float | None]], kpi: str) -> float:
    return float(np.mean([row[kpi] for row in rows]))


def test_stock_grows_with_the_call_off_interval(interval_runs) -> None:
    """1 h <= 2 h <= 4 h <= daily, and daily - 2 h is significant (paired by replication,
    common random numbers)."""
    order = ["call_off_1h", "call_off_2h", "call_off_4h", "call_off_daily"]
    stock = [_mean(interval_runs[name], "avg_inventory_value") for name in order]
    assert stock == sorted(stock), dict(zip(order, stock, strict=True))
    diff = np.array(
        [
            a["avg_inventory_value"] - b["avg_inventory_value"]
            for a, b in zip(
                interval_runs["call_off_daily"], interval_runs["call_off_2h"], strict=True
            )
        ]
    )
    half = t_quantile(0.975, REPS - 1) * diff.std(ddof=1) / math.sqrt(REPS)
    assert diff.mean() - half > 0, (diff.mean(), half)


def test_trucks_and_emergency_orders_trade_off(interval_runs) -> None:
    """Fewer trucks with a longer interval; the daily order needs more emergency orders, and
    its logistics cost (trucks + holding + emergency orders) is the lowest of the batch."""
    trucks = {n: _mean(rows, "deliveries") for n, rows in interval_runs.items()}
    assert trucks["call_off_1h"] > trucks["call_off_2h"] > trucks["call_off_daily"] > 0
    emergency = {n: _mean(rows, "emergency_orders") for n, rows in interval_runs.items()}
    assert emergency["call_off_daily"] > emergency["call_off_2h"]
    cost = {n: _mean(rows, "logistics_cost") for n, rows in interval_runs.items()}
    assert min(cost, key=cost.get) == "call_off_daily"  # type: ignore[arg-type]


def test_default_in_the_ranges_dealers_report(interval_runs) -> None:
    """The two-hourly default: first-time fill by piece at least 90 % (CATA, KEA Advisors);
    the shelf meets its 0.95 target; stock a few weeks of use at most (dealers hold about 45
    days; JIT call-offs should hold less, and more than one day of slow movers); emergency
    orders for a small share of jobs."""
    rows = interval_runs["call_off_2h"]
    assert _mean(rows, "fill_rate") >= 0.90
    assert _mean(rows, "stocked_fill_rate") >= 0.95
    assert 1.0 < _mean(rows, "days_of_supply") <= 45.0
    jobs = _mean(rows, "jobs_delivered")
    assert _mean(rows, "emergency_orders") < 0.05 * jobs


def test_slow_movers_ordered_per_job_fast_movers_in_several_containers() -> None:
    """Auto stocking keeps the parts with fewer than three demands a year off the shelf;
    the ten fastest movers each hold two or more containers."""
    batch = load_batch(BATCH)
    sizes = sizes_for(batch.scenarios[1])
    stocked = sizes["stocked"] == 1
    assert 0 < stocked.sum() < len(stocked)
    fastest = np.argsort(-sizes["demand_per_open_hour"])[:10]
    assert stocked[fastest].all()
    assert (sizes["cards"][fastest] >= 2).all()
    assert (sizes["cards"][~stocked] == 0).all()
