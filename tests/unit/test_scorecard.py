"""Scorecard sheets, the scenario's scorecard block, simulated months and their summary."""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.experiment import SUMMARY_COLUMNS, t_interval
from sim.loading import ScenarioError, load_scenario
from sim.model.records import RunResult
from sim.results import frame_csv
from sim.scorecard import (
    SheetError,
    read_scorecards,
    score_sheet,
    scorecard_command,
    scorecard_summary,
    scorecard_summary_rows,
    scorecards_frame,
)
from sim.scorecard_rules import default_rules

REPO = Path(__file__).resolve().parents[2]
SEED_SHEET = REPO / "scenarios" / "scorecards" / "seed_month.yaml"
VALID = REPO / "tests" / "cli" / "fixtures" / "valid.yaml"


def seed_sheet_data() -> dict:
    return yaml.safe_load(SEED_SHEET.read_text(encoding="utf-8"))


def write_sheet(tmp_path: Path, data: dict, name: str = "sheet.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


# --- the seed's month -----------------------------------------------------------------------


def test_seed_month_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert scorecard_command(str(SEED_SHEET), as_json=True) == 0
    out = json.loads(capsys.readouterr().out)
    items = out["items"]
    assert set(items) == {
        "vehicles_received",
        "revenue",
        "gross_margin",
        "care_products",
        "accessories",
        "tyres",
    }
    for item in items.values():
        assert set(item) == {"target", "actual", "completion", "weight", "score", "veto"}
    assert items["revenue"]["score"] == pytest.approx(7.9843, abs=1e-4)
    assert (items["revenue"]["score"], items["revenue"]["weight"]) == (
        pytest.approx(10 * 252486.0 / 316228.8, rel=1e-15),
        10,
    )
    assert items["care_products"]["score"] == 5
    assert items["accessories"]["score"] == pytest.approx(0.8725, abs=1e-4)
    assert items["tyres"]["score"] == pytest.approx(2.2238, abs=1e-4)
    assert items["tyres"]["completion"] == pytest.approx(7453.0 / 16757.1, rel=1e-15)
    assert out["total"] == pytest.approx(sum(i["score"] for i in items.values()))
    assert out["vetoed"] is False


def test_seed_month_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert scorecard_command(str(SEED_SHEET)) == 0
    out = capsys.readouterr().out
    # items by their names; then target actual completion(2 tokens) score of veto
    rows = {}
    for line in out.splitlines():
        name = re.split(r"\s{2,}", line.strip(), maxsplit=1)[0]
        rows[name] = line[len(line) - len(line.lstrip()) + len(name) :].split()
    assert rows["revenue"][0:6] == ["316,228.8", "252,486", "79.8", "%", "8.0", "10"]
    assert rows["care products sold"][4:6] == ["5.0", "5"]
    assert rows["accessories sold"][4:6] == ["0.9", "5"]
    assert rows["tyres sold"][4:6] == ["2.2", "5"]
    assert rows["total"][0:2] == ["37.2", "55"]
    assert "month vetoed: no" in out


def test_seed_month_text_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    assert scorecard_command(str(SEED_SHEET), lang="zh") == 0
    out = capsys.readouterr().out
    assert "维修产值  316,228.8" in out  # the seed's terms, aligned in terminal columns
    assert "接车台次" in out and "本月被否决：否" in out
    assert "revenue" not in out.split("\n", 1)[1].split("\n")[3]


def test_vetoed_sheet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = seed_sheet_data()
    data["actuals"]["on_time_rate"] = 0.93
    path = write_sheet(tmp_path, data)
    assert scorecard_command(str(path), as_json=True) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["vetoed"] is True
    assert out["total"] == 0
    assert all(item["veto"] for item in out["items"].values())
    assert scorecard_command(str(path)) == 0
    text = capsys.readouterr().out
    assert "veto on_time (on time against promise < 1, zeroes the whole card): FIRES" in text
    assert "month vetoed: yes" in text


def test_sheet_overrides_threshold_inline(tmp_path: Path) -> None:
    data = seed_sheet_data()
    data["actuals"]["on_time_rate"] = 0.97
    data["vetoes"] = {"on_time": {"below": 0.95}}
    card = score_sheet(write_sheet(tmp_path, data))
    assert card.vetoes["on_time"] is False
    assert not card.vetoed


def test_sheet_rules_file_relative_to_sheet(tmp_path: Path) -> None:
    rules = default_rules().dump()
    rules["items"]["tyres"]["weight"] = 50
    sub = tmp_path / "rules"
    sub.mkdir()
    (sub / "tyres_heavy.yaml").write_text(yaml.safe_dump(rules), encoding="utf-8")
    data = {**seed_sheet_data(), "rules": "rules/tyres_heavy.yaml"}
    card = score_sheet(write_sheet(tmp_path, data))
    assert card.items["tyres"].score == pytest.approx(50 * 7453.0 / 16757.1)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["targets"].update(intake=1), "targets.intake"),
        (lambda d: d["targets"].update(revenue=0), "targets.revenue"),
        (lambda d: d["targets"].update(revenue="lots"), "targets.revenue"),
        (lambda d: d["actuals"].update(revenue=True), "actuals.revenue"),
        (lambda d: d["actuals"].update(weather=1), "actuals.weather"),
        (lambda d: d["actuals"].pop("tyres"), "actuals.tyres"),
        (lambda d: d["actuals"].pop("revenue"), "actuals.revenue"),
        (lambda d: d["actuals"].pop("on_time_rate"), "actuals.on_time_rate"),
        (lambda d: d["actuals"].update(comeback_rate=2), "actuals.comeback_rate"),
        (lambda d: d["actuals"].update(vehicles_received=-3), "actuals.vehicles_received"),
        (lambda d: d.pop("actuals"), "actuals"),
        (lambda d: d.update(colour="red"), "colour"),
        (
            lambda d: d.update(vetoes={"on_time": {"veto_scope": "all"}}),
            "vetoes.on_time.veto_scope",
        ),
        (
            lambda d: d.update(vetoes={"late": {"actual": "x", "below": 1}}),
            "vetoes.late.veto_scope",
        ),
        (lambda d: d.update(rules="missing.yaml"), "rules"),
    ],
)
def test_bad_sheet_is_one_line_naming_file_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change, field: str
) -> None:
    data = seed_sheet_data()
    change(data)
    path = write_sheet(tmp_path, data)
    assert scorecard_command(str(path)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {path}: {field}: ")


def test_unreadable_sheets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("targets: [1, 2\n", encoding="utf-8")
    with pytest.raises(SheetError, match=r"bad.yaml: unreadable YAML at line"):
        score_sheet(bad)
    assert scorecard_command(str(tmp_path / "absent.yaml")) == 2
    assert "absent.yaml" in capsys.readouterr().err


# --- the scenario's scorecard block -----------------------------------------------------


def scenario_with(tmp_path: Path, card: dict, name: str = "s.yaml") -> Path:
    data = yaml.safe_load(VALID.read_text(encoding="utf-8"))
    data["scorecard"] = card
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_scenario_rules_path_resolves_and_hashes_by_content(tmp_path: Path) -> None:
    rules = default_rules().dump()
    rules["vetoes"]["on_time"]["below"] = 0.9
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "r.yaml").write_text(yaml.safe_dump(rules), encoding="utf-8")
    card = {"targets": {"vehicles_received": 100}, "rules": "r.yaml"}
    shutil.copy(VALID, tmp_path / "valid.yaml")
    a = load_scenario(scenario_with(tmp_path / "a", card))
    b = load_scenario(scenario_with(tmp_path / "b", card))
    assert a.scorecard is not None and b.scorecard is not None
    assert a.scorecard.rules == str((tmp_path / "a" / "r.yaml").resolve())
    assert a.scorecard.resolved_rules().vetoes["on_time"].below == 0.9
    assert a.digest() == b.digest()  # same content, another folder
    rules["vetoes"]["on_time"]["below"] = 0.8
    (tmp_path / "b" / "r.yaml").write_text(yaml.safe_dump(rules), encoding="utf-8")
    assert load_scenario(tmp_path / "b" / "s.yaml").digest() != a.digest()


