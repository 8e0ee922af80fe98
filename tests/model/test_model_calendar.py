"""Working-time rules: breaks, closing time, utilisation over working time, reception order.

Base scenario in conftest (08:00-17:00, one booked car at 08:00, 2h job, reception 15min,
QC 10min, delivery 5min, buffer 30min).
"""

from __future__ import annotations

import pytest

LUNCH = {"calendar": {"breaks": [["12:00", "13:00"]]}}


def with_lunch(extra: dict) -> dict:
    """The lunch-break calendar, with a 4h slot: 08:00 is its only start clear of the break
    (08:00-12:00 fits; 12:00-16:00 overlaps the break; 16:00 is past close - 4h = 13:00)."""
    out = {**LUNCH, **extra}
    out.setdefault("demand", {}).setdefault("appointments", {})["slot"] = "4h"
    return out


def test_labour_across_lunch_break_ends_an_hour_later(make_scenario, run, check_kpis):
    s = make_scenario(with_lunch({"demand": {"job_types": {"service": {"standard_hours": "4h"}}}}))
    res = run(s)
    j = res.jobs.iloc[0]
    # Labour 4h from 08:15: 225 min to 12:00, the last 15 min from 13:00: ends 13:15.
    assert j["first_start_h"] == pytest.approx(8.25)
    assert j["labour_hours"] == pytest.approx(4.0)
    # QC 13:15-13:25, delivery 13:25-13:30.
    assert j["delivery_end_h"] == pytest.approx(13.5)
    # Promise 08:15 + 4h45 of working time: 3h45 to 12:00, 1h from 13:00 -> 14:00.
    assert j["promise_h"] == pytest.approx(14.0)
    check_kpis(
        res.kpis,
        {
            "on_time_rate": 1.0,
            "mean_lead_time_h": 5.5,  # 08:00 -> 13:30, the break included (elapsed hours)
            # Working time is 8h a day; the bay is held 08:15-13:15 but only 4h of it is
            # working time.
            "bay_utilization": 240 / 480,
            "technician_utilization": 240 / 480,
            "revenue": 400.0,
            "gross_margin": 400 - 4 * 55,
        },
    )


def test_reception_pauses_over_the_break(make_scenario, run):
    # The 08:00 booking arrives 3h50 late (cancel_after 4h): 11:50.
    s = make_scenario(
        with_lunch({"demand": {"appointments": {"lateness": "230min", "cancel_after": "4h"}}})
    )
    res = run(s)
    j = res.jobs.iloc[0]
    assert j["arrival_h"] == pytest.approx(11 + 50 / 60)
    assert j["reception_start_h"] == pytest.approx(11 + 50 / 60)
    # Reception 15min: 10 before the break, 5 after: 13:05.
    assert j["reception_end_h"] == pytest.approx(13 + 5 / 60)
    # Labour 2h from 13:05 to 15:05, QC to 15:15, delivery to 15:20.
    assert j["delivery_end_h"] == pytest.approx(15 + 20 / 60)
    # Promise 13:05 + 2h45 = 15:50.
    assert j["promise_h"] == pytest.approx(15 + 50 / 60)


def test_car_arriving_in_break_is_received_at_its_end(make_scenario, run):
    # The 08:00 booking arrives 4h30 late (cancel_after 5h): 12:30, during the break.
    s = make_scenario(
        with_lunch({"demand": {"appointments": {"lateness": "270min", "cancel_after": "5h"}}})
    )
    j = run(s).jobs.iloc[0]
    assert j["arrival_h"] == pytest.approx(12.5)
    assert j["reception_start_h"] == pytest.approx(13.0)
    assert j["reception_end_h"] == pytest.approx(13.25)


