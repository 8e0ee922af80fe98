"""``report DIR``: one self-contained HTML file with the tables and figures a folder supports."""

from __future__ import annotations

import base64
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from sim import plots, report
from sim.experiment import replicate
from sim.model.records import RunResult
from sim.report import REPORT_FILE, report_command
from sim.reportdata import (
    bottleneck,
    breakdown_means,
    calendar_of_yaml,
    differing_keys,
    find_sweep,
    read_folder,
    waiting_parts,
    window_h,
)
from sim.results import write_results
from sim.scenario import Scenario
from tests.breakdownfake import with_breakdown
from tests.partsfake import with_parts
from tests.reporting import batch_folder, single_folder

IMG = re.compile(r'<img alt="([^"]*)" src="data:image/png;base64,([A-Za-z0-9+/=]+)">')


@pytest.fixture(scope="module")
def single(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return single_folder(tmp_path_factory.mktemp("single") / "out")


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return batch_folder(tmp_path_factory.mktemp("batch") / "out")


def report_of(folder: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert report_command(str(folder)) == 0
    assert capsys.readouterr().out == f"report: {folder / REPORT_FILE}\n"
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]  # atomic, cleaned up
    return (folder / REPORT_FILE).read_text(encoding="utf-8")


def images(page: str) -> dict[str, bytes]:
    found = {alt: base64.b64decode(data) for alt, data in IMG.findall(page)}
    assert len(found) == page.count("<img ")  # every image is an embedded PNG
    for png in found.values():
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return found


def assert_self_contained(page: str) -> None:
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    assert "<link" not in page and "<script" not in page and "@import" not in page
    assert "url(" not in page


def test_single_scenario_report(single: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = report_of(single, capsys)
    assert_self_contained(page)
    figs = images(page)
    assert {
        "line-side stock over time (tiny)",
        "bay occupancy and utilisation (tiny)",
        "lateness against promise (tiny)",
        "monthly scorecard totals",
    } <= set(figs)
    assert page.count("<figcaption>") == len(figs)  # every figure has its reading
    assert "were late" in page and "working hours" in page
    assert "Comparison with the baseline" not in page
    summary = pd.read_csv(single / "summary.csv")
    on_time = summary[summary["kpi"] == "on_time_rate"].iloc[0]
    assert f"{on_time['mean'] * 100:.2f}" in page  # the summary's numbers, rates in per cent
    assert "95 % intervals" in page and "P(month vetoed)" in page
    assert 'class="note"' not in page  # every figure could be drawn
    # the model's breakdown: the tiny dealer's pools, busiest first, and its job types
    section = breakdown_section(page)
    top = bottleneck(read_folder(single), "tiny")
    assert f"Bottleneck: <b>{top.name}</b>" in section
    assert f"{top['mean'] * 100:.2f} %" in section  # utilisation in per cent
    assert re.findall(r'<tr><td class="t">([^<]*)</td>', section)[0] == f"{top.name} (bottleneck)"


def test_batch_report(batch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = report_of(batch, capsys)
    assert_self_contained(page)
    figs = images(page)
    assert {
        "KPIs against the swept parameter",
        "trade-off frontier",
        "paired differences against the baseline",
        "monthly scorecard totals",
    } <= set(figs)
    # the trace figures of every scenario, one section each, the baseline first
    for name in ("two_h", "one_h", "daily"):
        for fig in ("line-side stock over time", "bay occupancy and utilisation", "lateness"):
            assert f"{fig}" in " ".join(a for a in figs if a.endswith(f"({name})"))
    traces = page.split("<h2>Each scenario from its trace</h2>", 1)[1]
    heads = re.findall(r"<h3>([^<]*)</h3>", traces)
    assert heads == ["two_h (baseline)", "one_h", "daily"]
    assert "Comparison with the baseline two_h" in page
    for name in ("one_h", "two_h (baseline)", "daily"):
        assert name in page
        assert f"<h3>{name}</h3>" in breakdown_section(page)


def test_swept_parameter_from_resolved_scenarios(batch: Path) -> None:
    folder = read_folder(batch)
    keys = differing_keys(folder.scenarios)
    assert set(keys) == {
        "supply.call_off.every",
        "supply.call_off.first",
        "supply.call_off.last",
    }
    sweep = find_sweep(folder.scenarios)
    assert sweep is not None and sweep.param == "supply.call_off.every"
    assert sweep.group is None  # first/last follow from every: not a second sweep
    table = sweep.table.set_index("scenario")
    assert table[sweep.param].to_dict() == {"one_h": 1.0, "two_h": 2.0, "daily": 24.0}
    assert table["tick"].to_dict() == {"one_h": "1 h", "two_h": "2 h", "daily": "1 d"}
    # the daily call-off (first and last at 18:00) is another regime: not on the line
    assert table["line"].isna().to_dict() == {"one_h": False, "two_h": False, "daily": True}
    assert sweep.label == "call-off interval (h)" and sweep.duration


def test_sweep_regimes_and_values_that_are_not_numbers() -> None:
    """A key swept with a value that is not a number (continuous call-off) keeps that point
    apart; a key that moves in step with the swept one (technicians with bays) is no
    regime of its own; another key crossed with it gives one line per value."""
    scn = {
        f"{every}_{safety}_{bays}": {
            "supply": {"call_off": {"every": every}, "kanban": {"safety": safety}},
            "resources": {"bays": bays, "techs": bays * 2},
        }
        for every, bays in (("1h", 2), ("2h", 2), ("continuous", 2))
        for safety in (0.0, 0.5)
    }
    sweep = find_sweep(scn)
    assert sweep is not None and sweep.param == "supply.call_off.every"
    table = sweep.table.set_index("scenario")
    assert table.loc["continuous_0.0_2", "tick"] == "continuous"
    assert pd.isna(table.loc["continuous_0.0_2", "line"])
    assert table.loc["1h_0.5_2", "line"] == "kanban safety factor = 0.5"
    tied = {
        f"b{bays}": {"resources": {"body_bays": bays, "body_techs": bays}} for bays in (2, 3, 4)
    }
    sweep = find_sweep(tied)
    assert sweep is not None and sweep.table["line"].tolist() == ["all"] * 3
    assert sweep.label == "body bays (units)"


def test_report_without_traces_or_scorecards(
    single: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    for name in ("manifest.json", "summary.csv", "replications.csv"):
        (plain / name).write_bytes((single / name).read_bytes())
    page = report_of(plain, capsys)
    assert "Parts that made jobs wait" not in page  # no parts.csv: no table, no error
    assert images(page) == {}
    assert "run with <code>--trace</code>" in page
    assert "No <code>scorecards.csv</code>" in page


def test_a_window_shorter_than_a_month_is_said_so(
    single: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """scorecards.csv with its header only, targets in the scenario: the window is the
    reason, not missing targets."""
    short = tmp_path / "short"
    short.mkdir()
    for name in ("manifest.json", "summary.csv", "replications.csv"):
        (short / name).write_bytes((single / name).read_bytes())
    shutil.copytree(single / "scenarios", short / "scenarios")
    header = (single / "scorecards.csv").read_text(encoding="utf-8").splitlines()[0]
    (short / "scorecards.csv").write_text(header + "\n", encoding="utf-8")
    scenario = next((short / "scenarios").glob("*.yaml"))
    scenario.write_text(
        scenario.read_text(encoding="utf-8").replace("horizon: 60d", "horizon: 14d"),
        encoding="utf-8",
    )
    page = report_of(short, capsys)
    assert "the measurement window (14 days) is shorter than a scorecard month (30" in page
    assert "give the scenario" not in page


def test_pool_utilisation_from_the_trace_matches_breakdown(single: Path) -> None:
    """Utilisation in open time from pools.parquet and the scenario's calendar is the
    model's own per-pool utilization (breakdown.csv)."""
    folder = read_folder(single)
    scn = folder.scenarios["tiny"]
    pools = list((scn.get("resources") or {}).keys())
    table = plots.pool_utilisation(
        folder.traces["pools"], pools, window_h(scn), calendar_of_yaml(scn)
    ).set_index("pool")
    means = breakdown_means(folder, "tiny", "pool")
    assert table["utilisation"].to_dict() == pytest.approx(means["utilization"].to_dict())
    occupancy = means["occupancy"] / table["size"]
    assert table["occupancy"].to_dict() == pytest.approx(occupancy.to_dict())


def parts_section(page: str) -> str:
    return page.split("<h2>Parts that made jobs wait longest</h2>", 1)[1].split("<h2>", 1)[0]


def test_parts_that_made_jobs_wait_longest(
    tmp_path: Path,
    tiny_scenario: Scenario,
    fake_sim,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def odd_part_number(scenario: Scenario, replication: int, trace: bool = False) -> RunResult:
        res = with_parts(fake_sim)(scenario, replication, trace)
        res.extra["parts"]["part_no"][1] = "P<2>&"  # escaped like every other cell
        res.extra["parts"]["parts_wait_h"][1] = 0.5 * replication
        return res

    runs = [replicate(tiny_scenario, odd_part_number)]
    out = write_results(tmp_path / "out", runs, sizes=None)
    section = parts_section(report_of(out, capsys))
    monkeypatch.setattr(report, "WAITING_PARTS", 1)
    assert "The top 1 of the 3 parts" in parts_section(report.build_report(read_folder(out)))
    # mean waits: P4 6.25 h, P1 4 h, P2 0.25 h; P3 made no job wait and is left out
    assert re.findall(r'<tr><td class="t">([^<]*)</td>', section) == ["P4", "P1", "P&lt;2&gt;&amp;"]
    assert "<h3>tiny</h3>" in section
    assert "All 3 parts that made a job wait, of 4 in the catalogue." in section
    p1 = section.split('<td class="t">P1</td>', 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", p1)
    # stocked, size, lines, fill_rate, stockout_events, parts_wait_h, emergency_orders
    assert cells == ["yes", "3 cards", "10.50", "87.5", "1.500", "4.000", "0.5000"]  # fill in %
    from sim.report import _size_text

    assert _size_text(pd.Series({"cards": 1.0})) == "1 card"
    assert _size_text(pd.Series({"cards": float("nan"), "level": 40.0})) == "up to 40"
    top = waiting_parts(read_folder(out), "tiny", count=1)
    assert top["part_no"].tolist() == ["P4"] and not bool(top["stocked"].iloc[0])


def test_parts_table_says_when_no_job_waited(
    tmp_path: Path, tiny_scenario: Scenario, fake_sim, capsys: pytest.CaptureFixture[str]
) -> None:
    def never_waits(scenario: Scenario, replication: int, trace: bool = False) -> RunResult:
        res = with_parts(fake_sim)(scenario, replication, trace)
        res.extra["parts"]["parts_wait_h"] = [0.0] * 4
        return res

    out = write_results(tmp_path / "out", [replicate(tiny_scenario, never_waits)], sizes=None)
    section = parts_section(report_of(out, capsys))
    assert "No job waited for a part (4 parts in the catalogue)." in section
    assert "<table>" not in section


def breakdown_section(page: str) -> str:
    return page.split("<h2>Pools and job types</h2>", 1)[1].split("<h2>", 1)[0]


def test_pools_and_job_types(
    tmp_path: Path, tiny_scenario: Scenario, fake_sim, capsys: pytest.CaptureFixture[str]
) -> None:
    out = write_results(
        tmp_path / "out", [replicate(tiny_scenario, with_breakdown(fake_sim))], sizes=None
    )
    section = breakdown_section(report_of(out, capsys))
    assert "<h3>tiny</h3>" in section
    # the booth (0.9) beats the bays (0.5, 0.6): named, escaped like every other cell
    assert "Bottleneck: <b>booth &lt;1&gt;</b>" in section
    assert "utilisation, 90 % (95 % [90, 90])" in section
    tables = section.split("<table>")[1:]
    assert len(tables) == 2
    pools = re.findall(r'<tr><td class="t">([^<]*)</td>', tables[0])
    assert pools == ["booth &lt;1&gt; (bottleneck)", "bays", "advisors"]  # busiest first
    bays = tables[0].split('<td class="t">bays</td>', 1)[1].split("</tr>", 1)[0]
    # size (tiny has 3 bays), utilization, occupancy, mean wait: means of 2 replications
    assert re.findall(r"<td[^>]*>([^<]*)</td>", bays) == ["3", "55.00", "2.500", "0.250"]
    advisors = tables[0].split('<td class="t">advisors</td>', 1)[1].split("</tr>", 1)[0]
    assert re.findall(r"<td[^>]*>([^<]*)</td>", advisors)[-1] == ""  # no wait to average
    # the job types side by side: one column each
    head = re.findall(r"<th[^>]*>([^<]*)</th>", tables[1])
    assert head == ["", "service", "body &amp; paint"]
    row = '<td class="t">on time against promise (%)</td>'
    on_time = tables[1].split(row, 1)[1].split("</tr>", 1)[0]
    assert re.findall(r"<td[^>]*>([^<]*)</td>", on_time) == ["90", "50"]
    folder = read_folder(out)
    assert bottleneck(folder, "tiny").name == "booth <1>"
    assert list(breakdown_means(folder, "tiny", "job_type").index) == ["service", "body & paint"]
    assert bottleneck(folder, "other") is None


def test_no_breakdown_no_section(
    tmp_path: Path, tiny_scenario: Scenario, fake_sim, capsys: pytest.CaptureFixture[str]
) -> None:
    out = write_results(tmp_path / "out", [replicate(tiny_scenario, fake_sim)], sizes=None)
    assert "Pools and job types" not in report_of(out, capsys)
    assert breakdown_means(read_folder(out), "tiny", "pool").empty


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: None, "not a folder"),
        (lambda p: p.mkdir(), "not a results folder (no manifest.json)"),
        (
            lambda p: (p.mkdir(), (p / "manifest.json").write_text("{}")),
            "summary.csv is missing",
        ),
        (
            lambda p: (p.mkdir(), (p / "manifest.json").write_text("{")),
            "manifest.json: unreadable",
        ),
    ],
)
def test_bad_folder_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], setup, message: str
) -> None:
    folder = tmp_path / "dir"
    setup(folder)
    assert report_command(str(folder)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {folder}")
    assert message in lines[0]
    assert not (folder / REPORT_FILE).exists()
