"""Shared test fixtures: the small fixture scenario and a fake ``simulate``.

The fake stands in for the model where a test is about the layers around it (experiment,
results folder, command line): it is fast, deterministic, and makes some KPIs undefined.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.experiment import Simulate
from sim.kpi import KPI_COLUMNS
from sim.loading import load_scenario
from sim.model.records import RunResult
from sim.scenario import Scenario

REPO = Path(__file__).resolve().parent.parent
CLI_FIXTURES = REPO / "tests" / "cli" / "fixtures"
VALID_SCENARIO = CLI_FIXTURES / "valid.yaml"


def fake_simulate(scenario: Scenario, replication: int, trace: bool = False) -> RunResult:
    """A deterministic stand-in for the model.

    ``emergency_orders`` is undefined in every replication and ``fill_rate`` in replication
    0, so summaries see both an all-empty and a partly empty KPI.
    """
    rng = np.random.default_rng([scenario.run.seed, replication])
    kpis: dict[str, float | None] = {k: float(rng.normal(10.0, 2.0)) for k in KPI_COLUMNS}
    kpis["emergency_orders"] = None
    if replication == 0:
        kpis["fill_rate"] = None
    jobs = stock = None
    extra = {}
    if trace:
        jobs = pd.DataFrame({"job": [0, 1], "arrival_h": rng.uniform(0, 5, 2)})
        stock = pd.DataFrame({"time_h": [0.0], "part_no": ["P00001"], "on_hand": [4]})
        extra["pools"] = pd.DataFrame({"time_h": [1.0], "pool": ["bays"], "busy": [1], "size": [2]})
        extra["trucks"] = pd.DataFrame(
            {"departure_h": [8.0], "arrival_h": [9.0], "containers": [1]}
        )
    return RunResult(
        scenario=scenario.name,
        replication=replication,
        kpis=kpis,
        flow={"jobs_arrived": 2, "jobs_delivered_total": 2, "jobs_in_workshop": 0},
        jobs=jobs,
        stock=stock,
        extra=extra,
    )


@pytest.fixture
def tiny_scenario() -> Scenario:
    """The minimal valid fixture scenario (2 replications, 7 days)."""
    return load_scenario(VALID_SCENARIO)


@pytest.fixture
def fake_sim() -> Simulate:
    """The fake ``simulate`` above."""
    return fake_simulate
