"""The event-free shortcut for zero-length steps on free pools gives the evented results.

The model allows a step of zero duration on pools with free units to complete without a SimPy
event only because a test shows identical results to the evented path: this is that test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.kpi import compute_kpis
from sim.loading import load_scenario
from sim.model.world import World

ROOT = Path(__file__).resolve().parents[2]


def _kpis(scn, rep: int, evented: bool) -> dict:
    world = World(scn, rep, evented=evented)
    world.run()
    return compute_kpis(world.records())


@pytest.mark.parametrize(
    ("scenario", "overrides"),
    [
        # Zero reception, QC and delivery: every job has several zero-length steps.
        (
            "default.yaml",
            ["workshop.reception=0min", "workshop.qc=0min", "workshop.delivery=0min"],
        ),
        ("default.yaml", ["workshop.stockout=park", "supply.call_off.every=continuous"]),
        ("small_dealer.yaml", []),
    ],
)
def test_shortcut_matches_evented_path(scenario: str, overrides: list[str]) -> None:
    scn = load_scenario(ROOT / "scenarios" / scenario, overrides, horizon="14d")
    for rep in range(2):
        assert _kpis(scn, rep, evented=False) == _kpis(scn, rep, evented=True)
