"""``economics.labour_cost: paid``: the crew costs every working hour, idle or not.

Base scenario (see conftest): 08:00-17:00 every day (9 working hours), one booked car a day
at 08:00, a 2h job on [bays, mechanics] billed at 100/h, no parts, labour cost 55/h.
"""

from __future__ import annotations

import pytest

PAID = {"economics": {"labour_cost": "paid"}}


def test_worked_is_the_default_and_costs_the_hours_worked(make_scenario, run, check_kpis):
    s = make_scenario()
    assert s.economics.labour_cost == "worked"
    assert "labour_cost" not in s.dump()["economics"]  # the default leaves hashes alone
    # 2h worked x 55 against 2h billed x 100
    check_kpis(run(s, trace=False).kpis, {"revenue": 200.0, "gross_margin": 200.0 - 110.0})


def test_paid_costs_every_unit_of_every_labour_pool_for_the_window(make_scenario, run, check_kpis):
    # Labour pools: those named after an operation's first, never advisors or QC. One
    # mechanic (the bay is the space) x 9 working hours x 55 = 495, booked over the window
    # whatever the job worked: the margin is 200 - 495.
    res = run(make_scenario(PAID), trace=False)
    check_kpis(
        res.kpis,
        {"revenue": 200.0, "gross_margin": 200.0 - 495.0, "gross_margin_rate": -295.0 / 200.0},
    )
    # A bigger crew shows in the margin under paid labour, not under worked labour.
    crew = {"resources": {"mechanics": 3}}
    paid3 = run(make_scenario({**PAID, **crew}), trace=False).kpis
    assert paid3["gross_margin"] == pytest.approx(200.0 - 3 * 495.0)
    worked3 = run(make_scenario(crew), trace=False).kpis
    assert worked3["gross_margin"] == pytest.approx(90.0)
    # More advisors, QC or bays are not labour.
    others = {"resources": {"advisors": 2, "qc": 2, "bays": 4}}
    assert run(make_scenario({**PAID, **others}), trace=False).kpis["gross_margin"] == (
        pytest.approx(-295.0)
    )


def test_paid_labour_over_the_window_not_at_delivery(make_scenario, run, check_kpis):
    # Warm-up 9h, horizon 1d: window [Mon 09:00, Tue 09:00) holds 8 + 1 = 9 working hours,
    # so the paid labour is 9 x 55 = 495 however many jobs are delivered in it. Only the
    # Monday car (delivered 10:30) is: revenue 200. Two-step route: mechanics and painters
    # are both labour pools (1 + 2 units).
    s = make_scenario(
        {
            **PAID,
            "run": {"warmup": "9h", "horizon": "1d"},
            "resources": {"booths": 1, "painters": 2},
            "demand": {
                "job_types": {
                    "service": {
                        "standard_hours": "<delete>",
                        "route": [
                            {"op": "repair", "uses": ["bays", "mechanics"], "standard_hours": "2h"},
                            {"op": "paint", "uses": ["booths", "painters"], "standard_hours": "0h"},
                        ],
                    }
                }
            },
        }
    )
    res = run(s, trace=False)
    check_kpis(res.kpis, {"jobs_delivered": 1, "revenue": 200.0, "gross_margin": 200 - 3 * 495})


def test_paid_labour_in_each_month(make_scenario, run):
    # 60 days: two 30-day months of 270 working hours each; one mechanic costs
    # 270 x 55 = 14,850 a month; each month delivers 30 cars at 200.
    s = make_scenario({**PAID, "run": {"horizon": "60d"}})
    res = run(s, trace=False)
    months = res.extra["months"]
    assert [m["revenue"] for m in months] == pytest.approx([6000.0, 6000.0])
    assert [m["gross_margin"] for m in months] == pytest.approx([6000 - 14850] * 2)
    assert res.kpis["gross_margin"] == pytest.approx(12000 - 2 * 14850)
    worked = run(make_scenario({"run": {"horizon": "60d"}}), trace=False)
    assert [m["gross_margin"] for m in worked.extra["months"]] == pytest.approx([6000 - 3300] * 2)
