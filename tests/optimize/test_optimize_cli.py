"""``run_sim.py optimize`` as a user runs it on the tiny dealer: bad input, the files it
writes, the scenario it writes running again to the reported figures, the same answer on
every executor, an interrupted search leaving a whole answer, the three policies, targets
no size can reach, and the report of the folder."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
from pathlib import Path

import pandas as pd
import pytest

from sim import cli
from sim.catalogue import read_catalogue
from sim.loading import load_scenario
from tests.optimize.helpers import interrupting, optimize

TARGET = ("--target", "stocked_fill_rate=0.92")
FILES = ("sizes.csv", "scenario.yaml", "optimize.csv", "optimize_parts.csv", "summary.csv")
SAME = ("optimize.csv", "sizes.csv", "optimize_parts.csv", "summary.csv", "scenario.yaml")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One optimisation of the tiny dealer, serial, for the tests that only read it: its
    folder and what it printed."""
    out = tmp_path_factory.mktemp("answer") / "opt"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert optimize(out, *TARGET) == 0
    return out, printed.getvalue()


@pytest.fixture
def answer(run: tuple[Path, str]) -> Path:
    return run[0]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--target", "revenue=0.9"], "'revenue' cannot be a target"),
        (["--target", "fill_rate=1.5"], "lies in (0, 1)"),
        (["--target", "fill_rate=high"], "is not a number"),
        (["--target", "fill_rate"], "give KPI=VALUE"),
        (["--target", "fill_rate=0.9", "--target", "fill_rate=0.95"], "given twice"),
        ([], "at least one --target"),
        (["--target", "fill_rate=0.9", "--objective", "revenue"], "invalid choice"),
        (["--target", "fill_rate=0.9", "--reps", "1"], "at least 2 replications"),
        (["--target", "fill_rate=0.9", "--budget", "0"], "must be > 0 minutes"),
        (["--target", "fill_rate=0.9", "--set", "supply.kanban.cards=0"], "supply.kanban.cards"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    args: list[str], says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert optimize(out, *args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "\n" not in err and says in err
    assert not out.exists()


def test_a_batch_file_or_an_unusable_folder_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = Path(__file__).resolve().parents[1] / "cli" / "fixtures" / "tiny_batch.yaml"
    assert cli.main(["optimize", str(batch), *TARGET]) == 2
    assert "is a batch file" in capsys.readouterr().err
    taken = tmp_path / "file"
    taken.write_text("not a folder")
    assert optimize(taken, *TARGET) == 2
    assert "not a folder" in capsys.readouterr().err


def test_the_files_and_the_printed_answer(run: tuple[Path, str]) -> None:
    answer, printed = run
    assert "every target met" in printed and f"results: {answer}" in printed
    assert "given sizes" in printed and "kanban cards" in printed
    for name in FILES:
        assert (answer / name).is_file(), name
    assert not (answer / "points").exists()  # the search's work files are gone
    sizes = pd.read_csv(answer / "sizes.csv")
    assert list(sizes.columns[:2]) == ["part_no", "category"]  # the catalogue's own columns
    assert "cards" in sizes.columns and (sizes["cards"] >= 1).all()
    path = pd.read_csv(answer / "optimize.csv")
    for column in ("step", "phase", "cards_total", "accepted", "meets_targets"):
        assert column in path.columns
    for kpi in ("avg_inventory_value", "stocked_fill_rate"):
        assert {f"{kpi}_mean", f"{kpi}_ci_low", f"{kpi}_ci_high"} <= set(path.columns)
    block = json.loads((answer / "manifest.json").read_text())["optimize"]
    row = path[(path["point"] == block["answer_point"]) & (path["phase"] == "confirm")]
    assert row["accepted"].tolist() == [True]  # the answer is a confirmed point
    assert set(path["phase"]) >= {"given", "theory", "confirm"}


def test_the_scenario_written_validates_and_runs_to_the_reported_figures(
    answer: Path, tmp_path: Path
) -> None:
    scn = load_scenario(answer / "scenario.yaml")
    assert scn.supply.kanban.cards == "catalogue"
    manifest = json.loads((answer / "manifest.json").read_text())
    assert scn.digest() == manifest["scenarios"][0]["hash"]  # exactly what was simulated
    assert cli.main(["validate", str(answer / "scenario.yaml")]) == 0
    again = tmp_path / "again"
    assert cli.main(["run", str(answer / "scenario.yaml"), "--out", str(again)]) == 0
    assert (again / "summary.csv").read_bytes() == (answer / "summary.csv").read_bytes()
    figures = manifest["optimize"]["answer"]["stocked_fill_rate"]
    summary = pd.read_csv(again / "summary.csv").set_index("kpi")
    assert summary.loc["stocked_fill_rate", "mean"] == pytest.approx(figures[0], rel=1e-12)


def test_local_processes_give_the_serial_answer(answer: Path, tmp_path: Path) -> None:
    out = tmp_path / "local"
    assert optimize(out, *TARGET, "--executor", "local", "--workers", "2", serial=False) == 0
    for name in SAME:
        assert (out / name).read_bytes() == (answer / name).read_bytes(), name


def test_a_dask_cluster_gives_the_serial_answer(answer: Path, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    out = tmp_path / "dask"
    assert optimize(out, *TARGET, "--executor", "dask", "--workers", "2", serial=False) == 0
    for name in SAME:
        assert (out / name).read_bytes() == (answer / name).read_bytes(), name


def test_an_interrupted_search_leaves_the_last_confirmed_answer_whole(
    answer: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = pd.read_csv(answer / "optimize.csv")
    first = path.index[path["phase"] == "confirm"][0]  # the first confirmation's row
    reps = 4
    ran = (len({(r.point, r.seed) for r in path.loc[: first + 1].itertuples()})) * reps
    out = tmp_path / "stopped"
    assert optimize(out, *TARGET, simulate=interrupting(ran + 2)) == 1
    err = capsys.readouterr().err
    assert "interrupted" in err and "best confirmed answer" in err
    block = json.loads((out / "manifest.json").read_text())["optimize"]
    assert block["status"] == "interrupted"
    scn = load_scenario(out / "scenario.yaml")  # sizes.csv and scenario.yaml agree
    cards = read_catalogue(out / "sizes.csv").sizes["cards"]
    parts = pd.read_csv(out / "optimize_parts.csv")
    assert parts["size"].tolist() == cards.astype(int).tolist()
    kept = pd.read_csv(out / "optimize.csv")
    row = kept[(kept["point"] == block["answer_point"]) & (kept["phase"] == "confirm")]
    assert row["accepted"].tolist() == [True]
    assert scn.digest() == json.loads((out / "manifest.json").read_text())["scenarios"][0]["hash"]


def test_an_interrupt_before_any_confirmation_leaves_no_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "early"
    assert optimize(out, *TARGET, simulate=interrupting(6)) == 1
    assert "no answer was confirmed yet" in capsys.readouterr().err
    assert not (out / "sizes.csv").exists() and not (out / "scenario.yaml").exists()
    assert (out / "optimize.csv").is_file()
    status = json.loads((out / "manifest.json").read_text())["optimize"]["status"]
    assert status == "interrupted, no answer"


def test_ctrl_c_waits_for_the_files_written_together() -> None:
    from sim.optfiles import deferred_interrupt

    done = []
    with pytest.raises(KeyboardInterrupt), deferred_interrupt():
        os.kill(os.getpid(), signal.SIGINT)
        done.append("the block ran to its end")
    assert done == ["the block ran to its end"]


@pytest.mark.parametrize(
    ("policy", "field", "column"),
    [("order_up_to", "level", "order_up_to"), ("reorder_point", "point", "reorder_point")],
)
def test_the_review_policies(policy: str, field: str, column: str, tmp_path: Path) -> None:
    sets = ["--set", f"supply.policy={policy}", "--set", f"supply.{policy}.target_fill=0.9"]
    targets = ["--target", "fill_rate=0.9", "--target", "parts_ready_rate=0.85"]
    assert optimize(tmp_path, *sets, *targets) == 0
    scn = load_scenario(tmp_path / "scenario.yaml")
    assert getattr(scn.supply.policy_block, field) == "catalogue"
    assert column in pd.read_csv(tmp_path / "sizes.csv").columns
    block = json.loads((tmp_path / "manifest.json").read_text())["optimize"]
    assert block["answer"]["fill_rate"][0] >= 0.9
    assert block["answer"]["parts_ready_rate"][0] >= 0.85


def test_a_target_no_size_reaches_is_said_plainly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the dear slow part is not stocked: its lines wait for their orders whatever the sizes
    sets = ["--set", "supply.stocking.rule=auto", "--set", "supply.stocking.min_lines_per_month=60"]
    assert optimize(tmp_path, *sets, "--target", "fill_rate=0.97") == 1
    assert "fill_rate 0.97 cannot be reached by sizing the stocked parts" in capsys.readouterr().err
    status = json.loads((tmp_path / "manifest.json").read_text())["optimize"]["status"]
    assert status == "infeasible" and not (tmp_path / "sizes.csv").exists()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_report_draws_the_path_and_the_classes(answer: Path, lang: str) -> None:
    assert cli.main(["report", str(answer), "--lang", lang]) == 0
    html = (answer / "report.html").read_text(encoding="utf-8")
    assert html.count("<img") >= 2
    if lang == "en":
        assert "Optimised sizes" in html and 'alt="the path of the search"' in html
        assert 'alt="stock and fill rate by part class"' in html
    else:
        assert "优化" in html


def test_the_budget_stops_the_search_and_the_best_point_is_still_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 0.001 minutes: spent before the first round is planned (the given point alone takes
    # longer); the point the theory start kept is confirmed all the same
    assert optimize(tmp_path, *TARGET, "--budget", "0.001", "--lang", "zh") == 0
    printed = capsys.readouterr()
    assert "时间预算用完" in printed.out and "全部目标达成" in printed.out
    assert "预算内最多还剩" in printed.err
    block = json.loads((tmp_path / "manifest.json").read_text())["optimize"]
    assert block["stop"] == "budget" and block["status"] == "confirmed"
    phases = pd.read_csv(tmp_path / "optimize.csv")["phase"].tolist()
    assert phases[:3] == ["given", "theory", "theory"] and "remove" not in phases


def test_an_on_time_target_is_searched_for_and_checked(tmp_path: Path) -> None:
    # On the tiny dealer, sizing for a 90 % shelf fill alone ends below 78 % on time on the
    # confirmation's numbers (about 75 %); asking for 78 % as well keeps more stock and, as the
    # workshop rather than parts sets most of the lateness, cannot be confirmed: said, exit 1.
    fill = ["--target", "stocked_fill_rate=0.9"]
    assert optimize(tmp_path / "fill", *fill) == 0
    alone = json.loads((tmp_path / "fill" / "manifest.json").read_text())["optimize"]
    both = [*fill, "--target", "on_time_rate=0.78"]
    assert optimize(tmp_path / "both", *both) == 1
    block = json.loads((tmp_path / "both" / "manifest.json").read_text())["optimize"]
    assert block["status"] == "not confirmed"
    assert block["answer"]["on_time_rate"][0] < 0.78
    assert "on_time_rate" not in alone["answer"] and alone["status"] == "confirmed"
    value = "avg_inventory_value"
    assert block["answer"][value][0] > alone["answer"][value][0]
