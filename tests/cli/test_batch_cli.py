"""``batch``, ``warmup`` and ``reps`` on the command line: folder, tables, resume, failures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim import cli, executors
from sim.batch import load_batch
from sim.comparison import COMPARISON_COLUMNS, read_comparison
from sim.experiment import Simulate
from sim.kpi import KPI_COLUMNS
from sim.loading import load_scenario
from sim.model.records import RunResult
from sim.results import read_manifest, read_replications
from sim.scenario import Scenario

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
VALID = FIXTURES / "valid.yaml"
TINY_BATCH = FIXTURES / "tiny_batch.yaml"
FAST = ("--executor", "serial", "--horizon", "2d")
CSVS = ("replications.csv", "summary.csv", "comparison.csv", "flow.csv")


def batch(out: Path, *extra: str, simulate: Simulate | None = None) -> int:
    return cli.main(["batch", str(TINY_BATCH), "--out", str(out), *FAST, *extra], simulate=simulate)


def explode_daily_1(scenario: Scenario, replication: int, trace: bool = False) -> RunResult:
    from sim.model.world import simulate

    if (scenario.name, replication) == ("daily", 1):
        raise ZeroDivisionError("boom")
    return simulate(scenario, replication, trace)


def test_batch_writes_the_folder_and_prints_tables(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    assert batch(out) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("batch tiny_batch: 3 scenarios x 3 replications, horizon 2d")
    assert "paired differences against two_h" in captured.out
    assert captured.out.rstrip().endswith(f"results: {out}")
    assert captured.err.startswith("9/9 replications done in ")

    for name in ("manifest.json", *CSVS, "scenarios/one_h.yaml", "runs/daily/rep-000002.json"):
        assert (out / name).is_file(), name
    assert not (out / "failures.json").exists()
    reps = read_replications(out)
    assert list(zip(reps["scenario"], reps["replication"], strict=True)) == [
        (s, r) for s in ("one_h", "two_h", "daily") for r in range(3)
    ]
    comp = read_comparison(out)
    assert list(comp.columns) == list(COMPARISON_COLUMNS)
    assert len(comp) == 2 * len(KPI_COLUMNS)
    assert set(comp["baseline"]) == {"two_h"}
    # common random numbers: supply policies see the same cars, so arrivals never differ
    arrivals = comp[comp["kpi"] == "vehicles_received"]
    assert arrivals["mean_diff"].tolist() == [0, 0] and arrivals["std_diff"].tolist() == [0, 0]

    manifest = read_manifest(out)
    assert manifest["batch"]["baseline"] == "two_h"
    assert manifest["batch"]["executor"] == "serial"
    assert manifest["batch"]["replications_run"] == 9
    assert [s["name"] for s in manifest["scenarios"]] == ["one_h", "two_h", "daily"]
    expected = load_batch(TINY_BATCH, horizon="2d").scenarios[2]
    assert load_scenario(out / "scenarios" / "daily.yaml").digest() == expected.digest()


def test_resume_reuses_matching_work_and_reruns_changes(tmp_path: Path, capsys) -> None:
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    assert batch(out) == 0
    first = {f: (out / f).read_bytes() for f in CSVS}
    assert batch(out, "--resume") == 0
    assert "reused 9 of 9 replications" in capsys.readouterr().out
    assert {f: (out / f).read_bytes() for f in CSVS} == first
    assert read_manifest(out)["batch"]["replications_run"] == 0

    assert batch(out, "--resume", "--reps", "5") == 0  # more replications: only the new ones run
    assert read_manifest(out)["batch"]["replications_run"] == 6
    assert batch(fresh, "--reps", "5") == 0
    for f in CSVS:
        assert (out / f).read_bytes() == (fresh / f).read_bytes(), f

    assert batch(out, "--resume", "--reps", "5", "--set", "workshop.promise.buffer=1h") == 0
    assert read_manifest(out)["batch"]["replications_reused"] == 0  # a changed scenario reruns
    record = json.loads((out / "runs" / "one_h" / "rep-000000.json").read_text())
    assert record["hash"] == read_manifest(out)["scenarios"][0]["hash"]

    assert batch(out, "--resume", "--reps", "2", "--set", "workshop.promise.buffer=1h") == 0
    assert sorted(p.name for p in (out / "runs" / "one_h").iterdir()) == [
        "rep-000000.json",
        "rep-000001.json",
    ]  # fewer replications: the extra files go, so the folder is this batch alone


def test_failures_are_recorded_and_resume_retries_them(tmp_path: Path, capsys) -> None:
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    assert batch(out, simulate=explode_daily_1) == 1
    err = capsys.readouterr().err.splitlines()[-1]
    assert err.startswith("error: 1 of 9 replications failed (daily rep 1)")
    assert "ZeroDivisionError: boom" in err and "failures.json" in err
    failures = json.loads((out / "failures.json").read_text())
    assert [(f["scenario"], f["replication"]) for f in failures] == [("daily", 1)]
    assert "explode_daily_1" in failures[0]["traceback"]
    reps = read_replications(out)
    assert len(reps) == 8 and not ((reps["scenario"] == "daily") & (reps["replication"] == 1)).any()
    assert read_manifest(out)["batch"]["replications_failed"] == 1

    assert batch(out, "--resume") == 0
    assert read_manifest(out)["batch"]["replications_run"] == 1
    assert not (out / "failures.json").exists()
    assert batch(fresh) == 0
    for f in CSVS:
        assert (out / f).read_bytes() == (fresh / f).read_bytes(), f


def test_folder_policy_without_resume(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    assert batch(out) == 0
    (out / "manifest.json").unlink()  # as a killed batch leaves it
    assert batch(out) == 2
    assert "unfinished batch" in capsys.readouterr().err
    assert batch(out, "--resume") == 0
    assert batch(out) == 0  # a finished folder is overwritten from scratch
    assert read_manifest(out)["batch"]["replications_reused"] == 0
    assert cli.main(["run", str(VALID), "--out", str(out), "--reps", "1"]) == 0
    assert not (out / "runs").exists() and not (out / "comparison.csv").exists()


def test_trace_tables_of_a_batch(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert batch(out, "--trace", "--reps", "2") == 0
    jobs = pd.read_parquet(out / "jobs.parquet")
    assert list(jobs.columns[:2]) == ["scenario", "replication"]
    assert jobs.groupby("scenario", sort=False).size().index.tolist() == ["one_h", "two_h", "daily"]
    assert (out / "runs" / "daily" / "rep-000001.stock.parquet").is_file()
    for table in ("stock", "pools", "trucks"):
        assert (out / f"{table}.parquet").is_file()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("variants:\n  a: {sett: {}}\n", "variants.a.sett: unknown key"),
        ("variants:\n  a: {set: {supply.kanban.release: never}}\n", "scenario a: supply.kanban"),
        ("zip:\n  run.seed: [1, 2]\n  supply.kanban.safety: [0.1]\n", "equal lengths"),
        ("baseline: nope\n", "baseline: 'nope' is not a scenario"),
        ("max_scenarios: 2\ngrid:\n  run.seed: [1, 2, 3]\n", "more than max_scenarios 2"),
    ],
)
def test_bad_batch_input_is_one_line_and_writes_nothing(
    tmp_path: Path, capsys, body: str, expected: str
) -> None:
    path = tmp_path / "b.yaml"
    path.write_text(f"base: {VALID}\n{body}")
    out = tmp_path / "out"
    assert cli.main(["batch", str(path), "--out", str(out), *FAST]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: ")
    assert expected in lines[0]
    assert not out.exists()


def test_bad_batch_file_in_a_subprocess(tmp_path: Path) -> None:
    path = tmp_path / "b.yaml"
    path.write_text(f"base: {VALID}\nvariants:\n  slow: {{set: {{supply.call_off.every: 0h}}}}\n")
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, str(REPO / "run_sim.py"), "batch", str(path), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        f"error: {path}: scenario slow: supply.call_off (from variants.slow.set): "
        "every must be > 0 (or 'continuous')"
    ]
    assert not out.exists()


def test_executor_options(tmp_path: Path, capsys, monkeypatch) -> None:
    out = tmp_path / "out"
    args = ["batch", str(TINY_BATCH), "--out", str(out)]
    assert cli.main([*args, "--executor", "local", "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "--scheduler needs --executor dask" in capsys.readouterr().err
    assert cli.main([*args, "--executor", "serial", "--workers", "2"]) == 2
    assert cli.main([*args, "--workers", "0"]) == 2
    assert cli.main([*args, "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"]) == 2
    monkeypatch.setattr(executors, "DASK_CONNECT_TIMEOUT_S", 1)
    assert cli.main([*args, "--scheduler", "tcp://127.0.0.1:9"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith("error: --scheduler tcp://127.0.0.1:9: cannot connect")
    assert not out.exists()


def test_validate_and_run_know_batch_files(tmp_path: Path, capsys) -> None:
    assert cli.main(["validate", str(TINY_BATCH)]) == 0
    assert capsys.readouterr().out == (
        "ok: batch tiny_batch: 3 scenarios (one_h, two_h, daily), baseline two_h\n"
    )
    assert cli.main(["run", str(TINY_BATCH)]) == 2
    assert "is a batch file" in capsys.readouterr().err


def test_warmup_command(capsys) -> None:
    args = ["warmup", str(VALID), "--pilot-reps", "2", "--horizon", "20d", "--executor", "serial"]
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert out.startswith("warm-up for tiny: MSER-5 on mean_bay_wait_h by day, 2 pilot")
    assert "suggested run.warmup: " in out and "(the scenario has 1d)" in out
    assert cli.main([*args, "--kpi", "revenue"]) == 2
    assert "no daily series" in capsys.readouterr().err
    assert cli.main([*args[:-2], "--horizon", "5d", "--executor", "serial"]) == 2
    assert "lengthen --horizon" in capsys.readouterr().err


def test_reps_command(capsys) -> None:
    args = ["reps", str(VALID), "--target", "0.05", "--pilot", "4", "--executor", "serial"]
    assert cli.main([*args, "--kpi", "on_time_rate", "--kpi", "jobs_delivered"]) == 0
    out = capsys.readouterr().out
    assert "within 5% of the mean, from 4 pilot replications of tiny" in out
    rows = [line.split() for line in out.splitlines()[2:]]
    assert [r[0] for r in rows] == ["on_time_rate", "jobs_delivered"]
    assert all(r[-1].isdigit() for r in rows)
    assert cli.main([*args, "--kpi", "speed"]) == 2
    assert cli.main(["reps", str(VALID), "--target", "2"]) == 2
    assert "must lie in (0, 1)" in capsys.readouterr().err
