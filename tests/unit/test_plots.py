"""Trace and scorecard figures: titled and labelled, plotting exactly the data given, clear
errors on no data. (Batch figures: ``test_plots_batch.py``.)"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from sim import plots
from sim.calendar import Calendar


def texts(fig: Figure) -> str:
    """Every title, axis label, legend entry and annotation of a figure, joined."""
    out = [fig.get_suptitle()]
    for ax in fig.axes:
        out += [ax.get_title(), ax.get_title("left"), ax.get_xlabel(), ax.get_ylabel()]
        legend = ax.get_legend()
        if legend:
            out += [t.get_text() for t in legend.get_texts()]
        out += [t.get_text() for t in ax.texts]
    for legend in fig.legends:
        out += [t.get_text() for t in legend.get_texts()]
    return " | ".join(out)


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


def catalogue_data() -> pd.DataFrame:
    # A: kanban part, 2 cards of 4 at 10.0; B: not stocked (ordered for a job), 100.0 each
    return pd.DataFrame(
        {
            "part_no": ["A", "B"],
            "unit_cost": [10.0, 100.0],
            "container_qty": [4, 1],
            "stocked": [1, 0],
            "cards": [2.0, np.nan],
        }
    )


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
    for expected in ("stock sits beside the line", "units", "days", "part received", "truck"):
        assert expected in words


def test_stock_value_sums_on_hand_times_unit_cost() -> None:
    stock, _ = stock_data()
    value = plots.stock_value(stock, catalogue_data(), replication=0)
    assert value["time_h"].tolist() == [0.0, 30.0, 40.0, 50.0, 60.0]
    assert value["stocked"].tolist() == pytest.approx([40.0, 30.0, 60.0, 20.0, 20.0])
    assert value["for_jobs"].tolist() == pytest.approx([0.0, 0.0, 0.0, 0.0, 100.0])
    assert value["total"].tolist() == pytest.approx([40.0, 30.0, 60.0, 20.0, 120.0])
    assert plots.kanban_ceiling(catalogue_data()) == pytest.approx(2 * 4 * 10.0)
    assert plots.kanban_ceiling(catalogue_data().drop(columns="cards")) is None
    with pytest.raises(ValueError, match="no unit cost for part"):
        plots.stock_value(stock, catalogue_data().iloc[:1])


def test_stock_figure_with_value_ceiling_and_stock_outs() -> None:
    stock, trucks = stock_data()
    # A runs out from 45 h to 50 h
    stock = pd.concat(
        [
            stock,
            pd.DataFrame(
                {
                    "scenario": "s",
                    "replication": [0, 0],
                    "time_h": [45.0, 50.0],
                    "part_no": "A",
                    "on_hand": [0, 2],
                }
            ),
        ]
    ).drop(index=3)
    fig = plots.stock_figure(
        stock, ["A"], trucks, catalogue=catalogue_data(), start_h=24.0, end_h=72.0
    )
    ax_value, ax_out, ax_a = fig.axes
    stocked, total = ax_value.lines[0], ax_value.lines[1]
    assert list(stocked.get_ydata()) == pytest.approx([40.0, 30.0, 60.0, 0.0, 20.0, 20.0, 20.0])
    assert list(total.get_ydata())[-1] == pytest.approx(120.0)  # B, ordered for a job
    ceiling = next(ln for ln in ax_value.lines if ln.get_label().startswith("kanban ceiling"))
    assert list(ceiling.get_ydata()) == pytest.approx([80.0, 80.0])
    (outs,) = ax_out.collections  # stocked parts at zero over time: one, 45 h to 50 h
    assert outs.get_paths()[0].vertices[:, 1].max() == pytest.approx(1.0)
    (band,) = [p for p in ax_a.patches if p.get_label() == "out of stock"]
    x0, x1 = band.get_x(), band.get_x() + band.get_width()  # axvspan: a Rectangle
    assert (x0, x1) == pytest.approx((45 / 24, 50 / 24))
    card_line = next(ln for ln in ax_a.lines if list(ln.get_ydata()) == [8, 8])
    assert card_line.get_linestyle() == "--"  # A's own ceiling: 2 cards x 4
    words = texts(fig)
    assert "stock value\n(CNY)" in words and "out of stock" in words


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


def test_occupancy_by_hour_integrates_exactly() -> None:
    table = plots.occupancy_by_hour(pools_data(), ["bays"], (0.0, 48.0))
    occ = table.set_index("hour")["occupancy"]
    # replication 0: hour 9 and 10: 1 held of 2 on one of two days = 0.25; hour 11: 0.5 h
    # -> 0.125; hour 23: 2 of 2 for 0.5 h on day 1 -> 0.25. Replication 1: all zero.
    expected = np.zeros(24)
    expected[[9, 10]] = 0.25 / 2
    expected[11] = 0.125 / 2
    expected[23] = 0.25 / 2
    assert occ.to_numpy() == pytest.approx(expected)


def test_pool_utilisation_counts_open_time_only() -> None:
    """Open 08:00-17:00: replication 0 holds 2.5 unit-hours in open time on day 0, and the
    2 units from 47:30 fall at night: utilisation 2.5 / (2 x 18 h); occupancy counts the
    night: (2.5 + 1) / (2 x 48 h). Replication 1: zero."""
    cal = Calendar(8 * 60, 17 * 60)
    table = plots.pool_utilisation(pools_data(), ["bays"], (0.0, 48.0), cal)
    row = table.iloc[0]
    assert row["utilisation"] == pytest.approx((2.5 / 36) / 2)
    assert row["occupancy"] == pytest.approx((3.5 / 96) / 2)
    assert row["size"] == 2


def test_bay_occupancy_figure() -> None:
    cal = Calendar(8 * 60, 17 * 60)
    fig = plots.bay_occupancy_figure(
        pools_data(), ["bays"], (0.0, 48.0), calendar=cal, opening=(8.0, 17.0)
    )
    ax, ax_u = fig.axes
    line = ax.lines[0]
    assert list(line.get_xdata()) == pytest.approx(np.arange(24) + 0.5)
    assert line.get_ydata()[9] == pytest.approx(12.5)
    util, occ = ax_u.containers
    assert util.patches[0].get_width() == pytest.approx(100 * 2.5 / 72)
    assert occ.patches[0].get_width() == pytest.approx(100 * 3.5 / 192)
    words = texts(fig)
    for expected in (
        "Occupancy by hour of day",
        "hour of day",
        "units held (% of pool)",
        "bays (2 units)",
        "utilisation: busy in open time",
        "% of the pool",
    ):
        assert expected in words
    assert "utilisation" not in ax.get_ylabel()  # the hourly curve is occupancy
    with pytest.raises(ValueError, match="no rows for pool 'booths'"):
        plots.bay_occupancy_figure(pools_data(), ["booths"], (0.0, 48.0))
    with pytest.raises(ValueError, match="no rows to plot"):
        plots.bay_occupancy_figure(pools_data().iloc[:0], ["bays"], (0.0, 48.0))


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
    heights = [p.get_height() for p in fig.axes[0].patches]
    edges = plots.LATENESS_EDGES
    # -1 h in (-2, -1], 0 in (-0.25, 0], +2 h in (1, 2]: a third each
    expect = np.zeros(len(edges) + 1)
    expect[[edges.index(-1.0), edges.index(0.0), edges.index(2.0)]] = 100 / 3
    assert heights == pytest.approx(expect)
    words = texts(fig)
    assert "3 jobs, 33.3% late" in words
    assert "promised time" in words and "elapsed hours" in words


def test_lateness_in_working_hours_skips_the_night() -> None:
    """Open 08:30-17:30: promised 17:00 and delivered at 09:00 the next day is 1 working hour
    late (16 elapsed); delivered 17:20 the day before a 09:20 promise is 0.5 h early."""
    cal = Calendar(8.5 * 60, 17.5 * 60)
    jobs = pd.DataFrame(
        {"promise_h": [17.0, 24 + 9 + 1 / 3], "delivery_end_h": [24 + 9.0, 17 + 1 / 3]}
    )
    rows = plots.lateness(jobs, None, cal)
    assert rows["lateness_h"].tolist() == pytest.approx([16.0, -16.0])
    assert rows["lateness_wh"].tolist() == pytest.approx([1.0, -1.0])
    fig = plots.lateness_figure(jobs, calendar=cal)
    heights = [p.get_height() for p in fig.axes[0].patches]
    edges = plots.LATENESS_EDGES
    assert heights[edges.index(1.0)] == pytest.approx(50.0)  # (0.5, 1]
    assert heights[edges.index(-1.0)] == pytest.approx(50.0)  # (-2, -1]
    assert "working hours" in texts(fig) and "elapsed" not in texts(fig)
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks[0] == "≤ −16" and ticks[8] == "0 to 0.25" and ticks[-1] == "> 16"


def test_lateness_errors() -> None:
    with pytest.raises(ValueError, match="no delivered jobs"):
        plots.lateness_figure(jobs_data(), (500.0, 600.0))
    with pytest.raises(ValueError, match="missing column"):
        plots.lateness_figure(jobs_data().drop(columns="promise_h"))


# --- scorecard ------------------------------------------------------------------------------


def scorecard_data() -> pd.DataFrame:
    return pd.DataFrame(
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


def test_scorecard_totals_figure() -> None:
    frame = scorecard_data()
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


def test_scorecard_totals_with_one_month_show_replications() -> None:
    """One month: one point per replication along the x axis, not crosses spread as if
    they were months."""
    frame = scorecard_data()
    frame = frame[frame["month"] == 1]
    fig = plots.scorecard_totals_figure(frame)
    ax = fig.axes[0]
    ok, vetoed = ax.collections[0], ax.collections[1]
    assert ok.get_offsets().tolist() == [[1.0, 44.0]]  # replication 1 at x = 1
    assert vetoed.get_offsets().tolist() == [[0.0, 0.0]]  # replication 0 at x = 0
    mean = next(ln for ln in ax.lines if ln.get_label() == "mean")
    assert list(mean.get_ydata()) == pytest.approx([22.0, 22.0])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1"]
    words = texts(fig)
    assert "replication" in ax.get_xlabel() and "one scorecard month" in words
    assert "50% of replications vetoed" in words
