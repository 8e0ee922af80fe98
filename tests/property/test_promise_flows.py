"""The promise never changes what a job does (issue 12).

The promise is read only by the on-time test: two scenarios that differ only in
``workshop.promise`` (rule, buffer, buffer_share; parts ETA off) have the same cars doing
the same work at the same times, so every KPI but ``on_time_rate`` and ``mean_promise_h``
is the same, replication by replication. Checked on the default dealer and on random
scenarios.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import ScenarioSpec, build, promises, scenarios

from sim.kpi import breakdown_rows, compute_kpis
from sim.loading import load_scenario
from sim.model.world import World
from sim.scenario import Scenario

REPO = Path(__file__).resolve().parent.parent.parent
PROMISED = ("on_time_rate", "mean_promise_h")


def stamps(world: World) -> np.ndarray:
    """Every job's times and work, not its promise."""
    rows = [
        (
            j.arrival,
            j.rec_start,
            j.rec_end,
            j.first_start,
            j.parts_done,
            j.delivery_end,
            j.labour_worked,
            j.units_at_request,
            j.lines_short,
        )
        for j in world.jobs
    ]
    return np.array(rows, dtype=float).reshape(-1, 9)


def run(scenario: Scenario, replication: int) -> tuple[World, dict[str, float | None]]:
    world = World(scenario, replication)
    world.run()
    return world, compute_kpis(world.records())


def same_flows(
    a: Scenario, b: Scenario, replication: int
) -> tuple[dict[str, float | None], dict[str, float | None]]:
    """Assert identical flows and KPIs but the promised ones; return both KPI rows."""
    wa, ka = run(a, replication)
    wb, kb = run(b, replication)
    assert np.array_equal(stamps(wa), stamps(wb), equal_nan=True)
    assert wa.flow() == wb.flow()
    assert {k: v for k, v in ka.items() if k not in PROMISED} == {
        k: v for k, v in kb.items() if k not in PROMISED
    }
    return ka, kb


def test_default_dealer_promise_rules_keep_the_flows() -> None:
    """The default dealer under today's fixed rule and under the workload rule with a
    buffer share: the same lead times, only the on-time rate and the promises move."""
    base = ["run.horizon=14d", "workshop.promise.parts_eta=false"]
    fixed = load_scenario(
        REPO / "scenarios" / "default.yaml",
        [*base, "workshop.promise.rule=fixed", "workshop.promise.buffer=30min"],
    )
    workload = load_scenario(
        REPO / "scenarios" / "default.yaml",
        [*base, "workshop.promise.rule=workload", "workshop.promise.buffer_share=0.25"],
    )
    for rep in (0, 1):
        ka, kb = same_flows(fixed, workload, rep)
        assert ka["on_time_rate"] != kb["on_time_rate"]
        assert kb["mean_promise_h"] > ka["mean_promise_h"]


def test_workload_gains_most_where_the_queue_is() -> None:
    """The default dealer, fixed 30 min against its own workload rule (parts ETA off): the
    on-time gain is largest for body & paint, the one line with a queue, and its promise is
    not padded far beyond its lead time (the sum of the operations' queues promised about
    twice the lead time; the pipeline about 1.2 times)."""
    base = ["run.horizon=21d", "workshop.promise.parts_eta=false"]
    fixed = load_scenario(
        REPO / "scenarios" / "default.yaml",
        [*base, "workshop.promise.rule=fixed", "workshop.promise.buffer_share=0"],
    )
    workload = load_scenario(REPO / "scenarios" / "default.yaml", base)
    assert workload.workshop.promise.rule == "workload"
    gain: dict[str, list[float]] = {}
    promised = lead = 0.0
    for rep in (0, 1):
        types = [breakdown_rows(run(s, rep)[0].records())["job_type"] for s in (fixed, workload)]
        for name, row in types[1].items():
            if row["jobs_delivered"]:
                gain.setdefault(name, []).append(
                    row["on_time_rate"] - types[0][name]["on_time_rate"]
                )
        body = types[1]["body_paint"]
        promised += body["mean_promise_h"] * body["jobs_delivered"]
        lead += body["mean_lead_time_h"] * body["jobs_delivered"]
    mean_gain = {name: float(np.mean(g)) for name, g in gain.items()}
    assert max(mean_gain, key=mean_gain.__getitem__) == "body_paint"
    assert mean_gain["body_paint"] > 0.3
    assert 1.0 < promised / lead < 1.5


@st.composite
def promise_pairs(draw: st.DrawFn) -> tuple[ScenarioSpec, ScenarioSpec]:
    """A random scenario, and the same with another promise (parts ETA off in both, or, as
    it changes no flow either, on in both)."""
    spec = draw(scenarios())
    raw = copy.deepcopy(spec.raw)
    eta = draw(st.booleans())
    spec.raw["workshop"]["promise"] = promises(draw, parts_eta=eta)
    raw["workshop"]["promise"] = promises(draw, parts_eta=eta)
    return spec, ScenarioSpec(raw=raw, catalogue_rows=spec.catalogue_rows)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("promise_catalogues")


@settings(
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(pair=promise_pairs(), replication=st.integers(0, 50))
def test_random_promise_change_keeps_the_flows(
    pair: tuple[ScenarioSpec, ScenarioSpec], replication: int, folder: Path
) -> None:
    """On any scenario, any other promise rule, buffer or share changes no job's flow."""
    a, b = (build(spec, folder) for spec in pair)
    same_flows(a, b, replication)
