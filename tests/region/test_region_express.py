"""Emergency orders in a region when the centre is short: what the centre lacks comes from
the plant as an express order, also for a car that started waiting counting on a call-off
the centre then could not fill (docs/model.md, "A region")."""

from __future__ import annotations

import math
from pathlib import Path

import yaml

from sim.model.world import World
from sim.region import load_region

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "scenarios" / "default.yaml"
DAY, HOUR = 1440.0, 60.0
EXPRESS = 1 * DAY
PLANT = {"dist": "triangular", "low": "2d", "mode": "3d", "high": "6d"}


def starved_region(
    tmp_path: Path, express: bool, seed: int = 11, sets: dict | None = None
) -> World:
    """Two default dealers (with ``sets``) on a centre holding one unit of each part: nearly
    every order is owed, for the plant's two to six days."""
    data = {
        "name": "starved",
        "run": {"horizon": "20d", "warmup": "5d", "replications": 1, "seed": seed},
        "centre": {
            "stock": {"level": 1, "review": "1d"},
            "supply_lead_time": PLANT,
            "express": {"enabled": express, "lead_time": "1d"},
        },
        "dealers": [
            {"name": "a", "scenario": str(DEFAULT), "set": sets or {}},
            {"name": "b", "scenario": str(DEFAULT), "set": sets or {}},
        ],
    }
    path = tmp_path / f"starved_{express}_{seed}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    world = World(load_region(path), 0)
    world.run()  # checks every dealer's and the centre's flow balance
    return world


def parts_waits(world: World, non_stock_only: bool = False) -> list[float]:
    """Minutes each job that got its parts waited for them after its first operation began
    (``non_stock_only``: the jobs with a part ordered for them)."""
    return [
        j.parts_done - j.first_start
        for d in world.dealers
        for j in d.workshop.jobs
        if not math.isnan(j.parts_done)
        and not math.isnan(j.first_start)
        and (not non_stock_only or any(not d.parts[i].stocked for i, _ in j.lines))
    ]


def test_express_orders_bound_a_cars_wait_for_parts(tmp_path: Path) -> None:
    """With express orders no car waits for the plant's replenishment: it gets its parts
    within the express lead time of the moment the dealer learns the centre cannot supply
    (at the job's first operation, or at the next call-off, at most overnight). Without
    them cars wait for the plant, two days and more."""
    on, off = starved_region(tmp_path, True), starved_region(tmp_path, False)
    waits_on, waits_off = parts_waits(on), parts_waits(off)
    assert sum(w > 0 for w in waits_on) > 100  # not vacuous: many cars waited
    assert max(waits_on) <= EXPRESS + 17 * HOUR, max(waits_on)
    assert max(waits_off) > 2 * DAY, max(waits_off)
    ordered_on = sum(d.supply.emergency_orders for d in on.dealers)
    ordered_off = sum(d.supply.emergency_orders for d in off.dealers)
    assert ordered_on > 100 and ordered_off < 10, (ordered_on, ordered_off)
    # The centre's parts table counts what the plant sent past it (none without express).
    assert on.centre is not None and off.centre is not None
    assert sum(on.centre.express_units) > 100 and sum(off.centre.express_units) == 0
    assert on.centre.part_rows()["express_units"] == on.centre.express_units
    # Cars no longer stand in their bays for days: far more of them are delivered.
    done_on = sum(d.workshop.delivered for d in on.dealers)
    done_off = sum(d.workshop.delivered for d in off.dealers)
    assert done_on > 1.5 * done_off, (done_on, done_off)


def test_a_part_ordered_for_a_job_that_the_centre_owes_is_expressed(tmp_path: Path) -> None:
    """A non-stock part is ordered from the centre at reception; when the centre owes it,
    the car does not count on it arriving with the next truck: it gets an express order
    when it starts waiting, and waits no longer than the express lead time for it."""
    world = starved_region(tmp_path, True, seed=12, sets={"supply.prepare": False})
    waits = parts_waits(world, non_stock_only=True)
    assert sum(w > 0 for w in waits) > 20  # not vacuous
    assert max(waits) <= EXPRESS + 17 * HOUR, max(waits)
