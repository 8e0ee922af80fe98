"""Hostile and careless input (issue 14): a corpus of bad files and options, each run as a
user would run it.

Every case must exit 2 with exactly one ``error:`` line on stderr naming the file and the
field (or the command-line option), no traceback, nothing on stdout, and nothing written
into ``--out`` (or, for ``report``, no report and no spreadsheet). Each run has a time limit
and, on Linux, a memory limit, so a case that hangs or blows up fails instead of taking
the machine with it.

The files are in ``tests/cli/bad_inputs`` (most extend ``fixtures/valid.yaml`` and change
one thing); those that cannot sit in git (a 51 MB file, a named pipe, a 200 kB CSV field)
are made in the test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from tests.cli.helpers import REPO, run_sim

BAD = Path(__file__).resolve().parent / "bad_inputs"
VALID = Path(__file__).resolve().parent / "fixtures" / "valid.yaml"
TIMEOUT_S = 120
MEMORY_LIMIT = 3 * 1024**3  # address space of one run: far above a tiny run's needs

Args = Sequence[str | Path]


def _limit_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_limited(args: Args, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``run_sim.py ARGS`` in a subprocess with a time limit (and a memory limit on Linux)."""
    limit = _limit_memory if sys.platform == "linux" else None
    return run_sim(*args, cwd=cwd, timeout=TIMEOUT_S, preexec_fn=limit)


def assert_refused(done: subprocess.CompletedProcess[str], expected: Sequence[str]) -> str:
    """Exit 2, one ``error:`` line holding every text of ``expected``, nothing else."""
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 2, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: "), lines[0]
    for text in expected:
        assert text in lines[0], f"{text!r} not in {lines[0]!r}"
    assert done.stdout == ""
    return lines[0]


# --- files and options -----------------------------------------------------------------------


def _bad(name: str) -> Path:
    return BAD / name


def _big_field_catalogue(tmp: Path) -> Args:
    csv = tmp / "big_field.csv"
    csv.write_text(
        "part_no,unit_cost,unit_price,container_qty,weight\nP1,1,2,1,1\n"
        f'"{"x" * 200_000}",1,2,1,1\n',
        encoding="utf-8",
    )
    scn = tmp / "big_field.yaml"
    scn.write_text(f"extends: {VALID}\nparts: {{catalogue: big_field.csv, generate: null}}\n")
    return ("run", scn)


def _oversized_file(tmp: Path) -> Args:
    path = tmp / "oversized.yaml"
    with path.open("wb") as fh:  # sparse: takes no disk
        fh.truncate(51 * 1024 * 1024)
    return ("validate", path)


def _named_pipe(tmp: Path) -> Args:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    path = tmp / "pipe.yaml"
    os.mkfifo(path)  # opening it would block for ever: it must be refused unopened
    return ("validate", path)


def _fixed(*args: str | Path) -> Callable[[Path], Args]:
    return lambda _tmp: args


