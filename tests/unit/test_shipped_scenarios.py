"""The shipped scenario files: they load, reload to the same digest, and describe the
dealers the domain notes describe."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.loading import load_scenario, validate_raw

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.mark.parametrize("name", ["default.yaml", "small_dealer.yaml"])
def test_shipped_scenarios_load_and_reload(name: str) -> None:
    scn = load_scenario(SCENARIOS / name)
    assert validate_raw(scn.dump(), file=name).digest() == scn.digest()
    assert scn.run.seed == 20261126
    assert set(scn.demand.job_types) == {
        "maintenance",
        "general_repair",
        "body_paint",
        "warranty",
        "campaign",
    }
    assert scn.scorecard is not None
    assert set(scn.scorecard.targets) == {
        "vehicles_received",
        "revenue",
        "gross_margin",
        "care_products",
        "accessories",
        "tyres",
    }


def test_default_dealer_is_the_domain_default() -> None:
    scn = load_scenario(SCENARIOS / "default.yaml")
    res = scn.resources
    assert (res["advisors"], res["qc"], res["mech_bays"], res["mechanics"]) == (3, 1, 12, 10)
    assert (res["body_bays"], res["paint_booths"]) == (3, 1)
    ap, wi = scn.demand.appointments, scn.demand.walk_ins
    assert ap is not None and wi is not None
    assert ap.per_day * (1 - ap.no_show) + wi.per_day == pytest.approx(36)
    shares = {k: v.share for k, v in scn.demand.job_types.items()}
    assert shares == {
        "maintenance": 0.55,
        "general_repair": 0.20,
        "body_paint": 0.12,
        "warranty": 0.09,
        "campaign": 0.04,
    }
    body = scn.demand.job_types["body_paint"]
    assert sum(body.op_hours(i).mean_value() for i in range(len(body.route))) == 8 * 60
    assert scn.supply.call_off.times_of_day() == (480, 600, 720, 840, 960)


def test_small_dealer_is_the_scorecard_month() -> None:
    scn = load_scenario(SCENARIOS / "small_dealer.yaml")
    ap, wi = scn.demand.appointments, scn.demand.walk_ins
    assert ap is not None and wi is not None
    per_day = round(ap.per_day) * (1 - ap.no_show) + wi.per_day
    assert per_day * 30 == pytest.approx(310, abs=1)
    assert scn.scorecard is not None
    assert scn.scorecard.targets["revenue"] == 316228.8
