"""``run_sim.py scorecard`` and ``run_sim.py report`` as a user runs them (subprocesses)."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import yaml

from tests.cli.helpers import run_sim

REPO = Path(__file__).resolve().parents[2]
SEED_SHEET = REPO / "scenarios" / "scorecards" / "seed_month.yaml"
VALID = REPO / "tests" / "cli" / "fixtures" / "valid.yaml"


def test_help_lists_the_commands() -> None:
    done = run_sim("--help")
    assert done.returncode == 0
    assert "scorecard" in done.stdout and "report" in done.stdout


def test_scorecard_of_the_seed_month() -> None:
    done = run_sim("scorecard", SEED_SHEET, "--json")
    assert done.returncode == 0, done.stderr
    items = json.loads(done.stdout)["items"]
    assert round(items["revenue"]["score"], 2) == 7.98
    assert items["care_products"]["score"] == 5
    assert round(items["accessories"]["score"], 2) == 0.87
    assert round(items["tyres"]["score"], 2) == 2.22
    text = run_sim("scorecard", SEED_SHEET)
    assert text.returncode == 0
    revenue = next(line for line in text.stdout.splitlines() if line.startswith("revenue"))
    assert revenue.split()[3:7] == ["79.8", "%", "8.0", "10"]


def test_bad_sheet_exits_2_with_one_line(tmp_path: Path) -> None:
    data = yaml.safe_load(SEED_SHEET.read_text(encoding="utf-8"))
    data["actuals"]["tyres"] = "many"
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text(yaml.safe_dump(data), encoding="utf-8")
    done = run_sim("scorecard", sheet)
    assert done.returncode == 2
    assert done.stdout == "" and "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {sheet}: actuals.tyres: ")
    missing = run_sim("scorecard", tmp_path / "absent.yaml")
    assert missing.returncode == 2 and "absent.yaml" in missing.stderr


def test_report_of_a_traced_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run_sim(
        "run",
        VALID,
        "--reps",
        "2",
        "--horizon",
        "35d",
        "--out",
        out,
        "--trace",
        "--set",
        "scorecard.targets.vehicles_received=280",
    )
    assert done.returncode == 0, done.stderr
    done = run_sim("report", out)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"report: {out / 'report.html'}",
        f"spreadsheet: {out / 'results.xlsx'}",
    ]
    with zipfile.ZipFile(out / "results.xlsx") as book:  # an xlsx workbook is a zip file
        assert "xl/workbook.xml" in book.namelist()
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count('<img alt="') >= 3
    assert 'src="data:image/png;base64,' in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    bad = run_sim("report", tmp_path / "nowhere")
    assert bad.returncode == 2
    assert bad.stderr.strip() == f"error: {tmp_path / 'nowhere'}: not a folder"
