"""How the notebooks print numbers: plain notation and the headline figures they quote."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from sim.studies import Size, run_study
from sim.studytext import (
    against_target,
    difference_text,
    interval_text,
    per_month,
    pick,
    plain_display,
    plain_number,
    quote,
    quote_difference,
    size_line,
    window_days,
    with_intervals,
)

REPO = Path(__file__).resolve().parents[2]
TINY_BATCH = REPO / "tests" / "cli" / "fixtures" / "tiny_batch.yaml"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1423180.0, "1,423,180"),
        (-3472.435, "-3,472"),
        (174.77, "174.8"),
        (16.1288, "16.13"),
        (9.9581, "9.9581"),
        (1.0, "1.0000"),
        (0.98716, "0.9872"),
        (0.0018, "0.0018"),
        (999.96, "1,000"),
        (9.99996, "10.00"),
        (-0.00001, "0.0000"),
        (math.nan, "n/a"),
    ],
)
def test_plain_number_has_no_exponent(value: float, text: str) -> None:
    assert plain_number(value) == text


def test_plain_number_signs_and_digits() -> None:
    assert plain_number(19185.74, 0, signed=True) == "+19,186"
    assert plain_number(-0.0095, 1, signed=True) == "0.0"  # rounds to zero: no sign
    assert plain_number(0.9894 * 100, 1) == "98.9"


def test_plain_display_prints_tables_without_exponents() -> None:
    # baseline_mean of a comparison: revenue and a rate in one column
    frame = pd.DataFrame({"baseline_mean": [1423180.0, 0.98716], "ci_low": [5.9e6, 3.2e-5]})
    with pd.option_context("display.float_format", None):
        assert "e+06" in repr(frame)  # what a planner saw before
        plain_display(width=120)
        try:
            text = repr(frame) + frame.to_html()
        finally:
            pd.reset_option("display.width")
    assert "e+0" not in text and "e-0" not in text
    assert "1,423,180" in text and "5,900,000" in text and "0.9872" in text and "0.0000" in text


def test_with_intervals_writes_mean_and_bounds() -> None:
    risk = pd.DataFrame(
        {
            "scenario": ["a", "a", "b"],
            "measure": ["vetoed", "total", "vetoed"],
            "mean": [0.4667, 25.3, 1.0],
            "ci_low": [0.33, 20.0, 1.0],
            "ci_high": [0.6, 30.61, 1.0],
        }
    )
    table = with_intervals(risk, index="measure", columns="scenario")
    assert table.loc["vetoed", "a"] == "0.467 [0.330, 0.600]"
    assert table.loc["total", "a"] == "25.300 [20.000, 30.610]"
    assert table.loc["vetoed", "b"] == "1.000 [1.000, 1.000]"


def test_interval_and_difference_texts() -> None:
    assert interval_text(0.9894, 0.987, 0.991, scale=100, unit=" %", digits=1) == (
        "98.9 % (95 % interval 98.7 to 99.1)"
    )
    assert difference_text(19800.0, 19300.0, 20200.0, unit=" CNY") == (
        "+19,800 CNY (95 % interval +19,300 to +20,200)"
    )
    assert difference_text(15.67, 9.93, 21.4) == "+15.67 (95 % interval +9.93 to +21.40)"
    assert interval_text(-0.0103, -0.0176, -0.0029) == "-0.0103 (95 % interval -0.0176 to -0.0029)"
    assert interval_text(0.5, math.nan, math.nan) == "0.5000 (95 % interval n/a to n/a)"
    unclear = difference_text(0.006, -0.0004, 0.012, scale=100, unit=" points", digits=1)
    assert unclear.startswith("+0.6 points (95 % interval 0.0 to +1.2)")
    assert "not distinguishable" in unclear
    assert "not distinguishable" not in difference_text(-1.0, -1.0, -1.0)
    assert difference_text(0.0, 0.0, 0.0).endswith("-- none in any replication")


def test_against_target() -> None:
    assert against_target(0.988, 0.993, 0.98) == "meets it"
    assert against_target(0.972, 0.978, 0.98) == "falls short of it"
    assert against_target(0.961, 0.989, 0.98).startswith("cannot tell")


def test_pick_wants_exactly_one_row() -> None:
    frame = pd.DataFrame({"a": [1, 1, 2], "b": ["x", "y", "x"]})
    assert pick(frame, a=1, b="y").name == 1
    with pytest.raises(ValueError, match="2 rows"):
        pick(frame, a=1)
    with pytest.raises(ValueError, match="0 rows"):
        pick(frame, a=3)


def test_quotes_come_from_the_study() -> None:
    study = run_study(TINY_BATCH, Size("small", replications=2, horizon="3d", executor="serial"))
    row = pick(study.summary, scenario="daily", kpi="fill_rate")
    assert quote(study, "daily", "fill_rate") == interval_text(
        row["mean"], row["ci_low"], row["ci_high"]
    )
    diff = pick(study.comparison, scenario="daily", kpi="avg_inventory_value")
    assert quote_difference(study, "daily", "avg_inventory_value", unit=" CNY") == (
        difference_text(diff["mean_diff"], diff["ci_low"], diff["ci_high"], unit=" CNY")
    )
    with pytest.raises(ValueError, match="0 rows"):
        quote_difference(study, "two_h", "fill_rate")  # the baseline is not compared with itself
    assert window_days(study) == 3.0
    assert per_month(study) == 10.0
    assert size_line(study, "small") == "small run: 2 replications of 3 days"
