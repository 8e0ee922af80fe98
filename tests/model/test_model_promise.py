"""Promise rules (fixed and workload, buffer_share), rework_share and mean_promise_h.

Base scenario in conftest: calendar 08:00-17:00, one booked car at 08:00 a day (``per_day: 3``
puts three on the 08:00 slot), one advisor, reception 15min, one 2h job on [bays,
mechanics], QC 10min, delivery 5min, promise buffer 30min with parts ETA, no parts lines.
"""

from __future__ import annotations

import pytest

from sim.model.world import World


def jobs_of(scenario, replication=0):
    world = World(scenario, replication)
    world.run()
    return world.jobs


# -- rework_share -----------------------------------------------------------------------------


def test_rework_share_redoes_that_share_of_the_last_operation(make_scenario, run):
    # A 40min job, efficiency 1, qc_fail 0.5, rework_share 0.25: each failed pass redoes
    # 0.25 x 40 = 10min on the same bay. With p passes: reception 08:00-08:15, labour 40, then
    # QC 10 and, per failure, rework 10 + QC 10: delivery end = 08:15 + 40 + 10 + 20(p-1)
    # + 5 min. Labour worked 40 + 10(p-1) min; billed: the 40 standard minutes only.
    s = make_scenario(
        {
            "demand": {
                "job_types": {
                    "service": {"standard_hours": "40min", "qc_fail": 0.5, "rework_share": 0.25}
                }
            }
        }
    )
    seen = set()
    for rep in range(10):
        res = run(s, replication=rep)
        j = res.jobs.iloc[0]
        p = int(j["qc_passes"])
        seen.add(p)
        assert j["delivery_end_h"] == pytest.approx(8.25 + (40 + 10 + 20 * (p - 1) + 5) / 60)
        assert j["labour_hours"] == pytest.approx((40 + 10 * (p - 1)) / 60)
        assert res.kpis["revenue"] == pytest.approx(100 * 40 / 60)
        assert res.kpis["gross_margin"] == pytest.approx(100 * 40 / 60 - j["labour_hours"] * 55)
    assert 1 in seen and max(seen) >= 2


def test_rework_share_scales_the_same_draws(make_scenario):
    # Random hours and efficiency: a share of 0.3 gives 0.3 x the rework labour of a share of
    # 1, pass by pass, and every other attribute of every job is the same draw.
    service = {
        "standard_hours": {"dist": "lognormal", "mean": "30min", "cv": 0.5},
        "efficiency": {"dist": "lognormal", "mean": 1.0, "cv": 0.3},
        "qc_fail": 0.6,
    }
    over = {"run": {"horizon": "6d"}, "resources": {"bays": 3, "mechanics": 3}}

    def scenario(share):
        job = {**service, "rework_share": share}
        return make_scenario(
            {**over, "demand": {"appointments": {"per_day": 3}, "job_types": {"service": job}}}
        )

    whole, part = jobs_of(scenario(1.0)), jobs_of(scenario(0.3))
    assert len(whole) == len(part) == 18
    reworked = 0
    for a, b in zip(whole, part, strict=True):
        assert (a.arrival, a.std, a.labour, a.qc_times, a.delivery_time) == (
            b.arrival,
            b.std,
            b.labour,
            b.qc_times,
            b.delivery_time,
        )
        assert len(a.rework) == len(b.rework)
        assert b.rework == pytest.approx([0.3 * r for r in a.rework], rel=1e-12)
        reworked += len(a.rework)
    assert reworked > 0


def test_rework_share_must_be_a_share(make_scenario):
    from sim.loading import ScenarioError

    for bad in (0, 1.5, -0.1):
        with pytest.raises(ScenarioError, match="rework_share"):
            make_scenario({"demand": {"job_types": {"service": {"rework_share": bad}}}})


# -- mean_promise_h ---------------------------------------------------------------------------


