"""QC rework, comebacks, the warm-up window and zero denominators.

Base scenario in conftest: one booked car a day at 08:00, reception 15min, 2h job,
QC 10min, delivery 5min, buffer 30min, labour rate 100, labour cost 55, P1 at 40/50.
"""

from __future__ import annotations

import pytest

from sim.kpi import KPI_COLUMNS

ONE_LINE = {"demand": {"job_types": {"service": {"parts": {"lines": 1, "qty": 1}}}}}


def test_qc_rework_structure(make_scenario, run):
    # qc_fail 0.5 makes the number of QC passes p random (drawn at arrival); everything else
    # follows from p by hand. Job of 30min: reception 08:00-08:15, then p rounds of 30min
    # labour + 10min QC (rework goes back to the same bay), then 5min delivery:
    # delivery end = 08:15 + 40p min + 5min. Promise 08:15 + 30 + 10 + 5 + 30 min = 09:30,
    # never revised. Rework labour is costed, not billed.
    s = make_scenario(
        {"demand": {"job_types": {"service": {"standard_hours": "30min", "qc_fail": 0.5}}}}
    )
    passes_seen = set()
    for rep in range(10):
        res = run(s, replication=rep)
        j = res.jobs.iloc[0]
        p = int(j["qc_passes"])
        assert p >= 1
        passes_seen.add(p)
        assert j["delivery_end_h"] == pytest.approx(8.25 + (40 * p + 5) / 60)
        assert j["promise_h"] == pytest.approx(9.5)
        assert j["standard_hours"] == pytest.approx(0.5)
        assert j["labour_hours"] == pytest.approx(0.5 * p)
        assert res.kpis["revenue"] == pytest.approx(50.0)
        assert res.kpis["gross_margin"] == pytest.approx(50 - 0.5 * p * 55)
        # On time only without rework: 08:15 + 45min = 09:00 <= 09:30; with one rework
        # 09:40 > 09:30.
        assert res.kpis["on_time_rate"] == (1.0 if p == 1 else 0.0)
        assert res.kpis["bay_utilization"] == pytest.approx(30 * p / 540)
        # QC passes are held on the QC pool: busy count toggles p times.
        pools = res.extra["pools"]
        qc = pools[pools["pool"] == "qc"]
        assert qc["busy"].tolist() == [1, 0] * p
    assert 1 in passes_seen and max(passes_seen) >= 2


def test_qc_never_fails_with_zero_probability(make_scenario, run):
    s = make_scenario({"run": {"horizon": "5d"}})
    res = run(s)
    assert (res.jobs["qc_passes"] == 1).all()
    assert len(res.jobs) == 5


def test_comebacks(make_scenario, run, check_kpis):
    s = make_scenario(
        {"run": {"horizon": "3d"}, "demand": {"job_types": {"service": {"comeback": 1.0}}}}
    )
    res = run(s)
    # One car a day, each delivered 10:30 the same day, each a comeback; a comeback is not a
    # new arrival.
    check_kpis(
        res.kpis,
        {"comeback_rate": 1.0, "vehicles_received": 3, "jobs_delivered": 3},
    )
    assert res.jobs["comeback"].tolist() == [True, True, True]
    assert res.flow["jobs_arrived"] == 3


def test_warmup_excludes_the_first_day(make_scenario, run, check_kpis):
    # Warm-up 1d, horizon 1d: window [24h, 48h).
    # Monday: car arrives 08:00, takes the initial unit at 08:15, delivered 10:30; its card
    # leaves 10:00, the truck arrives Mon 11:00 - all in the warm-up.
    # Tuesday: car arrives 32h, takes the unit that came Monday 11:00 at Tue 08:15;
    # delivered Tue 10:30; its card's truck arrives Tue 11:00. Dwell by Little's law: the
    # window's (495 + 780) unit-minutes on the shelf / 1 unit issued = 21.25 h.
    s = make_scenario({**ONE_LINE, "run": {"warmup": "1d", "horizon": "1d"}})
    res = run(s)
    check_kpis(
        res.kpis,
        {
            "vehicles_received": 1,
            "jobs_delivered": 1,
            "on_time_rate": 1.0,
            "mean_lead_time_h": 2.5,
            "mean_bay_wait_h": 0.0,
            "bay_utilization": 120 / 540,
            "technician_utilization": 120 / 540,
            "revenue": 250.0,
            "gross_margin": 100.0,
            "fill_rate": 1.0,
            "parts_ready_rate": 1.0,
            "deliveries": 1,
            "mean_dwell_h": 21.25,
            # Tuesday: 1 unit on [00:00, 08:15), 0 until 11:00, 1 to midnight.
            "avg_inventory_units": (495 + 780) / 1440,
            "avg_inventory_value": 40 * (495 + 780) / 1440,
        },
    )
    # The flow balance covers the whole run, warm-up included.
    assert res.flow["jobs_arrived"] == 2
    assert res.flow["jobs_delivered_total"] == 2