# case -> (the arguments, given a scratch folder; texts the one error line must hold)
CASES: dict[str, tuple[Callable[[Path], Args], tuple[str, ...]]] = {
    # 1. tracebacks before
    "scenario not UTF-8": (
        _fixed("run", _bad("latin1.yaml")),
        ("latin1.yaml", "not UTF-8", "byte 0xe9 at line 3"),
    ),
    "catalogue not UTF-8": (
        _fixed("run", _bad("catalogue_latin1.yaml")),
        ("catalogue_latin1.yaml: parts.catalogue", "latin1.csv", "not UTF-8", "line 3"),
    ),
    "empirical file not UTF-8": (
        _fixed("run", _bad("empirical_latin1.yaml")),
        ("empirical_latin1.yaml: workshop.qc", "latin1_times.csv", "not UTF-8", "line 4"),
    ),
    "CSV field over 128 KiB": (
        _big_field_catalogue,
        ("big_field.yaml: parts.catalogue", "big_field.csv", "line 3", "longer than 131,072"),
    ),
    "extends: 42": (
        _fixed("run", _bad("extends_number.yaml")),
        ("extends_number.yaml: extends", "must be a file name"),
    ),
    "extends list holding a number": (
        _fixed("run", _bad("extends_list_number.yaml")),
        ("extends_list_number.yaml: extends", "must be a file name"),
    ),
    "duration of 400 nines": (
        _fixed("run", _bad("nines_duration.yaml")),
        ("nines_duration.yaml: workshop.qc", "longer than 36600d"),
    ),
    "scenario name of 300 characters": (
        _fixed("run", VALID, "--set", f"name={'n' * 300}"),
        ("valid.yaml: name (from --set)", "at most 120 characters"),
    ),
    "--set rate .inf": (
        _fixed("run", VALID, "--set", "demand.walk_ins.per_day=.inf"),
        ("valid.yaml: demand.walk_ins.per_day (from --set)", "finite"),
    ),
    "--set price .nan": (
        _fixed("run", VALID, "--set", "demand.job_types.service.labour_rate=.nan"),
        ("demand.job_types.service.labour_rate (from --set)", "finite"),
    ),
    # 2. accepted but wrong before
    "duplicate top-level key": (
        _fixed("run", _bad("duplicate_top_key.yaml")),
        ("duplicate_top_key.yaml", "duplicate key 'name' at line 4", "first given at line 2"),
    ),
    "duplicate nested key": (
        _fixed("run", _bad("duplicate_nested_key.yaml")),
        ("duplicate_nested_key.yaml", "duplicate key 'per_day' at line 5"),
    ),
    "duplicate key in a batch file": (
        _fixed("batch", _bad("batch_duplicate_key.yaml")),
        ("batch_duplicate_key.yaml", "duplicate key 'variants' at line 4"),
    ),
    "duplicate key in scorecard rules": (
        _fixed("run", _bad("rules_duplicate.yaml")),
        ("rules_duplicate.yaml: scorecard", "duplicate_rules.yaml", "duplicate key 'vetoes'"),
    ),
    "duplicate key in a sheet": (
        _fixed("scorecard", _bad("sheet_duplicate_key.yaml")),
        ("sheet_duplicate_key.yaml", "duplicate key 'targets' at line 4"),
    ),
    "duplicate key in a --set value": (
        _fixed("run", VALID, "--set", "workshop.qc={dist: constant, value: 1min, value: 2min}"),
        ("valid.yaml: --set", "workshop.qc", "duplicate key 'value'"),
    ),
    "infinite rate": (
        _fixed("run", _bad("inf_rate.yaml")),
        ("inf_rate.yaml: demand.walk_ins.per_day", "finite"),
    ),
    "NaN price": (
        _fixed("run", _bad("nan_price.yaml")),
        ("nan_price.yaml: demand.job_types.service.labour_rate", "finite"),
    ),
    "infinite cost": (
        _fixed("run", _bad("inf_cost.yaml")),
        ("inf_cost.yaml: economics.labour_cost_per_hour", "finite"),
    ),
    "infinite kanban.safety": (
        _fixed("run", _bad("inf_safety.yaml")),
        ("inf_safety.yaml: supply.kanban.safety", "finite"),
    ),
    "negative infinite emergency cost": (
        _fixed("run", _bad("inf_emergency_cost.yaml")),
        ("inf_emergency_cost.yaml: supply.emergency.cost", "finite"),
    ),
    "infinite distribution mean": (
        _fixed("run", _bad("inf_dist_param.yaml")),
        ("inf_dist_param.yaml: demand.job_types.service.attached.tyres.value", "finite"),
    ),
    "infinity set by a batch variant": (
        _fixed("batch", _bad("batch_inf_set.yaml")),
        ("batch_inf_set.yaml: scenario a: economics.holding_rate", "variants.a.set", "finite"),
    ),
    "variants a and a.": (
        _fixed("batch", _bad("batch_trailing_dot.yaml")),
        ("batch_trailing_dot.yaml: variants", "variant name 'a.'", "it names files"),
    ),
    "variants differing only in case": (
        _fixed("batch", _bad("batch_case_twins.yaml")),
        ("batch_case_twins.yaml", "'Fast' and 'fast' differ only in case"),
    ),
    "variant named like a device": (
        _fixed("batch", _bad("batch_device_name.yaml")),
        ("batch_device_name.yaml: variants", "'nul'", "device name"),
    ),
    "variant name with a path separator": (
        _fixed("batch", _bad("batch_separator.yaml")),
        ("batch_separator.yaml: variants", "'a/b'"),
    ),
    "variant name of 130 characters": (
        _fixed("batch", _bad("batch_long_name.yaml")),
        ("batch_long_name.yaml: variants", "longer than 120 characters"),
    ),
    "swept value giving a trailing dot": (
        _fixed("batch", _bad("batch_grid_dot.yaml")),
        ("batch_grid_dot.yaml: grid", "scenario name 'description-x.'"),
    ),
    # 3. memory bombs and hangs before
    "validate /dev/zero": (
        _fixed("validate", "/dev/zero"),
        ("/dev/zero", "not a regular file"),
    ),
    "catalogue /dev/zero": (
        _fixed("run", _bad("catalogue_dev_zero.yaml")),
        ("catalogue_dev_zero.yaml: parts.catalogue", "'/dev/zero'", "not a regular file"),
    ),
    "catalogue a folder": (
        _fixed("run", _bad("catalogue_folder.yaml")),
        ("catalogue_folder.yaml: parts.catalogue", "a folder"),
    ),
    "empirical file /dev/zero": (
        _fixed("run", _bad("empirical_dev_zero.yaml")),
        ("empirical_dev_zero.yaml: workshop.qc", "'/dev/zero'", "not a regular file"),
    ),
    "scorecard rules /dev/zero": (
        _fixed("run", _bad("rules_dev_zero.yaml")),
        ("rules_dev_zero.yaml: scorecard", "'/dev/zero'", "not a regular file"),
    ),
    "a named pipe": (_named_pipe, ("pipe.yaml", "not a regular file")),
    "a 51 MB file": (_oversized_file, ("oversized.yaml", "51.0 MB", "50 MB")),
    "billion laughs": (
        _fixed("run", _bad("billion_laughs.yaml")),
        ("billion_laughs.yaml", "aliases expand to more than 1,000,000 values", "line 8"),
    ),
    "recursive alias": (
        _fixed("run", _bad("recursive_alias.yaml")),
        ("recursive_alias.yaml", "alias *loop lies inside the node it names"),
    ),
    "nesting 200 deep": (
        _fixed("run", _bad("deep_nesting.yaml")),
        ("deep_nesting.yaml", "nested deeper than 64 levels"),
    ),
    "parts.generate.count 2e9": (
        _fixed("run", _bad("generate_count.yaml")),
        ("generate_count.yaml: parts.generate.count", "200000"),
    ),
    "lead time of 1e15 days": (
        _fixed("run", _bad("long_lead_time.yaml")),
        ("long_lead_time.yaml: supply.lead_time", "longer than 36600d"),
    ),
    "kanban cards past int64": (
        _fixed("run", _bad("huge_cards.yaml")),
        ("huge_cards.yaml: supply.kanban.cards", "1000000"),
    ),
    "catalogue container_qty past int64": (
        _fixed("run", _bad("catalogue_huge_qty.yaml")),
        ("catalogue_huge_qty.yaml: parts.catalogue", "huge_qty.csv", "row 2: container_qty"),
    ),
    "--horizon 1000000000d": (
        _fixed("run", VALID, "--horizon", "1000000000d"),
        ("valid.yaml: run.horizon (from --horizon)", "longer than 36600d (100 years)"),
    ),
    "--reps 100000": (
        _fixed("run", VALID, "--reps", "100000"),
        ("valid.yaml: run.replications (from --reps)", "10000"),
    ),
    "--set warm-up of 20 years": (
        _fixed("run", VALID, "--set", "run.warmup=7300d"),
        ("valid.yaml: run.warmup (from --set)", "at most 3660d"),
    ),
    "--set walk-ins 1e300 a day": (
        _fixed("run", VALID, "--set", "demand.walk_ins.per_day=1e300"),
        ("valid.yaml: demand.walk_ins.per_day (from --set)", "10000"),
    ),
    "batch max_scenarios 1e9": (
        _fixed("batch", _bad("batch_max_scenarios.yaml")),
        ("batch_max_scenarios.yaml: max_scenarios", "10000"),
    ),
    "batch --workers 100000": (
        _fixed("batch", VALID, "--workers", "100000"),
        ("--workers", "must be <= 1,024"),
    ),
    # 4. warmup checks its options before any pilot runs
    "warmup --horizon of 5000 days": (
        _fixed("warmup", VALID, "--horizon", "5000d", "--executor", "serial"),
        ("valid.yaml: run.horizon (from --horizon)", "at most 3660d"),
    ),
    "warmup horizon too short for MSER": (
        _fixed("warmup", VALID, "--horizon", "10d", "--executor", "serial"),
        ("--horizon 10d", "--batch-size 5", "15 open days"),
    ),
    "warmup --batch-size longer than the horizon allows": (
        _fixed("warmup", VALID, "--batch-size", "30", "--executor", "serial"),
        ("--horizon 60d", "--batch-size 30", "90 open days"),
    ),
    "warmup --pilot-reps 100000": (
        _fixed("warmup", VALID, "--pilot-reps", "100000"),
        ("--pilot-reps", "must be <= 10,000"),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_refused_cleanly(case: str, tmp_path: Path) -> None:
    make, expected = CASES[case]
    args = list(make(tmp_path))
    out = tmp_path / "out"
    if args[0] in ("run", "batch"):
        args += ["--out", out]
    done = run_limited(args, cwd=tmp_path)
    assert_refused(done, expected)
    assert not out.exists()


# --- damaged results folders for ``report`` --------------------------------------------------


@pytest.fixture(scope="module")
def results_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small, sound results folder (two replications of two days)."""
    out = tmp_path_factory.mktemp("results") / "good"
    done = run_limited(["run", VALID, "--reps", "2", "--horizon", "2d", "--out", out], REPO)
    assert done.returncode == 0, done.stderr
    return out


def _manifest(change: Callable[[dict], object]) -> Callable[[Path], None]:
    def doctor(folder: Path) -> None:
        path = folder / "manifest.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        path.write_text(json.dumps(change(data)), encoding="utf-8")

    return doctor


def _set(key: str, value: object) -> Callable[[dict], object]:
    def change(data: dict) -> object:
        data[key] = value
        return data

    return change


def _summary(edit: Callable[[list[list[str]]], None]) -> Callable[[Path], None]:
    def doctor(folder: Path) -> None:
        path = folder / "summary.csv"
        rows = [line.split(",") for line in path.read_text(encoding="utf-8").splitlines()]
        edit(rows)
        path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")

    return doctor


def _drop_mean(rows: list[list[str]]) -> None:
    k = rows[0].index("mean")
    for r in rows:
        del r[k]


def _text_mean(rows: list[list[str]]) -> None:
    rows[1][rows[0].index("mean")] = "many"


def _scenario_yaml(content: bytes) -> Callable[[Path], None]:
    def doctor(folder: Path) -> None:
        (folder / "scenarios" / "tiny.yaml").write_bytes(content)

    return doctor


# case -> (how the folder is damaged, texts the one error line must hold)
REPORT_CASES: dict[str, tuple[Callable[[Path], None], tuple[str, ...]]] = {
    "manifest is a list": (_manifest(lambda _d: [1, 2]), ("manifest.json", "JSON object")),
    "manifest scenarios is a number": (
        _manifest(_set("scenarios", 5)),
        ("manifest.json: scenarios", "must be a list, not a number"),
    ),
    "manifest scenario entry is a string": (
        _manifest(_set("scenarios", ["tiny"])),
        ("manifest.json: scenarios.0", "must be an object"),
    ),
    "manifest git is a list": (
        _manifest(_set("git", [1])),
        ("manifest.json: git", "must be an object"),
    ),
    "manifest is not JSON": (
        lambda f: (f / "manifest.json").write_text("{oops", encoding="utf-8"),
        ("manifest.json", "unreadable"),
    ),
    "summary lacks a column": (_summary(_drop_mean), ("summary.csv", "lacks column(s) mean")),
    "summary mean holds text": (_summary(_text_mean), ("summary.csv", "column mean")),
    "scenario YAML with a python tag": (
        _scenario_yaml(b"name: !!python/object/apply:os.system [echo hacked]\n"),
        ("tiny.yaml", "python/object/apply:os.system"),
    ),
    "scenario YAML not UTF-8": (_scenario_yaml(b"name: caf\xe9\n"), ("tiny.yaml", "not UTF-8")),
    "scenario YAML with a duplicate key": (
        _scenario_yaml(b"name: a\nname: b\n"),
        ("tiny.yaml", "duplicate key 'name'"),
    ),
}


@pytest.mark.parametrize("case", list(REPORT_CASES))
def test_damaged_results_folder_is_refused_cleanly(
    case: str, results_folder: Path, tmp_path: Path
) -> None:
    doctor, expected = REPORT_CASES[case]
    folder = tmp_path / "results"
    shutil.copytree(results_folder, folder)
    doctor(folder)
    done = run_limited(["report", folder], cwd=tmp_path)
    assert_refused(done, expected)
    assert not (folder / "report.html").exists()
    assert not (folder / "results.xlsx").exists()


def test_the_sound_folder_reports(results_folder: Path, tmp_path: Path) -> None:
    """The damage, not the folder, is what the cases above refuse."""
    folder = tmp_path / "results"
    shutil.copytree(results_folder, folder)
    done = run_limited(["report", folder], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (folder / "report.html").is_file()


def test_warmup_refuses_a_short_horizon_without_running(capsys: pytest.CaptureFixture) -> None:
    """The pilot-length check comes before the pilots: the simulation is never called."""
    from sim import cli

    def simulate(*_args: object, **_kwargs: object) -> object:
        raise AssertionError("a pilot ran")

    args = ["warmup", str(VALID), "--horizon", "14d", "--executor", "serial"]
    assert cli.main(args, simulate=simulate) == 2  # type: ignore[arg-type]
    assert "lengthen --horizon" in capsys.readouterr().err
