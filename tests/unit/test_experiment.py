"""Replication loop and summary statistics: t quantiles, intervals, empty and single values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.experiment import (
    SUMMARY_COLUMNS,
    replicate,
    replications_frame,
    summarize,
    t_interval,
    t_quantile,
    t_sf,
    was_clipped,
)
from sim.kpi import KPI_COLUMNS
from sim.model.records import RunResult

PROBS = (0.5001, 0.6, 0.9, 0.95, 0.975, 0.99, 0.995, 0.999, 0.9999, 1e-6, 0.025, 1 - 1e-9)


@pytest.mark.parametrize("df", [*range(1, 61), 99, 100, 250, 1000, 1e4, 1e6, 0.5, 1.5, 3.7])
def test_t_quantile_matches_scipy(df: float) -> None:
    for p in PROBS:
        assert t_quantile(p, df) == pytest.approx(stats.t.ppf(p, df), rel=1e-8, abs=0)


def test_t_quantile_textbook_values() -> None:
    # Two-sided 95 % critical values from any t table.
    table = {1: 12.706, 2: 4.303, 4: 2.776, 9: 2.262, 29: 2.045, 120: 1.980}
    for df, value in table.items():
        assert round(t_quantile(0.975, df), 3) == value


def test_t_quantile_symmetry_and_centre() -> None:
    assert t_quantile(0.5, 7) == 0.0
    for df in (1, 2, 5, 30):
        assert t_quantile(0.1, df) == -t_quantile(0.9, df)


def test_t_sf_is_the_inverse() -> None:
    for df in (1, 3, 12):
        for p in (0.8, 0.975, 0.999):
            assert t_sf(t_quantile(p, df), df) == pytest.approx(1 - p, rel=1e-9)


@pytest.mark.parametrize(("p", "df"), [(0.0, 5), (1.0, 5), (-0.1, 5), (0.9, 0), (0.9, -2)])
def test_t_quantile_rejects_bad_arguments(p: float, df: float) -> None:
    with pytest.raises(ValueError):
        t_quantile(p, df)


def test_t_interval_against_scipy() -> None:
    xs = [12.0, 9.5, 11.25, 10.0, 13.5, 8.75, 10.5]
    ci = t_interval(xs)
    low, high = stats.t.interval(0.95, len(xs) - 1, loc=np.mean(xs), scale=stats.sem(xs))
    assert ci.n == 7
    assert ci.mean == pytest.approx(np.mean(xs), rel=1e-15)
    assert ci.std == pytest.approx(np.std(xs, ddof=1), rel=1e-14)
    assert ci.ci_low == pytest.approx(low, rel=1e-10)
    assert ci.ci_high == pytest.approx(high, rel=1e-10)


def test_t_interval_hand_checked() -> None:
    # 1..5: mean 3, s = sqrt(2.5), half width = t(0.975, 4) * s / sqrt(5) = 2.7764451 * 0.7071068
    ci = t_interval([1, 2, 3, 4, 5])
    assert ci.mean == 3.0
    assert ci.std == pytest.approx(math.sqrt(2.5))
    assert ci.ci_high - ci.mean == pytest.approx(2.7764451052 * math.sqrt(0.5), rel=1e-9)


def test_t_interval_constant_values_have_zero_width() -> None:
    ci = t_interval([4.0, 4.0, 4.0])
    assert (ci.mean, ci.std, ci.ci_low, ci.ci_high, ci.n) == (4.0, 0.0, 4.0, 4.0, 3)


def test_t_interval_single_value() -> None:
    ci = t_interval([None, 7.5, math.nan])
    assert ci.mean == 7.5
    assert ci.n == 1
    assert math.isnan(ci.std) and math.isnan(ci.ci_low) and math.isnan(ci.ci_high)


def test_t_interval_no_values() -> None:
    ci = t_interval([None, math.nan])
    assert ci.n == 0
    assert all(math.isnan(v) for v in (ci.mean, ci.std, ci.ci_low, ci.ci_high))


def test_t_interval_skips_empty_values() -> None:
    assert t_interval([1.0, None, 3.0, math.nan]) == t_interval([1.0, 3.0])


def _reps_frame() -> pd.DataFrame:
    rows = []
    for name, values in (("b", [1.0, 2.0, 4.0]), ("a", [5.0, None, None])):
        for rep, v in enumerate(values):
            kpis = {k: v for k in KPI_COLUMNS}
            kpis["emergency_orders"] = None
            rows.append(RunResult(scenario=name, replication=rep, kpis=kpis, flow={}))
    return replications_frame(rows)


def test_summarize_rows_columns_and_order() -> None:
    summary = summarize(_reps_frame())
    assert tuple(summary.columns) == SUMMARY_COLUMNS
    assert len(summary) == 2 * len(KPI_COLUMNS)
    assert summary["scenario"].tolist() == ["b"] * len(KPI_COLUMNS) + ["a"] * len(KPI_COLUMNS)
    assert summary["kpi"].tolist() == list(KPI_COLUMNS) * 2
    assert summary["n"].dtype == np.int64


def test_summarize_values_single_and_empty() -> None:
    summary = summarize(_reps_frame()).set_index(["scenario", "kpi"])
    row = summary.loc[("b", "revenue")]
    expected = t_interval([1.0, 2.0, 4.0])
    # revenue cannot be negative: the lower bound (-1.46) is cut at 0, the upper one kept
    assert expected.ci_low < 0
    assert (row["mean"], row["ci_low"], row["ci_high"], row["n"]) == (
        expected.mean,
        0.0,
        expected.ci_high,
        3,
    )
    assert was_clipped("revenue", row["mean"], row["std"], 3)
    assert not was_clipped("gross_margin", row["mean"], row["std"], 3)  # a loss is possible
    assert not was_clipped("revenue", 100.0, row["std"], 3)
    single = summary.loc[("a", "revenue")]
    assert single["mean"] == 5.0 and single["n"] == 1
    assert math.isnan(single["std"]) and math.isnan(single["ci_low"])
    empty = summary.loc[("b", "emergency_orders")]
    assert empty["n"] == 0 and math.isnan(empty["mean"])


def test_summarize_requires_the_columns() -> None:
    with pytest.raises(ValueError, match="revenue"):
        summarize(pd.DataFrame({"scenario": ["x"]}), kpis=("revenue",))


def test_replications_frame_columns_and_none() -> None:
    frame = _reps_frame()
    assert tuple(frame.columns) == ("scenario", "replication", *KPI_COLUMNS)
    assert frame["replication"].dtype == np.int64
    assert frame["emergency_orders"].isna().all()
    assert all(frame[k].dtype == np.float64 for k in KPI_COLUMNS)


def test_replications_frame_rejects_missing_kpi() -> None:
    res = RunResult(scenario="x", replication=0, kpis={"revenue": 1.0}, flow={})
    with pytest.raises(ValueError, match="lacks KPI"):
        replications_frame([res])


def test_replicate_calls_in_order(tiny_scenario, fake_sim) -> None:
    calls: list[tuple[int, bool]] = []
    seen: list[int] = []

    def spy(scenario, replication, trace=False):
        calls.append((replication, trace))
        return fake_sim(scenario, replication, trace)

    run = replicate(tiny_scenario, spy, trace=True, progress=lambda r: seen.append(r.replication))
    n = tiny_scenario.run.replications
    assert calls == [(r, True) for r in range(n)]
    assert seen == list(range(n))
    assert [r.replication for r in run.results] == list(range(n))
    assert len(run.seconds) == n and all(s >= 0 for s in run.seconds)


def test_replicate_rejects_a_mislabelled_result(tiny_scenario, fake_sim) -> None:
    def wrong(scenario, replication, trace=False):
        return fake_sim(scenario, replication + 1, trace)

    with pytest.raises(RuntimeError, match="returned the result"):
        replicate(tiny_scenario, wrong)
