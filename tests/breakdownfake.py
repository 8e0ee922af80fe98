"""A stand-in for the model's breakdown (``RunResult.extra["breakdown"]``) for results tests.

``breakdown_of(r)`` gives two pools and two job types whose figures depend on the
replication r; ``with_breakdown`` wraps a simulate function so that its results carry it.
"""

from __future__ import annotations

from typing import Any

from sim.experiment import Simulate
from sim.model.records import RunResult
from sim.scenario import Scenario


def breakdown_of(replication: int) -> dict[str, Any]:
    """Replication r's breakdown: the bay busy 0.5 + 0.1 r, the booth 0.9 (the bottleneck);
    body jobs' on-time rate undefined in replication 0."""
    r = replication
    return {
        "pool": {
            "bays": {"utilization": 0.5 + 0.1 * r, "occupancy": 2.0 + r, "mean_wait_h": 0.25},
            "booth <1>": {"utilization": 0.9, "occupancy": 0.75, "mean_wait_h": 1.0 + r},
            "advisors": {"utilization": 0.4, "occupancy": 0.5, "mean_wait_h": None},
        },
        "job_type": {
            "service": {
                "jobs_delivered": 10.0 + r,
                "on_time_rate": 0.9,
                "mean_lead_time_h": 3.0 + r,
                "mean_wait_h": 0.5,
                "revenue": 1000.0 * (1 + r),
            },
            "body & paint": {
                "jobs_delivered": float(r),
                "on_time_rate": None if r == 0 else 0.5,
                "mean_lead_time_h": None if r == 0 else 20.0,
                "mean_wait_h": 2.0,
                "revenue": 500.0 * r,
            },
        },
    }


def with_breakdown(simulate: Simulate) -> Simulate:
    """``simulate`` whose results carry a breakdown."""

    def run(scenario: Scenario, replication: int, trace: bool = False) -> RunResult:
        res = simulate(scenario, replication, trace=trace)
        res.extra["breakdown"] = breakdown_of(replication)
        return res

    return run