def test_scenario_without_overrides_dumps_as_before(tmp_path: Path) -> None:
    scn = load_scenario(scenario_with(tmp_path, {"targets": {"revenue": 5000}}))
    assert scn.dump()["scorecard"] == {"targets": {"revenue": 5000.0}}


@pytest.mark.parametrize(
    ("card", "expected"),
    [
        ({"targets": {"intake": 3}}, "scorecard: targets.intake: not a scorecard item"),
        ({"targets": {"revenue": 0}}, "scorecard.targets.revenue"),
        ({"targets": {}, "rules": "nope.yaml"}, "cannot read"),
        ({"vetoes": {"on_time": {"veto_scope": "month"}}}, "scorecard.vetoes.on_time.veto_scope"),
        ({"vetoes": {"x": {"below": 1}}}, "vetoes.x"),
    ],
)
def test_bad_scorecard_block(tmp_path: Path, card: dict, expected: str) -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario(scenario_with(tmp_path, card))
    assert expected in str(err.value)
    assert str(err.value).startswith(str(tmp_path / "s.yaml"))


# --- simulated months -------------------------------------------------------------------


def month(m: int, **over: float | None) -> dict:
    row = {
        "month": m,
        "vehicles_received": 300.0,
        "jobs_delivered": 298.0,
        "revenue": 300_000.0,
        "gross_margin": 120_000.0,
        "gross_margin_rate": 0.4,
        "care_products": 10_000.0,
        "accessories": 5_000.0,
        "tyres": 8_000.0,
        "on_time_rate": 1.0,
        "comeback_rate": 0.0,
    }
    row.update(over)
    return row


