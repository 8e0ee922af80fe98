"""Expected part demand, the protection span of a call-off schedule, and resolved sizes.

D = a part's expected units per working hour (from arrival rates, job mix, lines, quantities
and weights). T = the protection span (``protection_span``): the longest working time from a
call-off to the arrival of the next call-off's truck. Each policy turns D, T and the
container size C into its sizes (``sim.model.policies``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np

from sim.calendar import DAY, WEEK, Calendar
from sim.catalogue import Catalogue
from sim.model.demand import eligible_parts
from sim.model.policies import POLICIES, SizingContext
from sim.scenario import Appointments, Scenario

MONTH_OPEN_DAYS = 30  # the stocking rule counts lines per 30 open days


def _p_not_cancelled(ap: Appointments) -> float:
    """P(lateness <= cancel_after), exact for constant and normal, else by a fixed sample."""
    d = ap.lateness
    if d.dist == "constant":
        return 1.0 if d.mean_value() <= ap.cancel_after else 0.0  # its value
    if d.dist == "normal" and d.sd:
        assert d.mean is not None  # a normal has its mean (sim.distributions)
        z = (ap.cancel_after - d.mean) / d.sd
        return 0.5 * math.erfc(-z / math.sqrt(2))
    draw = d.block_drawer(np.random.default_rng(0))
    sample = np.array([v for _ in range(160) for v in draw()])
    return float(np.mean(sample <= ap.cancel_after))


def run_open_days(scenario: Scenario) -> list[int]:
    """The open days of the run (warm-up included): opening weekdays not closed."""
    days = set(scenario.internal_days(scenario.calendar.day_indices))
    closed = set(scenario.closed_days())
    n = math.ceil(scenario.run_end / DAY)
    return [d for d in range(n) if d % 7 in days and d not in closed]


def expected_jobs_per_open_day(scenario: Scenario) -> float:
    """Cars expected on an open day: walk-ins plus bookings that show up and are not
    cancelled, plus the demand events' extra cars.

    With day factors or events the day's expectation varies; it is averaged over the run's
    open days (warm-up included): one figure sizes the whole run.
    """
    dem = scenario.demand
    wi, ap = dem.walk_ins, dem.appointments
    factors = dem.factors_by_weekday()
    open_days = run_open_days(scenario) if dem.events or any(f != 1 for f in factors) else []
    k = scenario.weekday_offset
    weights = [factors[(d + k) % 7] for d in open_days]
    n = len(open_days)
    jobs = wi.per_day if wi else 0.0
    if wi and n and any(f != 1 for f in factors):
        jobs = wi.per_day * (sum(weights) / n)
    if ap and ap.per_day > 0:
        booked: float = round(ap.per_day)
        if n and any(f != 1 for f in factors):
            booked = sum(round(ap.per_day * f) for f in weights) / n
        jobs += booked * (1 - ap.no_show) * _p_not_cancelled(ap)
    for ev in dem.events:
        if not n:
            break
        share = sum(ev.covers(d) for d in open_days) / n
        walk = ev.extra_per_day * (1 - ev.booked_share)
        book: float = round(ev.extra_per_day * ev.booked_share)
        if book and ap is not None:
            book *= (1 - ap.no_show) * _p_not_cancelled(ap)
        jobs += (walk + book) * share
    return jobs


def lines_and_units_per_open_hour(
    scenario: Scenario, cat: Catalogue, cal: Calendar
) -> tuple[np.ndarray, np.ndarray]:
    """Expected order lines and units per open hour of every part (lines drawn with
    weights, capped at one per job)."""
    jobs = expected_jobs_per_open_day(scenario)
    lines = np.zeros(len(cat))
    units = np.zeros(len(cat))
    for name, jt in scenario.demand.job_types.items():
        elig = eligible_parts(cat, name)
        if not len(elig) or jt.share == 0:
            continue
        w = cat.weight[elig] / cat.weight[elig].sum()
        n = min(jt.parts.lines.mean_value(), len(elig))
        per_day = jobs * jt.share * np.minimum(1.0, n * w)
        lines[elig] += per_day
        units[elig] += per_day * max(1.0, jt.parts.qty.mean_value())
    return lines / cal.hours_per_open_day, units / cal.hours_per_open_day


def demand_per_open_hour(scenario: Scenario, cat: Catalogue, cal: Calendar) -> np.ndarray:
    """Expected units per open hour of every part."""
    _, units = lines_and_units_per_open_hour(scenario, cat, cal)
    return units


def stocked_parts(scenario: Scenario, cat: Catalogue, cal: Calendar) -> np.ndarray:
    """Which parts are held on the shelf (``supply.stocking``), as a boolean array.

    ``auto``: expected order lines per 30 open days at least ``min_lines_per_month`` (the
    dealers' rule of thumb: stock a part after about three demands a year).
    """
    rule = scenario.supply.stocking
    if rule.rule == "all":
        return np.ones(len(cat), dtype=bool)
    if rule.rule == "catalogue":
        return cat.sizes["stocked"] == 1.0
    lines, _ = lines_and_units_per_open_hour(scenario, cat, cal)
    per_month = lines * cal.hours_per_open_day * MONTH_OPEN_DAYS
    return np.round(per_month, 9) >= rule.min_lines_per_month


@dataclass(frozen=True)
class Span:
    """The protection span of a call-off schedule, in working hours.

    ``total`` = T, the longest working time from a call-off to the arrival of the truck sent
    at the next call-off; ``lead`` is the part of it before the first of those trucks
    arrives and ``review`` the rest, the split the inventory formulas of ``sim.theory``
    take (an order placed at a call-off arrives ``lead`` later and must last ``review``).
    """

    total: float
    review: float
    lead: float


def call_offs_of_week(scenario: Scenario) -> list[float]:
    """Call-off times of one week, minutes from 00:00 of day 0 (a Monday unless ``run.start``
    says otherwise), in order (empty: continuous)."""
    co = scenario.supply.call_off
    days = scenario.internal_days(co.day_indices)
    return sorted(d * DAY + t for d in days for t in co.times_of_day())


def protection_span(scenario: Scenario, cal: Calendar) -> Span:
    """T = max over the week's call-offs t_k of W(t_k, t_{k+1} + mean lead time).

    W counts working minutes only: parts are used only while the workshop works, so a
    Monday-only call-off protects a week, and an 18:00 call-off with a 12 h overnight truck
    protects the next working day, not 12 h. A continuous call-off protects the lead time
    alone (the longest working time a truck can take, over instants spread on the week).
    """
    cal = getattr(cal, "weekly", cal)  # the regular week, without its closed days
    lead = scenario.supply.lead_time.mean_value()
    times = call_offs_of_week(scenario)
    if not times:
        starts = [cal.add(0.0, w) for w in np.linspace(0.0, cal.week_work, 337)[:-1]]
        t = max(cal.working_between(s, s + lead) for s in starts) / 60
        return Span(total=t, review=0.0, lead=t)
    best = Span(-1.0, 0.0, 0.0)
    for k, t in enumerate(times):
        nxt = times[k + 1] if k + 1 < len(times) else times[0] + WEEK
        total = cal.working_between(t, nxt + lead) / 60
        if total > best.total:
            first = cal.working_between(t, t + lead) / 60
            best = Span(total=total, review=total - first, lead=first)
    return best


def _sizing_context(
    scenario: Scenario, cat: Catalogue, cal: Calendar, stocked: np.ndarray
) -> SizingContext:
    span = protection_span(scenario, cal)
    return SizingContext(
        stocked=stocked,
        demand=demand_per_open_hour(scenario, cat, cal),
        span=span.total,
        review=span.review,
        lead=span.lead,
        container=cat.container_qty.astype(np.int64),
        catalogue=cat.sizes,
    )


_CACHE: dict[str, dict[str, np.ndarray]] = {}


def _sizing_key(scenario: Scenario) -> str:
    data = scenario.model_dump(
        mode="json",
        include={"demand", "calendar", "supply", "parts", "run"},
        context={"by_content": True},
    )
    run = data["run"]  # a generated catalogue depends on the seed; averages on the rest
    data["run"] = [run["seed"], run.get("start"), run["warmup"], run["horizon"]]
    return json.dumps(data, sort_keys=True)


def resolved_sizes(scenario: Scenario, cat: Catalogue, cal: Calendar) -> dict[str, np.ndarray]:
    """Per-part sizes actually simulated (the policy's sizes and ``initial``), with the
    expected demand and container sizes they came from.

    Remembered in the process by what sizing reads (demand, calendar, supply, parts, seed):
    ``target_fill`` sizing runs the inventory formulas for every stocked part, and every
    replication of a scenario (and its results folder) needs the same.
    """
    key = _sizing_key(scenario)
    got = _CACHE.get(key)
    if got is None:
        sup = scenario.supply
        stocked = stocked_parts(scenario, cat, cal)
        ctx = _sizing_context(scenario, cat, cal, stocked)
        sizes = POLICIES[sup.policy].resolve_sizes(sup.policy_block, ctx)
        for name in sizes:  # a part not stocked has no loop and starts with nothing
            sizes[name] = np.where(stocked, sizes[name], 0)
        got = {
            "demand_per_open_hour": ctx.demand,
            "container_qty": ctx.container,
            "stocked": stocked.astype(np.int64),
            **sizes,
        }
        _remember(key, got)
    return {k: v.copy() for k, v in got.items()}


def _remember(key: str, sizes: dict[str, np.ndarray]) -> None:
    if len(_CACHE) >= 16:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = sizes


def remember_sizes(scenario: Scenario, sizes: dict[str, np.ndarray]) -> None:
    """Take ``sizes``, what :func:`resolved_sizes` gave for ``scenario`` in another process,
    as this process's answer for it: a batch's worker is spared the search another worker
    already ran (``sim.executors``)."""
    _remember(_sizing_key(scenario), {k: np.array(v, copy=True) for k, v in sizes.items()})
