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
