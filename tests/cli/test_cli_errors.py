"""Bad input on the command line: exit code 2, one ``error:`` line, no traceback, no output.

Each case runs ``run_sim.py`` in a subprocess, as a user would, and checks that the message
names the file and the dotted path of the field, and that ``--out`` was not created.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.cli.helpers import run_sim

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
VALID = FIXTURES / "valid.yaml"


def assert_one_line_error(done: subprocess.CompletedProcess[str], *expected: str) -> str:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ")
    for text in expected:
        assert text in lines[0]
    assert done.stdout == ""
    return lines[0]


# (fixture file, extra arguments, texts the message must contain)
FILE_CASES = {
    "unknown key": ("unknown_key.yaml", (), ("demand.job_types.service.colour", "unknown key")),
    "negative rate": (
        "negative_rate.yaml",
        (),
        ("demand.walk_ins.per_day", "greater than or equal to 0"),
    ),
    "shares": ("shares.yaml", (), ("demand.job_types:", "sum to 1")),
    "bare number duration": ("bare_duration.yaml", (), ("supply.lead_time", "bare number")),
    "unreadable yaml": ("unreadable.yaml", (), ("unreadable YAML", "line 3")),
    "missing catalogue": (
        "missing_catalogue.yaml",
        (),
        ("parts.catalogue", "no_such_catalogue.csv"),
    ),
    "undefined pool": (
        "undefined_pool.yaml",
        (),
        ("demand.job_types.service.route.0.uses.1", "'lifts'"),
    ),
    "bad --set value": (
        "valid.yaml",
        ("--set", "demand.walk_ins.per_day=-1"),
        ("demand.walk_ins.per_day", "--set"),
    ),
    "--set unknown key": (
        "valid.yaml",
        ("--set", "supply.kanban.colour=red"),
        ("supply.kanban.colour", "unknown key"),
    ),
    "--set without =": ("valid.yaml", ("--set", "supply.policy"), ("--set", "supply.policy")),
    "bare --horizon": ("valid.yaml", ("--horizon", "7"), ("run.horizon", "--horizon", "'7'")),
    "bad --horizon": ("valid.yaml", ("--horizon", "soon"), ("run.horizon", "'soon'")),
    "zero --horizon": ("valid.yaml", ("--horizon", "0d"), ("run.horizon", "> 0")),
    "zero --reps": ("valid.yaml", ("--reps", "0"), ("run.replications", "--reps")),
    "negative --seed": ("valid.yaml", ("--seed", "-1"), ("run.seed", "--seed")),
    "missing file": ("no_such_scenario.yaml", (), ("cannot read",)),
}


@pytest.mark.parametrize("case", list(FILE_CASES))
def test_run_bad_input(case: str, tmp_path: Path) -> None:
    name, extra, expected = FILE_CASES[case]
    out = tmp_path / "out"
    done = run_sim("run", FIXTURES / name, *extra, "--out", out, cwd=tmp_path)
    assert_one_line_error(done, name, *expected)
    assert not out.exists()


@pytest.mark.parametrize(
    "case", ["unknown key", "unreadable yaml", "undefined pool", "missing file"]
)
def test_validate_bad_input(case: str, tmp_path: Path) -> None:
    name, _, expected = FILE_CASES[case]
    done = run_sim("validate", FIXTURES / name, cwd=tmp_path)
    assert_one_line_error(done, name, *expected)


def test_error_names_the_file_as_given(tmp_path: Path) -> None:
    done = run_sim("validate", "fixtures/unknown_key.yaml", cwd=FIXTURES.parent)
    line = assert_one_line_error(done)
    assert line.startswith("error: fixtures/unknown_key.yaml: demand.job_types.service.colour")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("run", VALID, "--reps", "many"), "--reps"),
        (("run",), "SCENARIO.yaml"),
        (("batch", VALID), "not a batch file"),
        (("frobnicate", VALID), "invalid choice"),
        (("run", VALID, "--colour", "red"), "--colour"),
    ],
)
def test_bad_arguments(args: tuple[str | Path, ...], expected: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run_sim(*args, "--out", out, cwd=tmp_path)
    assert_one_line_error(done, expected)
    assert not out.exists()


def test_out_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("keep")
    done = run_sim("run", VALID, "--out", target, cwd=tmp_path)
    assert_one_line_error(done, "--out", "not a folder")
    assert target.read_text() == "keep"


def test_out_is_a_foreign_folder(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.mkdir()
    (target / "notes.txt").write_text("keep")
    done = run_sim("run", VALID, "--out", target, cwd=tmp_path)
    assert_one_line_error(done, "--out", "not empty")
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
