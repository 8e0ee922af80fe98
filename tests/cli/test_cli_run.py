"""Successful command lines: run, validate, the default scenario, and unexpected failures."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim import cli, readout
from sim.kpi import KPI_COLUMNS
from sim.labels import kpi_label
from sim.results import read_manifest, read_replications
from tests.cli.helpers import run_sim

REPO = Path(__file__).resolve().parents[2]
VALID = Path(__file__).resolve().parent / "fixtures" / "valid.yaml"


def table_kpis(stdout: str, lang: str = "en") -> list[str]:
    """The KPIs of the printed table, in its order: each row starts with a KPI's label."""
    by_label = {kpi_label(k, lang): k for k in KPI_COLUMNS}  # type: ignore[arg-type]
    rows = []
    for line in stdout.splitlines():
        label = re.split(r"\s{2,}|\s+(?=[-0-9])", line.strip(), maxsplit=1)[0]
        if label in by_label:
            rows.append(by_label[label])
    return rows


def test_validate_ok(tmp_path: Path) -> None:
    done = run_sim("validate", VALID, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"ok: tiny \([0-9a-f]{64}\)\n", done.stdout)
    assert done.stderr == ""


def test_validate_warns_of_one_size_for_every_part(tmp_path: Path) -> None:
    """A size in units applied to every part is allowed, with a warning saying the stock it
    implies: 3 cards of a container each for every stocked part, at unit cost."""
    from sim.loading import load_scenario
    from sim.model.world import catalogue_for, sizes_for

    default = REPO / "scenarios" / "default.yaml"
    (tmp_path / "three.yaml").write_text(
        f"extends: {default}\nname: three\nsupply: {{kanban: {{cards: 3}}}}\n"
    )
    done = run_sim("validate", tmp_path / "three.yaml", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.startswith("ok: three")
    scn = load_scenario(default)
    cat = catalogue_for(scn)
    stocked = sizes_for(scn)["stocked"] == 1
    stock = float(3 * cat.container_qty[stocked] @ cat.unit_cost[stocked])
    want = f"supply.kanban.cards: 3 card(s) for every one of the {stocked.sum():,} stocked parts"
    assert want in done.stderr
    assert f"{stock:,.0f} CNY of stock when every loop is full" in done.stderr
    assert run_sim("validate", default, cwd=tmp_path).stderr == ""


def test_validate_warns_of_trucks_too_small_and_idle_prepare(tmp_path: Path) -> None:
    """Once a day, 40 containers a truck cannot carry the default dealer's day of orders
    (about a hundred containers); prepare without bookings made ahead does nothing."""
    default = REPO / "scenarios" / "default.yaml"
    (tmp_path / "daily.yaml").write_text(
        f"extends: {default}\nname: daily\n"
        "supply: {call_off: {every: 1d, first: '18:00', last: '18:00'}}\n"
        "demand: {appointments: {booked_ahead: 0min}}\n"
    )
    done = run_sim("validate", tmp_path / "daily.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "supply.truck_capacity: about " in done.stderr
    assert "40 of room on the trucks: orders will pile up" in done.stderr
    assert "supply.prepare: no booking is made ahead" in done.stderr


def test_run_with_the_model_writes_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ("run", VALID, "--reps", "3", "--horizon", "2d", "--out", out, "--trace")
    done = run_sim(*args, "--set", "supply.emergency.enabled=true", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no progress bar when stderr is not a terminal
    assert table_kpis(done.stdout) == list(KPI_COLUMNS)
    assert "scenario tiny: 3 replications, horizon 2d" in done.stdout
    for name in ("manifest.json", "replications.csv", "summary.csv", "jobs.parquet"):
        assert (out / name).is_file()
    assert (out / "stock.parquet").is_file()
    assert (out / "scenarios" / "tiny.yaml").is_file()
    reps = read_replications(out)
    assert reps["replication"].tolist() == [0, 1, 2]
    manifest = read_manifest(out)
    assert manifest["command"][1:4] == ["run", str(VALID), "--reps"]
    assert manifest["scenarios"][0]["horizon"] == "2d"
    jobs = pd.read_parquet(out / "jobs.parquet")
    assert set(jobs["replication"]) == {0, 1, 2}

    again = tmp_path / "again"
    done = run_sim(
        *args[:-3], "--out", again, "--set", "supply.emergency.enabled=true", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert (again / "replications.csv").read_bytes() == (out / "replications.csv").read_bytes()
    assert (again / "summary.csv").read_bytes() == (out / "summary.csv").read_bytes()


def test_run_without_out_prints_only(tmp_path: Path, capsys, fake_sim) -> None:
    code = cli.main(["run", str(VALID), "--reps", "4"], simulate=fake_sim)
    captured = capsys.readouterr()
    assert code == 0
    assert table_kpis(captured.out) == list(KPI_COLUMNS)
    assert "results:" not in captured.out
    assert list(tmp_path.iterdir()) == []


def test_progress_bar_only_on_a_terminal(capsys, monkeypatch, fake_sim) -> None:
    assert cli.main(["run", str(VALID), "--reps", "3"], simulate=fake_sim) == 0
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert cli.main(["run", str(VALID), "--reps", "3"], simulate=fake_sim) == 0
    err = capsys.readouterr().err
    assert "tiny: 100%" in err and "3/3" in err


def test_trace_without_out_is_noted(capsys, fake_sim) -> None:
    assert cli.main(["run", str(VALID), "--trace"], simulate=fake_sim) == 0
    assert "--trace has effect only with --out" in capsys.readouterr().err


def test_no_subcommand_runs_the_default_scenario(monkeypatch, capsys, fake_sim) -> None:
    monkeypatch.setattr(cli, "default_scenario", lambda: VALID)
    assert cli.main([], simulate=fake_sim) == 0
    out = capsys.readouterr().out
    assert out.startswith("scenario tiny: 2 replications")
    assert table_kpis(out) == list(KPI_COLUMNS)


def test_default_scenario_is_found_in_the_checkout_or_cwd(monkeypatch, tmp_path: Path) -> None:
    in_repo = REPO / "scenarios" / "default.yaml"
    if in_repo.is_file():
        assert cli.default_scenario() == in_repo
    else:
        monkeypatch.chdir(tmp_path)
        with pytest.raises(cli.CliError, match=r"default\.yaml: not found"):
            cli.default_scenario()
        (tmp_path / "scenarios").mkdir()
        (tmp_path / "scenarios" / "default.yaml").write_text("name: x\n")
        assert cli.default_scenario() == tmp_path / "scenarios" / "default.yaml"


def test_unexpected_failure_exits_1(capsys) -> None:
    def broken(scenario, replication, trace=False):
        raise ZeroDivisionError("model bug")

    assert cli.main(["run", str(VALID)], simulate=broken) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err
    assert err.splitlines()[-1] == "error: unexpected ZeroDivisionError: model bug"


def test_table_formatting() -> None:
    assert readout.format_row([0.91234, 0.85, 0.97]) == ["0.9123", "0.8500", "0.9700"]
    assert readout.format_row([0.91234, 0.9, 1.0]) == ["0.912", "0.900", "1.000"]
    assert readout.format_row([316228.8, 300000.0, None]) == ["316,229", "300,000", ""]
    assert readout.format_row([12.345, 9.8, 14.9]) == ["12.35", "9.80", "14.90"]
    assert readout.format_row([float("nan")] * 3) == ["", "", ""]
    assert readout.format_row([0.0, 0.0, 0.0]) == ["0", "0", "0"]
    assert readout.format_row([7.0, float("nan"), float("nan")]) == ["7", "", ""]


def test_main_returns_codes_instead_of_exiting(capsys) -> None:
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"run_sim.py {sim.__version__}"
    assert cli.main(["run", str(VALID), "--reps", "x"]) == 2
    assert capsys.readouterr().err.startswith("error: run_sim.py run: argument --reps")


def test_run_does_not_import_pandas(tmp_path: Path) -> None:
    """``run`` writes and prints plain rows: pandas (half a second to import) is for traces,
    batches and reports. The folder it writes reads back like any other."""
    out = tmp_path / "out"
    scenario = REPO / "scenarios" / "small_dealer.yaml"
    code = (
        "import sys; from sim.cli import main; "
        f"rc = main(['run', {str(scenario)!r}, '--reps', '2', '--horizon', '2d', "
        f"'--out', {str(out)!r}]); "
        "print('pandas imported:', 'pandas' in sys.modules); sys.exit(rc)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "pandas imported: False"
    assert table_kpis(done.stdout) == list(KPI_COLUMNS)
    assert read_replications(out)["replication"].tolist() == [0, 1]
    assert (out / "scorecards.csv").is_file()


RUN_WITH_PARTS = """
import sys
from sim.cli import main
from sim.kpi import KPI_COLUMNS
from sim.labels import kpi_label
from sim.model.records import RunResult
from tests.partsfake import add_parts

def fake(scenario, replication, trace=False):
    result = RunResult(scenario.name, replication, dict.fromkeys(KPI_COLUMNS, 1.0), {"jobs": 1})
    return add_parts(result, scenario.supply.policy)

rc = main(sys.argv[1:], simulate=fake)
print("pandas imported:", "pandas" in sys.modules)
sys.exit(rc)
"""


def test_run_writes_parts_csv_without_pandas(tmp_path: Path) -> None:
    """With the model's per-part table (a fake until the model gives one), ``run --out``
    writes ``parts.csv``, still without importing pandas."""
    out = tmp_path / "out"
    args = ["run", str(VALID), "--reps", "3", "--out", str(out)]
    done = subprocess.run(
        [sys.executable, "-c", RUN_WITH_PARTS, *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "pandas imported: False"
    parts = pd.read_csv(out / "parts.csv", dtype={"part_no": str})
    assert parts["part_no"].tolist() == ["P1", "P2", "P3", "P4"]
    assert parts["parts_wait_h"].tolist() == [4.5, 0.0, 0.0, 6.25]  # means of 3 replications
    assert "parts.csv" in read_manifest(out)["files"]


def test_lang_zh_labels_the_tables_and_keeps_the_csv(tmp_path: Path) -> None:
    out = tmp_path / "zh"
    done = run_sim(
        "run", VALID, "--reps", "2", "--horizon", "1d", "--lang", "zh", "--out", out, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert table_kpis(done.stdout, "zh") == list(KPI_COLUMNS)
    assert "承诺时间修复率 (%)" in done.stdout and "库存金额 (CNY)" in done.stdout
    header = (out / "summary.csv").read_text().splitlines()[0]
    assert header == "scenario,kpi,mean,std,ci_low,ci_high,n"  # CSV columns never change
    assert "on_time_rate" in (out / "summary.csv").read_text()
    batch = run_sim(
        "batch",
        REPO / "tests" / "cli" / "fixtures" / "tiny_batch.yaml",
        "--reps", "2", "--horizon", "1d", "--executor", "serial", "--lang", "zh",
        "--out", tmp_path / "b",
        cwd=tmp_path,
    )  # fmt: skip
    assert batch.returncode == 0, batch.stderr
    assert "one_h 对比 two_h：" in batch.stdout and "差异显著" in batch.stdout
    bad = run_sim("run", VALID, "--lang", "fr", cwd=tmp_path)
    assert bad.returncode == 2 and "invalid choice: 'fr'" in bad.stderr
