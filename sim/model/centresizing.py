"""The parts centre's catalogue and levels, from the dealers it serves.

The centre holds every part any dealer may order, keyed by part number (the first dealer
naming a part gives its unit cost). ``level: auto`` sizes each part from the dealers'
expected orders: their expected use per minute of the week (stocked and non-stock parts
alike: what a dealer uses, it orders), in orders of about one dealer container (one job's
units for a part the dealer does not stock), as a Poisson stream of orders; S is the least
whole number of such orders whose (R, S) fill over review + mean plant lead time reaches
``target_fill`` (``sim.theory.fewest_for_fill``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.calendar import WEEK
from sim.model.dealer import calendar_of, catalogue_for, sizes_for
from sim.scenario import Scenario
from sim.scenario_region import Region
from sim.theory import fewest_for_fill


@dataclass(frozen=True)
class CentrePlan:
    """The centre's parts (catalogue order of first appearance) and each dealer's map."""

    part_no: tuple[str, ...]
    unit_cost: tuple[float, ...]
    level: tuple[int, ...]
    rate: tuple[float, ...]  # expected units ordered per minute, all dealers
    batch: tuple[float, ...]  # expected units per order line
    index: tuple[tuple[int, ...], ...]  # per dealer: the centre's index of each of its parts


_CACHE: dict[str, CentrePlan] = {}


def centre_plan(region: Region) -> CentrePlan:
    """The centre of ``region`` (remembered in the process by the region's digest)."""
    key = region.digest()
    got = _CACHE.get(key)
    if got is None:
        got = _plan(region)
        if len(_CACHE) >= 8:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = got
    return got


def _plan(region: Region) -> CentrePlan:
    where: dict[str, int] = {}
    cost: list[float] = []
    rate: list[float] = []
    units_per_line: list[float] = []  # rate-weighted sum of units per order line
    index = []
    for dealer in region.dealers:
        scn = dealer.scenario
        cat = catalogue_for(scn)
        cal = calendar_of(scn)
        sizes = sizes_for(scn)
        per_minute = sizes["demand_per_open_hour"] / 60 * cal.week_work / WEEK
        qty = _units_per_job_line(scn)
        line = np.where(sizes["stocked"] == 1, sizes["container_qty"], qty)
        mine = []
        for i, part in enumerate(cat.part_no):
            k = where.get(part)
            if k is None:
                k = where[part] = len(cost)
                cost.append(float(cat.unit_cost[i]))
                rate.append(0.0)
                units_per_line.append(0.0)
            rate[k] += float(per_minute[i])
            units_per_line[k] += float(per_minute[i] * line[i])
            mine.append(k)
        index.append(tuple(mine))
    batch = [u / r if r > 0 else 1.0 for u, r in zip(units_per_line, rate, strict=True)]
    stock = region.centre.stock
    if stock is None:  # an infinite centre is never sized
        level = [0] * len(cost)
    elif stock.level == "auto":
        lead = region.centre.supply_lead_time.mean_value() if region.centre.supply_lead_time else 0
        level = centre_levels(rate, batch, stock.review, lead, stock.target_fill)
    else:
        level = [int(stock.level)] * len(cost)
    return CentrePlan(
        part_no=tuple(where),
        unit_cost=tuple(cost),
        level=tuple(level),
        rate=tuple(rate),
        batch=tuple(batch),
        index=tuple(index),
    )


def _units_per_job_line(scenario: Scenario) -> float:
    """The mean units of one job's order line, over the job types (at least one)."""
    types = scenario.demand.job_types.values()
    weights = [jt.share for jt in types]
    qty = [max(1.0, jt.parts.qty.mean_value()) for jt in types]
    total = sum(weights)
    return sum(w * q for w, q in zip(weights, qty, strict=True)) / total if total else 1.0


def centre_levels(
    rate: list[float], batch: list[float], review: float, lead: float, target: float
) -> list[int]:
    """Per part, the least S (in whole orders of about ``batch`` units) whose (R, S) fill of
    a Poisson stream of such orders at ``rate / batch`` per minute reaches ``target``."""
    levels = []
    for r, b in zip(rate, batch, strict=True):
        if r <= 0:
            levels.append(0)
            continue
        size = max(1, round(b))
        j = fewest_for_fill(r / size, review, lead, target, start=0, step=1, width=1)
        levels.append((j + 1) * size)
    return levels
