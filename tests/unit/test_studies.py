"""The notebooks' study helpers: sizes, in-memory batches, sizing, veto risk, their figures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim import studyplots
from sim.experiment import ScenarioRun
from sim.loading import load_scenario
from sim.model.records import RunResult
from sim.studies import (
    Size,
    cheapest_meeting,
    month_scores,
    notebook_size,
    paired_vetoes,
    predicted_stock,
    run_study,
    veto_curve,
    veto_risk,
    with_vetoes,
)
from sim.theory import kanban_loop

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "cli" / "fixtures"
SMALL = Size("small", replications=2, horizon="3d", executor="serial")


def test_notebook_size(monkeypatch: pytest.MonkeyPatch) -> None:
    full = Size("full", 10, None, "local")
    monkeypatch.delenv("NOTEBOOK_SIZE", raising=False)
    assert notebook_size(SMALL, full) is SMALL
    monkeypatch.setenv("NOTEBOOK_SIZE", "FULL")
    assert notebook_size(SMALL, full) is full
    assert notebook_size(SMALL).replications is None  # the batch file's own
    monkeypatch.setenv("NOTEBOOK_SIZE", "huge")
    with pytest.raises(ValueError, match="NOTEBOOK_SIZE='huge'"):
        notebook_size(SMALL)


def test_run_study_pairs_against_the_baseline() -> None:
    study = run_study(FIXTURES / "tiny_batch.yaml", SMALL)
    assert list(study.scenarios) == ["one_h", "two_h", "daily"]
    assert study.reps.groupby("scenario").size().tolist() == [2, 2, 2]
    assert study.comparison is not None
    assert set(study.comparison["scenario"]) == {"one_h", "daily"}
    means = study.means(["fill_rate"])
    two_h = study.summary[(study.summary.scenario == "two_h") & (study.summary.kpi == "fill_rate")]
    assert means.loc["two_h", "fill_rate"] == pytest.approx(two_h["mean"].iloc[0])
    assert means.loc["two_h", "fill_rate_low"] == pytest.approx(two_h["ci_low"].iloc[0])
    sweep = study.sweep()
    assert sweep is not None and sweep.param == "supply.call_off.every"


def test_predicted_stock_is_the_demand_weighted_loop_formula() -> None:
    from sim.model.sizing import protection_span
    from sim.model.world import calendar_of, catalogue_for, sizes_for

    scn = load_scenario(FIXTURES / "valid.yaml")
    pred = predicted_stock(scn)
    cal, cat, sizes = calendar_of(scn), catalogue_for(scn), sizes_for(scn)
    span = protection_span(scn, cal)
    r, lt = span.review, span.lead
    d = sizes["demand_per_open_hour"]
    loops = [
        kanban_loop(float(d[i]), r, lt, int(sizes["cards"][i]), int(cat.container_qty[i]))
        for i in range(len(d))
    ]
    assert pred["cards"] == sizes["cards"].sum()
    assert pred["fill_rate"] == pytest.approx(
        sum(d[i] * loops[i].fill_rate for i in range(len(d))) / d.sum()
    )
    assert pred["on_hand_units"] == pytest.approx(sum(x.on_hand for x in loops))
    other = load_scenario(FIXTURES / "valid.yaml", ["supply.policy=order_up_to"])
    with pytest.raises(ValueError, match="for kanban"):
        predicted_stock(other)


def test_cheapest_meeting_uses_the_lower_bound() -> None:
    table = pd.DataFrame(
        {
            "fill_rate": [0.985, 0.99, 0.995],
            "fill_rate_low": [0.97, 0.981, 0.99],
            "avg_inventory_value": [10.0, 30.0, 20.0],
        },
        index=["lucky", "costly", "cheap"],
    )
    assert cheapest_meeting(table, 0.98) == "cheap"  # 'lucky' has the mean but not the bound
    assert cheapest_meeting(table, 0.999) is None


# --- scorecard risk -------------------------------------------------------------------------


def months(on_time: list[float]) -> list[dict]:
    base = {
        "vehicles_received": 300.0,
        "jobs_delivered": 300.0,
        "revenue": 300_000.0,
        "gross_margin": 120_000.0,
        "gross_margin_rate": 0.4,
        "care_products": 1.0,
        "accessories": 1.0,
        "tyres": 1.0,
        "comeback_rate": 0.0,
    }
    return [{**base, "month": m, "on_time_rate": v} for m, v in enumerate(on_time)]


@pytest.fixture
def runs(tmp_path: Path) -> list[ScenarioRun]:
    card = ["scorecard.targets.vehicles_received=300", "scorecard.targets.revenue=300000"]
    out = []
    data = {
        "base": [[0.70, 0.90], [0.80, 0.95], [0.75, 0.99]],
        "better": [[0.90, 0.95], [0.92, 0.96], [0.80, 0.97]],
    }
    for name, per_rep in data.items():
        scn = load_scenario(FIXTURES / "valid.yaml", [*card, f"name={name}"])
        results = tuple(
            RunResult(name, r, {}, {}, extra={"months": months(v)}) for r, v in enumerate(per_rep)
        )
        out.append(ScenarioRun(scn, results, (0.0,) * len(results)))
    return out


def test_with_vetoes_rescores_without_running(runs: list[ScenarioRun]) -> None:
    scn = with_vetoes(runs[0].scenario, {"on_time": {"below": 0.85}})
    rules = scn.scorecard.resolved_rules()
    assert rules.vetoes["on_time"].below == 0.85
    assert rules.vetoes["on_time"].veto_scope == "card"  # the rest of the rule is kept
    assert runs[0].scenario.scorecard.resolved_rules().vetoes["on_time"].below == 1.0
    with pytest.raises(ValueError):
        with_vetoes(runs[0].scenario, {"on_time": {"veto_scope": "month"}})


def test_veto_risk_and_paired_vetoes(runs: list[ScenarioRun]) -> None:
    frame = month_scores(runs, {"on_time": {"below": 0.85}})
    risk = veto_risk(frame).set_index(["scenario", "measure"])
    # base: months vetoed per replication 1/2, 1/2, 1/2; better: 0, 0, 1/2
    assert risk.loc[("base", "vetoed"), "mean"] == pytest.approx(0.5)
    assert risk.loc[("better", "vetoed"), "mean"] == pytest.approx(1 / 6)
    assert risk.loc[("better", "veto_on_time"), "n"] == 3
    paired = paired_vetoes(frame, "base").set_index("scenario")
    assert paired.loc["better", "mean_diff"] == pytest.approx(1 / 6 - 0.5)
    assert paired.loc["better", "baseline_mean"] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="baseline 'nope'"):
        paired_vetoes(frame, "nope")


def test_veto_curve_and_its_figure(runs: list[ScenarioRun]) -> None:
    curve = veto_curve(runs, "on_time", [0.5, 0.85, 1.0])
    base = curve[curve["scenario"] == "base"].set_index("threshold")["mean"]
    assert base.tolist() == pytest.approx([0.0, 0.5, 1.0])
    fig = studyplots.veto_curve_figure(curve, "on_time")
    ax = fig.axes[0]
    assert [ln.get_label() for ln in ax.lines] == ["base", "better"]
    assert list(ax.lines[0].get_ydata()) == pytest.approx([0.0, 50.0, 100.0])
    assert "months vetoed (%)" in ax.get_ylabel() and "on_time" in ax.get_title()
    with pytest.raises(ValueError, match="no rows to plot"):
        studyplots.veto_curve_figure(curve.iloc[:0], "on_time")


def test_formula_vs_simulation_figure() -> None:
    table = pd.DataFrame(
        {
            "formula_fill_rate": [0.90, 0.95],
            "fill_rate": [0.93, 0.97],
            "fill_rate_low": [0.92, 0.96],
            "fill_rate_high": [0.94, 0.98],
        },
        index=["a", "b"],
    )
    fig = studyplots.formula_vs_simulation_figure(table, target=0.98)
    ax = fig.axes[0]
    points = ax.containers[0].lines[0]
    assert list(points.get_xdata()) == pytest.approx([90.0, 95.0])
    assert list(points.get_ydata()) == pytest.approx([93.0, 97.0])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "target 98%" in labels and "formula = simulation" in labels
    assert "(%)" in ax.get_xlabel() and "(%)" in ax.get_ylabel() and ax.get_title()
    with pytest.raises(ValueError, match="missing column"):
        studyplots.formula_vs_simulation_figure(table.drop(columns="fill_rate_low"))
