"""Batch figures: the sweep joins only points of one regime, the frontier judges every
scenario by its paired difference from the baseline and names every point, and the paired
differences show scenario − baseline."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim import plots
from tests.unit.test_plots import texts


def summary_frame(points: dict[str, tuple[float, float]], half: float = 0.01) -> pd.DataFrame:
    rows = []
    for name, (on_time, inv) in points.items():
        rows.append((name, "on_time_rate", on_time, on_time - half, on_time + half))
        rows.append((name, "avg_inventory_value", inv, inv * 0.9, inv * 1.1))
        rows.append((name, "fill_rate", on_time / 2, on_time / 2 - half, on_time / 2 + half))
    return pd.DataFrame(rows, columns=["scenario", "kpi", "mean", "ci_low", "ci_high"])


def test_figure_png_renders() -> None:
    fig = plots.frontier_figure(summary_frame({"a": (0.9, 100.0), "b": (0.8, 50.0)}))
    png = plots.figure_png(fig)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000


# --- sweep ----------------------------------------------------------------------------------


def test_sweep_figure_plots_means_and_intervals_in_parameter_order() -> None:
    summary = summary_frame({"d": (0.70, 50.0), "h1": (0.90, 200.0), "h2": (0.85, 120.0)})
    params = pd.DataFrame({"scenario": ["d", "h1", "h2"], "every": [24.0, 1.0, 2.0]})
    fig = plots.sweep_figure(summary, params, "every", param_label="call-off interval (h)")
    ax_on_time = fig.axes[0]
    line = ax_on_time.containers[0].lines[0]
    assert list(line.get_xdata()) == [1.0, 2.0, 24.0]
    assert list(line.get_ydata()) == pytest.approx([90.0, 85.0, 70.0])
    ax_inv = fig.axes[2]
    assert list(ax_inv.containers[0].lines[0].get_ydata()) == pytest.approx([200.0, 120.0, 50.0])
    assert ax_on_time.get_xscale() == "log"  # 1 .. 24 h
    words = texts(fig)
    assert "call-off interval (h)" in words and "stock value (CNY)" in words and "95 %" in words


def test_sweep_figure_does_not_join_another_regime() -> None:
    """The daily call-off (another first/last) and a value that is not a number stand alone:
    the line joins 1, 2 and 8 h only; the ticks are the readable values."""
    summary = summary_frame(
        {
            "h1": (0.9, 200.0),
            "h2": (0.85, 120.0),
            "h8": (0.8, 90.0),
            "daily": (0.7, 50.0),
            "cont": (0.95, 300.0),
        }
    )
    params = pd.DataFrame(
        {
            "scenario": ["h1", "h2", "h8", "daily", "cont"],
            "every": [1.0, 2.0, 8.0, 24.0, math.nan],
            "tick": ["1 h", "2 h", "8 h", "1 d", "continuous"],
            "line": ["all", "all", "all", math.nan, math.nan],
        }
    )
    fig = plots.sweep_figure(summary, params, "every", param_label="call-off interval (h)")
    ax = fig.axes[0]
    joined, daily, cont = (c.lines[0] for c in ax.containers)
    assert list(joined.get_xdata()) == [1.0, 2.0, 8.0]
    assert list(joined.get_ydata()) == pytest.approx([90.0, 85.0, 80.0])
    assert joined.get_linestyle() == "-"
    assert list(daily.get_xdata()) == [24.0] and daily.get_linestyle() == "None"
    assert list(cont.get_ydata()) == pytest.approx([95.0]) and cont.get_linestyle() == "None"
    assert cont.get_xdata()[0] > 24.0  # past the numeric axis
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["1 h", "2 h", "8 h", "1 d", "continuous"]
    assert {t.get_text() for t in ax.texts} == {"daily", "cont"}  # the lone points are named
    assert "a different regime, not joined" in texts(fig)


def test_sweep_figure_groups_and_errors() -> None:
    summary = summary_frame({"a0": (0.7, 1.0), "a1": (0.8, 2.0), "b0": (0.6, 3.0), "b1": (0.9, 4)})
    params = pd.DataFrame(
        {"scenario": ["a0", "a1", "b0", "b1"], "every": [1, 2, 1, 2], "safety": [0, 0, 1, 1]}
    )
    fig = plots.sweep_figure(summary, params, "every", group="safety")
    data_lines = [c.lines[0] for c in fig.axes[0].containers]
    assert [c.get_label() for c in fig.axes[0].containers] == ["safety = 0", "safety = 1"]
    assert [list(ln.get_ydata()) for ln in data_lines] == [
        pytest.approx([70.0, 80.0]),
        pytest.approx([60.0, 90.0]),
    ]
    assert "safety = 0" in texts(fig) and "safety = 1" in texts(fig)
    with pytest.raises(ValueError, match="no rows to plot"):
        plots.sweep_figure(summary.iloc[:0], params, "every")
    with pytest.raises(ValueError, match="no rows for mean_lead_time_h"):
        plots.sweep_figure(summary, params, "every", kpis=("mean_lead_time_h",))


# --- frontier -------------------------------------------------------------------------------


def test_pareto_front() -> None:
    # higher x (on time) and lower y (inventory) are better
    x = [90.0, 80.0, 85.0, 90.0, 70.0]
    y = [100.0, 50.0, 120.0, 100.0, 50.0]
    assert plots.pareto_front(x, y) == [1, 0, 3]  # 2 is beaten by 0; 4 by 1


def comparison_of(rows: dict[str, dict[str, tuple[float, float]]]) -> pd.DataFrame:
    """scenario -> kpi -> (ci_low, ci_high) against baseline 'c'."""
    out = [
        (name, "c", kpi, (lo + hi) / 2, lo, hi)
        for name, kpis in rows.items()
        for kpi, (lo, hi) in kpis.items()
    ]
    return pd.DataFrame(
        out, columns=["scenario", "baseline", "kpi", "mean_diff", "ci_low", "ci_high"]
    )


def test_verdicts_count_only_differences_whose_interval_excludes_zero() -> None:
    comparison = comparison_of(
        {
            "a": {"on_time_rate": (0.01, 0.03), "avg_inventory_value": (-5.0, 5.0)},
            "b": {"on_time_rate": (-0.01, 0.02), "avg_inventory_value": (-1.0, 2.0)},
            "d": {"on_time_rate": (0.01, 0.02), "avg_inventory_value": (1.0, 2.0)},
            "e": {"on_time_rate": (-0.02, 0.01), "avg_inventory_value": (3.0, 4.0)},
        }
    )
    got = plots.verdicts(comparison, ["a", "b", "c", "d", "e", "f"], "c")
    assert got == {
        "a": "better",  # more on time, stock no different
        "b": "no clear difference",  # means differ, intervals include zero
        "c": "baseline",
        "d": "trade-off",  # more on time, more stock
        "e": "worse",  # more stock
        "f": "not compared",
    }


def test_frontier_figure_marks_only_significant_differences_and_names_every_point() -> None:
    summary = summary_frame({"a": (0.9, 100.0), "b": (0.8, 50.0), "c": (0.85, 120.0)})
    # b has the lowest stock and a lower on-time mean, but neither difference is clear
    comparison = comparison_of(
        {
            "a": {"on_time_rate": (0.02, 0.08), "avg_inventory_value": (-40.0, -1.0)},
            "b": {"on_time_rate": (-0.1, 0.01), "avg_inventory_value": (-90.0, 5.0)},
        }
    )
    fig = plots.frontier_figure(summary, comparison=comparison, baseline="c")
    ax = fig.axes[0]
    assert not [ln for ln in ax.lines if ln.get_label().startswith("best trade-offs")]
    by_label = {c.get_label(): c.get_offsets().tolist() for c in ax.collections if c.get_label()}
    assert by_label["better than the baseline (95 % paired interval)"] == [[90.0, 100.0]]
    assert by_label["no difference the replications can tell"] == [[80.0, 50.0]]
    assert by_label["baseline"] == [[85.0, 120.0]]
    assert sorted(t.get_text() for t in ax.texts) == ["a", "b", "c"]  # every point named
    assert "on time against promise (%)" in texts(fig)
    with pytest.raises(ValueError, match="no rows to plot"):
        plots.frontier_figure(summary.iloc[:0])


@pytest.mark.parametrize("n", [2, 5, 9])
def test_frontier_target_line_on_the_rate_scale(n: int) -> None:
    """A 98 % target is drawn at 98 on a percent axis, however many points are labelled
    (notebook 02's figure once drew it at 4.9: a labelling loop overwrote the scale)."""
    summary = summary_frame({f"s{i}": (0.80 + i / 100, 50.0 + i) for i in range(n)})
    fig = plots.frontier_figure(summary, x_kpi="fill_rate", x_target=0.98, baseline="s0")
    ax = fig.axes[0]
    target = next(ln for ln in ax.lines if ln.get_label().startswith("target"))
    assert list(target.get_xdata()) == pytest.approx([98.0, 98.0])
    assert target.get_label() == "target 98"
    assert len(ax.texts) == n


# --- paired differences ---------------------------------------------------------------------


def comparison_data() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "scenario": ["x", "y", "x", "y"],
            "baseline": "base",
            "kpi": ["on_time_rate", "on_time_rate", "avg_inventory_value", "avg_inventory_value"],
            "mean_diff": [0.02, -0.01, 500.0, 100.0],
            "ci_low": [0.01, -0.03, 200.0, -50.0],
            "ci_high": [0.03, 0.01, 800.0, 250.0],
        }
    )


def test_paired_difference_figure() -> None:
    fig = plots.paired_difference_figure(comparison_data())
    ax_on_time, ax_inv = fig.axes
    points = ax_on_time.collections[-1].get_offsets()
    assert points[:, 0].tolist() == pytest.approx([2.0, -1.0])  # percentage points
    colours = ax_inv.collections[-1].get_facecolors()
    # x excludes 0 (red), y does not (blue)
    assert tuple(colours[0][:3]) != tuple(colours[1][:3])
    words = texts(fig)
    assert "baseline 'base'" in words and "percentage points" in words and "(CNY)" in words
    with pytest.raises(ValueError, match="none of the KPIs"):
        plots.paired_difference_figure(comparison_data(), kpis=("fill_rate",))
    assert np.isfinite(points).all()
