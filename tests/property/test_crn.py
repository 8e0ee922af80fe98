"""Common random numbers and reproducibility.

Supply settings never enter a seed: replication r of two policies sees the same cars with
the same work. The same (scenario, replication) gives exactly the same KPI row twice, in any
order, and in another process.
"""

from __future__ import annotations

import copy
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import ScenarioSpec, build, scenarios, supplies

from sim.loading import apply_set, validate_raw
from sim.model.world import World, simulate
from sim.scenario import Scenario

REPS = (0, 1, 2, 3)
JOB_ATTRS = (
    "arrival",
    "booked",
    "type",
    "reception_time",
    "std",
    "labour",
    "rework",
    "qc_times",
    "delivery_time",
    "comeback",
    "lines",
)

BASE: dict[str, Any] = {
    "name": "crn",
    "run": {"horizon": "5d", "warmup": "1d", "replications": 4, "seed": 20261126},
    "calendar": {
        "open": "08:00",
        "close": "18:00",
        "breaks": [["12:00", "13:00"]],
        "days": ["mon", "tue", "wed", "thu", "fri", "sat"],
    },
    "resources": {"advisors": 2, "qc": 1, "bays": 3, "mechanics": 3, "booth": 1},
    "demand": {
        "walk_ins": {"per_day": 7, "profile": {"08:00": 0.5, "10:30": 0.2, "14:00": 0.3}},
        "appointments": {
            "per_day": 6,
            "slot": "30min",
            "no_show": 0.1,
            "cancel_after": "30min",
            "lateness": {"dist": "normal", "mean": "0min", "sd": "15min"},
        },
        "job_types": {
            "service": {
                "share": 0.6,
                "route": [
                    {
                        "op": "repair",
                        "uses": ["bays", "mechanics"],
                        "standard_hours": {"dist": "lognormal", "mean": "1h", "cv": 0.5},
                        "efficiency": {"dist": "lognormal", "mean": 1.0, "cv": 0.2},
                    }
                ],
                "parts": {
                    "lines": {"dist": "uniform_int", "low": 0, "high": 3},
                    "qty": {"dist": "uniform_int", "low": 1, "high": 2},
                },
                "labour_rate": 160,
                "qc_fail": 0.1,
                "comeback": 0.05,
            },
            "body": {
                "share": 0.4,
                "route": [
                    {
                        "op": "panel",
                        "uses": ["bays", "mechanics"],
                        "standard_hours": {
                            "dist": "triangular",
                            "low": "30min",
                            "mode": "1h",
                            "high": "3h",
                        },
                    },
                    {
                        "op": "paint",
                        "uses": ["booth"],
                        "standard_hours": {"dist": "exponential", "mean": "40min"},
                    },
                ],
                "parts": {"lines": {"dist": "uniform_int", "low": 1, "high": 3}},
                "labour_rate": 200,
                "qc_fail": 0.2,
                "comeback": 0.02,
            },
        },
    },
    "workshop": {
        "reception": {"dist": "triangular", "low": "5min", "mode": "10min", "high": "20min"},
        "qc": {"dist": "uniform", "low": "5min", "high": "15min"},
        "delivery": {"dist": "exponential", "mean": "10min"},
        "promise": {"buffer": "30min", "parts_eta": True},
        "stockout": "wait_in_bay",
    },
    "parts": {"generate": {"count": 20, "container_qty": [1, 2, 4]}},
    "supply": {
        "policy": "kanban",
        "call_off": {"every": "2h", "first": "08:00", "last": "16:00"},
        "lead_time": {"dist": "triangular", "low": "30min", "mode": "45min", "high": "90min"},
        "kanban": {"cards": "auto", "safety": 0.0},
        "emergency": {"enabled": False, "lead_time": "2h", "cost": 80},
    },
    "economics": {"labour_cost_per_hour": 55},
}

