"""``breakdown.csv``: per pool and job type, t-intervals over replications, and the file."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from sim.breakdownresults import (
    BREAKDOWN_COLUMNS,
    breakdown_table,
    plain_breakdown,
    scenario_breakdown,
)
from sim.experiment import ScenarioRun, replicate, t_quantile
from sim.model.records import RunResult
from sim.results import RESULT_FILES, write_results
from sim.scenario import Scenario
from tests.breakdownfake import breakdown_of, with_breakdown


def scenario_run(scn: Scenario, *tables: dict | None) -> ScenarioRun:
    results = []
    for rep, table in enumerate(tables):
        res = RunResult(scn.name, rep, kpis={}, flow={})
        if table is not None:
            res.extra["breakdown"] = table
        results.append(res)
    return ScenarioRun(scenario=scn, results=tuple(results), seconds=(0.0,) * len(results))


def rows_by_key(rows: list[tuple]) -> dict[tuple[str, str, str], tuple]:
    return {(r[1], r[2], r[3]): r[4:] for r in rows}


def test_three_replications_by_hand(tiny_scenario: Scenario) -> None:
    rows = scenario_breakdown(scenario_run(tiny_scenario, *(breakdown_of(r) for r in range(3))))
    assert rows is not None
    # pools first, then job types; names and kpis in the model's order
    assert [(r[1], r[2]) for r in rows[::3]][:3] == [
        ("pool", "bays"),
        ("pool", "booth <1>"),
        ("pool", "advisors"),
    ]
    assert [r[3] for r in rows[:3]] == ["utilization", "occupancy", "mean_wait_h"]
    assert all(r[0] == "tiny" for r in rows)
    by = rows_by_key(rows)
    half = t_quantile(0.975, 2) / math.sqrt(3)  # sd 1 over three replications
    # occupancy 2, 3, 4: mean 3, sd 1
    mean, std, lo, hi, n = by[("pool", "bays", "occupancy")]
    assert (mean, std, n) == (3.0, 1.0, 3)
    assert lo == pytest.approx(3.0 - half) and hi == pytest.approx(3.0 + half)
    assert by[("pool", "bays", "utilization")][:2] == pytest.approx((0.6, 0.1))
    # the same value every time: sd 0, the interval the point
    assert by[("pool", "booth <1>", "utilization")] == pytest.approx((0.9, 0.0, 0.9, 0.9, 3))
    # undefined in every replication: only n, which is 0
    m, s, lo, hi, n = by[("pool", "advisors", "mean_wait_h")]
    assert all(math.isnan(x) for x in (m, s, lo, hi)) and n == 0
    # undefined in replication 0: over the other two
    assert by[("job_type", "body & paint", "on_time_rate")] == pytest.approx(
        (0.5, 0.0, 0.5, 0.5, 2)
    )
    assert by[("job_type", "service", "revenue")][:2] == pytest.approx((2000.0, 1000.0))
    assert len(rows) == 3 * 3 + 2 * 5


def test_a_replication_without_breakdown_leaves_the_scenario_out(tiny_scenario: Scenario) -> None:
    assert scenario_breakdown(scenario_run(tiny_scenario, breakdown_of(0), None)) is None
    assert scenario_breakdown(scenario_run(tiny_scenario)) is None
    assert breakdown_table([scenario_run(tiny_scenario, None)]) is None
    other = tiny_scenario.model_copy(update={"name": "other"})
    columns, rows = breakdown_table(
        [scenario_run(tiny_scenario, None), scenario_run(other, breakdown_of(1))]
    )
    assert tuple(columns) == BREAKDOWN_COLUMNS
    assert {r[0] for r in rows} == {"other"}
    assert all(r[-1] == 1 for r in rows if not math.isnan(r[4]))


def test_names_missing_from_a_replication_count_as_undefined(tiny_scenario: Scenario) -> None:
    later = breakdown_of(1)
    later["pool"]["lift"] = {"utilization": 0.2}
    rows = scenario_breakdown(scenario_run(tiny_scenario, breakdown_of(0), later))
    by = rows_by_key(rows)
    lift = by[("pool", "lift", "utilization")]
    assert (lift[0], lift[-1]) == (0.2, 1)  # the one replication that has it
    assert list(by).index(("pool", "lift", "utilization")) == 9  # after the first's pools


def test_numpy_figures_are_plain_and_bad_ones_refused(tiny_scenario: Scenario) -> None:
    table = breakdown_of(0)
    table["pool"]["bays"]["occupancy"] = np.float64(2.5)
    table["pool"]["bays"]["mean_wait_h"] = float("nan")
    plain = plain_breakdown(table)
    assert type(plain["pool"]["bays"]["occupancy"]) is float
    assert plain["pool"]["bays"]["mean_wait_h"] is None
    for bad in ({"pool": {}}, {"pool": [], "job_type": {}}, {"pool": {"a": 1}, "job_type": {}}):
        with pytest.raises(ValueError):
            plain_breakdown(bad)
    table["job_type"]["service"]["revenue"] = "lots"
    with pytest.raises(ValueError, match="'tiny' replication 0: not a number"):
        scenario_breakdown(scenario_run(tiny_scenario, table))


def test_results_folder_writes_breakdown_csv(
    tmp_path: Path, tiny_scenario: Scenario, fake_sim
) -> None:
    assert "breakdown.csv" in RESULT_FILES
    out = write_results(tmp_path / "out", [replicate(tiny_scenario, with_breakdown(fake_sim))])
    with (out / "breakdown.csv").open(newline="") as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == BREAKDOWN_COLUMNS
    # tiny has two replications: bays occupancy 2 and 3
    occ = next(r for r in rows if r[1:4] == ["pool", "bays", "occupancy"])
    assert occ[4] == "2.5" and occ[-1] == "2"
    # undefined everywhere: empty cells, n = 0
    wait = next(r for r in rows if r[1:4] == ["pool", "advisors", "mean_wait_h"])
    assert wait[4:] == ["", "", "", "", "0"]
    assert "breakdown.csv" in (out / "manifest.json").read_text()
    # the same folder rewritten by a run without the breakdown loses the stale file
    write_results(out, [replicate(tiny_scenario, fake_sim)])
    assert not (out / "breakdown.csv").exists()