def test_step_reaching_closing_resumes_next_opening(make_scenario, run, check_kpis):
    # A 10h job on Monday, a second car on Tuesday; one bay, one mechanic; 2 days.
    s = make_scenario(
        {"run": {"horizon": "2d"}, "demand": {"job_types": {"service": {"standard_hours": "10h"}}}}
    )
    res = run(s)
    a, b = res.jobs.iloc[0], res.jobs.iloc[1]
    # Car A: labour from 08:15 Mon; 525 min to 17:00, the last 75 min from Tue 08:00 -> 09:15
    # (24 + 9.25 = 33.25h); QC to 09:25, delivery to 09:30 = 33.5h.
    assert a["delivery_end_h"] == pytest.approx(33.5)
    # Promise 08:15 Mon + 10h45 working: 8h45 Monday, 2h Tuesday -> Tue 10:00 = 34h.
    assert a["promise_h"] == pytest.approx(34.0)
    # Car B arrives Tue 08:00 (32h), reception to 08:15, waits for the bay A holds overnight
    # until 09:15; its 10h run past the horizon (Tue 09:15 + 7h45 today, 2h15 Wednesday).
    assert b["arrival_h"] == pytest.approx(32.0)
    assert b["reception_end_h"] == pytest.approx(32.25)
    assert b["first_start_h"] == pytest.approx(33.25)
    assert b["delivery_end_h"] != b["delivery_end_h"]  # NaN: not delivered
    check_kpis(
        res.kpis,
        {
            "vehicles_received": 2,
            "jobs_delivered": 1,
            "on_time_rate": 1.0,
            "mean_lead_time_h": 33.5 - 8.0,  # 25.5 elapsed hours, the night included
            "mean_bay_wait_h": (0 + 1.0) / 2,  # A: 0; B: 08:15 -> 09:15
            # Bay busy Mon 08:15-17:00 (525 min) and all of Tuesday's 540 working minutes
            # (A until 09:15, then B); the night does not count: 1065 / (2 x 540).
            "bay_utilization": 1065 / 1080,
            "technician_utilization": 1065 / 1080,
            "revenue": 1000.0,  # only A is delivered: 10h x 100
            "gross_margin": 1000 - 10 * 55,  # B's labour is booked at its delivery
        },
    )
    # The unfinished job is reported in the flow balance, not in completion KPIs.
    assert res.flow["jobs_arrived"] == 2
    assert res.flow["jobs_delivered_total"] == 1
    assert res.flow["jobs_in_workshop"] == 1


def test_step_ending_exactly_at_closing_ends_then(make_scenario, run):
    # 8h45 of labour from 08:15 ends exactly at 17:00 (not at the next opening); QC and
    # delivery then run Tuesday 08:00-08:10-08:15 = 24 + 8.25h.
    s = make_scenario({"demand": {"job_types": {"service": {"standard_hours": "525min"}}}})
    s = s.model_copy(update={"run": s.run.model_copy(update={"horizon": 2880.0})})
    j = run(s).jobs.iloc[0]
    assert j["delivery_end_h"] == pytest.approx(24 + 8.25)


# -- booked cars are received before walk-ins -------------------------------------------------

BREAK_ARRIVALS = with_lunch(
    {
        "resources": {"bays": 6, "mechanics": 6},
        "demand": {
            # Walk-ins arrive uniformly over 12:00-13:00 (the break); the booking at 12:30.
            "walk_ins": {"per_day": 4, "profile": {"12:00": 1.0, "13:00": 0.0}},
            "appointments": {"lateness": "270min", "cancel_after": "5h"},
            "job_types": {"service": {"standard_hours": "30min"}},
        },
    }
)


def test_booked_car_received_first_at_break_end(make_scenario, run):
    s = make_scenario(BREAK_ARRIVALS)
    earlier_walk_in_seen = False
    for rep in range(6):
        jobs = run(s, replication=rep).jobs
        booked = jobs[jobs["booked"]]
        walk = jobs[~jobs["booked"]].sort_values("arrival_h")
        assert len(booked) == 1
        assert booked["arrival_h"].iloc[0] == pytest.approx(12.5)
        assert ((walk["arrival_h"] >= 12.0) & (walk["arrival_h"] < 13.0)).all()
        earlier_walk_in_seen |= bool((walk["arrival_h"] < 12.5).any())
        # Everyone waits for 13:00; the booked car goes first, then the walk-ins in arrival
        # order, one 15min reception after the other.
        assert booked["reception_start_h"].iloc[0] == pytest.approx(13.0)
        want = [13.0 + 0.25 * (k + 1) for k in range(len(walk))]
        assert walk["reception_start_h"].tolist() == pytest.approx(want)
    assert earlier_walk_in_seen  # the ordering was really tested against an earlier walk-in


