"""The notebooks' study helpers: sizes, in-memory batches, sizing, veto risk, their figures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim import studies, studyplots
from sim.experiment import ScenarioRun
from sim.loading import load_scenario
from sim.model.records import RunResult
from sim.studies import (
    Size,
    batch_file,
    cards_per_part,
    cheapest_meeting,
    month_scores,
    notebook_size,
    paired_vetoes,
    predicted_stock,
    promise_table,
    run_study,
    scenarios_dir,
    sizing_table,
    veto_curve,
    veto_risk,
    with_vetoes,
)
from sim.theory import kanban_loop
from tests.regionfiles import small_region

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


def test_predicted_stock_leaves_parts_ordered_per_job_out() -> None:
    from sim.model.world import sizes_for

    auto = ["supply.stocking.rule=auto", "supply.stocking.min_lines_per_month=15"]
    scn = load_scenario(FIXTURES / "valid.yaml", auto)
    sizes = sizes_for(scn)
    stocked = sizes["stocked"] == 1
    assert stocked.sum() == 11  # the other 9 of the fixture's 20 parts are ordered per job
    pred = predicted_stock(scn)
    every = predicted_stock(load_scenario(FIXTURES / "valid.yaml"))
    assert pred["stocked_parts"] == stocked.sum() and every["stocked_parts"] == len(stocked)
    assert pred["cards"] == sizes["cards"].sum() == 2 * stocked.sum()
    assert every["on_hand_value"] > pred["on_hand_value"] > 0
    # the shelf's fill rate: over the stocked parts' demand, not diluted by the others
    assert 0.9 < pred["fill_rate"] <= 1.0


def test_cards_per_part_counts_stocked_parts_by_cards() -> None:
    from sim.model.world import sizes_for

    study = run_study(
        FIXTURES / "tiny_batch.yaml",
        SMALL,
        [
            "supply.kanban.target_fill=0.9",
            "supply.stocking.rule=auto",
            "supply.stocking.min_lines_per_month=15",
        ],
    )
    counts = cards_per_part(study, most=3)
    assert list(counts.columns) == ["1 card", "2 cards", "3+ cards", "not stocked"]
    assert list(counts.index) == ["one_h", "two_h", "daily"]
    assert (counts.sum(axis=1) == 20).all() and (counts["not stocked"] == 9).all()
    assert counts.loc["one_h", "1 card"] > 0  # target_fill gives slow movers one card
    assert counts.loc["daily", "3+ cards"] >= counts.loc["one_h", "3+ cards"]
    table = sizing_table(study)
    assert list(table.index) == ["one_h", "two_h", "daily"]
    for name, scn in study.scenarios.items():
        assert table.loc[name, "cards"] == sizes_for(scn)["cards"].sum()
        lowest = counts.loc[name, "1 card"] + 2 * counts.loc[name, "2 cards"]
        assert table.loc[name, "cards"] >= lowest + 3 * counts.loc[name, "3+ cards"]
    for kpi in ("stocked_fill_rate", "days_of_supply", "logistics_cost"):
        assert {kpi, f"{kpi}_low", f"{kpi}_high"} <= set(table.columns)
    with pytest.raises(ValueError, match="at least 2"):
        cards_per_part(study, most=1)


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


def test_veto_curve_of_one_rule_leaves_the_others_out(runs: list[ScenarioRun]) -> None:
    # Every month of "better" has a comeback rate over the limit: vetoed, but not on time.
    for res in runs[1].results:
        for month in res.extra["months"]:
            month["comeback_rate"] = 0.01
    every = veto_curve(runs, "on_time", [0.85], measure="vetoed").set_index("scenario")
    on_time = veto_curve(runs, "on_time", [0.85], measure="veto_on_time").set_index("scenario")
    assert every.loc["better", "mean"] == pytest.approx(1.0)
    assert on_time.loc["better", "mean"] == pytest.approx(1 / 6)  # 0.80 < 0.85 once
    assert on_time.loc["base", "mean"] == every.loc["base", "mean"] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="no scorecard measure 'veto_nope'"):
        veto_curve(runs, "on_time", [0.85], measure="veto_nope")


def test_promise_table_reads_the_breakdown() -> None:
    study = run_study(FIXTURES / "tiny_promise_batch.yaml", Size("s", 2, "2d", "serial"))
    table = promise_table(study, "service", ["bays"], capacity="bays")
    assert list(table.index) == ["fixed.bays2", "fixed.bays3", "workload.bays2", "workload.bays3"]
    assert table["bays"].tolist() == [2, 3, 2, 3]
    assert table["promise"].tolist()[1:3] == ["fixed + 0 min", "workload + max(0 min, 0.4 std)"]
    parts = study.breakdown()
    one = parts[(parts["scenario"] == "workload.bays2") & (parts["name"] == "service")]
    by_kpi = one.set_index("kpi")["mean"]
    row = table.loc["workload.bays2"]
    assert row["service_on_time_rate"] == pytest.approx(by_kpi["on_time_rate"])
    assert row["service_mean_promise_h"] == pytest.approx(by_kpi["mean_promise_h"])
    # one job type: its figures are the scenario's own
    assert row["service_mean_lead_time_h"] == pytest.approx(row["mean_lead_time_h"])
    # the promise changes no flow: the same lead times under both rules, other promises
    for bays in ("bays2", "bays3"):
        fixed, work = table.loc[f"fixed.{bays}"], table.loc[f"workload.{bays}"]
        assert fixed["mean_lead_time_h"] == work["mean_lead_time_h"]
        assert fixed["bays_utilization"] == work["bays_utilization"]
        assert work["mean_promise_h"] > fixed["mean_promise_h"]
    fig = studyplots.promise_capacity_figure(table, "service", "bays")
    left, right = fig.axes
    assert len(left.containers) == 2  # one line with intervals per rule
    assert [ln.get_label() for ln in right.lines][-1] == "delivered (lead time)"
    assert "(%)" in left.get_ylabel() and "bays" in right.get_xlabel()
    with pytest.raises(ValueError, match="no job_type 'nope'"):
        promise_table(study, "nope", ["bays"])
    with pytest.raises(ValueError, match="no resource pool 'booth'"):
        promise_table(study, "service", ["bays"], capacity="booth")


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
    shelf = table.rename(columns=lambda c: c.replace("fill_rate", "stocked_fill_rate"))
    shelf["formula_fill_rate"] = table["formula_fill_rate"]
    fig = studyplots.formula_vs_simulation_figure(shelf, kpi="stocked_fill_rate")
    ax = fig.axes[0]
    assert list(ax.containers[0].lines[0].get_ydata()) == pytest.approx([93.0, 97.0])
    assert "stocked parts" in ax.get_ylabel()


def test_logistics_cost_figure_stacks_the_costs() -> None:
    rows = []
    for name, hold, trucks, emerg in [("a", 100.0, 50.0, 0.0), ("b", 80.0, 20.0, 10.0)]:
        for kpi, v in [
            ("holding_cost", hold),
            ("transport_cost", trucks),
            ("emergency_cost", emerg),
            ("logistics_cost", hold + trucks + emerg),
        ]:
            rows.append((name, kpi, v, v - 1, v + 1))
    summary = pd.DataFrame(rows, columns=["scenario", "kpi", "mean", "ci_low", "ci_high"])
    fig = studyplots.logistics_cost_figure(summary, baseline="a")
    ax = fig.axes[0]
    bars = [(p.get_x(), p.get_y(), p.get_height()) for p in ax.patches]
    heights = sorted((round(x), y, h) for x, y, h in bars)
    assert [h for _, _, h in heights] == pytest.approx([100.0, 50.0, 0.0, 80.0, 20.0, 10.0])
    tops = {round(x): y + h for x, y, h in bars}
    assert tops[0] == pytest.approx(150.0) and tops[1] == pytest.approx(110.0)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "emergency orders" in labels and "total, 95 % interval" in labels
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a\n(baseline)", "b"]
    assert "(CNY)" in ax.get_ylabel() and ax.get_title()
    no_trucks = summary[summary["kpi"] != "transport_cost"]
    labels = [
        t.get_text()
        for t in studyplots.logistics_cost_figure(no_trucks).axes[0].get_legend().get_texts()
    ]
    assert "regular trucks" not in labels  # a cost not priced is not drawn
    with pytest.raises(ValueError, match="no rows"):
        studyplots.logistics_cost_figure(summary[summary["kpi"] == "revenue"])


def test_scenarios_dir_is_the_checkouts_whatever_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert scenarios_dir() == REPO / "scenarios"
    assert batch_file("kanban_sizing") == REPO / "scenarios" / "batches" / "kanban_sizing.yaml"
    assert batch_file("kanban_sizing.yaml") == batch_file("kanban_sizing")
    with pytest.raises(FileNotFoundError, match=r"no batch file nope\.yaml .*kanban_sizing"):
        batch_file("nope")


def test_scenarios_dir_falls_back_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A package installed away from its checkout (site-packages) finds the checkout it is
    used from, from any folder inside it; outside any checkout the error says what to do."""
    monkeypatch.setattr(studies, "PACKAGE_ROOT", tmp_path / "site-packages")
    checkout = tmp_path / "checkout"
    (checkout / "scenarios" / "batches").mkdir(parents=True)
    (checkout / "notebooks").mkdir()
    monkeypatch.chdir(checkout / "notebooks")
    assert scenarios_dir() == checkout / "scenarios"
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"scenarios/ folder .*pip install -e"):
        scenarios_dir()