# Supply-side changes (plus two workshop settings that do not touch demand either).
VARIANTS: dict[str, dict[str, Any]] = {
    "every_4h": {"supply.call_off.every": "4h"},
    "order_up_to": {"supply.policy": "order_up_to"},
    "reorder_point": {"supply.policy": "reorder_point", "supply.reorder_point.qty": 2},
    "truck_capacity_1": {"supply.truck_capacity": 1},
    "emergency_on": {"supply.emergency.enabled": True},
    "continuous": {"supply.call_off.every": "continuous"},
    "on_empty_cards_1": {"supply.kanban.release": "on_empty", "supply.kanban.cards": 1},
    "outage": {"supply.disruptions": [{"kind": "outage", "start": "1d", "end": "3d"}]},
    "park_no_eta": {"workshop.stockout": "park", "workshop.promise.parts_eta": False},
    "stocking_auto": {"supply.stocking": {"rule": "auto", "min_lines_per_month": 20}},
    "start_full": {"supply.start_stock": "full"},
    "unreliable": {
        "supply.reliability": {
            "late": {"probability": 0.5, "by": {"dist": "uniform", "low": "30min", "high": "3h"}},
            "outages": {
                "every": {"dist": "exponential", "mean": "2d"},
                "duration": {"dist": "uniform", "low": "4h", "high": "1d"},
            },
        }
    },
}


def scenario_with(sets: dict[str, Any] | None = None) -> Scenario:
    raw = copy.deepcopy(BASE)
    for key, value in (sets or {}).items():
        apply_set(raw, key, value)
    return validate_raw(raw, file="crn.yaml")


def job_attributes(scenario: Scenario, replication: int) -> list[tuple[Any, ...]]:
    """Every random attribute of every job that arrived, in arrival order."""
    world = World(scenario, replication)
    world.run()
    return [tuple(getattr(j, a) for a in JOB_ATTRS) for j in world.jobs]


@pytest.fixture(scope="module")
def base() -> Scenario:
    return scenario_with()


@pytest.fixture(scope="module")
def base_jobs(base: Scenario) -> dict[int, list[tuple[Any, ...]]]:
    return {r: job_attributes(base, r) for r in REPS}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_supply_change_keeps_jobs(
    variant: str, base: Scenario, base_jobs: dict[int, list[tuple[Any, ...]]]
) -> None:
    """Changing a supply setting changes the outcome but not a single car or its work."""
    other = scenario_with(VARIANTS[variant])
    changed = False
    for r in REPS:
        jobs = job_attributes(other, r)
        assert len(jobs) == len(base_jobs[r]) > 0
        for k, (a, b) in enumerate(zip(base_jobs[r], jobs, strict=True)):
            assert a == b, f"replication {r}, job {k} differs under {variant}"
        changed |= simulate(other, r).kpis != simulate(base, r).kpis
    assert changed, f"{variant} changed no KPI: the comparison would prove nothing"


def test_prepare_sees_the_same_cars() -> None:
    """Bookings made one to three days ahead, nothing stocked, daily supply: ordering the
    booked jobs' parts at booking or at reception sees the same cars, the same job mix and
    the same work in every replication, and only the parts readiness changes."""
    ahead = {
        "demand.appointments.booked_ahead": {"dist": "uniform", "low": "1d", "high": "3d"},
        "supply.stocking": {"rule": "auto", "min_lines_per_month": 1.0e9},
        "supply.call_off": {"every": "1d", "first": "18:00", "last": "18:00"},
        "supply.lead_time": "12h",
    }
    early = scenario_with({**ahead, "supply.prepare": True})
    late = scenario_with({**ahead, "supply.prepare": False})
    for r in REPS:
        jobs = job_attributes(early, r)
        assert jobs == job_attributes(late, r) and jobs
        a, b = simulate(early, r).kpis, simulate(late, r).kpis
        assert a["vehicles_received"] == b["vehicles_received"]
        assert a["stocked_parts"] == b["stocked_parts"] == 0
        # Prepared, every booked job finds its parts; walk-ins may fare either way (the
        # booked jobs' quicker start moves theirs).
        assert _booked_ready(early, r) == 1.0 > _booked_ready(late, r)


