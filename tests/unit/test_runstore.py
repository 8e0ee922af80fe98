"""Per-replication files: exact round trip, hash matching for --resume, the folder policy."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sim.experiment import replicate
from sim.kpi import KPI_COLUMNS
from sim.results import ResultsError, write_results
from sim.runstore import (
    check_batch_out,
    done_replications,
    load_scenario_run,
    prepare_batch_out,
    remove_stale_runs,
    rep_path,
    run_hash,
    write_rep,
)
from sim.scenario import Scenario


def with_run(scn: Scenario, **run: object) -> Scenario:
    return scn.model_copy(update={"run": scn.run.model_copy(update=run)})


def store(out: Path, scn: Scenario, fake_sim, trace: bool = False) -> None:
    for rep in range(scn.run.replications):
        write_rep(out, scn, fake_sim(scn, rep, trace), 0.25 + rep, trace=trace, worker="w:1")


def test_round_trip_is_exact(tmp_path: Path, tiny_scenario: Scenario, fake_sim) -> None:
    store(tmp_path, tiny_scenario, fake_sim)
    stored = load_scenario_run(tmp_path, tiny_scenario)
    expected = replicate(tiny_scenario, fake_sim)
    for got, want in zip(stored.run.results, expected.results, strict=True):
        assert got.replication == want.replication
        for k in KPI_COLUMNS:
            a, b = got.kpis[k], want.kpis[k]
            assert (a is None and b is None) or a == b  # floats exactly, None kept
        assert got.flow == want.flow
    assert stored.run.seconds == (0.25, 1.25)
    assert stored.workers == ("w:1", "w:1")
    record = json.loads(rep_path(tmp_path, "tiny", 0).read_text())
    assert record["hash"] == tiny_scenario.digest()
    assert record["kpis"]["fill_rate"] is None


def test_run_hash_ignores_only_the_replication_count(tiny_scenario: Scenario) -> None:
    assert run_hash(with_run(tiny_scenario, replications=7)) == run_hash(tiny_scenario)
    assert run_hash(with_run(tiny_scenario, seed=8)) != run_hash(tiny_scenario)
    renamed = tiny_scenario.model_copy(update={"name": "other"})
    assert run_hash(renamed) != run_hash(tiny_scenario)


def test_done_replications_match_the_scenario(
    tmp_path: Path, tiny_scenario: Scenario, fake_sim
) -> None:
    store(tmp_path, tiny_scenario, fake_sim)
    assert done_replications(tmp_path, [tiny_scenario]) == {("tiny", 0), ("tiny", 1)}
    more = with_run(tiny_scenario, replications=4)  # a larger --reps keeps the first two
    assert done_replications(tmp_path, [more]) == {("tiny", 0), ("tiny", 1)}
    changed = with_run(tiny_scenario, horizon=2 * 1440.0)  # a changed scenario reruns
    assert done_replications(tmp_path, [changed]) == set()
    assert done_replications(tmp_path, [tiny_scenario], trace=True) == set()  # no tables
    rep_path(tmp_path, "tiny", 1).write_text("{ cut short")
    assert done_replications(tmp_path, [tiny_scenario]) == {("tiny", 0)}


def test_trace_tables_per_replication(tmp_path: Path, tiny_scenario: Scenario, fake_sim) -> None:
    store(tmp_path, tiny_scenario, fake_sim, trace=True)
    assert done_replications(tmp_path, [tiny_scenario], trace=True) == {("tiny", 0), ("tiny", 1)}
    rep_path(tmp_path, "tiny", 1, "stock").unlink()
    assert done_replications(tmp_path, [tiny_scenario], trace=True) == {("tiny", 0)}
    res = load_scenario_run(tmp_path, tiny_scenario, trace=True).run.results[0]
    pd.testing.assert_frame_equal(res.jobs, fake_sim(tiny_scenario, 0, True).jobs)
    assert set(res.extra) == {"months", "pools", "trucks"}
    with pytest.raises(ValueError, match="no jobs table"):
        write_rep(tmp_path, tiny_scenario, fake_sim(tiny_scenario, 0), 0.0, trace=True)


def test_batch_folder_policy(tmp_path: Path, tiny_scenario: Scenario, fake_sim) -> None:
    assert check_batch_out(tmp_path / "new", resume=False) == tmp_path / "new"
    (tmp_path / "file").write_text("x")
    with pytest.raises(ResultsError, match="not a folder"):
        check_batch_out(tmp_path / "file", resume=True)
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep")
    for resume in (False, True):
        with pytest.raises(ResultsError, match="holds no results"):
            check_batch_out(foreign, resume)

    out = prepare_batch_out(tmp_path / "out", resume=False)
    store(out, tiny_scenario, fake_sim)
    # an unfinished batch (runs/, no manifest): refused unless resumed, by run too
    with pytest.raises(ResultsError, match=r"unfinished batch.*--resume"):
        check_batch_out(out, resume=False)
    with pytest.raises(ResultsError, match="unfinished batch"):
        write_results(out, [replicate(tiny_scenario, fake_sim)])
    prepare_batch_out(out, resume=True)
    assert done_replications(out, [tiny_scenario]) == {("tiny", 0), ("tiny", 1)}

    # a finished results folder may be reused: the manifest goes first, then (without
    # --resume) everything of the earlier run
    (out / "manifest.json").write_text("{}")
    (out / "summary.csv").write_text("old")
    (out / "runs" / "tiny" / ".rep-000009.json.x.tmp").write_text("half")
    prepare_batch_out(out, resume=True)
    assert not (out / "manifest.json").exists()
    assert not list(out.rglob("*.tmp"))
    assert done_replications(out, [tiny_scenario]) == {("tiny", 0), ("tiny", 1)}
    (out / "manifest.json").write_text("{}")
    prepare_batch_out(out, resume=False)
    assert sorted(p.name for p in out.iterdir()) == ["runs"]
    assert done_replications(out, [tiny_scenario]) == set()


def test_run_over_a_finished_batch_folder_drops_its_runs(
    tmp_path: Path, tiny_scenario: Scenario, fake_sim
) -> None:
    out = prepare_batch_out(tmp_path / "out", resume=False)
    store(out, tiny_scenario, fake_sim)
    (out / "manifest.json").write_text("{}")
    write_results(out, [replicate(tiny_scenario, fake_sim)])
    assert not (out / "runs").exists()


def test_remove_stale_runs(tmp_path: Path, tiny_scenario: Scenario, fake_sim) -> None:
    other = tiny_scenario.model_copy(update={"name": "other"})
    store(tmp_path, with_run(tiny_scenario, replications=3), fake_sim, trace=True)
    store(tmp_path, other, fake_sim)
    remove_stale_runs(tmp_path, [("tiny", 0), ("tiny", 2)])
    left = sorted(p.name for p in (tmp_path / "runs").rglob("*"))
    assert left == [
        "rep-000000.jobs.parquet",
        "rep-000000.json",
        "rep-000000.pools.parquet",
        "rep-000000.stock.parquet",
        "rep-000000.trucks.parquet",
        "rep-000002.jobs.parquet",
        "rep-000002.json",
        "rep-000002.pools.parquet",
        "rep-000002.stock.parquet",
        "rep-000002.trucks.parquet",
        "tiny",
    ]