# --- regions ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def region_study(tmp_path_factory: pytest.TempPathFactory) -> studies.RegionStudy:
    """Two small dealers on a finite centre, ample and short, a few days: fast."""
    import yaml

    folder = tmp_path_factory.mktemp("region")
    region = small_region()
    (folder / "region.yaml").write_text(yaml.safe_dump(region), encoding="utf-8")
    batch = {
        "name": "centre-study",
        "base": "region.yaml",
        "baseline": "ample",
        "variants": {
            "ample": {"set": {"centre.stock.target_fill": 0.99}},
            "short": {"set": {"centre.stock.level": 1}},
            "south_4h": {"set": {"dealers.south.supply.call_off.every": "4h"}},
        },
    }
    (folder / "batch.yaml").write_text(yaml.safe_dump(batch), encoding="utf-8")
    return studies.run_region_study(folder / "batch.yaml", SMALL, only=["ample", "short"])


def test_region_study_rows_means_and_pairs(region_study: studies.RegionStudy) -> None:
    study = region_study
    assert list(study.scenarios) == ["ample", "short"]  # only the two asked for
    assert study.dealers == ["north", "south"]
    reps = study.reps
    assert reps.groupby("scenario")["replication"].nunique().tolist() == [2, 2]
    dealer = reps[reps["dealer"] != "region"]
    assert (
        dealer["parts_wait_per_car_h"] == dealer["parts_wait_h"] / dealer["vehicles_received"]
    ).all()
    assert reps.loc[reps["dealer"] == "region", "parts_wait_per_car_h"].isna().all()
    means = study.means(["on_time_rate", "parts_wait_per_car_h"])
    assert list(means.index) == [(s, d) for s in ("ample", "short") for d in ("north", "south")]
    north = dealer[(dealer.scenario == "short") & (dealer.dealer == "north")]
    assert means.loc[("short", "north"), "parts_wait_per_car_h"] == pytest.approx(
        north["parts_wait_per_car_h"].mean()
    )
    centre = study.means(["centre_fill_rate"], dealers=["region"])
    assert (
        centre.loc[("short", "region"), "centre_fill_rate"]
        < centre.loc[("ample", "region"), "centre_fill_rate"]
    )
    with pytest.raises(ValueError, match="no KPI"):
        study.means(["nonsense"])
    paired = study.paired("short", "ample", ["on_time_rate", "centre_fill_rate"])
    assert set(zip(paired.dealer, paired.kpi, strict=True)) == {
        ("north", "on_time_rate"),
        ("south", "on_time_rate"),
        ("region", "centre_fill_rate"),
    }
    row = paired[paired.dealer == "region"].iloc[0]
    assert row.mean_diff < 0 and row.n == 2
    from sim.studytext import size_line

    assert size_line(study, "small") == "small run: 2 replications of 3 days"
    with pytest.raises(ValueError, match="no scenario"):
        studies.run_region_study(study.batch.file, SMALL, only=["nope"])


def test_region_figures(region_study: studies.RegionStudy) -> None:
    study = region_study
    means = study.means(["on_time_rate", "centre_fill_rate"], dealers=[*study.dealers, "region"])
    panels = [("on_time_rate", "on time (%)", 100.0), ("centre_fill_rate", "centre (%)", 100.0)]
    fig = studyplots.dealer_sweep_figure(
        means, {"ample": 99, "short": 50}, panels, x_label="centre level (%)", title="t"
    )
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [len(ax.get_legend().get_texts()) for ax in axes] == [2, 1]  # dealers; the centre
    assert fig._suptitle is not None and fig._suptitle.get_text() == "t"
    paired = study.paired("short", "ample", ["on_time_rate"]).assign(case="short")
    fig = studyplots.dealer_difference_figure(paired, panels[:1], title="d")
    assert fig.axes[0].get_xlabel() == "on time (%)"
    with pytest.raises(ValueError):
        studyplots.dealer_sweep_figure(means, {}, panels, x_label="x", title="t")