def test_mean_promise_h_over_delivered_jobs(make_scenario, run, check_kpis):
    # Two cars at 08:00, one bay, fixed rule. A: received 08:00-08:15, promise 08:15 + 2h +
    # 10 + 5 + 30min = 11:00, 3h after arrival; works 08:15-10:15, QC, delivered 10:30.
    # B: received 08:15-08:30, promise 11:15 (3.25h); waits for the bay until 10:15, works
    # to 12:15, QC to 12:25, delivered 12:30 (4.5h, late).
    s = make_scenario({"demand": {"appointments": {"per_day": 2}}})
    res = run(s)
    assert res.jobs["promise_h"].tolist() == pytest.approx([11.0, 11.25])
    check_kpis(
        res.kpis,
        {
            "jobs_delivered": 2,
            "on_time_rate": 0.5,
            "mean_promise_h": (3.0 + 3.25) / 2,
            "mean_lead_time_h": (2.5 + 4.5) / 2,
        },
    )
    # A window ending at noon holds A's delivery only; B's promise does not count.
    short = make_scenario({"run": {"horizon": "12h"}, "demand": {"appointments": {"per_day": 2}}})
    check_kpis(run(short).kpis, {"jobs_delivered": 1, "mean_promise_h": 3.0})
    # Nothing delivered: empty.
    none = make_scenario({"demand": {"appointments": {"per_day": 0}}})
    check_kpis(run(none).kpis, {"jobs_delivered": 0, "mean_promise_h": None})


# -- buffer_share -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "share", "promise_h"),
    [
        # max(30min, 0.5 x 2h = 60min): 08:15 + 2h + 10 + 5 + 60min = 11:30
        ("2h", 0.5, 11.5),
        # max(30min, 0.2 x 2h = 24min) = 30min: the fixed buffer, 11:00
        ("2h", 0.2, 11.0),
        # max(30min, 0.25 x 4h = 60min): 08:15 + 4h + 15 + 60min = 13:30
        ("4h", 0.25, 13.5),
        # no share: 08:15 + 4h + 15 + 30min = 13:00
        ("4h", 0.0, 13.0),
    ],
)
def test_buffer_share_of_the_standard_hours(make_scenario, run, hours, share, promise_h):
    s = make_scenario(
        {
            "demand": {"job_types": {"service": {"standard_hours": hours}}},
            "workshop": {"promise": {"buffer_share": share}},
        }
    )
    assert run(s).jobs["promise_h"].tolist() == pytest.approx([promise_h])


# -- the workload rule ------------------------------------------------------------------------


def queued(make_scenario, rule, per_day, **over):
    """``per_day`` cars on the 08:00 slot, received one after another (15min each)."""
    return make_scenario(
        {
            "resources": over.get("resources", {}),
            "demand": {"appointments": {"per_day": per_day}},
            "workshop": {"promise": {"rule": rule}},
        }
    )


def test_workload_one_bay_counts_the_remaining_and_the_queue(make_scenario, run, check_kpis):
    # Four cars at 08:00, one bay and one mechanic, 2h jobs. Own work = 2h + 10 + 5 + 30min
    # = 2h45. Receptions end 08:15, 08:30, 08:45, 09:00.
    #  A (08:15): nothing on the board: 08:15 + 2h45 = 11:00; starts at once.
    #  B (08:30): no one waiting; the bay is full and A has 120 - 15 = 105 standard minutes
    #     left: 08:30 + 105min + 2h45 = 13:00.
    #  C (08:45): B waits (120 / 1 bay) + A's 90 left: 08:45 + 210min + 2h45 = 15:00.
    #  D (09:00): B and C wait (240) + A's 75 left: 09:00 + 315min + 2h45 = 17:00, closing.
    # They are delivered 10:30, 12:30, 14:30, 16:30: all on time (fixed rule: A only).
    res = run(queued(make_scenario, "workload", 4))
    assert res.jobs["promise_h"].tolist() == pytest.approx([11.0, 13.0, 15.0, 17.0])
    assert res.jobs["delivery_end_h"].tolist() == pytest.approx([10.5, 12.5, 14.5, 16.5])
    check_kpis(
        res.kpis,
        {
            "on_time_rate": 1.0,
            "mean_promise_h": (3 + 5 + 7 + 9) / 4,
            "mean_lead_time_h": (2.5 + 4.5 + 6.5 + 8.5) / 4,
        },
    )
    fixed = run(queued(make_scenario, "fixed", 4))
    assert fixed.jobs["promise_h"].tolist() == pytest.approx([11.0, 11.25, 11.5, 11.75])
    check_kpis(fixed.kpis, {"on_time_rate": 0.25, "mean_promise_h": (3 + 3.25 + 3.5 + 3.75) / 4})


