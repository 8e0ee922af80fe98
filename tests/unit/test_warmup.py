"""MSER-5 and the replication-count helper, on series and samples with a known answer."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.warmup import daily_series, half_width, mser, replications_needed, suggest_warmup


def test_mser_cuts_a_step_transient_exactly() -> None:
    # 10 observations at 5, then 90 alternating 1.1 / 0.9: after the step every batch of 5
    # has the same mean, up to ±0.02, so dropping the two transient batches is optimal.
    series = [5.0] * 10 + [1.1, 0.9] * 45
    res = mser(series, 5)
    assert (res.truncate, res.batches, res.batch_size) == (10, 2, 5)
    assert res.reliable
    assert len(res.statistic) == 20 - 1


def test_mser_statistic_by_hand() -> None:
    z = [3.0, 1.0, 2.0, 0.0]  # batch size 1: the observations are the batch means
    res = mser(z, 1)
    # d=0: mean 1.5, SS 5, /16; d=1: mean 1, SS 2, /9; d=2: mean 1, SS 2, /4
    assert res.statistic == pytest.approx((5 / 16, 2 / 9, 2 / 4))
    assert res.truncate == 1


def test_mser_finds_the_end_of_a_decaying_transient() -> None:
    rng = np.random.default_rng(11)
    t = np.arange(1200)
    series = 20.0 * np.exp(-t / 25.0) + rng.normal(0.0, 1.0, t.size)
    res = mser(series, 5)
    # the bias falls below the noise's standard error around t = 100..150
    assert 60 <= res.truncate <= 200
    assert res.reliable


def test_mser_keeps_a_stationary_series() -> None:
    rng = np.random.default_rng(5)
    res = mser(rng.normal(0.0, 1.0, 1000), 5)
    assert res.truncate <= 100  # noise alone may trim a little, never much
    assert res.reliable


def test_mser_flags_a_run_too_short_for_a_steady_state() -> None:
    res = mser(np.linspace(0.0, 10.0, 100), 5)  # a trend never settles
    assert not res.reliable
    assert res.batches <= 10  # the suggestion stays in the first half


def test_mser_rejects_short_or_undefined_series() -> None:
    with pytest.raises(ValueError, match="at least 3 batches"):
        mser([1.0] * 14, 5)
    with pytest.raises(ValueError, match="undefined"):
        mser([1.0, math.nan] * 10, 5)
    with pytest.raises(ValueError, match="batch_size"):
        mser([1.0] * 20, 0)


def jobs(rows: list[dict[str, float]]) -> pd.DataFrame:
    base = {
        "arrival_h": 0.0,
        "reception_end_h": 0.0,
        "promise_h": 0.0,
        "first_start_h": math.nan,
        "delivery_end_h": math.nan,
        "lines": 1,
        "lines_short": 0,
        "units": 1,
        "units_at_request": 1,
    }
    return pd.DataFrame([{**base, **r} for r in rows])


def test_daily_series_counts_each_kpi_on_its_day() -> None:
    table = jobs(
        [
            # day 0: starts after 0.5 h and 1.5 h of bay wait; one delivered on day 1, late
            {"reception_end_h": 9.0, "first_start_h": 9.5, "delivery_end_h": 30.0,
             "arrival_h": 8.0, "promise_h": 29.0, "units": 4, "units_at_request": 2,
             "lines": 2, "lines_short": 1},
            {"reception_end_h": 10.0, "first_start_h": 11.5, "delivery_end_h": 12.0,
             "arrival_h": 9.0, "promise_h": 13.0, "units": 2, "units_at_request": 2},
            # day 2: a job without parts lines, delivered on time the same day
            {"reception_end_h": 56.0, "first_start_h": 56.0, "delivery_end_h": 60.0,
             "arrival_h": 55.0, "promise_h": 61.0, "lines": 0, "units": 0,
             "units_at_request": 0},
            # never started: counts nowhere
            {"reception_end_h": 70.0},
        ]
    )  # fmt: skip
    np.testing.assert_allclose(
        daily_series(table, "mean_bay_wait_h", 4), [1.0, np.nan, 0.0, np.nan]
    )
    np.testing.assert_allclose(daily_series(table, "mean_lead_time_h", 4), [3.0, 22.0, 5.0, np.nan])
    np.testing.assert_allclose(daily_series(table, "on_time_rate", 4), [1.0, 0.0, 1.0, np.nan])
    np.testing.assert_allclose(daily_series(table, "jobs_delivered", 4), [1, 1, 1, 0])
    np.testing.assert_allclose(daily_series(table, "fill_rate", 4), [4 / 6, np.nan, np.nan, np.nan])
    np.testing.assert_allclose(
        daily_series(table, "parts_ready_rate", 4), [0.5, np.nan, np.nan, np.nan]
    )
    # events after the pilot horizon are left out
    np.testing.assert_allclose(daily_series(table, "jobs_delivered", 1), [1])
    with pytest.raises(ValueError, match="no daily series"):
        daily_series(table, "revenue", 4)


def test_suggest_warmup_averages_replications_and_skips_closed_days() -> None:
    def one_rep(offset: float) -> pd.DataFrame:
        rows = []
        for day in range(40):
            if day % 7 == 6:
                continue  # closed on Sundays: no job starts
            wait = 5.0 if day < 11 else 1.0 + offset * (-1) ** day
            start = day * 24 + 10
            rows.append({"reception_end_h": start - wait, "first_start_h": start})
        return jobs(rows)

    sug = suggest_warmup([one_rep(0.1), one_rep(-0.1)], "mean_bay_wait_h", 40, batch_size=5)
    assert 6 not in sug.days and 13 not in sug.days
    assert len(sug.series) == 40 - 5  # five Sundays in days 0..39
    np.testing.assert_allclose(sug.series[sug.days >= 11], 1.0)  # the two cancel out
    assert sug.result.truncate == 10  # the 10 open days of the transient (days 0..10)
    assert sug.warmup_days == 11  # the first day kept


def test_replications_needed_matches_a_brute_force_search() -> None:
    rng = np.random.default_rng(1)
    raw = rng.normal(size=20)
    pilot = 100.0 + 10.0 * (raw - raw.mean()) / raw.std(ddof=1)  # mean 100, sd 10 exactly
    n = replications_needed(pilot.tolist(), 0.02)
    assert n is not None

    def hw(k: int) -> float:
        return float(stats.t.ppf(0.975, k - 1) * 10.0 / math.sqrt(k))

    assert hw(n) <= 2.0 < hw(n - 1)  # the smallest n reaching 2 % of 100
    assert n == 99
    assert half_width(10.0, n) == pytest.approx(hw(n), rel=1e-9)


def test_replications_needed_recovers_the_normal_formula() -> None:
    # A large pilot from N(50, 5²): n ≈ (1.96 · 5 / (0.01 · 50))² = 384.
    rng = np.random.default_rng(7)
    n = replications_needed(rng.normal(50.0, 5.0, 5000).tolist(), 0.01)
    assert n is not None and 360 <= n <= 410


def test_replications_needed_edge_cases() -> None:
    assert replications_needed([3.0, 3.0, 3.0], 0.05) == 2  # no variation
    assert replications_needed([1.0, -1.0, 0.0], 0.05) is None  # zero mean
    assert replications_needed([1.0, None, math.nan], 0.05) is None  # one defined value
    tight = replications_needed([9.0, 10.0, 11.0], 0.01)
    loose = replications_needed([9.0, 10.0, 11.0], 0.1)
    assert tight is not None and loose is not None and tight > loose >= 2
    with pytest.raises(ValueError, match="target"):
        replications_needed([1.0, 2.0], 0.0)
