"""Damaged replication files: ``batch --resume`` reruns and reports them, never trusts them.

Each test doctors files of a finished batch (the real model, a short horizon, serial) the
way a disk, an editor or a script might, resumes, and checks that exactly those files were
run again, that they are named on stderr and in the manifest, and that the final CSV files
are byte for byte those of the undamaged batch.
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sim import cli
from sim.kpi import KPI_COLUMNS
from sim.repcheck import CHECKSUM_KEY, checksum_problem, payload_digest
from sim.results import read_manifest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TINY_BATCH = FIXTURES / "tiny_batch.yaml"
FAST = ("--executor", "serial", "--horizon", "2d", "--reps", "4")


def batch(out: Path, *extra: str) -> int:
    return cli.main(["batch", str(TINY_BATCH), "--out", str(out), *FAST, *extra])


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished, undamaged batch: 3 scenarios x 4 replications."""
    out = tmp_path_factory.mktemp("damage") / "clean"
    assert batch(out) == 0
    return out


def csv_bytes(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.csv"))}


def a_number_kpi(record: dict[str, Any]) -> str:
    """A KPI with a non-zero value in ``record`` (so that x10 and null change it)."""
    return next(k for k in KPI_COLUMNS if record["kpis"][k])


def edit(change: Callable[[dict[str, Any]], None]) -> Callable[[str], str]:
    """A doctoring that parses the file, changes the record, writes it back as JSON."""

    def doctor(text: str) -> str:
        record = json.loads(text)
        change(record)
        return json.dumps(record, indent=1)

    return doctor


def set_kpi(value: Callable[[Any], Any]) -> Callable[[str], str]:
    def change(record: dict[str, Any]) -> None:
        kpi = a_number_kpi(record)
        record["kpis"][kpi] = value(record["kpis"][kpi])

    return edit(change)


# name -> (what it does to the file's text, the problem reported)
DAMAGE: dict[str, tuple[Callable[[str], str], str]] = {
    "times_ten": (set_kpi(lambda v: v * 10), "checksum does not match its content"),
    "null": (set_kpi(lambda v: None), "checksum does not match its content"),
    "nan": (set_kpi(lambda v: math.nan), "checksum does not match its content"),
    "string": (set_kpi(lambda v: "twelve"), "checksum does not match its content"),
    "list": (set_kpi(lambda v: [v]), "checksum does not match its content"),
    "huge": (set_kpi(lambda v: 1e308), "checksum does not match its content"),
    "truncated": (lambda text: text[: len(text) // 2], "not valid JSON (cut short?)"),
    "no_checksum": (edit(lambda r: r.pop(CHECKSUM_KEY)), "no checksum"),
}
# one replication file per kind of damage (3 scenarios x 4 replications = 12 files)
TARGETS = [f"runs/{s}/rep-{r:06d}.json" for s in ("one_h", "two_h", "daily") for r in range(4)]


Doctor = Callable[[str], str]


def resume(clean: Path, tmp_path: Path, plan: dict[str, Doctor], capsys) -> tuple[Path, list[str]]:
    """Copy the clean batch, damage it (file -> doctoring) as an interrupted batch, resume;
    the folder and the lines on stderr."""
    out = tmp_path / "out"
    shutil.copytree(clean, out)
    (out / "manifest.json").unlink()  # as a killed batch leaves it
    for rel, doctor in plan.items():
        (out / rel).write_text(doctor((out / rel).read_text()))
    capsys.readouterr()
    assert batch(out, "--resume") == 0
    return out, capsys.readouterr().err.splitlines()


def test_every_kind_of_damage_is_rerun_reported_and_repaired(
    clean: Path, tmp_path: Path, capsys
) -> None:
    plan = dict(zip(TARGETS, DAMAGE, strict=False))
    out, err = resume(clean, tmp_path, {rel: DAMAGE[name][0] for rel, name in plan.items()}, capsys)
    warnings = [line for line in err if line.startswith("warning:")]
    assert len(warnings) == 1, err
    assert warnings[0].startswith("warning: 8 replication files damaged, run again: ")
    for rel, name in plan.items():
        assert f"{rel} ({DAMAGE[name][1]})" in warnings[0]
    assert TARGETS[8] not in warnings[0]

    info = read_manifest(out)["batch"]
    assert info["replications_damaged"] == [
        {"file": rel, "problem": DAMAGE[name][1]} for rel, name in plan.items()
    ]
    assert (info["replications_reused"], info["replications_run"]) == (4, 8)
    assert csv_bytes(out) == csv_bytes(clean)
    for rel in plan:  # the files are sound again: a second resume reuses them all
        assert checksum_problem(json.loads((out / rel).read_text())) is None
    assert batch(out, "--resume") == 0
    assert read_manifest(out)["batch"]["replications_damaged"] == []
    assert read_manifest(out)["batch"]["replications_reused"] == 12


@pytest.mark.parametrize("name", list(DAMAGE))
def test_each_damage_alone(name: str, clean: Path, tmp_path: Path, capsys) -> None:
    rel = "runs/two_h/rep-000002.json"
    out, err = resume(clean, tmp_path, {rel: DAMAGE[name][0]}, capsys)
    assert f"warning: 1 replication file damaged, run again: {rel} ({DAMAGE[name][1]})" in err
    info = read_manifest(out)["batch"]
    assert (info["replications_reused"], info["replications_run"]) == (11, 1)
    assert csv_bytes(out) == csv_bytes(clean)


def forge(change: Callable[[dict[str, Any]], None]) -> Callable[[str], str]:
    """A doctoring that also recomputes the checksum: only the values can tell."""

    def doctor(text: str) -> str:
        record = json.loads(text)
        record.pop(CHECKSUM_KEY)
        change(record)
        return json.dumps({CHECKSUM_KEY: payload_digest(record), **record})

    return doctor


@pytest.mark.parametrize(
    ("value", "problem"),
    [("twelve", "is not a number"), ([3], "is not a number"), (1e308, "is out of range")],
)
def test_values_the_model_never_writes_are_rerun_under_a_valid_checksum(
    value: Any, problem: str, clean: Path, tmp_path: Path, capsys
) -> None:
    rel = "runs/daily/rep-000001.json"
    doctor = forge(lambda r: r["kpis"].__setitem__(a_number_kpi(r), value))
    out, err = resume(clean, tmp_path, {rel: doctor}, capsys)
    line = next(line for line in err if line.startswith("warning:"))
    assert rel in line and problem in line
    assert csv_bytes(out) == csv_bytes(clean)


def test_older_files_without_a_checksum_are_rerun(clean: Path, tmp_path: Path, capsys) -> None:
    def older(record: dict[str, Any]) -> None:  # as format 1 wrote them
        record.pop(CHECKSUM_KEY)
        record["format_version"] = 1

    out, err = resume(clean, tmp_path, dict.fromkeys(TARGETS, edit(older)), capsys)
    line = next(line for line in err if line.startswith("warning:"))
    assert line.startswith("warning: 12 replication files damaged, run again: ")
    assert line.count("(no checksum (written before format 2))") == 12
    assert read_manifest(out)["batch"]["replications_run"] == 12
    assert csv_bytes(out) == csv_bytes(clean)


def test_a_damaged_trace_table_is_rerun(tmp_path: Path, capsys) -> None:
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    assert batch(out, "--trace", "--reps", "2") == 0
    assert batch(fresh, "--trace", "--reps", "2") == 0
    table = out / "runs" / "one_h" / "rep-000001.stock.parquet"
    table.write_bytes(table.read_bytes()[:-10])
    (out / "runs" / "daily" / "rep-000000.jobs.parquet").unlink()
    capsys.readouterr()
    assert batch(out, "--trace", "--reps", "2", "--resume") == 0
    line = next(line for line in capsys.readouterr().err.splitlines() if "warning" in line)
    assert "runs/one_h/rep-000001.json (trace table rep-000001.stock.parquet does not " in line
    assert "runs/daily/rep-000000.json (trace table rep-000000.jobs.parquet is missing)" in line
    assert read_manifest(out)["batch"]["replications_run"] == 2
    assert csv_bytes(out) == csv_bytes(fresh)
    for name in ("stock.parquet", "jobs.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(out / name), pd.read_parquet(fresh / name))
