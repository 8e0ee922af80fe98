"""``report DIR`` of a region's folder: the region overview, then one section per dealer."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.labels import Lang
from sim.regionreport import dealer_view, region_names
from sim.report import REPORT_FILE, report_command
from sim.reportdata import read_folder
from sim.reporthtml import fmt
from tests.cli.helpers import run_sim

ROOT = Path(__file__).resolve().parents[2]
DEALERS = ("north", "south")  # in the region file's order
REGION = {
    "name": "pair",
    "run": {"horizon": "20d", "warmup": "2d", "replications": 2, "seed": 5},
    "centre": {
        "stock": {"review": "1d", "target_fill": 0.9},
        "supply_lead_time": {"dist": "constant", "value": "3d"},
    },
    "dealers": [
        {"name": "north", "scenario": str(ROOT / "tests" / "cli" / "fixtures" / "valid.yaml")},
        {"name": "south", "scenario": str(ROOT / "scenarios" / "small_dealer.yaml")},
    ],
}


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-dealer region run for 10 days after 2 days, 2 replications."""
    base = tmp_path_factory.mktemp("region")
    path = base / "pair.yaml"
    path.write_text(yaml.safe_dump(REGION), encoding="utf-8")
    out = base / "out"
    done = run_sim("run", path, "--out", out, "--horizon", "10d")
    assert done.returncode == 0, done.stderr
    return out


def copy_of(folder: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    (copy / REPORT_FILE).unlink(missing_ok=True)
    return copy


def value(summary: pd.DataFrame, who: str, kpi: str) -> str:
    """A mean as the report's tables write a rate of one column: in per cent."""
    row = summary[(summary["dealer"] == who) & (summary["kpi"] == kpi)]
    assert len(row) == 1
    return fmt([float(row["mean"].iloc[0]) * 100])[0]


def sections(page: str) -> dict[str, str]:
    """The page cut at its h2 headings: the overview, then each dealer's section by id."""
    cuts = list(re.finditer(r"<h2( id=\"([^\"]+)\")?>", page))
    parts = {}
    for i, m in enumerate(cuts):
        end = cuts[i + 1].start() if i + 1 < len(cuts) else len(page)
        parts[m[2] or f"h2-{i}"] = page[m.start() : end]
    return parts


WORDS = {
    "en": ("Region report", "Region pair", "Dealer {d}", "The parts centre", "KPIs with 95 %"),
    "zh": ("区域报告", "区域 pair", "经销商 {d}", "配件中心库", "指标及 95% 置信区间"),
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_overview_then_one_section_per_dealer(
    region: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: Lang
) -> None:
    folder = copy_of(region, tmp_path)
    assert report_command(str(folder), lang) == 0
    assert capsys.readouterr().out == f"report: {folder / REPORT_FILE}\n"
    page = (folder / REPORT_FILE).read_text(encoding="utf-8")
    title, overview_head, dealer_head, centre, kpi_table = WORDS[lang]
    assert f"<h1>{title}: pair</h1>" in page
    parts = sections(page)
    anchors = [f"dealer-pair-{d}" for d in DEALERS]
    assert list(parts) == ["h2-0", *anchors]  # the overview first, dealers in file order
    overview = parts["h2-0"]
    assert overview_head in overview and f"<h3>{centre}</h3>" in overview
    assert all(f'href="#{a}"' in overview for a in anchors)
    assert overview.count("<img ") == 1  # the dealers' on-time and fill figure

    summary = pd.read_csv(folder / "summary.csv", dtype={"dealer": str})
    assert value(summary, "region", "centre_fill_rate") in overview
    own = {d: value(summary, d, "on_time_rate") for d in DEALERS}
    assert own["north"] != own["south"]  # else the next check could not tell them apart
    for d in DEALERS:
        section = parts[f"dealer-pair-{d}"]
        assert dealer_head.format(d=d) in section
        assert kpi_table in section  # the single-run report's KPI table, headings demoted
        assert f"<h3>{kpi_table}" in section
        assert own[d] in section
        assert "--trace" not in section  # a region cannot be traced: no advice to do so
    # the centre's part most often short heads its table
    parts_csv = pd.read_csv(folder / "parts.csv", dtype={"dealer": str, "part_no": str})
    centre_rows = parts_csv[parts_csv["dealer"] == "centre"]
    short = centre_rows.sort_values(["lines_short", "avg_backorders"], ascending=False)
    if (short["lines_short"] > 0).any():
        first = short["part_no"].iloc[0]
        assert re.search(rf"<tr><td class=\"t\">{re.escape(first)}</td>", overview)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)


def test_a_dealer_view_is_that_dealers_rows_as_one_scenario(region: Path) -> None:
    folder = read_folder(region)
    assert region_names(folder) == ["pair"]
    view = dealer_view(folder, "pair", "south")
    assert view.names == ["south"]
    rows = folder.summary[folder.summary["dealer"] == "south"]
    assert view.summary["mean"].tolist() == rows["mean"].tolist()
    assert view.parts is not None and set(view.parts["scenario"]) == {"south"}
    assert "units_ordered" not in view.parts.columns  # the centre's columns are left out
    run = view.scenarios["south"]["run"]
    assert run["warmup"] == "2d" and run["horizon"] == "10d"  # the region's run


def test_the_command_writes_the_page_and_the_spreadsheet(region: Path, tmp_path: Path) -> None:
    folder = copy_of(region, tmp_path)
    done = run_sim("report", folder, "--lang", "zh")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"report: {folder / REPORT_FILE}",
        f"spreadsheet: {folder / 'results.xlsx'}",
    ]
    sheet = pd.read_excel(folder / "results.xlsx", sheet_name="summary")
    assert list(sheet.columns[:3]) == ["scenario", "dealer", "kpi"]


def _drop(file: str, column: str):
    def damage(folder: Path) -> None:
        frame = pd.read_csv(folder / file)
        frame.drop(columns=column).to_csv(folder / file, index=False)

    return damage


def _run_not_a_mapping(folder: Path) -> None:
    path = folder / "scenarios" / "pair.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["run"] = "fast"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")


def _neither(folder: Path) -> None:
    _drop("summary.csv", "dealer")(folder)
    (folder / "scenarios" / "pair.yaml").unlink()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_drop("summary.csv", "dealer"), "summary.csv: lacks column(s) dealer"),
        (_drop("parts.csv", "dealer"), "parts.csv: lacks column(s) dealer"),
        (_drop("breakdown.csv", "dealer"), "breakdown.csv: lacks column(s) dealer"),
        (_run_not_a_mapping, "scenarios/pair.yaml: run: must be a mapping"),
        (_neither, "summary.csv: KPI vehicles_received of scenario pair is there twice"),
    ],
)
def test_a_damaged_region_folder_is_one_line_exit_2(
    region: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], damage, message: str
) -> None:
    folder = copy_of(region, tmp_path)
    damage(folder)
    assert report_command(str(folder)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {folder}")
    assert message in lines[0]
    assert not (folder / REPORT_FILE).exists()


def test_the_command_on_a_summary_without_its_dealer_column(region: Path, tmp_path: Path) -> None:
    folder = copy_of(region, tmp_path)
    _drop("summary.csv", "dealer")(folder)
    done = run_sim("report", folder)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"error: {folder / 'summary.csv'}: lacks column(s) dealer\n"
    assert not (folder / REPORT_FILE).exists() and not (folder / "results.xlsx").exists()