def _booked_ready(scenario: Scenario, replication: int) -> float:
    """The parts-ready rate of the booked jobs with parts that started in the window."""
    world = World(scenario, replication)
    world.run()
    t0, t1 = world.window
    jobs = [j for j in world.jobs if j.booked and j.lines and t0 <= j.first_start < t1]
    return sum(j.lines_short == 0 for j in jobs) / len(jobs)


def test_reliability_keeps_the_lead_time_draws() -> None:
    """Late trucks draw from their own streams: with trucks late by a constant, the k-th
    truck's lead time is the k-th truck's without them plus 0 or the constant (the number
    of trucks may differ, as late supply changes the orders)."""
    plain = scenario_with({"supply.call_off.every": "continuous"})
    late = scenario_with(
        {
            "supply.call_off.every": "continuous",
            "supply.reliability": {"late": {"probability": 0.5, "by": "7h"}},
        }
    )
    for r in REPS[:2]:
        a, b = World(plain, r), World(late, r)
        a.run(), b.run()
        leads = [arr - dep for dep, arr, _ in a.supply.truck_log]
        later = [arr - dep for dep, arr, _ in b.supply.truck_log]
        assert min(len(leads), len(later)) > 20
        extra = {round(y - x, 9) for x, y in zip(leads, later, strict=False)}
        assert extra == {0.0, 420.0}


def test_replications_differ(base_jobs: dict[int, list[tuple[Any, ...]]]) -> None:
    """Different replications see different cars (and different work)."""
    arrivals = {r: [j[0] for j in jobs] for r, jobs in base_jobs.items()}
    for r in REPS:
        for q in REPS:
            if q > r:
                assert arrivals[r] != arrivals[q]
                assert [j[4] for j in base_jobs[r]] != [j[4] for j in base_jobs[q]]


def test_seed_changes_jobs(base: Scenario) -> None:
    """A different seed gives different cars in the same replication."""
    other = base.model_copy(update={"run": base.run.model_copy(update={"seed": 1})})
    assert job_attributes(other, 0) != job_attributes(base, 0)


def test_same_inputs_same_row(base: Scenario) -> None:
    """The same (scenario, replication) gives exactly the same KPI row and flow, in any order
    and from a freshly validated copy of the scenario."""
    forward = [simulate(base, r) for r in REPS]
    backward = [simulate(scenario_with(), r) for r in reversed(REPS)][::-1]
    for a, b in zip(forward, backward, strict=True):
        assert a.kpis == b.kpis
        assert a.flow == b.flow
    assert forward[0].kpis != forward[1].kpis


def test_traced_row_equals_untraced(base: Scenario) -> None:
    """Tracing records more but changes no number."""
    for r in REPS[:2]:
        assert simulate(base, r, trace=True).kpis == simulate(base, r).kpis


def _catalogue_scenario(folder: Path) -> Scenario:
    csv = folder / "parts.csv"
    csv.write_text(
        "part_no,unit_cost,unit_price,container_qty,weight,job_types,cards\n"
        "A1,10,13,2,5,,2\n"
        "B2,250.5,300,1,1,body,1\n"
        "C3,3.25,4,5,2,service;body,1\n",
        encoding="utf-8",
    )
    raw = copy.deepcopy(BASE)
    raw["parts"] = {"catalogue": str(csv)}
    raw["supply"]["kanban"]["cards"] = "catalogue"
    return validate_raw(raw, file=folder / "crn.yaml")