def test_warmup_boundary_counts_each_event_at_its_own_time(make_scenario, run, check_kpis):
    # Warm-up 9h, horizon 1d: window [09:00 Mon, 09:00 Tue) = minutes [540, 1980).
    # Monday car: arrives 08:00 (before: not received), starts 08:15 (before: its bay wait
    # and parts request are not counted), delivered 10:30 (inside: counted).
    # Tuesday car: arrives 08:00 = 32h (inside: received), starts and requests at 08:15
    # (inside), not delivered by 09:00 (its labour runs to 10:15).
    # Monday truck arrives 11:00 (inside); Tuesday's card leaves 10:00 (after the end).
    s = make_scenario({**ONE_LINE, "run": {"warmup": "9h", "horizon": "1d"}})
    res = run(s)
    check_kpis(
        res.kpis,
        {
            "vehicles_received": 1,
            "jobs_delivered": 1,
            "mean_lead_time_h": 2.5,  # the Monday car
            "revenue": 250.0,
            "fill_rate": 1.0,  # the Tuesday request
            "mean_bay_wait_h": 0.0,
            "deliveries": 1,
            # Little's law: the window's (1935 - 660) unit-minutes on the shelf / the one
            # unit issued in it (Tuesday 08:15).
            "mean_dwell_h": (1935 - 660) / 60,
            # Working time in the window: Mon 09:00-17:00 (480) + Tue 08:00-09:00 (60) = 540.
            # Bay busy in it: Mon 09:00-10:15 (75) + Tue 08:15-09:00 (45) = 120.
            "bay_utilization": 120 / 540,
            # Shelf in the window: 0 on [09:00, 11:00), 1 until Tue 08:15, 0 until 09:00.
            "avg_inventory_units": (1935 - 660) / 1440,
        },
    )


def test_no_parts_lines_gives_empty_parts_kpis(make_scenario, run, check_kpis):
    res = run(make_scenario())  # the base job needs no parts
    check_kpis(
        res.kpis,
        {
            "jobs_delivered": 1,
            "fill_rate": None,
            "parts_ready_rate": None,
            "mean_dwell_h": None,
            "stockout_events": 0,
            "parts_wait_h": 0.0,
            "deliveries": 0,
            # The single card's unit sits on the shelf all day.
            "avg_inventory_units": 1.0,
            "avg_inventory_value": 40.0,
            "revenue": 200.0,
            "gross_margin": 200 - 110,
        },
    )


def test_no_cars_at_all(make_scenario, run, check_kpis):
    res = run(make_scenario({"demand": {"appointments": {"per_day": 0}}}))
    assert len(res.jobs) == 0
    check_kpis(
        res.kpis,
        {
            "vehicles_received": 0,
            "jobs_delivered": 0,
            "on_time_rate": None,
            "mean_lead_time_h": None,
            "mean_bay_wait_h": None,
            "bay_utilization": 0.0,
            "technician_utilization": 0.0,
            "comeback_rate": None,
            "revenue": 0.0,
            "gross_margin": 0.0,
            "gross_margin_rate": None,
            "fill_rate": None,
            "parts_ready_rate": None,
            "stockout_events": 0,
            "parts_wait_h": 0.0,
            "avg_inventory_units": 1.0,
            "avg_inventory_value": 40.0,
            "mean_dwell_h": None,
            "deliveries": 0,
            "emergency_orders": 0,
        },
    )
    assert all(v is None or isinstance(v, float) for v in res.kpis.values())
    assert list(res.kpis) == list(KPI_COLUMNS)


def test_no_show_and_cancellation_are_not_received(make_scenario, run, check_kpis):
    # no_show 1: every booking is a no-show. Lateness 40min > cancel_after 30min: cancelled.
    for over in ({"no_show": 1.0}, {"lateness": "40min"}):
        res = run(make_scenario({"demand": {"appointments": over}}))
        assert len(res.jobs) == 0
        check_kpis(res.kpis, {"vehicles_received": 0})
    # Lateness exactly cancel_after is not above it: the car comes at 08:30.
    res = run(make_scenario({"demand": {"appointments": {"lateness": "30min"}}}))
    assert res.jobs["arrival_h"].tolist() == pytest.approx([8.5])
