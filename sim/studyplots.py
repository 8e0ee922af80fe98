"""Figures of the policy notebooks: the sizing formula against simulation, logistics cost,
veto risk curves.

Like ``sim.plots``: each function returns a pyplot-free ``Figure`` with a title, labelled
axes with units and a legend, and raises ValueError on empty input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.plots import LATE, OK, _need, _plain_numbers

SIMULATED_FILL = {
    "fill_rate": "simulated fill rate, units from stock at once (%)",
    "stocked_fill_rate": "simulated fill rate of the stocked parts, units at once (%)",
}


def formula_vs_simulation_figure(
    table: pd.DataFrame, target: float | None = None, kpi: str = "fill_rate"
) -> Figure:
    """Fill rate the loop formula predicts against the simulated ``kpi`` (95 % interval),
    one point per sizing, with the line where they agree and the planner's target.
    ``kpi="stocked_fill_rate"`` compares the shelf with the formula (which leaves parts
    ordered per job out)."""
    cols = ("formula_fill_rate", kpi, f"{kpi}_low", f"{kpi}_high")
    _need(table, "formula against simulation", cols)
    x = table["formula_fill_rate"].to_numpy(dtype=float) * 100
    y = table[kpi].to_numpy(dtype=float) * 100
    err = np.vstack([y - table[f"{kpi}_low"] * 100, table[f"{kpi}_high"] * 100 - y])
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
    lo = float(min(x.min(), (table[f"{kpi}_low"] * 100).min())) - 1
    hi = min(100.5, float(max(x.max(), y.max())) + 1)
    ax.plot([lo, hi], [lo, hi], ":", color="0.4", label="formula = simulation")
    if target is not None:
        ax.axhline(target * 100, color=LATE, ls="--", lw=1, label=f"target {target:.0%}")
    ax.set_xlim(lo, hi)
    ax.set_xlabel("fill rate the loop formula predicts (%)")
    ax.set_ylabel(SIMULATED_FILL.get(kpi, f"simulated {kpi.replace('_', ' ')} (%)"))
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


COST_PARTS = (
    ("holding_cost", "holding the stock"),
    ("transport_cost", "regular trucks"),
    ("emergency_cost", "emergency orders"),
)


def logistics_cost_figure(
    summary: pd.DataFrame, *, baseline: str | None = None, currency: str = "CNY"
) -> Figure:
    """Per scenario (in the summary's order) the logistics cost of the measurement window
    as stacked bars: holding the stock, regular trucks, emergency orders; the total's 95 %
    interval on top."""
    _need(summary, "logistics cost", ("scenario", "kpi", "mean", "ci_low", "ci_high"))
    kpis = [k for k, _ in COST_PARTS] + ["logistics_cost"]
    rows = summary[summary["kpi"].isin(kpis)]
    if rows.empty:
        raise ValueError(f"logistics cost: no rows for {', '.join(kpis)}")
    means = rows.pivot(index="scenario", columns="kpi", values="mean")
    names = [n for n in dict.fromkeys(summary["scenario"]) if n in means.index]
    means = means.reindex(index=names, columns=kpis).fillna(0.0)
    fig = Figure(figsize=(min(12.0, max(6.0, 1.2 * len(names) + 2)), 4.8), layout="constrained")
    ax = fig.subplots()
    x = np.arange(len(names))
    bottom = np.zeros(len(names))
    for (kpi, label), color in zip(COST_PARTS, (OK, "#7fbf7b", LATE), strict=True):
        h = means[kpi].to_numpy(dtype=float)
        if not h.any():
            continue  # not priced in these scenarios (e.g. no truck cost)
        ax.bar(x, h, bottom=bottom, color=color, width=0.6, label=label)
        bottom += h
    total = rows[rows["kpi"] == "logistics_cost"].set_index("scenario").reindex(names)
    t = total["mean"].to_numpy(dtype=float)
    err = np.vstack([t - total["ci_low"].to_numpy(float), total["ci_high"].to_numpy(float) - t])
    ax.errorbar(
        x,
        t,
        yerr=np.nan_to_num(err),
        fmt="none",
        ecolor="0.2",
        capsize=4,
        lw=1,
        label="total, 95 % interval",
    )
    ax.set_xticks(x, [n + ("\n(baseline)" if n == baseline else "") for n in names], fontsize=8)
    _plain_numbers(ax.yaxis)
    ax.set_ylabel(f"cost over the measurement window ({currency})")
    ax.set_xlabel("scenario")
    ax.set_title("Logistics cost: holding the stock, regular trucks, emergency orders")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    return fig


def promise_capacity_figure(
    table: pd.DataFrame,
    job_type: str,
    capacity: str,
    floors: tuple[float, ...] = (0.85, 0.9),
) -> Figure:
    """Two panels over the size of pool ``capacity``, one line per promise rule: the on-time
    rate of all jobs (95 % interval) against on-time floors, and ``job_type``'s mean promise
    against its mean lead time (``promise_table`` output)."""
    lead, promise = f"{job_type}_mean_lead_time_h", f"{job_type}_mean_promise_h"
    cols = ("promise", capacity, "on_time_rate", "on_time_rate_low", "on_time_rate_high")
    _need(table, "promise and capacity", (*cols, lead, promise))
    fig = Figure(figsize=(11, 4.6), layout="constrained")
    left, right = fig.subplots(1, 2)
    styles = [("-", "o"), ("--", "s"), (":", "^"), ("-.", "D")]
    rules = table.groupby("promise", sort=False)
    for k, (rule, block) in enumerate(rules):
        block = block.sort_values(capacity)
        x = block[capacity].to_numpy(dtype=float) + 0.04 * (k - (len(rules) - 1) / 2)
        y = block["on_time_rate"].to_numpy(dtype=float) * 100
        err = np.vstack([y - block["on_time_rate_low"] * 100, block["on_time_rate_high"] * 100 - y])
        ls, marker = styles[k % len(styles)]
        line = left.errorbar(x, y, yerr=np.nan_to_num(err), ls=ls, marker=marker, capsize=3)
        line.set_label(str(rule))
        right.plot(x, block[promise], ls=ls, marker=marker, label=f"promised: {rule}")
    for f in floors:
        left.axhline(f * 100, color=LATE, lw=0.8, ls=(0, (4, 3)))
        left.annotate(
            f"floor {f:.0%}", (1, f * 100), xycoords=("axes fraction", "data"),
            xytext=(-4, 2), textcoords="offset points", ha="right", fontsize=7, color=LATE,
        )  # fmt: skip
    by_size = table.groupby(capacity)[lead].mean().sort_index()
    right.plot(
        by_size.index, by_size.to_numpy(), color="0.15", lw=2.5, label="delivered (lead time)"
    )
    sizes = sorted(table[capacity].unique())
    for ax in (left, right):
        ax.set_xticks(sizes)
        ax.set_xlabel(f"{capacity.replace('_', ' ')} (units)")
        ax.grid(alpha=0.3)
    left.set_ylabel("cars ready when promised, all job types (%)")
    left.set_title("On time against the promise (95 % interval)")
    left.legend(
        fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2,
        title="promise rule", title_fontsize=7,
    )  # fmt: skip
    kind = job_type.replace("_", " ")
    right.set_ylabel(f"{kind}: mean hours from arrival (elapsed)")
    right.set_title(f"{kind}: promised against delivered")
    right.legend(fontsize=7, loc="upper right")
    fig.suptitle("Which promise rule and how much capacity keep the month on time?")
    return fig


# --- regions ----------------------------------------------------------------------------------

Panel = tuple[str, str, float]  # (KPI, axis label with its unit, scale: 100 for a rate in %)
DEALER_STYLES = [("-", "o"), ("--", "s"), (":", "^"), ("-.", "D"), ("-", "v"), ("--", "P")]


def _grid(n: int, width: float = 4.2, height: float = 3.4) -> tuple[Figure, list[Axes]]:
    cols = 2 if n == 4 else min(3, n)
    rows = -(-n // cols)
    fig = Figure(figsize=(width * cols, height * rows + 0.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel().tolist()
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes[:n]


def dealer_sweep_figure(
    means: pd.DataFrame,
    x: Mapping[str, float],
    panels: Sequence[Panel],
    *,
    x_label: str,
    title: str,
    centre_label: str = "centre",
) -> Figure:
    """One panel per KPI over a swept setting, one line per dealer with its 95 % interval.

    ``means`` is ``RegionStudy.means`` output (index ``scenario, dealer``); ``x`` gives each
    scenario of the sweep its value on the horizontal axis (other scenarios are left out).
    A KPI only the centre has (its ``region`` row) is drawn as one line, ``centre_label``.
    """
    if means.empty or not x or not panels:
        raise ValueError("dealer sweep: nothing to draw")
    fig, axes = _grid(len(panels))
    dealers = list(dict.fromkeys(means.index.get_level_values("dealer")))
    for ax, (kpi, label, scale) in zip(axes, panels, strict=True):
        _need(means, "dealer sweep", (kpi, f"{kpi}_low", f"{kpi}_high"))
        drawn = 0
        for k, dealer in enumerate(dealers):
            block = means[means.index.get_level_values("dealer") == dealer].droplevel("dealer")
            block = block[block.index.isin(list(x)) & block[kpi].notna()]
            if block.empty:
                continue
            xs = np.array([x[s] for s in block.index], dtype=float)
            order = np.argsort(xs)
            y = block[kpi].to_numpy(dtype=float)[order] * scale
            low = block[f"{kpi}_low"].to_numpy(dtype=float)[order] * scale
            high = block[f"{kpi}_high"].to_numpy(dtype=float)[order] * scale
            ls, marker = DEALER_STYLES[k % len(DEALER_STYLES)]
            name = centre_label if dealer == "region" else str(dealer)
            ax.errorbar(
                xs[order], y, yerr=np.nan_to_num(np.vstack([y - low, high - y])),
                ls=ls, marker=marker, ms=4, capsize=3, label=name,
            )  # fmt: skip
            drawn += 1
        if not drawn:
            raise ValueError(f"dealer sweep: no values of {kpi!r} for the swept scenarios")
        _plain_numbers(ax.yaxis)
        ax.set_xticks(sorted(set(x.values())))
        ax.set_xlabel(x_label)
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="best")
    fig.suptitle(title)
    return fig


def dealer_difference_figure(
    paired: pd.DataFrame, panels: Sequence[Panel], *, title: str, case: str = "case"
) -> Figure:
    """One panel per KPI: each dealer's paired difference (mean and 95 % interval) as a
    horizontal bar around zero, one colour per value of the column ``case`` (say, the
    centre's stock level). ``paired`` has ``dealer, kpi, mean_diff, ci_low, ci_high``."""
    _need(paired, "dealer differences", (case, "dealer", "kpi", "mean_diff", "ci_low", "ci_high"))
    fig, axes = _grid(len(panels), width=4.0, height=3.0)
    cases = list(dict.fromkeys(paired[case]))
    dealers = list(dict.fromkeys(paired["dealer"]))
    step = 0.7 / max(1, len(cases))
    for ax, (kpi, label, scale) in zip(axes, panels, strict=True):
        rows = paired[paired["kpi"] == kpi]
        if rows.empty:
            raise ValueError(f"dealer differences: no rows of {kpi!r}")
        for j, value in enumerate(cases):
            block = rows[rows[case] == value].set_index("dealer").reindex(dealers)
            y = np.arange(len(dealers)) + (j - (len(cases) - 1) / 2) * step
            m = block["mean_diff"].to_numpy(dtype=float) * scale
            lo = block["ci_low"].to_numpy(dtype=float) * scale
            hi = block["ci_high"].to_numpy(dtype=float) * scale
            ax.errorbar(
                m, y, xerr=np.nan_to_num(np.vstack([m - lo, hi - m])), fmt="o", ms=4,
                capsize=3, label=str(value),
            )  # fmt: skip
        ax.axvline(0, color="0.3", lw=0.8)
        ax.set_yticks(np.arange(len(dealers)), [d if d != "region" else "centre" for d in dealers])
        ax.invert_yaxis()
        _plain_numbers(ax.xaxis)
        ax.set_xlabel(label)
        ax.grid(axis="x", alpha=0.3)
        ax.legend(fontsize=7, loc="best")
    fig.suptitle(title)
    return fig
