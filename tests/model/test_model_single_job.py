"""One car, one part on the shelf: every timestamp and KPI worked out by hand.

Base scenario (see conftest): 08:00-17:00, one booked car at 08:00, reception 15min,
2h standard on [bays, mechanics], QC 10min, delivery 5min, buffer 30min; P1 costs 40,
sells 50, container 1, one kanban card; call-offs 08:00, 10:00, ... 16:00, lead time 1h.
"""

from __future__ import annotations

import pytest

from sim.model.world import World, simulate

ONE_LINE = {"demand": {"job_types": {"service": {"parts": {"lines": 1, "qty": 1}}}}}

JOB_COLUMNS = [
    "job",
    "job_type",
    "booked",
    "source",
    "arrival_h",
    "reception_start_h",
    "reception_end_h",
    "promise_h",
    "first_start_h",
    "parts_done_h",
    "delivery_end_h",
    "standard_hours",
    "labour_hours",
    "lines",
    "units",
    "units_at_request",
    "lines_short",
    "qc_passes",
    "comeback",
    "on_time",
]


def test_one_car_one_part_timeline(make_scenario, run):
    res = run(make_scenario(ONE_LINE))
    jobs = res.jobs
    assert list(jobs.columns) == JOB_COLUMNS
    assert len(jobs) == 1
    j = jobs.iloc[0]
    assert j["job_type"] == "service"
    assert bool(j["booked"])
    # Arrival Monday 08:00 = minute 480 = 8.0h; an advisor is free at once.
    assert j["arrival_h"] == pytest.approx(8.0)
    assert j["reception_start_h"] == pytest.approx(8.0)
    # Reception 15min: 08:15.
    assert j["reception_end_h"] == pytest.approx(8.25)
    # Promise = 08:15 + (2h standard + 10min mean QC + 5min mean delivery + 30min buffer)
    #         = 08:15 + 2h45 = 11:00.
    assert j["promise_h"] == pytest.approx(11.0)
    # The bay and the mechanic are free: the job starts at 08:15 and P1 is on the shelf.
    assert j["first_start_h"] == pytest.approx(8.25)
    assert j["parts_done_h"] == pytest.approx(8.25)
    # Labour 08:15-10:15, QC 10:15-10:25, delivery 10:25-10:30 = 10.5h.
    assert j["delivery_end_h"] == pytest.approx(10.5)
    assert j["standard_hours"] == pytest.approx(2.0)
    assert j["labour_hours"] == pytest.approx(2.0)
    assert (j["lines"], j["units"], j["units_at_request"], j["lines_short"]) == (1, 1, 1, 0)
    assert j["qc_passes"] == 1
    assert not j["comeback"]
    assert bool(j["on_time"])


def test_one_car_one_part_kpis(make_scenario, run, check_kpis):
    res = run(make_scenario(ONE_LINE), trace=False)
    check_kpis(
        res.kpis,
        {
            "vehicles_received": 1,
            "jobs_delivered": 1,
            "on_time_rate": 1.0,  # 10:30 <= 11:00
            "mean_lead_time_h": 2.5,  # 08:00 -> 10:30
            "mean_bay_wait_h": 0.0,  # reception end 08:15 = first start 08:15
            # One bay held 08:15-10:15 = 120 min over 540 working minutes.
            "bay_utilization": 120 / 540,
            "technician_utilization": 120 / 540,
            "comeback_rate": 0.0,
            # 2h x 100 + 1 x 50
            "revenue": 250.0,
            # 250 - 1 x 40 parts - 2h x 55 labour
            "gross_margin": 100.0,
            "gross_margin_rate": 100 / 250,
            "fill_rate": 1.0,
            "parts_ready_rate": 1.0,
            "stockout_events": 0,
            "parts_wait_h": 0.0,
            # The card is released at 08:15 (1 unit requested = C), called off at 10:00,
            # the truck arrives 11:00: 1 unit on [0, 495), 0 on [495, 660), 1 on [660, 1440).
            "avg_inventory_units": (495 + 780) / 1440,
            "avg_inventory_value": 40 * (495 + 780) / 1440,
            # Little's law: (495 + 780) unit-minutes on the shelf / 1 unit issued.
            "mean_dwell_h": (495 + 780) / 60,
            "deliveries": 1,
            "emergency_orders": 0,
        },
    )
    assert res.flow == {
        "jobs_arrived": 1,
        "jobs_delivered_total": 1,
        "jobs_in_workshop": 0,
        "parts_initial": 1,
        "parts_received": 1,
        "parts_issued": 1,
        "parts_returned": 0,
        "parts_on_hand": 1,
        "parts_backordered": 0,
    }


