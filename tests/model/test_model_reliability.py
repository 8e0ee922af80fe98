"""Unreliable supply (``supply.reliability``): late trucks and random outages, by hand.

Base scenario (see conftest): one booked car a day at 08:00 needing one unit of P1 (one
kanban card, one unit on the shelf at time 0), taken at 08:15; its card leaves with the next
call-off (08:00, 10:00, ... 16:00), constant lead time 1h.
"""

from __future__ import annotations

import math

import pytest

from sim.model.world import World

ONE_LINE = {"demand": {"job_types": {"service": {"parts": {"lines": 1, "qty": 1}}}}}
H = 60.0


def late(probability: float, by: object) -> dict:
    return {**ONE_LINE, "supply": {"reliability": {"late": {"probability": probability, "by": by}}}}


def test_a_late_truck_arrives_late_but_is_expected_on_schedule(make_scenario, run, check_kpis):
    # Probability 1, 30min late: the card released at 08:15 leaves at 10:00 and arrives
    # 11:30, not 11:00. Shelf: 1 unit until 08:15, none until 11:30, 1 until midnight.
    s = make_scenario(late(1.0, "30min"))
    res = run(s)
    trucks = res.extra["trucks"]
    assert trucks["departure_h"].tolist() == pytest.approx([10.0])
    assert trucks["arrival_h"].tolist() == pytest.approx([11.5])
    check_kpis(res.kpis, {"avg_inventory_units": (495 + 750) / 1440, "deliveries": 1})
    # Nobody knows in advance: at 10:30 the truck is expected at its schedule, 11:00, by
    # the promise's ETA and the emergency rule alike.
    world = World(s, 0)
    world.env.run(until=10.5 * H)
    part = world.parts[0]
    assert [(t.arrival, t.scheduled, n) for t, n in part.in_transit.items()] == [
        (11.5 * H, 11.0 * H, 1)
    ]
    assert world.supply.eta(part) == 11.0 * H
    assert world.supply.regular_arrival(part, 1) == 11.0 * H


def test_probability_zero_changes_nothing(make_scenario, run):
    base = run(make_scenario(ONE_LINE), trace=False)
    never = run(make_scenario(late(0.0, "3h")), trace=False)
    assert never.kpis == base.kpis


# Outages every 2 days for 1 day: [2d, 3d) and [4d, 5d) within 6 days (the next would start
# at 6d, the end). Timeline in hours from Monday 00:00:
#   day 0: the 08:15 card leaves 10 (arrives 11); day 1: 34 (arrives 35);
#   day 2 (outage): the card waits, every call-off of the day is held;
#   day 3: it leaves with the 08:00 call-off (80, arrives 81); the day's car asks at 80.25,
#     waits for that truck, and its own card leaves at 82;
#   day 4 (outage): held again until day 5, 08:00 (128); day 5's card leaves at 130.
EVERY_2D = {"every": "2d", "duration": "1d"}
DEPARTURES_H = [10.0, 34.0, 80.0, 82.0, 128.0, 130.0]


def test_random_outages_every_n_days(make_scenario, run):
    s = make_scenario(
        {**ONE_LINE, "run": {"horizon": "6d"}, "supply": {"reliability": {"outages": EVERY_2D}}}
    )
    world = World(s, 0)
    assert world.supply.random_outages == [(2 * 1440.0, 3 * 1440.0), (4 * 1440.0, 5 * 1440.0)]
    res = run(s)
    assert res.extra["trucks"]["departure_h"].tolist() == pytest.approx(DEPARTURES_H)
    # Day 3's and day 5's cars wait 45 min for the truck that the outage held.
    assert res.kpis["parts_wait_h"] == pytest.approx(1.5)
    # They act exactly like the same outages placed by hand.
    placed = make_scenario(
        {
            **ONE_LINE,
            "run": {"horizon": "6d"},
            "supply": {
                "disruptions": [
                    {"kind": "outage", "start": "2d", "end": "3d"},
                    {"kind": "outage", "start": "4d", "end": "5d"},
                ]
            },
        }
    )
    by_hand = run(placed)
    assert by_hand.kpis == res.kpis
    assert by_hand.extra["trucks"].equals(res.extra["trucks"])


def test_a_random_outage_is_known_only_once_started(make_scenario):
    # Outages every 2 days lasting 12h-36h (mean 24h): the first starts at 48h. A container
    # queued for the next truck is expected at that truck's departure + 1h.
    s = make_scenario(
        {
            **ONE_LINE,
            "run": {"horizon": "3d"},
            "supply": {
                "reliability": {
                    "outages": {
                        "every": "2d",
                        "duration": {"dist": "uniform", "low": "12h", "high": "36h"},
                    }
                }
            },
        }
    )
    world = World(s, 0)
    start, end = world.supply.random_outages[0]
    assert start == 48 * H and end != 72 * H  # the drawn end is not the mean's
    part = world.parts[0]
    world.env.run(until=47 * H)  # Monday-based: day 1, 23:00
    world.supply.order(part.idx, 1)
    # Not announced: the 08:00 truck of day 2 (56h) is expected to leave, arriving 57h.
    assert world.supply.regular_arrival(part, 1) == 57 * H
    world.env.run(until=50 * H)
    # Started at 48h, expected to last its mean (24h): the first call-off after 72h is
    # day 3, 08:00 (80h), whatever its drawn end.
    assert world.supply.regular_arrival(part, 1) == 81 * H


def test_share_of_late_trucks_is_the_probability(make_scenario):
    # 1,500 days, one truck a day (one card, one car a day): each truck late with
    # probability 0.3, by U(30min, 3h). The share of late trucks and their mean delay lie
    # within 3 standard errors of 0.3 and 105 min.
    p = 0.3
    s = make_scenario(
        {
            **late(p, {"dist": "uniform", "low": "30min", "high": "3h"}),
            "run": {"horizon": "1500d"},
        }
    )
    world = World(s, 0)
    world.run()
    delays = [arrival - departure - H for departure, arrival, _ in world.supply.truck_log]
    n = len(delays)
    assert n >= 1400
    late_ones = [d for d in delays if d > 1e-9]
    assert all(30 - 1e-9 <= d <= 180 + 1e-9 for d in late_ones)
    share = len(late_ones) / n
    assert abs(share - p) <= 3 * math.sqrt(p * (1 - p) / n)
    sd = 150 / math.sqrt(12)
    assert abs(sum(late_ones) / len(late_ones) - 105) <= 3 * sd / math.sqrt(len(late_ones))
