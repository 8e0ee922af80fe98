"""Figures a planner reads without explanation: a title that asks the figure's question,
units on the axes, a legend; the report adds a one-line reading under each.

Each function takes the tables of a results folder (as DataFrames) and returns a
``matplotlib.figure.Figure`` built without pyplot, so nothing here touches global state,
switches a notebook's backend, or needs a display: ``savefig`` renders through Agg. An
empty input raises ValueError saying what was missing. ``figure_png`` renders a figure for
the HTML report. The figures live by subject (``sim.plots_stock``, ``sim.plots_workshop``,
``sim.plots_batch``; shared pieces in ``sim.plotbase``); this module gathers them and holds
the scorecard's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.labels import Lang, tr
from sim.plotbase import (
    GOOD,
    LATE,
    NEUTRAL,
    OK,
    TRADE,
    _need,
    _plain_numbers,
    figure_png,
    kpi_label,
    need,
)
from sim.plots_batch import (
    frontier_figure,
    paired_difference_figure,
    pareto_front,
    side_by_side_figure,
    sweep_figure,
    verdicts,
)
from sim.plots_stock import kanban_ceiling, stock_figure, stock_value
from sim.plots_workshop import (
    LATENESS_EDGES,
    bay_occupancy_figure,
    lateness,
    lateness_bins,
    lateness_figure,
    occupancy_by_hour,
    pool_utilisation,
)

__all__ = [
    "GOOD",
    "LATE",
    "LATENESS_EDGES",
    "NEUTRAL",
    "OK",
    "TRADE",
    "_need",
    "_plain_numbers",
    "bay_occupancy_figure",
    "figure_png",
    "frontier_figure",
    "kanban_ceiling",
    "kpi_label",
    "lateness",
    "lateness_bins",
    "lateness_figure",
    "occupancy_by_hour",
    "paired_difference_figure",
    "pareto_front",
    "pool_utilisation",
    "scorecard_totals_figure",
    "side_by_side_figure",
    "stock_figure",
    "stock_value",
    "sweep_figure",
    "verdicts",
]


def scorecard_totals_figure(frame: pd.DataFrame, *, lang: Lang = "en") -> Figure:
    """Monthly scorecard totals of every replication-month; vetoed months marked.

    One point per replication-month, the mean total, the mean before vetoes when the frame
    has it, and the share of months vetoed under each group. Several scenarios: one column
    each. One scenario: one column per month; with a single month, one point per
    replication along the x axis (what the figure then shows: how that month scores across
    replications, not months).
    """
    cols = ("scenario", "replication", "month", "total", "vetoed", "max_total")
    need(frame, "monthly scorecard totals", cols)
    frame = frame.reset_index(drop=True)
    vetoed = np.array([bool(v) and v == v for v in frame["vetoed"]], dtype=bool)
    names = list(dict.fromkeys(frame["scenario"]))
    months = sorted(frame["month"].unique())
    by_month = len(names) == 1
    one_month = by_month and len(months) == 1
    total = frame["total"].to_numpy(dtype=float)
    top = float(frame["max_total"].max())
    if one_month:
        reps = sorted(frame["replication"].unique())
        x = frame["replication"].map({r: i for i, r in enumerate(reps)}).to_numpy(dtype=float)
        groups: list = []
    else:
        key = frame["month"] if by_month else frame["scenario"]
        groups = months if by_month else names
        pos = {g: i for i, g in enumerate(groups)}
        x0 = key.map(pos).to_numpy(dtype=float)
        x = x0 + np.random.default_rng(0).uniform(-0.18, 0.18, len(frame))
    width = len(reps) * 0.35 if one_month else 0.7 * len(groups)
    fig = Figure(figsize=(max(7.0, 1.0 + width), 4.6), layout="constrained")
    ax = fig.subplots()
    ax.scatter(x[~vetoed], total[~vetoed], s=14, color=OK, label=tr("month, no veto", lang))
    ax.scatter(
        x[vetoed], total[vetoed], marker="x", s=30, color=LATE, label=tr("vetoed month", lang)
    )
    if one_month:
        ax.axhline(total.mean(), color="black", lw=2, label=tr("mean", lang))
        if "total_before_vetoes" in frame.columns:
            ax.axhline(
                frame["total_before_vetoes"].mean(),
                color="0.55",
                lw=1.5,
                label=tr("mean before vetoes", lang),
            )
        ax.set_title(
            tr("{share} of replications vetoed in this month", lang).format(
                share=f"{vetoed.mean():.0%}"
            ),
            fontsize=9,
            color=LATE,
        )
        ax.set_xticks(range(len(reps)), [str(r) for r in reps], fontsize=8)
        ax.set_xlabel(tr("replication (each its own simulated month)", lang))
        fig.suptitle(
            tr(
                "How does the one scorecard month score? ({scenario}, month {month}, "
                "every replication)",
                lang,
            ).format(scenario=names[0], month=int(months[0]))
        )
    else:
        g = pd.Series(x0)
        means = frame.groupby(g)["total"].mean()
        ax.plot(
            means.index,
            means.to_numpy(),
            "_",
            ms=28,
            mew=2.5,
            color="black",
            label=tr("mean", lang),
        )
        if "total_before_vetoes" in frame.columns:
            before = frame.groupby(g)["total_before_vetoes"].mean()
            ax.plot(
                before.index,
                before.to_numpy(),
                "_",
                ms=28,
                mew=2,
                color="0.55",
                label=tr("mean before vetoes", lang),
            )
        shares = pd.Series(vetoed).groupby(x0).mean()
        for i, share in zip(shares.index.to_numpy(dtype=float), shares.to_numpy(), strict=True):
            ax.text(
                i,
                top * 1.03,
                tr("{share} vetoed", lang).format(share=f"{share:.0%}"),
                ha="center",
                fontsize=7,
                color=LATE,
            )
        ax.set_xticks(range(len(groups)))
        if by_month:
            ax.set_xticklabels([str(int(m)) for m in groups])
            ax.set_xlabel(tr("month of the measurement window (30 days each)", lang))
            fig.suptitle(
                tr("How does each month score? ({scenario}, every replication)", lang).format(
                    scenario=names[0]
                )
            )
        else:
            ax.set_xticklabels(groups, rotation=30, ha="right", fontsize=8)
            fig.suptitle(
                tr("How does each scenario score month by month? (every replication-month)", lang)
            )
    ax.axhline(
        top,
        color="0.3",
        ls=":",
        lw=1,
        label=tr("maximum ({top} points)", lang).format(top=f"{top:g}"),
    )
    ax.set_ylim(-1.5, top * 1.1)
    ax.set_ylabel(tr("scorecard total (points)", lang))
    ax.grid(axis="y", alpha=0.3)
    fig.legend(loc="outside right center", fontsize=8)  # clear of the figure title
    return fig
