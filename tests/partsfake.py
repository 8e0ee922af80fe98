"""A stand-in for the model's per-part table (``RunResult.extra["parts"]``) until it lands.

``parts_of`` gives four parts (three stocked, one not) whose figures depend on the
replication, with the size columns of the scenario's policy; ``with_parts`` wraps a simulate
function so that its results carry the table and their ``stockout_events`` and
``emergency_orders`` KPIs are the per-part sums, as the model's will be.
"""

from __future__ import annotations

import math
from typing import Any

from sim.experiment import Simulate
from sim.model.records import RunResult
from sim.scenario import Scenario

SIZES: dict[str, dict[str, list[int | None]]] = {
    "kanban": {"cards": [3, 2, 1, None]},
    "order_up_to": {"level": [9, 6, 3, None]},
    "reorder_point": {"point": [4, 2, 1, None], "qty": [6, 4, 2, None]},
}


def parts_of(policy: str, replication: int) -> dict[str, list[Any]]:
    """Replication ``replication``'s parts table (r = replication):

    P1: wait 3.5 + r h, fill rate 1 - r / 4; P4 (not stocked): wait 6.25 h, 1/3 + r
    emergency orders; P2 never short; P3 never requested (fill rate None).
    """
    r = replication
    return {
        "part_no": ["P1", "P2", "P3", "P4"],
        "stocked": [True, True, True, False],
        **SIZES[policy],
        "lines": [10 + r, 4, 0, 2],
        "units_requested": [12 + r, 5, 0, 2],
        "fill_rate": [1.0 - 0.25 * r, 1.0, None, 0.0],
        "stockout_events": [1 + r, 0, 0, 2],
        "parts_wait_h": [3.5 + r, 0.0, 0.0, 6.25],
        "avg_inventory_units": [4.0, 2.5, 1.0 + r, 0.0],
        "avg_inventory_value": [40.0, 25.0, 10.0 + 10 * r, 0.0],
        "emergency_orders": [0.5, 0.0, 0.0, 1 / 3 + r],
    }


def add_parts(result: RunResult, policy: str) -> RunResult:
    """``result`` with the parts table and the per-part sums as its two summed KPIs."""
    parts = parts_of(policy, result.replication)
    result.extra["parts"] = parts
    result.kpis["stockout_events"] = float(sum(parts["stockout_events"]))
    result.kpis["emergency_orders"] = math.fsum(parts["emergency_orders"])
    return result


def with_parts(simulate: Simulate) -> Simulate:
    """``simulate`` whose results carry a parts table."""

    def run(scenario: Scenario, replication: int, trace: bool = False) -> RunResult:
        return add_parts(simulate(scenario, replication, trace=trace), scenario.supply.policy)

    return run
