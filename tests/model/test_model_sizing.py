"""Auto sizing counts review and lead time in open hours, because D is per open hour.

Worked by hand on the base scenario of conftest.py (08:00-17:00 every day, 9 open hours).
"""

from __future__ import annotations

import pytest

from sim.model.sizing import lead_open_hours, review_hours
from sim.model.world import calendar_of, sizes_for

NINE_A_DAY = {
    "resources": {"bays": 9, "mechanics": 9},
    "demand": {
        "appointments": {"per_day": 9},
        "job_types": {"service": {"parts": {"lines": 1, "qty": 1}}},
    },
}


@pytest.mark.parametrize(
    ("call_off", "lead", "r_open", "l_open"),
    [
        # Five call-offs a day (08:00 .. 16:00): 9 open hours / 5 = 1.8 h; every 1h lead time
        # lies inside opening hours.
        ({"every": "2h", "first": "08:00", "last": "16:00"}, "1h", 1.8, 1.0),
        # One call-off a day at 18:00 with a 13h overnight truck (arrives 07:00): R = the 9
        # open hours of a day, not 24; L = 0 open hours.
        ({"every": "1d", "first": "18:00", "last": "18:00"}, "13h", 9.0, 0.0),
        # Daily at 16:00, 2h lead: arrives 18:00, of which 16:00-17:00 is open: L = 1h.
        ({"every": "1d", "first": "16:00", "last": "16:00"}, "2h", 9.0, 1.0),
        # Call-offs only on Mondays and Thursdays at 12:00: 63 open hours a week / 2 = 31.5.
        (
            {"every": "1d", "first": "12:00", "last": "12:00", "days": ["mon", "thu"]},
            "1h",
            31.5,
            1.0,
        ),
    ],
)
def test_review_and_lead_in_open_hours(make_scenario, call_off, lead, r_open, l_open):
    s = make_scenario({**NINE_A_DAY, "supply": {"call_off": call_off, "lead_time": lead}})
    cal = calendar_of(s)
    assert review_hours(s, cal) == pytest.approx(r_open)
    assert lead_open_hours(s, cal) == pytest.approx(l_open)


def test_round_the_clock_sizing_is_the_textbook_formula(make_scenario):
    # Round the clock every 4h with a 2h lead: R = 4, L = 2 exactly. Nine bookings a day
    # (two 9h slots fit in 24h, five bookings each at most) -> 9 units a day
    # = 0.375 units/h; N = ceil(0.375 x 6 x 1.2 / 1) = ceil(2.7) = 3.
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
    cal = calendar_of(s)
    assert review_hours(s, cal) == pytest.approx(4.0)
    assert lead_open_hours(s, cal) == pytest.approx(2.0)
    assert sizes_for(s)["cards"].tolist() == [3]


def test_daily_overnight_supply_is_not_oversized(make_scenario):
    # 1 unit per open hour, daily 18:00 call-off, overnight 13h truck: R + L = 9 + 0 open
    # hours -> N = ceil(1 x 9 x 1.2) = 11 cards. Counting elapsed hours (24 + 13) would give
    # ceil(44.4) = 45 cards: four times the stock for the same protection.
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
    assert sizes_for(s)["cards"].tolist() == [11]