def test_booked_priority_is_non_preemptive(make_scenario, run):
    # Walk-ins arrive 08:00-08:10; reception takes 30min; the booking arrives 08:20 while the
    # first walk-in is being received. It is not interrupted; the booked car goes next,
    # before the walk-ins that arrived earlier than it.
    s = make_scenario(
        {
            "resources": {"bays": 6, "mechanics": 6},
            "demand": {
                "walk_ins": {"per_day": 4, "profile": {"08:00": 1.0, "08:10": 0.0}},
                "appointments": {"lateness": "20min"},
                "job_types": {"service": {"standard_hours": "30min"}},
            },
            "workshop": {"reception": "30min"},
        }
    )
    tested = 0
    for rep in range(8):
        jobs = run(s, replication=rep).jobs
        walk = jobs[~jobs["booked"]].sort_values("arrival_h")
        booked = jobs[jobs["booked"]].iloc[0]
        if len(walk) < 2:
            continue
        tested += 1
        first = walk.iloc[0]
        assert first["reception_start_h"] == pytest.approx(first["arrival_h"])
        assert booked["reception_start_h"] == pytest.approx(first["arrival_h"] + 0.5)
        want = [first["arrival_h"] + 0.5 * (k + 1) for k in range(1, len(walk))]
        assert walk["reception_start_h"].iloc[1:].tolist() == pytest.approx(want)
    assert tested >= 3


def test_queued_walk_in_does_not_take_advisor_during_break(make_scenario, run):
    # Slots of 2h outside 12:00-13:00: 08:00, 10:00, 14:00; per_day 3 puts one booking on
    # each. Lateness 2h30: the booked cars arrive 10:30, 12:30 and 16:30. Reception 1h30:
    # the 10:30 car is received until exactly 12:00. Walk-ins arrive 10:40-10:50 and queue.
    # At 12:00 the break starts: no reception can start before 13:00. At 13:00 the walk-in
    # (queued since 10:4x) and the 12:30 booking both wait; the booking goes first.
    s = make_scenario(
        {
            "calendar": {"breaks": [["12:00", "13:00"]]},
            "resources": {"bays": 6, "mechanics": 6},
            "demand": {
                "walk_ins": {"per_day": 3, "profile": {"10:40": 1.0, "10:50": 0.0}},
                "appointments": {
                    "per_day": 3,
                    "slot": "2h",
                    "lateness": "150min",
                    "cancel_after": "3h",
                },
                "job_types": {"service": {"standard_hours": "30min"}},
            },
            "workshop": {"reception": "90min"},
        }
    )
    for rep in range(6):
        jobs = run(s, replication=rep).jobs
        walk = jobs[~jobs["booked"]].sort_values("arrival_h")
        if len(walk) == 0:
            continue
        booked = jobs[jobs["booked"]].sort_values("arrival_h")
        assert booked["arrival_h"].tolist() == pytest.approx([10.5, 12.5, 16.5])
        assert booked["reception_end_h"].iloc[0] == pytest.approx(12.0)
        # No reception starts inside the break ...
        starts = jobs["reception_start_h"]
        assert not ((starts >= 12.0) & (starts < 13.0)).any()
        # ... and the booked 12:30 car is received at 13:00, before the queued walk-in.
        assert booked["reception_start_h"].iloc[1] == pytest.approx(13.0)
        assert walk["reception_start_h"].iloc[0] == pytest.approx(14.5)
        return
    pytest.fail("no replication with a walk-in")
