"""Figures of the policy notebooks: the sizing formula against simulation, veto risk curves.

Like ``sim.plots``: each function returns a pyplot-free ``Figure`` with a title, labelled
axes with units and a legend, and raises ValueError on empty input.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.plots import LATE, OK, _need


def formula_vs_simulation_figure(table: pd.DataFrame, target: float | None = None) -> Figure:
    """Fill rate the loop formula predicts against the simulated one (95 % interval), one
    point per sizing, with the line where they agree and the planner's target."""
    cols = ("formula_fill_rate", "fill_rate", "fill_rate_low", "fill_rate_high")
    _need(table, "formula against simulation", cols)
    x = table["formula_fill_rate"].to_numpy(dtype=float) * 100
    y = table["fill_rate"].to_numpy(dtype=float) * 100
    err = np.vstack([y - table["fill_rate_low"] * 100, table["fill_rate_high"] * 100 - y])
    fig = Figure(figsize=(7, 5.5), layout="constrained")
    ax = fig.subplots()
    ax.errorbar(
        x,
        y,
        yerr=np.nan_to_num(err),
        fmt="o",
        color=OK,
        capsize=3,
        label="sizing: simulated mean and 95 % interval",
    )
    for xi, yi, name in zip(x, y, table.index, strict=True):
        ax.annotate(str(name), (xi, yi), textcoords="offset points", xytext=(6, -10), fontsize=7)
    lo = float(min(x.min(), (table["fill_rate_low"] * 100).min())) - 1
    hi = min(100.5, float(max(x.max(), y.max())) + 1)
    ax.plot([lo, hi], [lo, hi], ":", color="0.4", label="formula = simulation")
    if target is not None:
        ax.axhline(target * 100, color=LATE, ls="--", lw=1, label=f"target {target:.0%}")
    ax.set_xlim(lo, hi)
    ax.set_xlabel("fill rate the loop formula predicts (%)")
    ax.set_ylabel("simulated fill rate, units from stock at once (%)")
    ax.set_title("Kanban sizing: the formula's fill rate against the simulation")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    return fig


def veto_curve_figure(curve: pd.DataFrame, rule: str, unit: str = "on-time rate floor") -> Figure:
    """P(month vetoed) per scenario as one veto rule's threshold moves (95 % band)."""
    _need(curve, "veto risk curve", ("scenario", "threshold", "mean", "ci_low", "ci_high"))
    fig = Figure(figsize=(8, 4.8), layout="constrained")
    ax = fig.subplots()
    styles = [("-", "o", 2.5), ("--", "s", 1.8), (":", "^", 1.8), ("-.", "D", 1.5)]
    for k, (name, block) in enumerate(curve.groupby("scenario", sort=False)):
        block = block.sort_values("threshold")
        t = block["threshold"].to_numpy(dtype=float) * 100
        ls, marker, lw = styles[k % len(styles)]
        line = ax.plot(t, block["mean"] * 100, ls=ls, marker=marker, lw=lw, ms=4, label=str(name))[
            0
        ]
        ax.fill_between(
            t, block["ci_low"] * 100, block["ci_high"] * 100, color=line.get_color(), alpha=0.12
        )
    ax.set_ylim(-3, 103)
    ax.set_xlabel(f"{unit} of rule '{rule}' (%): a month below it is vetoed")
    ax.set_ylabel("months vetoed (%)")
    ax.set_title(f"Risk of a vetoed month as the '{rule}' threshold moves (95 % band)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, title="policy", title_fontsize=8)
    return fig