def result(rep: int, months: list[dict], name: str = "tiny") -> RunResult:
    return RunResult(name, rep, kpis={}, flow={}, extra={"months": months})


TARGETS = {"vehicles_received": 310, "revenue": 316228.8, "gross_margin": 108031.1, "tyres": 16000}


@pytest.fixture
def scenario(tmp_path: Path):
    return load_scenario(scenario_with(tmp_path, {"targets": TARGETS}))


def test_scorecards_frame(scenario) -> None:
    results = [
        result(0, [month(0), month(1, on_time_rate=0.98), month(2, vehicles_received=100.0)]),
        result(1, [month(0, comeback_rate=0.004), month(1, on_time_rate=None), month(2)]),
    ]
    frame = scorecards_frame(results, scenario)
    assert list(frame.columns) == [
        "scenario",
        "replication",
        "month",
        "vehicles_received",
        "revenue",
        "gross_margin",
        "tyres",
        "on_time_rate",
        "comeback_rate",
        "vehicles_received_score",
        "revenue_score",
        "gross_margin_score",
        "tyres_score",
        "veto_intake_completion",
        "veto_revenue_completion",
        "veto_on_time",
        "veto_comeback",
        "total",
        "total_before_vetoes",
        "max_total",
        "vetoed",
    ]
    assert frame[["replication", "month"]].values.tolist() == [
        [0, 0],
        [0, 1],
        [0, 2],
        [1, 0],
        [1, 1],
        [1, 2],
    ]
    full = 15 * 300 / 310 + 10 * 300_000 / 316228.8 + 15 * 1.0 + 5 * 8000 / 16000
    assert frame["total"].tolist() == pytest.approx(
        [full, 0.0, full - 15 * 300 / 310, 0.0, full, full]
    )
    low_intake = full - 15 * 300 / 310 + 15 * 100 / 310
    assert frame["total_before_vetoes"].tolist() == pytest.approx(
        [full, full, low_intake, full, full, full]
    )
    assert set(frame["max_total"]) == {45}
    assert frame["vetoed"].tolist() == [False, True, True, True, False, False]
    assert frame["veto_on_time"].tolist() == [False, True, False, False, None, False]
    assert frame["veto_intake_completion"].tolist() == [False, False, True, False, False, False]
    assert frame["veto_comeback"].tolist() == [False, False, False, True, False, False]


