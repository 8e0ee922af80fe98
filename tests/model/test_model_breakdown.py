"""The breakdown by pool and job type (``RunResult.extra["breakdown"]``), worked by hand.

Base scenario (see conftest): 08:00-17:00 every day (540 working minutes), reception 15min,
2h standard on [bays, mechanics], QC 10min, delivery 5min, buffer 30min, labour rate 100.
"""

from __future__ import annotations

import math

import pytest

from sim.kpi import JOB_TYPE_KPIS, POOL_KPIS
from sim.model.world import World

# Two cars a day on the one 9h slot (both at 08:00), half service, half body. Body work is
# 1h on [bays, mechanics], then 1h in the paint booth.
TWO_TYPES = {
    "resources": {"booths": 1},
    "demand": {
        "appointments": {"per_day": 2},
        "job_types": {
            "service": {"share": 0.5},
            "body": {
                "share": 0.5,
                "route": [
                    {"op": "panel", "uses": ["bays", "mechanics"], "standard_hours": "1h"},
                    {"op": "paint", "uses": ["booths"], "standard_hours": "1h"},
                ],
                "labour_rate": 100,
            },
        },
    },
}


def close(got: dict[str, float | None], want: dict[str, float | None]) -> None:
    assert list(got) == list(want)
    for k, w in want.items():
        if w is None:
            assert got[k] is None, k
        else:
            assert got[k] is not None and math.isclose(got[k], w, abs_tol=1e-12), (k, got[k], w)


def test_pools_and_job_types_by_hand(make_scenario, run):
    res = run(make_scenario(TWO_TYPES), replication=1)
    # Replication 1 draws a service car first, then a body car (the only draw that matters).
    assert res.jobs["job_type"].tolist() == ["service", "body"]
    # One advisor: service received 08:00-08:15, body 08:15-08:30. Service holds bay and
    # mechanic 08:15-10:15, QC 10:15-10:25, delivered 10:30 (promise 08:15 + 2h45 = 11:00).
    # Body asks for the bay at 08:30 and gets it at 10:15 (1.75 h), panel 10:15-11:15, the
    # booth at once 11:15-12:15, QC 12:15-12:25, delivered 12:30 (promise 08:30 + 2h + 10min
    # + 5min + 30min = 11:15: late).
    assert res.jobs["delivery_end_h"].tolist() == pytest.approx([10.5, 12.5])
    b = res.extra["breakdown"]
    assert list(b) == ["pool", "job_type"]
    assert list(b["pool"]) == ["advisors", "qc", "bays", "mechanics", "booths"]
    # utilization: busy working minutes / (size x 540); occupancy: held elapsed minutes /
    # 1440 (units); mean_wait_h only for a pool that is some operation's first.
    close(
        b["pool"]["advisors"],
        {"utilization": 30 / 540, "occupancy": 30 / 1440, "mean_wait_h": None},
    )
    close(b["pool"]["qc"], {"utilization": 20 / 540, "occupancy": 20 / 1440, "mean_wait_h": None})
    # The bay: service waits 0, body 1.75 h.
    close(
        b["pool"]["bays"],
        {"utilization": 180 / 540, "occupancy": 180 / 1440, "mean_wait_h": 1.75 / 2},
    )
    close(
        b["pool"]["mechanics"],
        {"utilization": 180 / 540, "occupancy": 180 / 1440, "mean_wait_h": None},
    )
    close(
        b["pool"]["booths"], {"utilization": 60 / 540, "occupancy": 60 / 1440, "mean_wait_h": 0.0}
    )
    assert list(b["job_type"]) == ["service", "body"]
    close(
        b["job_type"]["service"],
        {
            "jobs_delivered": 1.0,
            "on_time_rate": 1.0,
            "mean_lead_time_h": 2.5,  # 08:00 -> 10:30
            "mean_promise_h": 3.0,  # 08:00 -> 11:00
            "mean_wait_h": 0.0,
            "revenue": 200.0,  # 2 standard hours x 100
        },
    )
    close(
        b["job_type"]["body"],
        {
            "jobs_delivered": 1.0,
            "on_time_rate": 0.0,
            "mean_lead_time_h": 4.5,  # 08:00 -> 12:30
            "mean_promise_h": 3.25,  # 08:00 -> 11:15
            "mean_wait_h": 1.75,  # reception end 08:30 -> first start 10:15
            "revenue": 200.0,  # 1h + 1h at 100
        },
    )
    # The pooled KPIs are the same figures over both: bay_utilization stays pooled.
    assert res.kpis["bay_utilization"] == pytest.approx(240 / 1080)  # bays and booths
    assert res.kpis["mean_bay_wait_h"] == pytest.approx(1.75 / 2)


def test_a_job_type_without_jobs_is_empty(make_scenario, run):
    types = TWO_TYPES["demand"]["job_types"]
    only_service = {"service": {"share": 1.0}, "body": {**types["body"], "share": 0.0}}
    res = run(make_scenario({**TWO_TYPES, "demand": {"job_types": only_service}}), trace=False)
    body = res.extra["breakdown"]["job_type"]["body"]
    close(
        body,
        {
            "jobs_delivered": 0.0,
            "on_time_rate": None,
            "mean_lead_time_h": None,
            "mean_promise_h": None,
            "mean_wait_h": None,
            "revenue": 0.0,
        },
    )
    # The booth is never taken: utilisation 0, no wait to average.
    close(
        res.extra["breakdown"]["pool"]["booths"],
        {"utilization": 0.0, "occupancy": 0.0, "mean_wait_h": None},
    )
    assert tuple(body) == JOB_TYPE_KPIS
    assert tuple(res.extra["breakdown"]["pool"]["bays"]) == POOL_KPIS


def test_a_car_left_in_the_bay_overnight_counts_in_occupancy(make_scenario, run):
    # A 10h job: labour 08:15-17:00 (525 working minutes) on Monday, then paused overnight
    # in the bay; the window ends at Tuesday 00:00. Utilisation counts working time only,
    # occupancy the elapsed time held: 08:15 -> 24:00 = 945 minutes.
    s = make_scenario({"demand": {"job_types": {"service": {"standard_hours": "10h"}}}})
    pool = run(s, trace=False).extra["breakdown"]["pool"]
    close(pool["bays"], {"utilization": 525 / 540, "occupancy": 945 / 1440, "mean_wait_h": 0.0})


def test_rework_is_a_take_of_its_first_pool(make_scenario):
    # qc_fail 0.5: the number of QC passes p is drawn at arrival. One car a day for two days,
    # a 30min job: each rework goes back to [bays, mechanics], a pool that is free at once.
    s = make_scenario(
        {
            "run": {"horizon": "2d"},
            "demand": {"job_types": {"service": {"standard_hours": "30min", "qc_fail": 0.5}}},
        }
    )
    seen = set()
    for rep in range(6):
        world = World(s, rep)
        world.run()
        passes = sum(len(j.qc_times) for j in world.jobs)  # f + 1 per job
        bays = world.pools.index["bays"]
        # every pass but the last of each job is followed by a rework: one take each
        assert world.workshop.op_waits[bays] == passes
        assert world.workshop.op_wait[bays] == 0.0
        seen.add(passes)
    assert max(seen) > 2  # some replication reworked