def test_workload_divides_by_the_smallest_pool(make_scenario, run):
    # Two bays, three mechanics: the operation runs two at a time (min(2, 3) = 2).
    #  A (08:15), B (08:30) start at once: 11:00 and 11:15.
    #  C (08:45): no one waiting; the bays are full (the mechanics are not): the first to
    #     finish is A, 120 - 30 = 90 left: 08:45 + 90min + 2h45 = 13:00.
    #  D (09:00): C waits, 120 / 2 = 60, + A's 75 left: 09:00 + 135min + 2h45 = 14:00.
    #  E (09:15): C and D wait, 240 / 2 = 120, + A's 60 left: 09:15 + 180min + 2h45 = 15:00.
    s = queued(make_scenario, "workload", 5, resources={"bays": 2, "mechanics": 3})
    res = run(s)
    assert res.jobs["promise_h"].tolist() == pytest.approx([11.0, 11.25, 13.0, 14.0, 15.0])
    # A 08:15-10:15, B 08:30-10:30, C 10:15-12:15, D 10:30-12:30, E 12:15-14:15 (+ QC and
    # delivery; QC passes wait for each other).
    assert res.kpis["on_time_rate"] == 1.0


def test_workload_counts_qc_passes_waiting(make_scenario, run):
    # Five cars, reception 20min, four bays and mechanics, 30min jobs, one inspector taking
    # 1h a pass. Own work = 30 + 60 + 5 + 30min = 2h05.
    #  A: received 08:20, works 08:20-08:50, QC 08:50-09:50.
    #  B: received 08:40, works 08:40-09:10, waits for QC from 09:10.
    #  C: received 09:00, works 09:00-09:30, waits for QC from 09:30.
    #  D (09:20): one pass waiting (B), 1 x 60 / 1 inspector; A's pass in progress and C's
    #     labour count nothing (no pool is full): 09:20 + 60min + 2h05 = 12:25.
    #  E (09:40): B and C waiting, 120: 09:40 + 120min + 2h05 = 13:45.
    s = make_scenario(
        {
            "resources": {"bays": 4, "mechanics": 4},
            "demand": {
                "appointments": {"per_day": 5},
                "job_types": {"service": {"standard_hours": "30min"}},
            },
            "workshop": {"reception": "20min", "qc": "1h", "promise": {"rule": "workload"}},
        }
    )
    res = run(s)
    assert res.jobs["promise_h"].tolist() == pytest.approx(
        [8 + 20 / 60 + 125 / 60, 8 + 40 / 60 + 125 / 60, 9 + 125 / 60, 12 + 25 / 60, 13.75]
    )


def test_workload_with_parts_eta_waits_for_the_later(make_scenario, run):
    # Two cars needing the one unit on the shelf (one card). A claims it: 11:00. B (08:30):
    # the queue says 08:30 + 105min + 2h45 = 13:00; its part is not available to promise,
    # expected with the 10:00 call-off's truck at 11:00: 11:00 + 2h45 = 13:45, the later.
    s = make_scenario(
        {
            "demand": {
                "appointments": {"per_day": 2},
                "job_types": {"service": {"parts": {"lines": 1, "qty": 1}}},
            },
            "workshop": {"promise": {"rule": "workload"}},
        }
    )
    assert run(s).jobs["promise_h"].tolist() == pytest.approx([11.0, 13.75])


def test_workload_reads_the_route_as_a_pipeline(make_scenario, run):
    # Route: body 1h on [bays, mechanics], then paint 30min on [booth]; one of each, three
    # cars. Own work = 1h30 + 10 + 5 + 30min = 2h15.
    #  A (08:15): 10:30; starts its body work at once (its paint is queued on the board).
    #  B (08:30): body clear in 45min (A's remaining), B's body done at 45 + 60 = 105;
    #     paint clear in 30 (A's paint, still upstream), so B paints at max(105, 30) and is
    #     done at 135: 135 - 90 own = 45min ahead: 08:30 + 45min + 2h15 = 11:30.
    #  C (08:45): body clear in 60 (B) + 30 (A's remaining) = 90, done at 150; paint clear
    #     in 60 (A's and B's), done at max(150, 60) + 30 = 180: 90 ahead, 12:30.
    # Delivered 10:00, 11:00, 12:00: each 30min (the buffer) before its promise. Summing the
    # two queues, as if the operations did not overlap, would promise 12:00 and 13:30.
    route = [
        {"op": "body", "uses": ["bays", "mechanics"], "standard_hours": "1h"},
        {"op": "paint", "uses": ["booth"], "standard_hours": "30min"},
    ]
    s = make_scenario(
        {
            "resources": {"booth": 1},
            "demand": {
                "appointments": {"per_day": 3},
                "job_types": {"service": {"route": route, "standard_hours": None}},
            },
            "workshop": {"promise": {"rule": "workload"}},
        }
    )
    res = run(s)
    assert res.jobs["promise_h"].tolist() == pytest.approx([10.5, 11.5, 12.5])
    assert res.jobs["delivery_end_h"].tolist() == pytest.approx([10.0, 11.0, 12.0])


