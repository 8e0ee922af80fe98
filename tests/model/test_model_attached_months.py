"""Attached sales (care products, accessories, tyres) and the 30-day month rows.

Base scenario of conftest.py: one car a day at 08:00, 2 h standard at 100/h, efficiency 1,
labour cost 55/h, no parts lines, delivered the same morning.
"""

from __future__ import annotations

import pytest

ALWAYS_CARE = {
    "demand": {
        "job_types": {
            "service": {
                "attached": {
                    "care_products": {"probability": 1.0, "value": 200, "margin": 0.4},
                    "tyres": {"probability": 0.0, "value": 900, "margin": 0.2},
                }
            }
        }
    }
}


def test_attached_sale_adds_revenue_cost_and_its_own_column(make_scenario, run, check_kpis):
    # Per job: revenue = 2 h x 100 + 200 care = 400; costs = 2 h x 55 + 200 x (1 - 0.4)
    # = 110 + 120 = 230; margin 170 (42.5 %). Tyres are never bought (probability 0).
    s = make_scenario({**ALWAYS_CARE, "run": {"horizon": "1d"}})
    check_kpis(
        run(s).kpis,
        {
            "jobs_delivered": 1.0,
            "revenue": 400.0,
            "gross_margin": 170.0,
            "gross_margin_rate": 170.0 / 400.0,
            "care_products": 200.0,
            "accessories": 0.0,
            "tyres": 0.0,
        },
    )


def test_months_are_30_days_from_warmup_end_and_partial_month_dropped(make_scenario, run):
    # Warm-up 2 d, horizon 75 d: months [2, 32) and [32, 62) days; days 62-77 are a partial
    # month and dropped. One car a day, delivered the same day: 30 cars a month, each
    # worth 400 revenue and 170 margin, all on time (promise 11:00, delivered 10:30).
    s = make_scenario({**ALWAYS_CARE, "run": {"horizon": "75d", "warmup": "2d"}})
    months = run(s, trace=False).extra["months"]
    assert [m["month"] for m in months] == [0.0, 1.0]
    for m in months:
        assert m["vehicles_received"] == 30.0
        assert m["jobs_delivered"] == 30.0
        assert m["revenue"] == pytest.approx(30 * 400.0)
        assert m["gross_margin"] == pytest.approx(30 * 170.0)
        assert m["care_products"] == pytest.approx(30 * 200.0)
        assert m["tyres"] == 0.0
        assert m["on_time_rate"] == 1.0
        assert m["comeback_rate"] == 0.0


def test_shorter_horizon_than_a_month_has_no_month_rows(make_scenario, run):
    s = make_scenario({"run": {"horizon": "29d"}})
    assert run(s, trace=False).extra["months"] == []


def test_attached_draws_do_not_move_other_job_attributes(make_scenario, run):
    # Adding an attached sale draws from its own streams only: the jobs' labour and promises
    # are those of the scenario without it (common random numbers).
    noisy = {
        "demand": {
            "job_types": {"service": {"standard_hours": {"dist": "exponential", "mean": "2h"}}}
        }
    }
    plain = make_scenario({**noisy, "run": {"horizon": "10d"}})
    with_sale = make_scenario(
        {
            "run": {"horizon": "10d"},
            "demand": {
                "job_types": {
                    "service": {
                        **noisy["demand"]["job_types"]["service"],
                        **ALWAYS_CARE["demand"]["job_types"]["service"],
                    }
                }
            },
        }
    )
    a, b = run(plain).jobs, run(with_sale).jobs
    assert a["labour_hours"].tolist() == b["labour_hours"].tolist()
    assert a["promise_h"].tolist() == b["promise_h"].tolist()