def test_other_process_same_row(base: Scenario, tmp_path: Path) -> None:
    """simulate in a spawned process returns exactly the row computed here (generated and
    CSV catalogues)."""
    csv_scenario = _catalogue_scenario(tmp_path)
    tasks = [(base, 0), (base, 3), (csv_scenario, 1)]
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as pool:
        remote = list(pool.map(simulate, *zip(*tasks, strict=True)))
    for (scenario, r), far in zip(tasks, remote, strict=True):
        near = simulate(scenario, r)
        assert far.kpis == near.kpis
        assert far.flow == near.flow
        assert (far.scenario, far.replication) == (near.scenario, near.replication)


# -- the same on random scenarios ------------------------------------------------------------


@st.composite
def scenario_pairs(draw: st.DrawFn) -> tuple[ScenarioSpec, ScenarioSpec]:
    """A random scenario and the same scenario with another random supply side (and other
    stock-out and promise settings)."""
    spec = draw(scenarios())
    raw = copy.deepcopy(spec.raw)
    days = int(raw["run"]["warmup"][:-1]) + int(raw["run"]["horizon"][:-1])
    raw["supply"] = draw(supplies(spec.catalogue_rows is not None, 24 * days))
    raw["workshop"]["stockout"] = draw(st.sampled_from(["wait_in_bay", "park"]))
    raw["workshop"]["promise"]["parts_eta"] = draw(st.booleans())
    return spec, ScenarioSpec(raw=raw, catalogue_rows=spec.catalogue_rows)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("crn_catalogues")


@settings(
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(pair=scenario_pairs(), replication=st.integers(0, 50))
def test_random_supply_change_keeps_jobs(
    pair: tuple[ScenarioSpec, ScenarioSpec], replication: int, folder: Path
) -> None:
    """On any scenario, any other supply side leaves every car and its work unchanged."""
    a, b = (build(spec, folder) for spec in pair)
    assert job_attributes(a, replication) == job_attributes(b, replication)


# -- sources of cars -------------------------------------------------------------------------

EVENT = {
    "name": "recall",
    "start": "2d",
    "end": "5d",
    "job_type": "service",
    "extra_per_day": 6,
    "booked_share": 0.5,
}


def jobs_by_source(scenario: Scenario, replication: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every random attribute of every job, by its source of cars, in arrival order."""
    world = World(scenario, replication)
    world.run()
    out: dict[str, list[tuple[Any, ...]]] = {}
    for j in world.jobs:
        out.setdefault(j.source, []).append(tuple(getattr(j, a) for a in JOB_ATTRS))
    return out


@pytest.mark.parametrize(
    ("change", "kept"),
    [
        ({"demand.events": [EVENT]}, ("walk_ins", "bookings")),
        ({"demand.walk_ins.per_day": 12}, ("bookings",)),
        ({"demand.appointments.per_day": 3}, ("walk_ins",)),
        ({"demand.day_factors": {"sat": 2.0, "tue": 0.5}}, ()),
        (
            {"demand.events": [EVENT, {**EVENT, "name": "promo", "extra_per_day": 3}]},
            ("walk_ins", "bookings", "event.recall"),
        ),
    ],
)
def test_a_source_keeps_its_cars(change: dict[str, Any], kept: tuple[str, ...]) -> None:
    """Adding an event or changing one source's rate leaves every other source's cars as they
    were: arrival times, types, hours, parts, QC (each source has its own streams)."""
    base = scenario_with({"demand.events": [EVENT]} if "promo" in str(change) else None)
    other = scenario_with(change)
    for r in REPS[:2]:
        a, b = jobs_by_source(base, r), jobs_by_source(other, r)
        assert b != a
        for source in kept:
            assert a[source] and a[source] == b[source], f"{source} changed, replication {r}"
    if "events" in change:
        ev = jobs_by_source(other, 0)["event.recall"]
        assert {j[2] for j in ev} == {0}  # every car of the event is a service job
        assert {j[1] for j in ev} == {True, False}
        assert all(2 * 1440 <= j[0] < 5 * 1440 + 1440 for j in ev)