def test_workload_waits_for_the_later_queue_of_the_pipeline(make_scenario, run):
    # Route: body 30min on [bays, mechanics], then paint 2h on [booth]; two cars. Own work
    # = 2h30 + 45min = 3h15.
    #  A (08:15): 11:30; body 08:15-08:45, paint 08:45-10:45, delivered 11:00.
    #  B (08:30): body clear in 15min, its body done at 45; the booth is clear of A's paint
    #     in 120, later: done at 120 + 120 = 240, 90min ahead: 08:30 + 90min + 3h15 = 13:15
    #     (the sum of the queues would say 14:00). B paints 10:45-12:45, delivered 13:00.
    route = [
        {"op": "body", "uses": ["bays", "mechanics"], "standard_hours": "30min"},
        {"op": "paint", "uses": ["booth"], "standard_hours": "2h"},
    ]
    s = make_scenario(
        {
            "resources": {"booth": 1},
            "demand": {
                "appointments": {"per_day": 2},
                "job_types": {"service": {"route": route, "standard_hours": None}},
            },
            "workshop": {"promise": {"rule": "workload"}},
        }
    )
    res = run(s)
    assert res.jobs["promise_h"].tolist() == pytest.approx([11.5, 13.25])
    assert res.jobs["delivery_end_h"].tolist() == pytest.approx([11.0, 13.0])


@pytest.mark.parametrize(("stockout", "promise_b"), [("wait_in_bay", 13.25), ("park", 11.25)])
def test_workload_job_waiting_for_parts(make_scenario, run, stockout, promise_b):
    # A needs 2 units, the shelf has 1: at 08:15 it takes the bay and waits for the other.
    # wait_in_bay: it keeps the bay, its 2h of labour not started: B (08:30, no parts ETA)
    # is promised 08:30 + 120min + 2h45 = 13:15. park: A gives the bay back, nothing is
    # full: 08:30 + 2h45 = 11:15.
    s = make_scenario(
        {
            "demand": {
                "appointments": {"per_day": 2},
                "job_types": {"service": {"parts": {"lines": 1, "qty": 2}}},
            },
            "workshop": {
                "stockout": stockout,
                "promise": {"rule": "workload", "parts_eta": False},
            },
        }
    )
    res = run(s)
    assert res.jobs["lines_short"].tolist()[0] == 1
    assert res.jobs["promise_h"].tolist() == pytest.approx([11.0, promise_b])


def test_workload_job_in_rework(make_scenario, run):
    # Reception 25min, 10min jobs, qc_fail 0.5. A: received 08:25, works 08:25-08:35, QC
    # 08:35-08:45; if that pass fails, it reworks 10min on the bay from 08:45. B (08:50,
    # own work 10 + 10 + 5 + 30 = 55min): with A in rework, 10 - 5 = 5 standard minutes
    # left on the only bay: 08:50 + 5 + 55min = 09:50; else the bay is free: 09:45.
    s = make_scenario(
        {
            "demand": {
                "appointments": {"per_day": 2},
                "job_types": {"service": {"standard_hours": "10min", "qc_fail": 0.5}},
            },
            "workshop": {"reception": "25min", "promise": {"rule": "workload"}},
        }
    )
    seen = set()
    for rep in range(12):
        jobs = run(s, replication=rep).jobs
        failed = jobs["qc_passes"].iloc[0] > 1
        seen.add(bool(failed))
        want = 9 + 50 / 60 if failed else 9.75
        assert jobs["promise_h"].iloc[1] == pytest.approx(want)
    assert seen == {True, False}


# -- the parts ETA in working time ------------------------------------------------------------
# The promise with a part short of available-to-promise is the job's own work started at the
# part's ETA, in working time: here across the lunch break and across the night. The
# calendar is the base one with a break 12:00-13:00 (08:00-12:00 and 13:00-17:00, 480
# working minutes a day). Own work = standard hours + QC 10 + delivery 5 + buffer 30min.
# The booking slot is 4h (08:00-12:00; a 12:00 slot would overlap the break and is dropped),
# so every booked car still arrives at 08:00.

LUNCH = {"breaks": [["12:00", "13:00"]]}
SLOT_4H = {"slot": "4h"}