def test_scorecards_frame_without_targets_or_months(tmp_path: Path, scenario) -> None:
    plain = load_scenario(VALID)
    assert scorecards_frame([result(0, [month(0)])], plain).empty
    with pytest.raises(ValueError, match="no month rows"):
        scorecards_frame([RunResult("tiny", 0, {}, {})], scenario)
    bad = month(0)
    del bad["tyres"]
    with pytest.raises(ValueError, match="lacks tyres"):
        scorecards_frame([result(0, [bad])], scenario)


def test_scorecard_summary_averages_replications_first(scenario, tmp_path: Path) -> None:
    results = [
        result(0, [month(0), month(1, on_time_rate=0.98), month(2)]),
        result(1, [month(0), month(1)]),
        result(2, [month(0, on_time_rate=0.5), month(1, on_time_rate=0.5), month(2)]),
    ]
    frame = scorecards_frame(results, scenario)
    summary = scorecard_summary(frame).set_index("measure")
    per_rep_vetoed = [1 / 3, 0.0, 2 / 3]
    expected = t_interval(per_rep_vetoed)
    row = summary.loc["vetoed"]
    assert row["mean"] == pytest.approx(1 / 3)
    assert (row["ci_low"], row["ci_high"]) == (0.0, 1.0)
    assert expected.ci_low < 0 and expected.ci_high > 1  # clipped: a probability
    total = summary.loc["total"]
    per_rep_total = [frame[frame.replication == r]["total"].mean() for r in range(3)]
    expected_total = t_interval(per_rep_total)
    assert (total["ci_low"], total["ci_high"]) == pytest.approx(
        (expected_total.ci_low, expected_total.ci_high)
    )
    assert (row["n"], row["months"]) == (3, 8)
    per_rep_total = [frame[frame.replication == r]["total"].mean() for r in range(3)]
    assert summary.loc["total", "mean"] == pytest.approx(sum(per_rep_total) / 3)
    assert summary.loc["veto_on_time", "mean"] == pytest.approx(1 / 3)
    assert summary.loc["veto_comeback", "mean"] == 0
    assert "tyres_score" in summary.index
    # the CSV as results writes it reads back with the same flags and the same summary
    (tmp_path / "scorecards.csv").write_text(frame_csv(frame), encoding="utf-8")
    back = read_scorecards(tmp_path)
    assert back["vetoed"].tolist() == frame["vetoed"].tolist()
    again = scorecard_summary(back).set_index("measure")
    assert again.loc["vetoed", "ci_high"] == pytest.approx(row["ci_high"])
    rows = scorecard_summary_rows(frame)
    assert list(rows.columns) == list(SUMMARY_COLUMNS)
    vetoed = rows.set_index("kpi").loc["scorecard_vetoed"]
    assert (vetoed["mean"], vetoed["ci_low"], vetoed["n"]) == (row["mean"], row["ci_low"], 3)
    assert "scorecard_veto_on_time" in set(rows["kpi"])


def test_scorecard_summary_empty_and_undefined() -> None:
    assert scorecard_summary(pd.DataFrame(columns=["scenario"])).empty
    frame = pd.DataFrame(
        {
            "scenario": ["s", "s"],
            "replication": [0, 1],
            "month": [0, 0],
            "total": [10.0, 20.0],
            "vetoed": [False, True],
            "veto_on_time": [None, None],
        }
    )
    summary = scorecard_summary(frame).set_index("measure")
    assert summary.loc["veto_on_time", "n"] == 0
    assert math.isnan(summary.loc["veto_on_time", "mean"])
    assert summary.loc["total", "mean"] == 15
