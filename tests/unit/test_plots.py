"""Figures: titled and labelled, plotting exactly the data given, clear errors on no data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from sim import plots


def texts(fig: Figure) -> str:
    """Every title, axis label, legend entry and annotation of a figure, joined."""
    out = [fig.get_suptitle()]
    for ax in fig.axes:
        out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        legend = ax.get_legend()
        if legend:
            out += [t.get_text() for t in legend.get_texts()]
        out += [t.get_text() for t in ax.texts]
    for legend in fig.legends:
        out += [t.get_text() for t in legend.get_texts()]
    return " | ".join(out)


def test_figure_png_renders() -> None:
    fig = plots.frontier_figure(summary_frame({"a": (0.9, 100.0), "b": (0.8, 50.0)}))
    png = plots.figure_png(fig)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000


# --- stock ----------------------------------------------------------------------------------


def stock_data() -> tuple[pd.DataFrame, pd.DataFrame]:
    stock = pd.DataFrame(
        {
            "scenario": "s",
            "replication": [0, 0, 0, 0, 0, 1],
            "time_h": [0.0, 30.0, 40.0, 50.0, 60.0, 35.0],
            "part_no": ["A", "A", "A", "A", "B", "A"],
            "on_hand": [4, 3, 6, 2, 1, 99],
        }
    )
    trucks = pd.DataFrame(
        {
            "scenario": "s",
            "replication": [0, 0],
            "departure_h": [38.0, 70.0],
            "arrival_h": [40.0, 80.0],
        }
    )
    return stock, trucks


def test_stock_figure_draws_the_steps_and_receipts() -> None:
    stock, trucks = stock_data()
    fig = plots.stock_figure(stock, ["A"], trucks, start_h=24.0, end_h=72.0)
    ax = fig.axes[0]
    step, receipts = ax.lines[0], ax.lines[1]
    assert list(step.get_xdata()) == pytest.approx(np.array([24, 30, 40, 50, 72]) / 24)
    assert list(step.get_ydata()) == [4, 3, 6, 2, 2]  # replication 1's 99 is not drawn
    assert list(receipts.get_xdata()) == pytest.approx([40 / 24])  # the one rise: 3 -> 6
    assert list(receipts.get_ydata()) == [6]
    truck_lines = [ln for ln in ax.lines[2:] if list(ln.get_xdata()) == [40 / 24, 40 / 24]]
    assert len(truck_lines) == 1  # the truck at 80 h lies outside the window
    words = texts(fig)
    for expected in ("Line-side stock", "units", "days", "part received", "truck arrival"):
        assert expected in words


def test_stock_figure_on_a_date_axis() -> None:
    """With the run's start date the x axis shows dates: 30 h after 2027-03-01 is 06:00 on
    the 2nd."""
    stock, trucks = stock_data()
    fig = plots.stock_figure(stock, ["A"], trucks, start_h=24.0, end_h=72.0, start="2027-03-01")
    xs = fig.axes[0].lines[0].get_xdata()
    assert str(xs[1]) == "2027-03-02T06:00:00.000000"
    assert "2027-03-01" in texts(fig)


def test_stock_figure_errors() -> None:
    stock, _ = stock_data()
    with pytest.raises(ValueError, match="no rows to plot"):
        plots.stock_figure(stock.iloc[:0], ["A"])
    with pytest.raises(ValueError, match="no rows for part 'Z'"):
        plots.stock_figure(stock, ["Z"])
    with pytest.raises(ValueError, match="no parts chosen"):
        plots.stock_figure(stock, [])
    with pytest.raises(ValueError, match="missing column"):
        plots.stock_figure(stock.drop(columns="on_hand"), ["A"])


# --- bays -----------------------------------------------------------------------------------


def pools_data() -> pd.DataFrame:
    # replication 0: one of two bays busy 09:00-11:30 on day 0, both from 47:30 to the end
    # replication 1: nothing happens in the window (a change before it only)
    return pd.DataFrame(
        {
            "scenario": "s",
            "replication": [0, 0, 0, 1],
            "time_h": [9.0, 11.5, 47.5, 0.0],
            "pool": "bays",
            "busy": [1, 0, 2, 0],
            "size": 2,
        }
    )


def test_utilisation_by_hour_integrates_exactly() -> None:
    table = plots.utilisation_by_hour(pools_data(), ["bays"], (0.0, 48.0))
    util = table.set_index("hour")["utilisation"]
    # replication 0: hour 9 and 10: 1 busy of 2 on one of two days = 0.25; hour 11: 0.5 h
    # -> 0.125; hour 23: 2 of 2 for 0.5 h on day 1 -> 0.25. Replication 1: all zero.
    expected = np.zeros(24)
    expected[[9, 10]] = 0.25 / 2
    expected[11] = 0.125 / 2
    expected[23] = 0.25 / 2
    assert util.to_numpy() == pytest.approx(expected)


def test_bay_utilisation_figure() -> None:
    fig = plots.bay_utilisation_figure(pools_data(), ["bays"], (0.0, 48.0), opening=(8.0, 17.0))
    line = fig.axes[0].lines[0]
    assert list(line.get_xdata()) == pytest.approx(np.arange(24) + 0.5)
    assert line.get_ydata()[9] == pytest.approx(12.5)
    words = texts(fig)
    for expected in ("Bay utilisation by hour of day", "hour of day", "%", "bays (2 units)"):
        assert expected in words
    with pytest.raises(ValueError, match="no rows for pool 'booths'"):
        plots.bay_utilisation_figure(pools_data(), ["booths"], (0.0, 48.0))
    with pytest.raises(ValueError, match="no rows to plot"):
        plots.bay_utilisation_figure(pools_data().iloc[:0], ["bays"], (0.0, 48.0))


# --- lateness -------------------------------------------------------------------------------


def jobs_data() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "scenario": "s",
            "promise_h": [10.0, 10.0, 10.0, 10.0, 10.0],
            "delivery_end_h": [9.0, 12.0, 10.0, np.nan, 200.0],
        }
    )


def test_lateness_counts_delivered_jobs_in_window() -> None:
    rows = plots.lateness(jobs_data(), (0.0, 100.0))
    assert rows["lateness_h"].tolist() == [-1.0, 2.0, 0.0]
    fig = plots.lateness_figure(jobs_data(), (0.0, 100.0))
    (outline,) = fig.axes[0].patches  # one filled step outline
    assert outline.get_xy()[:, 1].max() == 1  # three jobs, each in its own bin
    words = texts(fig)
    assert "3 jobs, 33.3% late" in words
    assert "promised time" in words and "(h)" in words


def test_lateness_errors() -> None:
    with pytest.raises(ValueError, match="no delivered jobs"):
        plots.lateness_figure(jobs_data(), (500.0, 600.0))
    with pytest.raises(ValueError, match="missing column"):
        plots.lateness_figure(jobs_data().drop(columns="promise_h"))


# --- sweep, frontier, paired ------------------------------------------------------------------


def summary_frame(points: dict[str, tuple[float, float]], half: float = 0.01) -> pd.DataFrame:
    rows = []
    for name, (on_time, inv) in points.items():
        rows.append((name, "on_time_rate", on_time, on_time - half, on_time + half))
        rows.append((name, "avg_inventory_value", inv, inv * 0.9, inv * 1.1))
        rows.append((name, "fill_rate", on_time / 2, on_time / 2 - half, on_time / 2 + half))
    return pd.DataFrame(rows, columns=["scenario", "kpi", "mean", "ci_low", "ci_high"])


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


def test_pareto_front() -> None:
    # higher x (on time) and lower y (inventory) are better
    x = [90.0, 80.0, 85.0, 90.0, 70.0]
    y = [100.0, 50.0, 120.0, 100.0, 50.0]
    assert plots.pareto_front(x, y) == [1, 0, 3]  # 2 is beaten by 0; 4 by 1


def test_frontier_figure() -> None:
    summary = summary_frame({"a": (0.9, 100.0), "b": (0.8, 50.0), "c": (0.85, 120.0)})
    fig = plots.frontier_figure(summary, baseline="c")
    ax = fig.axes[0]
    front = next(ln for ln in ax.lines if ln.get_label().startswith("best trade-offs"))
    assert list(front.get_xdata()) == pytest.approx([80.0, 90.0])
    assert list(front.get_ydata()) == pytest.approx([50.0, 100.0])
    words = texts(fig)
    assert "c (baseline)" in words and "a" in words
    assert "on time against promise (%)" in words
    with pytest.raises(ValueError, match="no rows to plot"):
        plots.frontier_figure(summary.iloc[:0])


def test_frontier_target_line_on_the_rate_scale() -> None:
    """A 98 % target is drawn at 98 on a percent axis, however many points are labelled
    (the labelling loop once overwrote the scale and put it at 4.9)."""
    summary = summary_frame({"a": (0.9, 100.0), "b": (0.8, 50.0), "c": (0.85, 120.0)})
    fig = plots.frontier_figure(summary, x_kpi="fill_rate", x_target=0.98, baseline="c")
    target = next(ln for ln in fig.axes[0].lines if ln.get_label().startswith("target"))
    assert list(target.get_xdata()) == pytest.approx([98.0, 98.0])


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


# --- scorecard ------------------------------------------------------------------------------


def test_scorecard_totals_figure() -> None:
    frame = pd.DataFrame(
        {
            "scenario": "s",
            "replication": [0, 0, 1, 1],
            "month": [0, 1, 0, 1],
            "total": [40.0, 0.0, 30.0, 44.0],
            "total_before_vetoes": [40.0, 41.0, 30.0, 44.0],
            "max_total": 55.0,
            "vetoed": [False, True, False, False],
        }
    )
    fig = plots.scorecard_totals_figure(frame)
    ax = fig.axes[0]
    ok, vetoed = ax.collections[0], ax.collections[1]
    assert sorted(ok.get_offsets()[:, 1].tolist()) == [30.0, 40.0, 44.0]
    assert vetoed.get_offsets()[:, 1].tolist() == [0.0]
    mean = next(ln for ln in ax.lines if ln.get_label() == "mean")
    assert list(mean.get_ydata()) == pytest.approx([35.0, 22.0])
    words = texts(fig)
    assert "50% vetoed" in words and "0% vetoed" in words and "maximum (55 points)" in words
    with pytest.raises(ValueError, match="no rows to plot"):
        plots.scorecard_totals_figure(frame.iloc[:0])
    two = pd.concat([frame, frame.assign(scenario="t")], ignore_index=True)
    fig2 = plots.scorecard_totals_figure(two)
    assert [t.get_text() for t in fig2.axes[0].get_xticklabels()] == ["s", "t"]
