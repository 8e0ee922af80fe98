"""Auto sizing: the protection span T in working hours, and the sizes each policy takes.

Worked by hand on the base scenario of conftest.py (08:00-17:00 every day, 9 open hours);
nine cars a day each asking for one unit of the one part: D = 1 unit per open hour.
"""

from __future__ import annotations

import pytest

from sim import theory
from sim.model.sizing import protection_span
from sim.model.world import calendar_of, sizes_for

NINE_A_DAY = {
    "resources": {"bays": 9, "mechanics": 9},
    "demand": {
        "appointments": {"per_day": 9},
        "job_types": {"service": {"parts": {"lines": 1, "qty": 1}}},
    },
}


@pytest.mark.parametrize(
    ("call_off", "lead", "total", "first_truck"),
    [
        # 08:00 .. 16:00 every 2h, 1h trucks: from 08:00 to the 10:00 truck's arrival at
        # 11:00 is 3 working hours (the same up to 14:00 -> 17:00); 16:00 -> 09:00 next day is
        # only 2. T = 3, of which 1 passes before the 08:00 order arrives.
        ({"every": "2h", "first": "08:00", "last": "16:00"}, "1h", 3.0, 1.0),
        # Daily at 18:00 with a 13h overnight truck (arrives 07:00): the next call-off's
        # truck arrives 07:00 two days on, so T = the one working day in between, 9 h, and
        # the order protects nothing before it arrives (0 working hours).
        ({"every": "1d", "first": "18:00", "last": "18:00"}, "13h", 9.0, 0.0),
        # Daily at 16:00, 2h lead (arrives 18:00): 16:00-17:00 + the next day = 10 h.
        ({"every": "1d", "first": "16:00", "last": "16:00"}, "2h", 10.0, 1.0),
        # Mondays and Thursdays at 12:00, 1h lead: Thursday 12:00 to Monday 13:00 is
        # 5 + 9 + 9 + 9 + 5 = 37 working hours (Monday to Thursday is only 28).
        (
            {"every": "1d", "first": "12:00", "last": "12:00", "days": ["mon", "thu"]},
            "1h",
            37.0,
            1.0,
        ),
    ],
)
def test_protection_span_in_working_hours(make_scenario, call_off, lead, total, first_truck):
    s = make_scenario({**NINE_A_DAY, "supply": {"call_off": call_off, "lead_time": lead}})
    span = protection_span(s, calendar_of(s))
    assert span.total == pytest.approx(total)
    assert span.lead == pytest.approx(first_truck)
    assert span.review == pytest.approx(total - first_truck)


def test_kanban_reorder_point_covers_the_span(make_scenario):
    # D = 1/h, T = 3 h, safety 0.2: P = ceil(3.6) = 4 units; N = P/C + 1 = 5 cards, so the
    # reorder point (N-1)·C = 4 covers T. Order-up-to S = P = 4; reorder point s = 4, Q = 1.
    base = {**NINE_A_DAY, "supply": {"kanban": {"cards": "auto", "safety": 0.2}}}
    assert sizes_for(make_scenario(base))["cards"].tolist() == [5]
    out = make_scenario({**base, "supply": {"policy": "order_up_to"}})
    assert sizes_for(out)["order_up_to"].tolist() == [4]
    rp = sizes_for(make_scenario({**base, "supply": {"policy": "reorder_point"}}))
    assert (rp["reorder_point"].tolist(), rp["order_qty"].tolist()) == ([4], [1])


def test_round_the_clock_is_the_textbook_span(make_scenario):
    # Every 4h round the clock with a 2h lead: T = R + L = 6 h exactly. Nine cars a day
    # -> 0.375 units/h; P = ceil(0.375 x 6 x 1.2) = ceil(2.7) = 3; N = 4.
    s = make_scenario(
        {
            **NINE_A_DAY,
            "calendar": {"open": "00:00", "close": "24:00"},
            "supply": {
                "call_off": {"every": "4h", "first": "00:00", "last": "20:00"},
                "lead_time": "2h",
                "kanban": {"cards": "auto"},
            },
        }
    )
    span = protection_span(s, calendar_of(s))
    assert (span.total, span.review, span.lead) == pytest.approx((6.0, 4.0, 2.0))
    assert sizes_for(s)["cards"].tolist() == [4]


def test_daily_overnight_supply_is_not_oversized(make_scenario):
    # 1 unit per open hour, daily 18:00 call-off, overnight 13h truck: T = 9 open hours ->
    # P = ceil(1 x 9 x 1.2) = 11, N = 12 cards. Counting elapsed hours (from 18:00 to the
    # arrival two days on, 37 h) would give four times the stock for the same protection.
    s = make_scenario(
        {
            **NINE_A_DAY,
            "supply": {
                "call_off": {"every": "1d", "first": "18:00", "last": "18:00"},
                "lead_time": "13h",
                "kanban": {"cards": "auto"},
            },
        }
    )
    assert sizes_for(s)["cards"].tolist() == [12]


def test_every_stocked_part_gets_two_cards_by_formula(make_scenario):
    # One unit a day in containers of 4: D·T·1.2 / C = (1/9) x 3 x 1.2 / 4 = 0.1, yet the
    # formula gives a two-bin loop: one container to use, one to cover the span.
    s = make_scenario(
        {
            "demand": {"job_types": {"service": {"parts": {"lines": 1, "qty": 1}}}},
            "supply": {"kanban": {"cards": "auto"}},
        },
        part={"container_qty": 4},
    )
    assert sizes_for(s)["cards"].tolist() == [2]


@pytest.mark.parametrize("target", [0.9, 0.99])
def test_target_fill_takes_the_fewest_containers_by_theory(make_scenario, target):
    """Each policy's size is the least whose theoretical fill reaches the target, found here
    by brute force over the (R, nQ) and (R, S) results of sim.theory."""
    base = {**NINE_A_DAY, "supply": {"kanban": {"cards": "auto", "target_fill": target}}}
    s = make_scenario(base, parts=[{**_P1, "container_qty": 2}])
    span = protection_span(s, calendar_of(s))
    loops = [theory.kanban_loop(1.0, span.review, span.lead, n, 2) for n in range(1, 20)]
    want = next(n for n, r in enumerate(loops, start=1) if r.fill_rate >= target)
    assert sizes_for(s)["cards"].tolist() == [want]
    out = make_scenario(
        {**base, "supply": {"policy": "order_up_to", "order_up_to": {"target_fill": target}}},
        parts=[{**_P1, "container_qty": 2}],
    )
    levels = [theory.order_up_to(1.0, span.review, span.lead, 2 * k) for k in range(1, 20)]
    want_s = next(2 * k for k, r in enumerate(levels, start=1) if r.fill_rate >= target)
    assert sizes_for(out)["order_up_to"].tolist() == [want_s]


_P1 = {"part_no": "P1", "unit_cost": 40, "unit_price": 50, "container_qty": 1, "weight": 1}
