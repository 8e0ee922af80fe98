"""The results folder: atomic files, byte-identical CSVs, empty cells, nothing on bad input."""

from __future__ import annotations

import json
import math
import os
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.experiment import SUMMARY_COLUMNS, ScenarioRun, replicate
from sim.kpi import KPI_COLUMNS
from sim.loading import load_scenario
from sim.model.records import RunResult
from sim.results import (
    ResultsError,
    atomic_path,
    file_stem,
    format_cell,
    read_manifest,
    read_replications,
    read_summary,
    write_atomic,
    write_results,
)


@pytest.fixture
def tiny_run(tiny_scenario, fake_sim) -> ScenarioRun:
    return replicate(tiny_scenario, fake_sim)


def test_format_cell() -> None:
    assert format_cell(None) == ""
    assert format_cell(math.nan) == ""
    assert format_cell(np.float64("nan")) == ""
    assert format_cell(3.0) == "3"
    assert format_cell(np.int64(12)) == "12"
    assert format_cell(0.1) == "0.1"
    assert format_cell(-2.5e-7) == "-2.5e-07"
    assert format_cell(math.inf) == "inf"
    assert format_cell("a,b") == "a,b"


def test_format_cell_round_trips_floats() -> None:
    rng = random.Random(4)
    for _ in range(2000):
        x = rng.uniform(-1e6, 1e6) * 10 ** rng.randint(-12, 6)
        assert float(format_cell(x)) == x


def test_file_stem() -> None:
    assert file_stem("default-dealer") == "default-dealer"
    assert file_stem("call off/4h ✓") == "call_off_4h"
    assert file_stem("../..") == "scenario"


def test_write_atomic_replaces_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    write_atomic(target, "old")
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert os.listdir(tmp_path) == ["a.txt"]


def test_failed_write_keeps_old_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    write_atomic(target, "old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half of the new")
        raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["a.txt"]


def test_written_files_respect_umask(tmp_path: Path) -> None:
    mask = os.umask(0o022)
    try:
        write_atomic(tmp_path / "a.txt", b"x")
    finally:
        os.umask(mask)
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o644


def test_folder_layout_and_manifest(tmp_path: Path, tiny_run: ScenarioRun) -> None:
    out = write_results(tmp_path / "out", [tiny_run], command=["run_sim.py", "run"], sizes=None)
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert files == [
        "flow.csv",
        "manifest.json",
        "replications.csv",
        "scenarios/tiny.yaml",
        "summary.csv",
    ]
    manifest = read_manifest(out)
    scn = tiny_run.scenario
    (entry,) = manifest["scenarios"]
    assert entry["name"] == "tiny"
    assert entry["hash"] == scn.digest()
    assert entry["seed"] == scn.run.seed
    assert entry["replications"] == [0, 1]
    assert entry["horizon"] == "7d" and entry["warmup"] == "1d"
    assert len(entry["replication_seconds"]) == 2
    assert manifest["package"]["version"] == sim.__version__
    assert manifest["command"] == ["run_sim.py", "run"]
    assert set(manifest["files"]) == set(files)
    assert "git" in manifest


def test_replications_csv_columns_and_empty_cells(tmp_path: Path, tiny_run: ScenarioRun) -> None:
    out = write_results(tmp_path / "out", [tiny_run], sizes=None)
    lines = (out / "replications.csv").read_text().splitlines()
    assert lines[0].split(",") == ["scenario", "replication", *KPI_COLUMNS]
    first = lines[1].split(",")
    assert first[:2] == ["tiny", "0"]
    row = dict(zip(lines[0].split(","), first, strict=True))
    assert row["emergency_orders"] == "" and row["fill_rate"] == ""
    back = read_replications(out)
    for res in tiny_run.results:
        for k in KPI_COLUMNS:
            value = back.loc[res.replication, k]
            if res.kpis[k] is None:
                assert math.isnan(value)
            else:
                assert value == res.kpis[k]  # full precision, exactly


def test_summary_csv(tmp_path: Path, tiny_run: ScenarioRun) -> None:
    out = write_results(tmp_path / "out", [tiny_run], sizes=None)
    summary = read_summary(out)
    assert tuple(summary.columns) == SUMMARY_COLUMNS
    by_kpi = summary.set_index("kpi")
    assert by_kpi.loc["emergency_orders", "n"] == 0
    assert math.isnan(by_kpi.loc["emergency_orders", "mean"])
    assert by_kpi.loc["fill_rate", "n"] == 1
    assert math.isnan(by_kpi.loc["fill_rate", "ci_low"])
    assert by_kpi.loc["revenue", "n"] == 2
    assert "tiny,emergency_orders,,,,,0" in (out / "summary.csv").read_text().splitlines()


