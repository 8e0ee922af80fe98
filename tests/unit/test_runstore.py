"""Per-replication files: exact round trip, hash matching for --resume, the folder policy."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.batch import load_batch
from sim.batchrun import run_batch
from sim.breakdownresults import breakdown_table
from sim.executors import make_executor
from sim.experiment import replicate
from sim.kpi import KPI_COLUMNS
from sim.partsresults import parts_table, plain_parts
from sim.repcheck import checksum_problem
from sim.results import ResultsError, write_results
from sim.runstore import (
    Damaged,
    Scan,
    check_batch_out,
    damaged_line,
    done_replications,
    load_scenario_run,
    prepare_batch_out,
    remove_stale_runs,
    rep_path,
    run_hash,
    scan_replications,
    write_rep,
)
from sim.scenario import Scenario
from tests.breakdownfake import breakdown_of, with_breakdown
from tests.partsfake import parts_of, with_parts

REPO = Path(__file__).resolve().parents[2]


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


def test_parts_table_round_trip(tmp_path: Path, tiny_scenario: Scenario, fake_sim) -> None:
    fake = with_parts(fake_sim)
    res = fake(tiny_scenario, 1)
    res.extra["parts"]["cards"] = np.array([3, 2, 1, 0])  # numpy columns are stored too
    res.extra["parts"]["parts_wait_h"][0] = 0.1 + 0.2  # not a short decimal
    write_rep(tmp_path, tiny_scenario, res, 0.5)
    write_rep(tmp_path, tiny_scenario, fake(tiny_scenario, 0), 0.5)
    path = rep_path(tmp_path, "tiny", 1)
    text = path.read_text()
    assert '  "part_no": ["P1", "P2", "P3", "P4"],\n' in text  # one line per column
    assert json.loads(text)["parts"]["fill_rate"] == [0.75, 1.0, None, 0.0]
    back = load_scenario_run(tmp_path, tiny_scenario).run.results
    assert back[1].extra["parts"] == plain_parts(res.extra["parts"])
    assert back[1].extra["parts"]["parts_wait_h"][0] == 0.1 + 0.2  # exactly
    assert back[0].extra["parts"] == parts_of("kanban", 0)
    store(tmp_path, tiny_scenario, fake)
    assert parts_table([load_scenario_run(tmp_path, tiny_scenario).run]) == parts_table(
        [replicate(tiny_scenario, fake)]
    )


def test_records_without_or_with_damaged_parts(
    tmp_path: Path, tiny_scenario: Scenario, fake_sim
) -> None:
    store(tmp_path, tiny_scenario, fake_sim)  # an older model: no parts table
    results = load_scenario_run(tmp_path, tiny_scenario).run.results
    assert all("parts" not in r.extra for r in results)
    assert "parts" not in json.loads(rep_path(tmp_path, "tiny", 0).read_text())
    store(tmp_path, tiny_scenario, with_parts(fake_sim))
    path = rep_path(tmp_path, "tiny", 1)
    record = json.loads(path.read_text())
    record["parts"] = {"part_no": "P1"}
    path.write_text(json.dumps(record))
    assert done_replications(tmp_path, [tiny_scenario]) == {("tiny", 0)}  # rerun it


def test_resumed_batch_writes_the_same_parts_csv(tmp_path: Path, fake_sim) -> None:
    batch = load_batch(REPO / "tests" / "cli" / "fixtures" / "tiny_batch.yaml", replications=3)
    fake = with_parts(fake_sim)
    with make_executor("serial") as executor:
        run_batch(batch, tmp_path / "a", executor, simulate=fake)
        run_batch(batch, tmp_path / "b", executor, simulate=fake)
        rep_path(tmp_path / "b", "daily", 1).unlink()
        (tmp_path / "b" / "manifest.json").unlink()  # as if the batch had been interrupted
        report = run_batch(batch, tmp_path / "b", executor, resume=True, simulate=fake)
    assert (report.reused, report.ran) == (8, 1)
    first = (tmp_path / "a" / "parts.csv").read_bytes()
    assert first == (tmp_path / "b" / "parts.csv").read_bytes()
    assert first.decode().splitlines()[1:] == [
        f"{s},{r}" for s in ("one_h", "two_h", "daily") for r in parts_rows_text()
    ]


def parts_rows_text() -> list[str]:
    """The rows of parts.csv for three replications of the fake, without the scenario."""
    return [
        "P1,True,3,11,13,0.75,2,4.5,4,40,0.5",
        "P2,True,2,4,5,1,0,0,2.5,25,0",
        "P3,True,1,0,0,,0,0,2,20,0",
        f"P4,False,,2,2,0,2,6.25,0,0,{math.fsum([1 / 3, 1 / 3 + 1, 1 / 3 + 2]) / 3!r}",
    ]


def test_breakdown_round_trip(tmp_path: Path, tiny_scenario: Scenario, fake_sim) -> None:
    fake = with_breakdown(with_parts(fake_sim))
    res = fake(tiny_scenario, 1)
    res.extra["breakdown"]["pool"]["bays"]["occupancy"] = np.float64(0.1 + 0.2)
    write_rep(tmp_path, tiny_scenario, res, 0.5)
    write_rep(tmp_path, tiny_scenario, fake(tiny_scenario, 0), 0.5)
    record = json.loads(rep_path(tmp_path, "tiny", 1).read_text())
    assert record["breakdown"]["job_type"]["body & paint"]["jobs_delivered"] == 1.0
    back = load_scenario_run(tmp_path, tiny_scenario).run.results
    assert back[1].extra["breakdown"]["pool"]["bays"]["occupancy"] == 0.1 + 0.2  # exactly
    assert back[0].extra["breakdown"] == breakdown_of(0)
    assert back[0].extra["parts"] == parts_of("kanban", 0)  # both tables kept
    store(tmp_path, tiny_scenario, fake)
    assert breakdown_table([load_scenario_run(tmp_path, tiny_scenario).run]) == breakdown_table(
        [replicate(tiny_scenario, fake)]
    )


def test_records_without_or_with_damaged_breakdown(
    tmp_path: Path, tiny_scenario: Scenario, fake_sim
) -> None:
    store(tmp_path, tiny_scenario, fake_sim)  # an older model: no breakdown
    results = load_scenario_run(tmp_path, tiny_scenario).run.results
    assert all("breakdown" not in r.extra for r in results)
    store(tmp_path, tiny_scenario, with_breakdown(fake_sim))
    path = rep_path(tmp_path, "tiny", 1)
    record = json.loads(path.read_text())
    record["breakdown"] = {"pool": {"bays": "busy"}}
    path.write_text(json.dumps(record))
    assert done_replications(tmp_path, [tiny_scenario]) == {("tiny", 0)}  # rerun it


def test_resumed_batch_writes_the_same_breakdown_csv(tmp_path: Path, fake_sim) -> None:
    batch = load_batch(REPO / "tests" / "cli" / "fixtures" / "tiny_batch.yaml", replications=3)
    fake = with_breakdown(fake_sim)
    with make_executor("serial") as executor:
        run_batch(batch, tmp_path / "a", executor, simulate=fake)
        run_batch(batch, tmp_path / "b", executor, simulate=fake)
        rep_path(tmp_path / "b", "two_h", 2).unlink()
        (tmp_path / "b" / "manifest.json").unlink()  # as if the batch had been interrupted
        report = run_batch(batch, tmp_path / "b", executor, resume=True, simulate=fake)
    assert (report.reused, report.ran) == (8, 1)
    first = (tmp_path / "a" / "breakdown.csv").read_bytes()
    assert first == (tmp_path / "b" / "breakdown.csv").read_bytes()
    lines = first.decode().splitlines()
    assert lines[0] == "scenario,group,name,kpi,mean,std,ci_low,ci_high,n"
    assert "one_h,pool,bays,occupancy,3,1," in first.decode()  # 2, 3, 4 over three
    assert len(lines) == 1 + 3 * (3 * 3 + 2 * 5)


def test_checksums_and_what_scan_reports(tmp_path: Path, tiny_scenario: Scenario, fake_sim) -> None:
    store(tmp_path, tiny_scenario, fake_sim)
    record = json.loads(rep_path(tmp_path, "tiny", 0).read_text())
    assert record["format_version"] == 2 and checksum_problem(record) is None
    scan = scan_replications(tmp_path, [tiny_scenario])
    assert (scan.done, scan.damaged) == ({("tiny", 0), ("tiny", 1)}, [])
    changed = with_run(tiny_scenario, horizon=2 * 1440.0)  # another scenario: no damage
    assert scan_replications(tmp_path, [changed]) == Scan()
    shutil.copy(rep_path(tmp_path, "tiny", 0), rep_path(tmp_path, "tiny", 1))  # misplaced
    scan = scan_replications(tmp_path, [tiny_scenario])
    assert scan.done == {("tiny", 0)}
    assert scan.damaged == [Damaged(rep_path(tmp_path, "tiny", 1), "holds another replication")]
    assert damaged_line(tmp_path, scan.damaged) == (
        "1 replication file damaged, run again: runs/tiny/rep-000001.json "
        "(holds another replication)"
    )
    assert load_scenario_run(tmp_path, tiny_scenario).run.results[0].replication == 0
    many = [Damaged(tmp_path / "runs" / "x" / f"rep-{r:06d}.json", "no checksum") for r in range(3)]
    assert damaged_line(tmp_path, many, most=2) == (
        "3 replication files damaged, run again: runs/x/rep-000000.json (no checksum); "
        "runs/x/rep-000001.json (no checksum); and 1 more (all in manifest.json)"
    )


@pytest.mark.parametrize(
    ("value", "problem"),
    [("x", "KPI fill_rate is not a number"), (math.inf, "KPI fill_rate is out of range")],
)
def test_values_a_resume_would_refuse_are_never_written(
    value: object, problem: str, tmp_path: Path, tiny_scenario: Scenario, fake_sim
) -> None:
    res = fake_sim(tiny_scenario, 1)
    res.kpis["fill_rate"] = value
    with pytest.raises(ValueError, match=f"'tiny' replication 1 cannot be stored: {problem}"):
        write_rep(tmp_path, tiny_scenario, res, 0.5)
    assert not rep_path(tmp_path, "tiny", 1).exists()
    res.kpis["fill_rate"] = math.nan  # undefined, like None: written and read back
    write_rep(tmp_path, tiny_scenario, res, 0.5)
    back = load_scenario_run(tmp_path, with_run(tiny_scenario, replications=2)).run.results
    assert math.isnan(back[0].kpis["fill_rate"])
