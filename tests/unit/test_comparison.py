"""Paired differences against a baseline: t-interval, variance reduction, empty cells."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.comparison import COMPARISON_COLUMNS, compare, paired_difference


def test_paired_difference_against_scipy() -> None:
    rng = np.random.default_rng(3)
    common = rng.normal(50, 10, 12)  # what both scenarios share (common random numbers)
    x = common + 2 + rng.normal(0, 1, 12)
    y = common + rng.normal(0, 1, 12)
    d = paired_difference(x.tolist(), y.tolist())
    ci = stats.ttest_rel(x, y).confidence_interval(0.95)
    assert d.n == 12
    assert d.mean_diff == pytest.approx(float(np.mean(x - y)), rel=1e-12)
    assert d.std_diff == pytest.approx(float(np.std(x - y, ddof=1)), rel=1e-12)
    assert (d.ci_low, d.ci_high) == pytest.approx((ci.low, ci.high), rel=1e-9)
    assert d.baseline_mean == pytest.approx(float(np.mean(y)))
    expected = (np.var(x, ddof=1) + np.var(y, ddof=1)) / np.var(x - y, ddof=1)
    assert d.variance_reduction == pytest.approx(float(expected), rel=1e-12)
    assert d.variance_reduction > 10  # the shared part cancels in the difference


def test_variance_reduction_hand_checked() -> None:
    # x: var 1; y constant: var 0; d = x - y = [0, 1, 2]: var 1.
    d = paired_difference([1.0, 2.0, 3.0], [1.0, 1.0, 1.0])
    assert d.std_diff == pytest.approx(1.0)
    # (1 + 0) / 1 = 1: nothing shared, nothing gained by pairing
    assert d.variance_reduction == pytest.approx(1.0)
    d = paired_difference([1.0, 2.0, 3.0], [0.0, 1.0, 3.0])
    # var x 1, var y 7/3, d = [1, 1, 0]: var 1/3 -> (1 + 7/3) / (1/3) = 10
    assert d.variance_reduction == pytest.approx(10.0)


def test_missing_values_drop_the_pair() -> None:
    d = paired_difference([1.0, None, 3.0, math.nan, 5.0], [0.0, 1.0, None, 2.0, 4.0])
    assert d.n == 2
    assert d.mean_diff == pytest.approx(1.0)
    assert d.baseline_mean == pytest.approx(2.0)


def test_undefined_cells_are_nan() -> None:
    one = paired_difference([1.0], [2.0])
    assert one.n == 1 and one.mean_diff == -1.0
    assert math.isnan(one.ci_low) and math.isnan(one.variance_reduction)
    none = paired_difference([None, None], [1.0, 2.0])
    assert none.n == 0 and math.isnan(none.mean_diff) and math.isnan(none.baseline_mean)
    same = paired_difference([3.0, 5.0, 4.0], [3.0, 5.0, 4.0])  # identical: zero paired variance
    assert (same.mean_diff, same.ci_low, same.ci_high) == (0.0, 0.0, 0.0)
    assert math.isnan(same.variance_reduction)
    with pytest.raises(ValueError, match="length"):
        paired_difference([1.0], [1.0, 2.0])


def frame(rows: list[tuple[str, int, float, float | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["scenario", "replication", "a", "b"])


def test_compare_pairs_by_replication_not_by_row_order() -> None:
    reps = frame(
        [
            ("base", 0, 10.0, 1.0),
            ("base", 1, 20.0, 2.0),
            ("base", 2, 30.0, None),
            ("alt", 2, 33.0, 3.0),  # rows of alt in another order
            ("alt", 0, 11.0, 1.5),
            ("alt", 1, 22.0, 2.5),
            ("alt", 3, 99.0, 9.0),  # no baseline replication 3: left out
        ]
    )
    out = compare(reps, "base", kpis=("a", "b"))
    assert list(out.columns) == list(COMPARISON_COLUMNS)
    assert out["scenario"].tolist() == ["alt", "alt"]
    assert out["baseline"].tolist() == ["base", "base"]
    a, b = out.to_dict("records")
    assert a["n"] == 3 and a["mean_diff"] == pytest.approx(2.0)  # diffs 1, 2, 3
    assert a["baseline_mean"] == pytest.approx(20.0)
    assert b["n"] == 2 and b["mean_diff"] == pytest.approx(0.5)
    assert out["n"].dtype == "int64"


def test_compare_keeps_scenario_order_and_skips_the_baseline() -> None:
    reps = frame(
        [(s, r, float(r + i), float(r)) for i, s in enumerate(["z", "base", "a"]) for r in range(3)]
    )
    out = compare(reps, "base", kpis=("a",))
    assert out["scenario"].tolist() == ["z", "a"]
    with pytest.raises(ValueError, match="lacks"):
        compare(reps, "base", kpis=("missing",))