def test_one_car_trace_tables(make_scenario, run, busy_at):
    res = run(make_scenario(ONE_LINE))
    stock = res.stock
    assert list(stock.columns) == ["time_h", "part_no", "on_hand"]
    # Initial 1 unit at 0, issued at 08:15, the truck refills at 11:00.
    assert stock["time_h"].tolist() == pytest.approx([0.0, 8.25, 11.0])
    assert stock["on_hand"].tolist() == [1, 0, 1]
    assert set(stock["part_no"]) == {"P1"}
    trucks = res.extra["trucks"]
    assert list(trucks.columns) == ["departure_h", "arrival_h", "containers", "kind"]
    assert trucks["kind"].tolist() == ["regular"]
    assert trucks["departure_h"].tolist() == pytest.approx([10.0])
    assert trucks["arrival_h"].tolist() == pytest.approx([11.0])
    assert trucks["containers"].tolist() == [1]
    pools = res.extra["pools"]
    assert list(pools.columns) == ["time_h", "pool", "busy", "size"]
    assert busy_at(pools, "advisors", 8.1) == 1
    assert busy_at(pools, "advisors", 8.3) == 0
    assert busy_at(pools, "bays", 10.2) == 1
    assert busy_at(pools, "bays", 10.3) == 0
    assert busy_at(pools, "qc", 10.3) == 1  # QC 10:15-10:25
    assert busy_at(pools, "qc", 10.42) == 0
    # Delivery holds no pool: nothing changes after the QC ends at 10:25.
    assert pools["time_h"].max() == pytest.approx(10.25 + 10 / 60)


@pytest.mark.parametrize(
    ("day", "arrival_h"),
    [("mon", 8.0), ("tue", 24 + 8.0), ("sun", 6 * 24 + 8.0)],
)
def test_time_zero_is_monday_midnight(make_scenario, run, check_kpis, day, arrival_h):
    # Open one day a week only: the single car of the week arrives at 08:00 of that day.
    s = make_scenario({"run": {"horizon": "7d"}, "calendar": {"days": [day]}})
    res = run(s)
    assert len(res.jobs) == 1
    assert res.jobs["arrival_h"].iloc[0] == pytest.approx(arrival_h)
    assert res.jobs["delivery_end_h"].iloc[0] == pytest.approx(arrival_h + 2.5)
    # One open day of 540 working minutes in the week; the bay is busy 120 of them.
    check_kpis(res.kpis, {"vehicles_received": 1, "bay_utilization": 120 / 540})


def test_efficiency_slower_billed_on_standard_hours(make_scenario, run, check_kpis):
    s = make_scenario({"demand": {"job_types": {"service": {"efficiency": 1.5}}}})
    res = run(s)
    j = res.jobs.iloc[0]
    # Labour 2h x 1.5 = 3h: 08:15-11:15, QC to 11:25, delivery to 11:30.
    assert j["labour_hours"] == pytest.approx(3.0)
    assert j["delivery_end_h"] == pytest.approx(11.5)
    # The promise uses standard hours: 11:00, so the job is late.
    assert j["promise_h"] == pytest.approx(11.0)
    check_kpis(
        res.kpis,
        {
            "on_time_rate": 0.0,
            "mean_lead_time_h": 3.5,
            "technician_utilization": 180 / 540,
            "revenue": 200.0,  # 2 standard hours x 100 (no parts)
            "gross_margin": 200 - 3 * 55,  # 3 actual hours costed
            "gross_margin_rate": (200 - 3 * 55) / 200,
        },
    )


def test_two_operation_route(make_scenario, run, check_kpis):
    s = make_scenario(
        {
            "resources": {"paint_booths": 1, "painters": 2},
            "demand": {
                "job_types": {
                    "service": {
                        "standard_hours": "<delete>",  # set per operation on a two-step route
                        "route": [
                            {"op": "repair", "uses": ["bays", "mechanics"], "standard_hours": "2h"},
                            {
                                "op": "paint",
                                "uses": ["paint_booths", "painters"],
                                "standard_hours": "1h",
                                "efficiency": 2.0,
                            },
                        ],
                    }
                }
            },
        }
    )
    res = run(s)
    j = res.jobs.iloc[0]
    # Repair 08:15-10:15, paint 1h x 2.0 = 2h 10:15-12:15, QC to 12:25, delivery to 12:30.
    assert j["delivery_end_h"] == pytest.approx(12.5)
    # Promise 08:15 + 3h + 10 + 5 + 30min = 12:00.
    assert j["promise_h"] == pytest.approx(12.0)
    check_kpis(
        res.kpis,
        {
            "on_time_rate": 0.0,
            # Space pools bays (1) + paint_booths (1): 120 + 120 busy over 2 x 540.
            "bay_utilization": 240 / 1080,
            # Labour pools mechanics (1) + painters (2): 120 + 120 busy over 3 x 540.
            "technician_utilization": 240 / 1620,
            "revenue": 300.0,  # 3 standard hours x 100
            "gross_margin": 300 - 4 * 55,  # 2h + 2h actual labour
        },
    )


def test_zero_length_qc_and_delivery(make_scenario, run):
    s = make_scenario({"workshop": {"qc": "0min", "delivery": "0min"}})
    j = run(s).jobs.iloc[0]
    # Delivery ends when labour ends: 10:15; promise 08:15 + 2h + 0 + 0 + 30min = 10:45.
    assert j["delivery_end_h"] == pytest.approx(10.25)
    assert j["promise_h"] == pytest.approx(10.75)


