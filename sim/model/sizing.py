"""Expected part demand and the automatic sizes of each supply policy.

D = a part's expected units per open hour (from arrival rates, job mix, lines, quantities
and weights); R = the mean open hours between call-offs (the call-off interval round the
clock; 0 when continuous); L = the open hours that pass during the mean lead time.
N = max(1, ceil(D·(R+L)·(1+safety)/C)); S = N·C; s = (N−1)·C, Q = C.
"""

from __future__ import annotations

import math

import numpy as np

from sim.calendar import Calendar
from sim.catalogue import Catalogue
from sim.model.demand import eligible_parts
from sim.model.policies import POLICIES, SizingContext
from sim.scenario import Appointments, Scenario


def _p_not_cancelled(ap: Appointments) -> float:
    """P(lateness <= cancel_after), exact for constant and normal, else by a fixed sample."""
    d = ap.lateness
    if d.dist == "constant":
        return 1.0 if d.value <= ap.cancel_after else 0.0  # type: ignore[operator]
    if d.dist == "normal" and d.sd:
        z = (ap.cancel_after - d.mean) / d.sd  # type: ignore[operator]
        return 0.5 * math.erfc(-z / math.sqrt(2))
    draw = d.block_drawer(np.random.default_rng(0))
    sample = np.array([v for _ in range(160) for v in draw()])
    return float(np.mean(sample <= ap.cancel_after))


def expected_jobs_per_open_day(scenario: Scenario) -> float:
    """Cars expected on an open day: walk-ins plus bookings that show up and are not cancelled."""
    wi, ap = scenario.demand.walk_ins, scenario.demand.appointments
    jobs = wi.per_day if wi else 0.0
    if ap and ap.per_day > 0:
        jobs += round(ap.per_day) * (1 - ap.no_show) * _p_not_cancelled(ap)
    return jobs


def demand_per_open_hour(scenario: Scenario, cat: Catalogue, cal: Calendar) -> np.ndarray:
    """Expected units per open hour of every part (lines drawn with weights, capped at 1)."""
    jobs = expected_jobs_per_open_day(scenario)
    units = np.zeros(len(cat))
    for name, jt in scenario.demand.job_types.items():
        elig = eligible_parts(cat, name)
        if not len(elig) or jt.share == 0:
            continue
        w = cat.weight[elig] / cat.weight[elig].sum()
        lines = min(jt.parts.lines.mean_value(), len(elig))
        p_line = np.minimum(1.0, lines * w)
        units[elig] += jobs * jt.share * p_line * max(1.0, jt.parts.qty.mean_value())
    return units / cal.hours_per_open_day


def review_hours(scenario: Scenario, cal: Calendar) -> float:
    """R of the sizing formula: open hours per week / call-offs per week (0 if continuous).

    D counts units per *open* hour, so R must count open hours too. Round the clock this is
    exactly ``call_off.every``; for one call-off a day it is the open hours of a day, not 24.
    """
    co = scenario.supply.call_off
    if co.continuous:
        return 0.0
    per_week = len(co.times_of_day()) * len(co.day_indices)
    return cal.week_work / 60 / per_week


def lead_open_hours(scenario: Scenario, cal: Calendar) -> float:
    """L of the sizing formula: the open hours that pass while an order is in transit.

    The mean lead time is counted in working time from each call-off of a week (for
    continuous call-off, from instants spread evenly over the open hours), because parts are
    consumed only while the workshop is open: an overnight truck protects no open hours.
    Round the clock this is exactly the mean lead time.
    """
    sup = scenario.supply
    lead = sup.lead_time.mean_value()
    co = sup.call_off
    if co.continuous:
        starts = [cal.add(0.0, w) for w in np.linspace(0.0, cal.week_work, 337)[:-1]]
    else:
        starts = [d * 1440.0 + t for d in co.day_indices for t in co.times_of_day()]
    return float(np.mean([cal.working_between(t, t + lead) for t in starts])) / 60


def resolved_sizes(scenario: Scenario, cat: Catalogue, cal: Calendar) -> dict[str, np.ndarray]:
    """Per-part sizes actually simulated (the policy's sizes and ``initial``), with the
    expected demand and container sizes they came from."""
    sup = scenario.supply
    c = cat.container_qty.astype(np.int64)
    d = demand_per_open_hour(scenario, cat, cal)
    ctx = SizingContext(
        demand=d,
        span=review_hours(scenario, cal) + lead_open_hours(scenario, cal),
        container=c,
        catalogue=cat.sizes,
    )
    sizes = POLICIES[sup.policy].resolve_sizes(sup.policy_block, ctx)
    return {"demand_per_open_hour": d, "container_qty": c, **sizes}
