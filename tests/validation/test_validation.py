"""The model against queueing and inventory theory and Little's law (``cases.py``).

Each case is one test, and every one of its checks must pass: the mean over replications
must lie within 3 standard errors plus a small floor of the closed form (or, for Little's
law, of the paired other side of the law). Checks marked informational are not asserted.
A check with a resolution (the queues' Wq) must also be tight enough to tell an error of
that relative size: its tolerance at most resolution x theory.
``scripts/validation_report.py`` runs the same cases and writes ``docs/validation.md``.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.kpi import compute_kpis
from sim.loading import load_scenario
from sim.model import trace as trace_tables
from sim.model.world import World, calendar_of, simulate, sizes_for
from tests.validation.cases import (
    BREAKS_PER_DAY,
    BREAKS_WORKING_H,
    CASE_BY_KEY,
    CASES,
    DEFAULT_SCENARIO,
    KANBAN_CONTAINER,
    MM8_PER_DAY,
    MM8_SERVERS,
    MMC_BUFFER_H,
    MMC_HOURS,
    MMC_MU,
    MMC_SERVERS,
    REWORK_FAIL,
    SQ_QTY,
    STOCK_LAMBDA,
    STOCK_LEAD_H,
    STOCK_LONG_LEAD_H,
    STOCK_REVIEW_H,
    run_case,
)
from tests.validation.measure import HoldProbe, time_average_busy

pytestmark = pytest.mark.validation


@pytest.mark.parametrize("key", [case.key for case in CASES])
def test_simulation_matches_theory(key: str) -> None:
    """One test per case (so ``pytest -n`` never runs a case twice); every check listed."""
    result = run_case(CASE_BY_KEY[key])
    asserted = [c for c in result.checks if not c.check.informational]
    failed = [c for c in asserted if not c.passed]
    lines = [("FAIL " if c in failed else "ok   ") + c.describe() for c in asserted]
    assert not failed, f"{key}: {len(failed)} of {len(asserted)} checks failed\n" + "\n".join(lines)
    blunt = [
        f"{c.describe()}: cannot tell a {c.check.resolution:.0%} error"
        for c in asserted
        if c.check.resolution is not None and c.tolerance > c.check.resolution * abs(c.theory)
    ]
    assert not blunt, f"{key}: more replications needed\n" + "\n".join(blunt)


def test_scenarios_are_the_theoretical_systems() -> None:
    """The scenario files say what the theory of their case assumes (no silent drift)."""
    for case in CASES:
        if case.measure == "little":
            continue
        scn = case.scenario(replications=1)
        jt = scn.demand.job_types["service"]
        cal = scn.calendar
        assert scn.calendar.day_indices == tuple(range(7))
        assert scn.demand.appointments is None
        if case.group == "M/M/c in working time":
            # Open 07:00-19:00, lunch 12:00-13:00; arrivals only in working time, each
            # period's share its length: Poisson in working time.
            assert (cal.open, cal.close, cal.breaks) == (420, 1140, ((720.0, 780.0),))
            assert calendar_of(scn).hours_per_open_day == BREAKS_WORKING_H
            assert scn.demand.walk_ins.per_day == BREAKS_PER_DAY
            profile = scn.demand.walk_ins.profile
            assert profile is not None and profile["12:00"] == 0
            assert profile["07:00"] == pytest.approx(5 / 11, abs=1e-12)
            assert profile["13:00"] == pytest.approx(6 / 11, abs=1e-12)
        else:
            assert cal.open == 0 and cal.close == 1440 and not cal.breaks
            assert scn.demand.walk_ins.profile is None
        for step in (scn.workshop.reception, scn.workshop.qc, scn.workshop.delivery):
            assert step.dist == "constant" and step.value == 0
        if case.group.startswith("M/M/c"):
            servers = MM8_SERVERS if case.key.startswith("mm8") else MMC_SERVERS
            assert [scn.resources[p] for p in jt.route[0].uses] == [servers] * 2
            if case.key.startswith("mm8"):
                assert scn.demand.walk_ins.per_day == MM8_PER_DAY
            hours, eff = jt.op_hours(0), jt.op_efficiency(0)
            assert hours.mean_value() == 60 * MMC_HOURS == 60 / MMC_MU
            assert eff.mean_value() == 1.0
            assert {hours.dist, eff.dist} == {"exponential", "constant"}
            assert scn.workshop.promise.buffer == 60 * MMC_BUFFER_H
            assert not scn.workshop.promise.parts_eta
            assert jt.qc_fail == (REWORK_FAIL if "rework" in case.key else 0.0)
        else:
            sizes = sizes_for(scn)
            assert sizes["demand_per_open_hour"].tolist() == [STOCK_LAMBDA]
            container = KANBAN_CONTAINER if scn.supply.policy == "kanban" else 1
            assert sizes["container_qty"].tolist() == [container]
            co = scn.supply.call_off
            assert co.continuous or (co.every == 60 * STOCK_REVIEW_H and co.first == 0)
            assert co.continuous or co.last == 1440 - co.every
            lead = STOCK_LONG_LEAD_H if "long_lead" in case.key else STOCK_LEAD_H
            assert scn.supply.lead_time.dist == "constant"
            assert scn.supply.lead_time.value == 60 * lead
            assert scn.supply.truck_capacity is None and not scn.supply.emergency.enabled
            assert scn.supply.kanban.release == "on_request"
            if case.group.startswith("(s, Q)"):
                assert scn.supply.policy == "reorder_point"
                assert sizes["order_qty"].tolist() == [SQ_QTY]
            assert jt.parts.lines.value == 1 and jt.parts.qty.value == 1


def test_every_stock_group_reviews_with_stock_on_order() -> None:
    """Some (R, S) and (s, Q) case has a lead time longer than the review interval, so its
    reviews see the last order still on the road (the inventory position's on-order part)."""
    groups = {c.group for c in CASES if "long_lead" in c.key and STOCK_LONG_LEAD_H > STOCK_REVIEW_H}
    assert groups == {"(R, S) order-up-to", "(s, Q) reorder point"}


def test_hold_probe_is_faithful() -> None:
    """The probe changes nothing, and its holds integrate to the pools trace exactly."""
    scn = load_scenario(DEFAULT_SCENARIO, horizon="3d", replications=1)
    world = World(scn, 0, trace=True)
    probe = HoldProbe(world)
    world.run()
    probe.close(world.end)
    assert compute_kpis(world.records()) == simulate(scn, 0).kpis
    t0, t1 = (t / 60 for t in world.window)
    space = {world.pools.names[i] for i in probe.space}
    trace_l = time_average_busy(trace_tables.pools_frame(world), space, t0, t1)
    iv = np.array([(a, b) for _, a, b in probe.intervals]) / 60
    probe_l = np.sum(np.clip(iv[:, 1], t0, t1) - np.clip(iv[:, 0], t0, t1)) / (t1 - t0)
    assert trace_l > 0
    assert probe_l == pytest.approx(trace_l, rel=1e-12)
