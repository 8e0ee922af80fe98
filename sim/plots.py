"""Figures a planner reads without explanation: titles, units, legends.

Each function takes the tables of a results folder (as DataFrames) and returns a
``matplotlib.figure.Figure`` built without pyplot, so nothing here touches global state,
switches a notebook's backend, or needs a display: ``savefig`` renders through Agg. An
empty input raises ValueError saying what was missing. ``figure_png`` renders a figure for
the HTML report.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim import labels
from sim.labels import Lang

LATE = "#c0392b"
OK = "#2c7fb8"


def kpi_label(kpi: str, currency: str = "CNY", lang: Lang = "en") -> str:
    """The axis label of a KPI, with its unit (``sim.labels``)."""
    return labels.kpi_label(kpi, lang, currency)


def _plain_numbers(axis: Axis, ticks: int = 6) -> None:
    """Tick labels as plain numbers with thousands separators (no ``1e6`` offset)."""
    axis.set_major_locator(MaxNLocator(ticks))
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.10g}"))


def _scale(kpi: str) -> float:
    return 100.0 if kpi in labels.PERCENT else 1.0


def _need(frame: pd.DataFrame | None, what: str, columns: Sequence[str]) -> pd.DataFrame:
    if frame is None or frame.empty:
        raise ValueError(f"{what}: no rows to plot")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what}: missing column(s) {', '.join(missing)}")
    return frame


def _pick(frame: pd.DataFrame, scenario: str | None, what: str) -> tuple[pd.DataFrame, str | None]:
    """The rows of one scenario (default: the first) when the frame has several."""
    if "scenario" not in frame.columns:
        return frame, scenario
    name = scenario if scenario is not None else str(frame["scenario"].iloc[0])
    rows = frame[frame["scenario"] == name]
    if rows.empty:
        raise ValueError(f"{what}: no rows for scenario {name!r}")
    return rows, name


def figure_png(fig: Figure, dpi: int = 110) -> bytes:
    """The figure as PNG bytes, Chinese text drawn with a CJK font (``sim.fonts``)."""
    from sim.fonts import render_png

    return render_png(fig, dpi)


# --- line-side stock ------------------------------------------------------------------------


def stock_figure(
    stock: pd.DataFrame,
    parts: Sequence[str],
    trucks: pd.DataFrame | None = None,
    *,
    scenario: str | None = None,
    replication: int = 0,
    start_h: float | None = None,
    end_h: float | None = None,
    start: date | str | None = None,
) -> Figure:
    """Units on the shelf over time for each part in ``parts`` (the kanban sawtooth).

    ``stock`` has ``time_h, part_no, on_hand`` (every change), ``trucks`` ``arrival_h``.
    Rises in a part's stock are marked as receipts; regular truck arrivals are grey lines.
    ``start``: the date of time 0 (``run.start``), for a date axis; else days since time 0.
    """

    def x(hours: np.ndarray) -> np.ndarray:
        if start is None:
            return hours / 24
        return np.datetime64(str(start), "us") + (hours * 3.6e9).astype("timedelta64[us]")

    _need(stock, "stock over time", ("time_h", "part_no", "on_hand"))
    if not parts:
        raise ValueError("stock over time: no parts chosen")
    rows, name = _pick(stock, scenario, "stock over time")
    if "replication" in rows.columns:
        rows = rows[rows["replication"] == replication]
    t_lo = float(rows["time_h"].min()) if start_h is None else start_h
    t_hi = float(rows["time_h"].max()) if end_h is None else end_h
    fig = Figure(figsize=(10, 1.2 + 2.0 * len(parts)), layout="constrained")
    axes = fig.subplots(len(parts), 1, sharex=True, squeeze=False)[:, 0]
    arrivals: np.ndarray = np.array([])
    if trucks is not None and not trucks.empty:
        t_rows, _ = _pick(trucks, name, "trucks")
        if "replication" in t_rows.columns:
            t_rows = t_rows[t_rows["replication"] == replication]
        arr = t_rows["arrival_h"].to_numpy(dtype=float)
        arrivals = arr[(arr >= t_lo) & (arr <= t_hi)]
    for ax, part in zip(axes, parts, strict=True):
        p = rows[rows["part_no"] == part].sort_values("time_h", kind="stable")
        if p.empty:
            raise ValueError(f"stock over time: no rows for part {part!r}")
        t = p["time_h"].to_numpy(dtype=float)
        y = p["on_hand"].to_numpy(dtype=float)
        before = t <= t_lo
        y0 = y[before][-1] if before.any() else 0.0
        inside = (t > t_lo) & (t <= t_hi)
        ts = x(np.concatenate([[t_lo], t[inside], [t_hi]]))
        ys = np.concatenate([[y0], y[inside], [y[inside][-1] if inside.any() else y0]])
        ax.step(ts, ys, where="post", color=OK, lw=1.2, label="units on the shelf")
        rises = np.diff(ys[:-1]) > 0  # a change that raised the shelf: a receipt
        ax.plot(ts[1:-1][rises], ys[1:-1][rises], "^", color="#238b45", ms=5, label="part received")
        for k, a in enumerate(x(arrivals)):
            ax.axvline(a, color="0.75", lw=0.6, zorder=0, label="truck arrival" if k == 0 else None)
        ax.set_ylabel(f"{part}\n(units)")
        ax.set_ylim(bottom=0)
        ax.grid(axis="y", alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", fontsize=8, ncols=3)
    if start is None:
        axes[-1].set_xlabel("time since the start of the run (days; day 0 is a Monday)")
    else:
        axes[-1].set_xlabel(f"date (the run starts on {start})")
        fig.autofmt_xdate()
    where = f"{name}, replication {replication}" if name else f"replication {replication}"
    fig.suptitle(f"Line-side stock over time ({where})")
    return fig


# --- sweeps and the frontier --------------------------------------------------------------


def _kpi_rows(summary: pd.DataFrame, kpi: str) -> pd.DataFrame:
    rows = summary[summary["kpi"] == kpi].set_index("scenario")
    if rows.empty:
        raise ValueError(f"summary has no rows for {kpi}")
    return rows


def sweep_figure(
    summary: pd.DataFrame,
    params: pd.DataFrame,
    param: str,
    *,
    kpis: Sequence[str] = ("on_time_rate", "fill_rate", "avg_inventory_value"),
    group: str | None = None,
    param_label: str | None = None,
    currency: str = "CNY",
) -> Figure:
    """Each KPI's mean and 95 % interval against the swept parameter ``param``.

    ``params`` has a ``scenario`` column and the numeric column ``param`` (and ``group``, a
    second swept key drawn as one line per value).
    """
    _need(summary, "sweep", ("scenario", "kpi", "mean", "ci_low", "ci_high"))
    _need(params, "sweep parameters", ("scenario", param, *((group,) if group else ())))
    fig = Figure(figsize=(4.2 * len(kpis), 3.8), layout="constrained")
    axes = fig.subplots(1, len(kpis), squeeze=False)[0]
    groups = [None] if group is None else list(dict.fromkeys(params[group]))
    for ax, kpi in zip(axes, kpis, strict=True):
        rows = _kpi_rows(summary, kpi)
        k = _scale(kpi)
        for g in groups:
            sel = params if g is None else params[params[group] == g]
            sel = sel[sel["scenario"].isin(rows.index)].sort_values(param, kind="stable")
            r = rows.loc[sel["scenario"]]
            mean = r["mean"].to_numpy(dtype=float) * k
            err = np.vstack([mean - r["ci_low"] * k, r["ci_high"] * k - mean])
            label = None if g is None else f"{group} = {g}"
            ax.errorbar(
                sel[param], mean, yerr=np.nan_to_num(err), marker="o", capsize=3, label=label
            )
        xs = params[param].to_numpy(dtype=float)
        if (xs > 0).all() and xs.max() / xs.min() >= 8:
            ax.set_xscale("log")
            ax.set_xticks(sorted(set(xs)))
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
            ax.xaxis.set_minor_formatter(FuncFormatter(lambda v, _pos: ""))
        _plain_numbers(ax.yaxis)
        ax.set_xlabel(param_label or param)
        ax.set_ylabel(kpi_label(kpi, currency))
        ax.set_title(labels.kpi_name(kpi))
        ax.grid(alpha=0.3)
    if group is not None:
        axes[0].legend(fontsize=8)
    fig.suptitle(f"KPIs against {param_label or param} (mean and 95 % interval)")
    return fig


def pareto_front(x: Sequence[float], y: Sequence[float]) -> list[int]:
    """Indices of the points no other point beats: higher ``x`` and lower ``y`` are better."""
    pts = list(zip(x, y, strict=True))
    front = []
    for i, (xi, yi) in enumerate(pts):
        beaten = any(
            (xj >= xi and yj <= yi) and (xj > xi or yj < yi)
            for j, (xj, yj) in enumerate(pts)
            if j != i
        )
        if not beaten and not (np.isnan(xi) or np.isnan(yi)):
            front.append(i)
    return sorted(front, key=lambda i: pts[i][0])


def frontier_figure(
    summary: pd.DataFrame,
    *,
    currency: str = "CNY",
    baseline: str | None = None,
    x_kpi: str = "on_time_rate",
    x_target: float | None = None,
) -> Figure:
    """Average inventory value against ``x_kpi`` (a rate where higher is better) per
    scenario; the best trade-offs joined and labelled (with the baseline), the others are in
    the tables. ``x_target`` draws the rate a planner must reach."""
    _need(summary, "trade-off frontier", ("scenario", "kpi", "mean", "ci_low", "ci_high"))
    rate = _kpi_rows(summary, x_kpi)
    inv = _kpi_rows(summary, "avg_inventory_value")
    names = [n for n in rate.index if n in inv.index]
    if len(names) < 1:
        raise ValueError(f"trade-off frontier: no scenario has both {x_kpi} and inventory")
    k = _scale(x_kpi)
    x = rate.loc[names, "mean"].to_numpy(dtype=float) * k
    y = inv.loc[names, "mean"].to_numpy(dtype=float)
    xerr = np.vstack([x - rate.loc[names, "ci_low"] * k, rate.loc[names, "ci_high"] * k - x])
    yerr = np.vstack([y - inv.loc[names, "ci_low"], inv.loc[names, "ci_high"] - y])
    fig = Figure(figsize=(8, 5.5), layout="constrained")
    ax = fig.subplots()
    ax.errorbar(
        x,
        y,
        xerr=np.nan_to_num(xerr),
        yerr=np.nan_to_num(yerr),
        fmt="o",
        color=OK,
        ecolor="0.8",
        capsize=2,
        label="scenario (mean, 95 % interval)",
    )
    front = pareto_front(list(x), list(y))
    ax.plot(
        x[front],
        y[front],
        "-",
        color=LATE,
        lw=1.5,
        label="best trade-offs (no scenario beats them on both)",
    )
    ax.scatter(x[front], y[front], s=90, facecolors="none", edgecolors=LATE, lw=1.5, zorder=3)
    shown: dict[tuple[float, float], list[str]] = {}
    for i, n in enumerate(names):
        if i in front or n == baseline:
            shown.setdefault((x[i], y[i]), []).append(n + (" (baseline)" if n == baseline else ""))
    for j, ((xi, yi), names) in enumerate(sorted(shown.items())):
        ax.annotate(
            " = ".join(names),
            (xi, yi),
            textcoords="offset points",
            xytext=(8, 10 if j % 2 == 0 else -16),
            fontsize=7,
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "0.8", "alpha": 0.9},
        )
    if x_target is not None:
        ax.axvline(x_target * k, color="0.3", ls="--", lw=1, label=f"target {x_target * k:g}")
    _plain_numbers(ax.yaxis)
    ax.set_xlabel(kpi_label(x_kpi))
    ax.set_ylabel(kpi_label("avg_inventory_value", currency))
    short = labels.kpi_name(x_kpi).split(",")[0]
    ax.set_title(f"Trade-off: line-side inventory and {short}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    return fig


# --- workshop -------------------------------------------------------------------------------


def utilisation_by_hour(
    pools: pd.DataFrame, names: Sequence[str], window: tuple[float, float]
) -> pd.DataFrame:
    """Share of each pool's units busy in each hour of the day, over ``window`` (hours).

    Busy units are integrated exactly (the busy count is a step function, so its integral
    is piecewise linear and is read at every hour boundary), per replication, then averaged
    over replications. Columns: ``pool, hour, utilisation``.
    """
    _need(pools, "bay utilisation", ("time_h", "pool", "busy", "size"))
    t0, t1 = window
    if not t1 > t0:
        raise ValueError(f"bay utilisation: empty window {window}")
    edges = np.arange(np.floor(t0), np.ceil(t1) + 1.0)
    edges = np.clip(edges, t0, t1)
    hours = np.floor(edges[:-1]).astype(int) % 24
    keys = [c for c in ("scenario", "replication") if c in pools.columns]
    out = []
    for pool in names:
        rows = pools[pools["pool"] == pool]
        if rows.empty:
            raise ValueError(f"bay utilisation: no rows for pool {pool!r}")
        size = float(rows["size"].iloc[0])
        per_rep = []
        for _, r in rows.groupby(keys, sort=False) if keys else [(None, rows)]:
            r = r.sort_values("time_h", kind="stable")
            t = np.concatenate([[0.0], r["time_h"].to_numpy(dtype=float)])
            b = np.concatenate([[0.0], r["busy"].to_numpy(dtype=float)])
            cum = np.concatenate([[0.0], np.cumsum(b[:-1] * np.diff(t))])
            at = np.interp(edges, t, cum, right=np.nan)
            tail = edges > t[-1]
            at[tail] = cum[-1] + b[-1] * (edges[tail] - t[-1])
            busy = np.diff(at)
            span = np.diff(edges)
            sums = np.bincount(hours, weights=busy, minlength=24)
            spans = np.bincount(hours, weights=span, minlength=24)
            with np.errstate(invalid="ignore", divide="ignore"):
                per_rep.append(sums / (spans * size))
        util = np.nanmean(np.vstack(per_rep), axis=0)
        out += [(pool, h, float(util[h])) for h in range(24)]
    return pd.DataFrame(out, columns=["pool", "hour", "utilisation"])


def bay_utilisation_figure(
    pools: pd.DataFrame,
    names: Sequence[str],
    window: tuple[float, float],
    *,
    opening: tuple[float, float] | None = None,
    scenario: str | None = None,
) -> Figure:
    """Share of bays (space pools ``names``) occupied by hour of day, mean of replications."""
    _need(pools, "bay utilisation", ("time_h", "pool", "busy", "size"))
    rows, name = _pick(pools, scenario, "bay utilisation")
    table = utilisation_by_hour(rows, names, window)
    fig = Figure(figsize=(9, 4.2), layout="constrained")
    ax = fig.subplots()
    if opening is not None:
        ax.axvspan(opening[0], opening[1], color="#fff3c4", zorder=0, label="opening hours")
    for pool, block in table.groupby("pool", sort=False):
        size = int(rows[rows["pool"] == pool]["size"].iloc[0])
        ax.plot(
            block["hour"] + 0.5,
            block["utilisation"] * 100,
            marker="o",
            ms=3,
            label=f"{pool} ({size} unit{'s' if size != 1 else ''})",
        )
    ax.set_xlim(0, 24)
    ax.set_xticks(range(0, 25, 2))
    ax.set_ylim(0, 105)
    ax.set_xlabel("hour of day")
    ax.set_ylabel("units occupied (% of pool)")
    where = f" ({name})" if name else ""
    ax.set_title(f"Bay utilisation by hour of day{where}, mean over days and replications")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    return fig


def lateness(jobs: pd.DataFrame, window: tuple[float, float] | None = None) -> pd.DataFrame:
    """Delivered jobs with ``lateness_h`` = delivery end − promise (hours; > 0 is late),
    those delivered in ``window`` (hours) when given."""
    _need(jobs, "lateness against promise", ("delivery_end_h", "promise_h"))
    rows = jobs[jobs["delivery_end_h"].notna()]
    if window is not None:
        d = rows["delivery_end_h"]
        rows = rows[(d >= window[0]) & (d < window[1])]
    return rows.assign(lateness_h=rows["delivery_end_h"] - rows["promise_h"])


def lateness_figure(jobs: pd.DataFrame, window: tuple[float, float] | None = None) -> Figure:
    """Histogram of delivery end − promised time, one outline per scenario."""
    rows = lateness(jobs, window)
    if rows.empty:
        raise ValueError("lateness against promise: no delivered jobs")
    fig = Figure(figsize=(9, 4.2), layout="constrained")
    ax = fig.subplots()
    if "scenario" in rows.columns:
        groups = [(str(n), b) for n, b in rows.groupby("scenario", sort=False)]
    else:
        groups = [("", rows)]
    lo, hi = np.nanpercentile(rows["lateness_h"], [0.5, 99.5])
    bins = np.linspace(min(lo, -1.0), max(hi, 1.0), 50)
    single = len(groups) == 1
    for name, block in groups:
        x = block["lateness_h"].to_numpy(dtype=float)
        late = float((x > 0).mean())
        prefix = "" if single else f"{name}: "
        label = f"{prefix}{len(x):,} jobs, {late:.1%} late"
        ax.hist(
            np.clip(x, bins[0], bins[-1]),
            bins=bins,
            histtype="stepfilled" if single else "step",
            alpha=0.6 if single else 1.0,
            lw=1.5,
            label=label,
        )
    ax.axvline(0, color=LATE, lw=1.5, ls="--", label="promised time")
    ax.set_xlabel("delivery end − promised time (h); left of 0 early, right of 0 late")
    ax.set_ylabel("jobs delivered")
    ax.set_title("Delivery against the promised time")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


# --- comparisons and the scorecard ----------------------------------------------------------


def paired_difference_figure(
    comparison: pd.DataFrame,
    kpis: Sequence[str] = ("on_time_rate", "fill_rate", "avg_inventory_value", "mean_lead_time_h"),
    *,
    currency: str = "CNY",
) -> Figure:
    """Each scenario's paired difference from the baseline with its 95 % interval, per KPI."""
    _need(
        comparison,
        "paired differences",
        ("scenario", "baseline", "kpi", "mean_diff", "ci_low", "ci_high"),
    )
    kpis = [k for k in kpis if (comparison["kpi"] == k).any()]
    if not kpis:
        raise ValueError("paired differences: none of the KPIs is in the comparison")
    names = list(dict.fromkeys(comparison["scenario"]))
    baseline = str(comparison["baseline"].iloc[0])
    fig = Figure(figsize=(4.0 * len(kpis), 1.6 + 0.35 * len(names)), layout="constrained")
    axes = fig.subplots(1, len(kpis), sharey=True, squeeze=False)[0]
    ypos = np.arange(len(names))[::-1]
    for ax, kpi in zip(axes, kpis, strict=True):
        rows = comparison[comparison["kpi"] == kpi].set_index("scenario").reindex(names)
        k = _scale(kpi)
        d = rows["mean_diff"].to_numpy(dtype=float) * k
        lo, hi = rows["ci_low"].to_numpy(dtype=float) * k, rows["ci_high"].to_numpy(dtype=float) * k
        clear = (lo > 0) | (hi < 0)
        colours = [LATE if c else OK for c in clear]
        ax.hlines(ypos, lo, hi, colors=colours, lw=2, label="95 % interval")
        ax.scatter(d, ypos, c=colours, zorder=3, s=22, label="mean difference")
        ax.axvline(0, color="0.3", lw=1)
        _plain_numbers(ax.xaxis, ticks=4)
        unit = kpi_label(kpi, currency)
        unit = unit[unit.rfind("(") :] if "(" in unit else ""
        if kpi in labels.PERCENT:
            unit = "(percentage points)"
        ax.set_xlabel(f"difference {unit}".strip())
        ax.set_title(labels.kpi_name(kpi), fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(ypos, names, fontsize=8)
    fig.suptitle(
        f"Scenario − baseline '{baseline}', paired by replication (95 % interval; red: excludes 0)"
    )
    return fig


def scorecard_totals_figure(frame: pd.DataFrame) -> Figure:
    """Monthly scorecard totals of every replication-month; vetoed months marked.

    One point per replication-month (months side by side for one scenario, scenarios side
    by side for several), the mean total, the mean before vetoes when the frame has it, and
    the share of months vetoed under each group.
    """
    cols = ("scenario", "replication", "month", "total", "vetoed", "max_total")
    _need(frame, "monthly scorecard totals", cols)
    vetoed = np.array([bool(v) and v == v for v in frame["vetoed"]], dtype=bool)
    names = list(dict.fromkeys(frame["scenario"]))
    by_month = len(names) == 1
    key = frame["month"] if by_month else frame["scenario"]
    groups = sorted(frame["month"].unique()) if by_month else names
    pos = {g: i for i, g in enumerate(groups)}
    x0 = key.map(pos).to_numpy(dtype=float)
    jitter = np.random.default_rng(0).uniform(-0.18, 0.18, len(frame))
    x = x0 + jitter
    total = frame["total"].to_numpy(dtype=float)
    fig = Figure(figsize=(max(7.0, 1.0 + 0.7 * len(groups)), 4.6), layout="constrained")
    ax = fig.subplots()
    ax.scatter(x[~vetoed], total[~vetoed], s=14, color=OK, label="month, no veto")
    ax.scatter(x[vetoed], total[vetoed], marker="x", s=30, color=LATE, label="vetoed month")
    means = frame.groupby(key.map(pos))["total"].mean()
    ax.plot(means.index, means.to_numpy(), "_", ms=28, mew=2.5, color="black", label="mean")
    if "total_before_vetoes" in frame.columns:
        before = frame.groupby(key.map(pos))["total_before_vetoes"].mean()
        ax.plot(
            before.index,
            before.to_numpy(),
            "_",
            ms=28,
            mew=2,
            color="0.55",
            label="mean before vetoes",
        )
    shares = pd.Series(vetoed).groupby(x0).mean()
    top = float(frame["max_total"].max())
    for i, share in shares.items():
        ax.text(i, top * 1.03, f"{share:.0%} vetoed", ha="center", fontsize=7, color=LATE)
    ax.axhline(top, color="0.3", ls=":", lw=1, label=f"maximum ({top:g} points)")
    ax.set_ylim(-1.5, top * 1.1)
    ax.set_xticks(range(len(groups)))
    if by_month:
        ax.set_xticklabels([str(int(g)) for g in groups])
        ax.set_xlabel("month of the measurement window (30 days each)")
        fig.suptitle(f"Monthly scorecard totals ({names[0]}), every replication")
    else:
        ax.set_xticklabels(groups, rotation=30, ha="right", fontsize=8)
        fig.suptitle("Monthly scorecard totals by scenario, every replication-month")
    ax.set_ylabel("scorecard total (points)")
    ax.grid(axis="y", alpha=0.3)
    fig.legend(loc="outside right center", fontsize=8)  # clear of the figure title
    return fig