def test_same_input_gives_byte_identical_csv(tmp_path: Path, tiny_scenario, fake_sim) -> None:
    a = write_results(tmp_path / "a", [replicate(tiny_scenario, fake_sim)], sizes=None)
    b = write_results(tmp_path / "b", [replicate(tiny_scenario, fake_sim)], sizes=None)
    for name in ("replications.csv", "summary.csv", "scenarios/tiny.yaml"):
        assert (a / name).read_bytes() == (b / name).read_bytes()


def test_scenario_yaml_reloads_to_the_same_scenario(tmp_path: Path, tiny_run: ScenarioRun) -> None:
    out = write_results(tmp_path / "out", [tiny_run], sizes=None)
    again = load_scenario(out / "scenarios" / "tiny.yaml")
    assert again.digest() == tiny_run.scenario.digest()


def test_sizes_file(tmp_path: Path, tiny_run: ScenarioRun) -> None:
    def sizes(_scenario):
        return {"cards": np.arange(1, 21)}

    out = write_results(tmp_path / "out", [tiny_run], sizes=sizes)
    table = pd.read_csv(out / "scenarios" / "tiny.sizes.csv")
    assert table["cards"].tolist() == list(range(1, 21))
    assert len(table) == 20 and "part_no" in table.columns
    assert read_manifest(out)["scenarios"][0]["sizes_file"] == "scenarios/tiny.sizes.csv"


def test_trace_tables(tmp_path: Path, tiny_scenario, fake_sim) -> None:
    run = replicate(tiny_scenario, fake_sim, trace=True)
    out = write_results(tmp_path / "out", [run], trace=True, sizes=None)
    jobs = pd.read_parquet(out / "jobs.parquet")
    assert list(jobs.columns[:2]) == ["scenario", "replication"]
    assert jobs["replication"].tolist() == [0, 0, 1, 1]
    stock = pd.read_parquet(out / "stock.parquet")
    assert len(stock) == 2 and set(stock["scenario"]) == {"tiny"}


def test_rewriting_a_results_folder_drops_stale_files(
    tmp_path: Path, tiny_scenario, fake_sim
) -> None:
    out = tmp_path / "out"
    write_results(out, [replicate(tiny_scenario, fake_sim, trace=True)], trace=True, sizes=None)
    assert (out / "jobs.parquet").exists()
    other = tiny_scenario.model_copy(update={"name": "other"})
    write_results(out, [replicate(other, fake_sim)], sizes=None)
    assert not (out / "jobs.parquet").exists()
    assert sorted(os.listdir(out / "scenarios")) == ["other.yaml"]
    assert set(read_replications(out)["scenario"]) == {"other"}


def _assert_nothing_written(out: Path, before: list[str] | None = None) -> None:
    if before is None:
        assert not out.exists()
    else:
        assert sorted(os.listdir(out)) == before


def test_bad_runs_write_nothing(tmp_path: Path, tiny_run: ScenarioRun) -> None:
    out = tmp_path / "out"
    with pytest.raises(ValueError, match="repeat"):
        write_results(out, [tiny_run, tiny_run], sizes=None)
    _assert_nothing_written(out)
    with pytest.raises(ValueError, match="no scenario"):
        write_results(out, [], sizes=None)
    _assert_nothing_written(out)
    broken = RunResult(scenario="tiny", replication=0, kpis={"revenue": 1.0}, flow={})
    bad = ScenarioRun(tiny_run.scenario, (broken,), (0.1,))
    with pytest.raises(ValueError, match="lacks KPI"):
        write_results(out, [bad], sizes=None)
    _assert_nothing_written(out)
    with pytest.raises(ValueError, match="no jobs table"):
        write_results(out, [tiny_run], trace=True, sizes=None)
    _assert_nothing_written(out)
    with pytest.raises(ValueError, match="shape"):
        write_results(out, [tiny_run], sizes=lambda _s: {"cards": np.arange(3)})
    _assert_nothing_written(out)


def test_unusable_out_folder(tmp_path: Path, tiny_run: ScenarioRun) -> None:
    a_file = tmp_path / "file.txt"
    a_file.write_text("keep me")
    with pytest.raises(ResultsError, match="not a folder"):
        write_results(a_file, [tiny_run], sizes=None)
    assert a_file.read_text() == "keep me"
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    with pytest.raises(ResultsError, match="not empty"):
        write_results(busy, [tiny_run], sizes=None)
    _assert_nothing_written(busy, ["notes.txt"])


def test_empty_existing_folder_is_used(tmp_path: Path, tiny_run: ScenarioRun) -> None:
    out = tmp_path / "out"
    out.mkdir()
    write_results(out, [tiny_run], sizes=None)
    assert json.loads((out / "manifest.json").read_text())["scenarios"][0]["name"] == "tiny"