def short_of_one_part(make_scenario, hours, *, stocked, **blocks):
    """One car a day needing 2 units of P1; the shelf holds 1 (one card of one unit), or P1
    is not stocked and both units are ordered for the job at its reception end."""
    supply = {"stocking": {"rule": "catalogue"}}
    over = {
        "run": {"horizon": "2d"},
        "calendar": LUNCH,
        "demand": {
            "appointments": SLOT_4H,
            "job_types": {"service": {"standard_hours": hours, "parts": {"lines": 1, "qty": 2}}},
        },
        "supply": {**supply, **blocks.pop("supply", {})},
        **blocks,
    }
    return make_scenario(over, part={"stocked": "true" if stocked else "false"})


@pytest.mark.parametrize("stocked", [True, False])
@pytest.mark.parametrize(
    ("hours", "promise_h", "elapsed_h"),
    [
        # Reception ends 08:15. Stocked: 2 units > 1 on the shelf - 0 claimed; no truck on
        # the road, so ETA = next call-off 10:00 + mean lead 1h = 11:00. Not stocked: the
        # order placed at 08:15 leaves with the 10:00 call-off, expected 11:00 too.
        # 2h job: own work 2h45 = 165min from 11:00: 11:00-12:00 (60), lunch, 13:00-14:45
        # (105): 14:45, not 13:45 in elapsed time. Without the part: 08:15 + 165 = 11:00.
        ("2h", 14.75, 13.75),
        # 6h job: own work 6h45 = 405min from 11:00: 11:00-12:00 (60), 13:00-17:00 (240),
        # the night, Tuesday 08:00-09:45 (105): 24 + 9.75 h, not 17:45 in elapsed time.
        # Without the part: 08:15-12:00 (225) + 13:00-16:00 (180) = 16:00.
        ("6h", 33.75, 17.75),
    ],
)
def test_parts_eta_promise_in_working_time(
    make_scenario, run, stocked, hours, promise_h, elapsed_h
):
    res = run(short_of_one_part(make_scenario, hours, stocked=stocked))
    job = res.jobs.iloc[0]
    assert job["reception_end_h"] == pytest.approx(8.25)
    assert job["promise_h"] == pytest.approx(promise_h)
    assert job["promise_h"] != pytest.approx(elapsed_h)
    # The 10:00 truck arrives 11:00 with what the job misses: it starts its labour then.
    assert job["parts_done_h"] == pytest.approx(11.0)


def test_parts_eta_promise_in_working_time_without_parts_eta(make_scenario, run):
    # The same 6h job without the parts ETA: 08:15-12:00 (225) + 13:00-16:00 (180) = 16:00.
    s = short_of_one_part(
        make_scenario, "6h", stocked=True, workshop={"promise": {"parts_eta": False}}
    )
    assert run(s).jobs["promise_h"].iloc[0] == pytest.approx(16.0)


@pytest.mark.parametrize(
    ("lead", "promise_b"),
    [
        # Truck due 11:15; + 165min: 11:15-12:00 (45), lunch, 13:00-15:00 (120): 15:00
        # (14:00 in elapsed time).
        ("3h", 15.0),
        # Truck due 15:15; + 165min: 15:15-17:00 (105), the night, Tuesday 08:00-09:00 (60):
        # 24 + 9 h (18:00 in elapsed time).
        ("7h", 33.0),
    ],
)
def test_parts_eta_of_a_truck_on_the_road_in_working_time(make_scenario, run, lead, promise_b):
    # Two cars at 08:00, two bays and mechanics, one unit each of P1 (one card of one unit),
    # continuous call-off. A is received 08:00-08:15 (promise 11:00), starts at once and
    # takes the unit: its card leaves at once, the truck scheduled at 08:15 + lead. B is
    # received 08:15-08:30: nothing available to promise, the truck on the road is its ETA;
    # promise = max(08:30 + 2h45 = 11:15, ETA + 2h45 in working time).
    s = make_scenario(
        {
            "calendar": LUNCH,
            "resources": {"bays": 2, "mechanics": 2},
            "demand": {
                "appointments": {**SLOT_4H, "per_day": 2},
                "job_types": {"service": {"parts": {"lines": 1, "qty": 1}}},
            },
            "supply": {"call_off": {"every": "continuous"}, "lead_time": lead},
        }
    )
    res = run(s)
    trucks = res.extra["trucks"]
    assert trucks["departure_h"].iloc[0] == pytest.approx(8.25)
    assert res.jobs["promise_h"].tolist() == pytest.approx([11.0, promise_b])
