"""Stocking and logistics-cost KPIs, and when an emergency order is worth placing.

Worked by hand on the base scenario of conftest.py: one car a day at 08:00, one unit of P1
(cost 40) per job, one card; the card leaves with the 10:00 call-off, its truck arrives 11:00.
"""

from __future__ import annotations

import pytest

from sim.loading import load_scenario
from sim.model.world import simulate
from tests.backtest.cases import SCENARIOS

ONE_LINE = {"demand": {"job_types": {"service": {"parts": {"lines": 1, "qty": 1}}}}}
TWO_CARS = {
    "resources": {"bays": 2, "mechanics": 2},
    "demand": {
        "appointments": {"per_day": 2},
        "job_types": {"service": {"parts": {"lines": 1, "qty": 1}}},
    },
}


def test_logistics_cost_of_one_day(make_scenario, run, check_kpis):
    s = make_scenario(
        {
            **ONE_LINE,
            "economics": {"holding_rate": 0.25},
            "supply": {
                "truck_cost": {"per_delivery": 300, "per_container": 5},
                "emergency": {"enabled": True, "cost": 80},
            },
        }
    )
    # Shelf: 1 unit on [0, 08:15), 0 until the 11:00 truck, 1 to midnight.
    value = 40 * (495 + 780) / 1440
    holding = value * 0.25 * 1 / 365  # a quarter of the value a year, for one day
    check_kpis(
        run(s, trace=False).kpis,
        {
            "stocked_parts": 1,
            "stocked_fill_rate": 1.0,
            "holding_cost": holding,
            "transport_cost": 300 + 5,  # one truck, one container
            "emergency_cost": 0.0,  # the unit was on the shelf
            "logistics_cost": holding + 305,
            # One unit of 40 used in the day: the stock covers value / 40 days.
            "days_of_supply": value / 40,
            "returns": 0,
        },
    )


def test_emergency_cost_counts_orders_placed(make_scenario, run, check_kpis):
    # Two cars asking one unit each, one card, two mechanics: B starts at 08:30 with the
    # shelf empty; A's card waits for the 10:00 call-off (truck at 11:00), so a 30-minute
    # emergency order (09:00) is sooner: placed, at 80.
    s = make_scenario(
        {
            **TWO_CARS,
            "supply": {
                "truck_cost": {"per_delivery": 300},
                "emergency": {"enabled": True, "lead_time": "30min", "cost": 80},
            },
        }
    )
    check_kpis(
        run(s, trace=False).kpis,
        {"emergency_orders": 1, "emergency_cost": 80.0, "transport_cost": 300.0},
    )


def test_no_emergency_when_the_regular_truck_comes_first(make_scenario, run, check_kpis):
    # As above: at 08:30 B waits for one unit; the cards released by A and B leave with the
    # 10:00 call-off, due 11:00. A 2h emergency service (10:30) is sooner: placed. A 3h one
    # (11:30) is not: the regular truck serves B first.
    for lead, placed in (("2h", 1), ("3h", 0)):
        s = make_scenario(
            {**TWO_CARS, "supply": {"emergency": {"enabled": True, "lead_time": lead}}}
        )
        check_kpis(run(s, trace=False).kpis, {"emergency_orders": placed})


@pytest.mark.parametrize("rep", [0, 1])
def test_hourly_trucks_never_need_a_four_hour_emergency(rep):
    """The default dealer with trucks every hour (08:00-16:00) and 30 minutes' transit: the
    next truck always beats a 4h emergency service to the workshop (the last truck of the
    day is due 16:30; one ordered after it would arrive at or after 20:30, closed, and the
    08:00 call-off's truck is due at the 08:30 opening)."""
    s = load_scenario(
        SCENARIOS / "default.yaml",
        ["supply.call_off.every=1h", "supply.lead_time=30min", "supply.truck_capacity=null"],
        horizon="14d",
    )
    kpis = simulate(s, rep).kpis
    assert kpis["stockout_events"] > 0  # there were waits to order for
    assert kpis["emergency_orders"] == 0
