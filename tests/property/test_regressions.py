"""Bugs found by the property tests, pinned as minimal scenarios (all fixed since).

Each test states the rule it checks on the smallest scenario that broke it. While a bug
stands its test carries ``xfail(strict=True)`` with the file and line at fault; the mark goes
when the fix lands.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from harness import drawn_arrivals

from sim.loading import ScenarioError, validate_raw
from sim.model.world import World, simulate

TINY: dict[str, Any] = {
    "name": "tiny",
    "run": {"horizon": "2d", "seed": 3},
    "calendar": {"open": "08:00", "close": "17:00"},
    "resources": {"advisors": 1, "qc": 1, "bays": 1},
    "demand": {
        "walk_ins": {"per_day": 5},
        "job_types": {
            "a": {
                "share": 1.0,
                "route": [{"op": "r", "uses": ["bays"], "standard_hours": "1h"}],
                "parts": {"lines": 2},
            }
        },
    },
    "workshop": {"reception": "5min", "qc": "5min", "delivery": "5min"},
    "parts": {"generate": {"count": 3}},
    "supply": {"lead_time": "1h"},
    "economics": {},
}


def test_late_car_does_not_delay_next_day() -> None:
    """Was sim/model/demand.py arrivals(): cars were released one day at a time, so a booked
    car whose lateness carried it past midnight held env.now in the next day and that day's
    earlier cars were stamped with its time.

    Round the clock, every booking 90 min late: the 23:30 slot arrives at 01:00 on day 1, and
    a walk-in drawn for 00:00:32 on day 1 came at 01:00 with it. Every car must arrive at its
    drawn time."""
    raw = copy.deepcopy(TINY)
    raw["calendar"] = {"open": "00:00", "close": "24:00"}
    raw["demand"]["walk_ins"] = {"per_day": 20}
    raw["demand"]["appointments"] = {
        "per_day": 48,
        "slot": "30min",
        "lateness": "90min",
        "cancel_after": "120min",
    }
    raw["demand"]["job_types"]["a"]["parts"] = {"lines": 0}
    scenario = validate_raw(raw, file="late.yaml")
    spilled = 0
    for rep in range(4):
        world = World(scenario, rep)
        world.run()
        got = sorted((float(j.arrival), j.booked) for j in world.jobs)
        expected = drawn_arrivals(world)
        assert [b for _, b in got] == [b for _, b in expected]
        assert [t for t, _ in got] == pytest.approx([t for t, _ in expected], rel=0, abs=1e-9)
        spilled += sum(b and 1440 <= t < 1440 + 90 for t, b in expected)
    assert spilled > 0  # the scenario does make late bookings spill past midnight


def _accepted_then_runs(raw: dict[str, Any]) -> None:
    """A scenario that validates must simulate; otherwise validation must reject it."""
    try:
        scenario = validate_raw(raw, file="bug.yaml")
    except ScenarioError:
        return  # rejected up front, as every input is: validated before anything runs
    simulate(scenario, 0)


def test_call_off_without_days_is_rejected_or_runs() -> None:
    """Was: ``call_off.days: []`` validated, then sim/model/sizing.py review_hours divided by
    zero inside simulate (one call-off a day) or no truck ever left (several)."""
    raw = copy.deepcopy(TINY)
    raw["supply"]["call_off"] = {"every": "1d", "first": "08:00", "last": "08:00", "days": []}
    _accepted_then_runs(raw)


@pytest.mark.parametrize(
    "supply",
    [
        {"policy": "kanban", "kanban": {"cards": "catalogue"}},
        {"policy": "order_up_to", "order_up_to": {"level": "catalogue"}},
        {"policy": "reorder_point", "reorder_point": {"qty": "catalogue"}},
    ],
    ids=["cards", "order_up_to", "order_qty"],
)
def test_catalogue_sizes_without_column_rejected_or_run(supply: dict[str, Any]) -> None:
    """Was: size ``catalogue`` with a generated catalogue validated, then
    sim/model/sizing.py resolved_sizes raised ValueError inside simulate (`validate` said ok,
    `run` exited 1 with a traceback instead of 2)."""
    raw = copy.deepcopy(TINY)
    raw["supply"].update(supply)
    _accepted_then_runs(raw)
