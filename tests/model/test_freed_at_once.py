"""A replication's jobs are freed by reference counting when it returns, not left to the
cyclic garbage collector.

The collector is paused during a run (``collector_paused``), so whatever a run leaves to it
is traversed in one pass when it resumes: with every job left, that pass cost 0.05-0.17 s a
simulated year of the default dealer. Only the flows still running at the end may stay in
reference cycles (suspended generators in the event queue), with their jobs.
"""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from sim.loading import load_scenario
from sim.model.demand import Job
from sim.model.driver import Driver
from sim.model.world import simulate

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("scenario", ["default.yaml", "small_dealer.yaml"])
def test_only_running_jobs_outlive_their_run(scenario: str) -> None:
    scn = load_scenario(ROOT / "scenarios" / scenario, horizon="21d")
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()  # what the run leaves to the collector stays in memory, to be counted
    try:
        result = simulate(scn, 0)
        alive = [obj for obj in gc.get_objects() if type(obj) in (Job, Driver)]
    finally:
        if enabled:
            gc.enable()
    running = result.flow["jobs_in_workshop"]
    assert result.flow["jobs_arrived"] > 10 * running  # most jobs are done
    assert sum(type(obj) is Job for obj in alive) <= running
    assert sum(type(obj) is Driver for obj in alive) <= running + 1  # and the arrivals'