def test_trace_does_not_change_results(make_scenario, run):
    # A busier, random scenario: walk-ins, random labour, stock-outs, QC failures.
    s = make_scenario(
        {
            "run": {"horizon": "3d"},
            "resources": {"bays": 2, "mechanics": 2},
            "demand": {
                "walk_ins": {"per_day": 6},
                "job_types": {
                    "service": {
                        "standard_hours": {"dist": "lognormal", "mean": "1h", "cv": 0.5},
                        "route": [{"op": "repair", "uses": ["bays", "mechanics"]}],
                        "parts": {"lines": {"dist": "uniform_int", "low": 0, "high": 2}},
                        "qc_fail": 0.2,
                    }
                },
            },
        },
        parts=[
            {"part_no": "P1", "unit_cost": 40, "unit_price": 50, "container_qty": 1, "weight": 1},
            {"part_no": "P2", "unit_cost": 10, "unit_price": 15, "container_qty": 2, "weight": 2},
        ],
    )
    a = run(s, replication=3, trace=True)
    b = run(s, replication=3, trace=False)
    c = run(s, replication=3, trace=False)
    assert a.kpis == b.kpis == c.kpis
    assert a.flow == b.flow == c.flow


def test_issue_is_fifo_oldest_lot_first(make_scenario):
    # Two cards of one unit: two lots on the shelf at time 0. Monday's car takes one at 08:15;
    # its card's truck brings a fresh lot at Mon 11:00 (minute 660). Tuesday's car, at
    # Tue 08:15, takes the oldest lot, from time 0, so the lot left is Monday's (not the one
    # from time 0, if the newest were taken). Little's law: (0..495 two units, 495..660
    # one, 660..1935 two, then one to 2880) / 2 issued.
    s = make_scenario(
        {
            "run": {"horizon": "2d"},
            "demand": {"job_types": {"service": {"parts": {"lines": 1, "qty": 1}}}},
            "supply": {"kanban": {"cards": 2}},
        }
    )
    world = World(s, 0)
    world.run()
    part = world.parts[0]
    # Tuesday's card brought another lot at Tue 11:00 (minute 2100).
    assert [(lot.arrival, lot.units) for lot in part.lots] == [(660.0, 1), (2100.0, 1)]
    area = 2 * 495 + 165 + 2 * (1935 - 660) + (2100 - 1935) + 2 * (2880 - 2100)
    assert simulate(s, 0).kpis["mean_dwell_h"] == pytest.approx(area / 2 / 60)


def test_durations_are_minutes_inside(make_scenario):
    s = make_scenario()
    assert s.run.horizon == 1440
    assert s.calendar.open == 480 and s.calendar.close == 1020
    assert s.workshop.reception.value == 15
    assert s.demand.job_types["service"].standard_hours.value == 120
    assert s.supply.call_off.times_of_day() == (480, 600, 720, 840, 960)


def test_calendar_repeats_weekly(make_scenario, run, check_kpis):
    # Open Mondays only, two weeks: cars at 8h and 7 x 24 + 8 = 176h, each delivered 2.5h
    # later; working time 2 x 540 minutes, bay busy 2 x 120.
    s = make_scenario({"run": {"horizon": "14d"}, "calendar": {"days": ["mon"]}})
    res = run(s)
    assert res.jobs["arrival_h"].tolist() == pytest.approx([8.0, 176.0])
    assert res.jobs["delivery_end_h"].tolist() == pytest.approx([10.5, 178.5])
    check_kpis(res.kpis, {"jobs_delivered": 2, "bay_utilization": 240 / 1080})


@pytest.mark.parametrize(
    ("start", "day", "arrival_h"),
    [("2027-03-03", "wed", 8.0), ("2027-03-03", "tue", 6 * 24 + 8.0), ("2027-03-07", "mon", 32.0)],
)
def test_run_start_names_the_weekday_of_day_zero(make_scenario, run, start, day, arrival_h):
    # 2027-03-03 is a Wednesday, 2027-03-07 a Sunday: the open weekday follows the date.
    s = make_scenario({"run": {"horizon": "7d", "start": start}, "calendar": {"days": [day]}})
    res = run(s)
    assert len(res.jobs) == 1
    assert res.jobs["arrival_h"].iloc[0] == pytest.approx(arrival_h)


def test_a_closed_date_has_no_car_and_no_work(make_scenario, run, check_kpis):
    # Open every day, day 0 closed: the car of day 0 never comes, day 1's does; one closed
    # day takes its 540 working minutes out of the window.
    s = make_scenario(
        {"run": {"horizon": "2d", "start": "2027-03-01"}, "calendar": {"closed": ["2027-03-01"]}}
    )
    res = run(s)
    assert res.jobs["arrival_h"].tolist() == pytest.approx([24 + 8.0])
    assert str(res.jobs["arrival_at"].iloc[0]) == "2027-03-02 08:00:00"
    check_kpis(res.kpis, {"vehicles_received": 1, "bay_utilization": 120 / 540})
