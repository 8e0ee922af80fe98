"""The workshop from the trace tables: how full the bays are by hour of day and how busy in
open time (``pools.parquet``), and how late cars are against their promise in working
hours (``jobs.parquet``)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.calendar import Calendar
from sim.labels import Lang, tr
from sim.plotbase import LATE, OK, need, pick

# Lateness bins (hours): finer near the promise, open at both ends; a bin holds (lo, hi].
LATENESS_EDGES = (-16.0, -8.0, -4.0, -2.0, -1.0, -0.5, -0.25, 0.0, 0.25, 0.5, 1.0, 2.0, 4.0,
                  8.0, 16.0)  # fmt: skip


def _held(rows: pd.DataFrame, t0: float, t1: float) -> tuple[np.ndarray, np.ndarray]:
    """One replication's units held as a step function cut to [t0, t1]: the edges (hours)
    and the units held between consecutive edges (zero before the first change)."""
    r = rows.sort_values("time_h", kind="stable")
    t = r["time_h"].to_numpy(dtype=float)
    b = r["busy"].to_numpy(dtype=float)
    before = t <= t0
    b0 = b[before][-1] if before.any() else 0.0
    inside = (t > t0) & (t < t1)
    edges = np.concatenate([[t0], t[inside], [t1]])
    return edges, np.concatenate([[b0], b[inside]])


def _replications(rows: pd.DataFrame) -> list[pd.DataFrame]:
    keys = [c for c in ("scenario", "replication") if c in rows.columns]
    return [r for _, r in rows.groupby(keys, sort=False)] if keys else [rows]


def occupancy_by_hour(
    pools: pd.DataFrame, names: Sequence[str], window: tuple[float, float]
) -> pd.DataFrame:
    """Share of each pool's units held in each hour of the day, over ``window`` (hours),
    nights included: a car left in a bay overnight counts.

    Units held are integrated exactly (the count is a step function, so its integral is
    piecewise linear and is read at every hour boundary), per replication, then averaged
    over replications. Columns: ``pool, hour, occupancy``.
    """
    need(pools, "bay occupancy", ("time_h", "pool", "busy", "size"))
    t0, t1 = window
    if not t1 > t0:
        raise ValueError(f"bay occupancy: empty window {window}")
    edges = np.arange(np.floor(t0), np.ceil(t1) + 1.0)
    edges = np.clip(edges, t0, t1)
    hours = np.floor(edges[:-1]).astype(int) % 24
    out = []
    for pool in names:
        rows = pools[pools["pool"] == pool]
        if rows.empty:
            raise ValueError(f"bay occupancy: no rows for pool {pool!r}")
        size = float(rows["size"].iloc[0])
        per_rep = []
        for r in _replications(rows):
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
        occ = np.nanmean(np.vstack(per_rep), axis=0)
        out += [(pool, h, float(occ[h])) for h in range(24)]
    return pd.DataFrame(out, columns=["pool", "hour", "occupancy"])


def pool_utilisation(
    pools: pd.DataFrame,
    names: Sequence[str],
    window: tuple[float, float],
    calendar: Calendar,
) -> pd.DataFrame:
    """Per pool, means over replications of its ``utilisation`` (busy unit-time in working
    time over size × the working time of ``window``, as ``breakdown.csv``'s utilization) and
    its ``occupancy`` (unit-time held over size × elapsed time, nights included).
    Columns: ``pool, size, utilisation, occupancy``."""
    need(pools, "pool utilisation", ("time_h", "pool", "busy", "size"))
    t0, t1 = window
    open_h = (calendar.working(t1 * 60) - calendar.working(t0 * 60)) / 60
    if not (t1 > t0 and open_h > 0):
        raise ValueError(f"pool utilisation: no working time in the window {window}")
    out = []
    for pool in names:
        rows = pools[pools["pool"] == pool]
        if rows.empty:
            raise ValueError(f"pool utilisation: no rows for pool {pool!r}")
        size = float(rows["size"].iloc[0])
        util, occ = [], []
        for r in _replications(rows):
            edges, held = _held(r, t0, t1)
            worked = np.array([calendar.working(e * 60) for e in edges]) / 60
            util.append(float((held * np.diff(worked)).sum()) / (size * open_h))
            occ.append(float((held * np.diff(edges)).sum()) / (size * (t1 - t0)))
        out.append((pool, int(size), float(np.mean(util)), float(np.mean(occ))))
    return pd.DataFrame(out, columns=["pool", "size", "utilisation", "occupancy"])


def bay_occupancy_figure(
    pools: pd.DataFrame,
    names: Sequence[str],
    window: tuple[float, float],
    *,
    calendar: Calendar | None = None,
    opening: tuple[float, float] | None = None,
    scenario: str | None = None,
    lang: Lang = "en",
) -> Figure:
    """Left: the share of each space pool (``names``) held by hour of day, nights included,
    mean over days and replications. Right (with ``calendar``): each pool's utilisation in
    open time beside its occupancy over all hours."""
    need(pools, "bay occupancy", ("time_h", "pool", "busy", "size"))
    rows, name = pick(pools, scenario, "bay occupancy")
    table = occupancy_by_hour(rows, names, window)
    fig = Figure(figsize=(12 if calendar is not None else 9, 4.4), layout="constrained")
    if calendar is not None:
        ax, ax_u = fig.subplots(1, 2, width_ratios=[2, 1])
    else:
        ax, ax_u = fig.subplots(), None
    if opening is not None:
        ax.axvspan(opening[0], opening[1], color="#fff3c4", zorder=0, label=tr("open", lang))
    for pool, block in table.groupby("pool", sort=False):
        size = int(rows[rows["pool"] == pool]["size"].iloc[0])
        ax.plot(
            block["hour"] + 0.5,
            block["occupancy"] * 100,
            marker="o",
            ms=3,
            label=tr("{pool} ({size} units)" if size != 1 else "{pool} (1 unit)", lang).format(
                pool=pool, size=size
            ),
        )
    ax.set_xlim(0, 24)
    ax.set_xticks(range(0, 25, 2))
    ax.set_ylim(0, 105)
    ax.set_xlabel(tr("hour of day", lang))
    ax.set_ylabel(tr("occupancy: units held (% of pool)", lang))
    ax.set_title(tr("Occupancy by hour of day (cars left overnight count)", lang), fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    if ax_u is not None and calendar is not None:
        util = pool_utilisation(rows, names, window, calendar)
        y = np.arange(len(util))[::-1]
        ax_u.barh(
            y + 0.2,
            util["utilisation"] * 100,
            height=0.4,
            color=OK,
            label=tr("utilisation: busy in open time", lang),
        )
        ax_u.barh(
            y - 0.2,
            util["occupancy"] * 100,
            height=0.4,
            color="0.7",
            label=tr("occupancy: held over all hours", lang),
        )
        for yi, u in zip(y, util["utilisation"], strict=True):
            ax_u.text(u * 100 + 1, yi + 0.2, f"{u:.0%}", va="center", fontsize=7)
        ax_u.set_yticks(y, util["pool"], fontsize=8)
        ax_u.set_xlim(0, 110)
        ax_u.set_ylim(-1.6, len(util) - 0.4)  # room below the bars for the legend
        ax_u.set_xlabel(tr("% of the pool's units", lang))
        ax_u.set_title(tr("Utilisation in open time, per pool", lang), fontsize=10)
        ax_u.grid(axis="x", alpha=0.3)
        ax_u.legend(fontsize=8, loc="lower right")
    where = f" ({name})" if name else ""
    fig.suptitle(
        tr("How full are the bays by hour, and how busy while open?{where}", lang).format(
            where=where
        )
    )
    return fig


def lateness(
    jobs: pd.DataFrame,
    window: tuple[float, float] | None = None,
    calendar: Calendar | None = None,
) -> pd.DataFrame:
    """Delivered jobs with ``lateness_h`` = delivery end − promise (elapsed hours; > 0 is
    late) and, with ``calendar``, ``lateness_wh``: the same in working hours (the working
    time between the two, negative when early), so a night between promise and delivery
    counts nothing. Only jobs delivered in ``window`` (hours) when given."""
    need(jobs, "lateness against promise", ("delivery_end_h", "promise_h"))
    rows = jobs[jobs["delivery_end_h"].notna()]
    if window is not None:
        d = rows["delivery_end_h"]
        rows = rows[(d >= window[0]) & (d < window[1])]
    rows = rows.assign(lateness_h=rows["delivery_end_h"] - rows["promise_h"])
    if calendar is not None:
        work = np.vectorize(calendar.working, otypes=[float])

        def hours(col: str) -> np.ndarray:
            return work(rows[col].to_numpy(dtype=float) * 60) / 60

        rows = rows.assign(lateness_wh=hours("delivery_end_h") - hours("promise_h"))
    return rows


def lateness_bins(values: np.ndarray) -> np.ndarray:
    """Jobs in each lateness bin: (-inf, -16], (-16, -8], ..., (8, 16], (16, inf)."""
    edges = np.array(LATENESS_EDGES)
    idx = np.searchsorted(edges, values, side="left")  # (lo, hi] bins
    return np.bincount(idx, minlength=len(edges) + 1)


def _bin_labels(lang: Lang = "en") -> list[str]:
    e = [f"{v:g}".replace("-", "−") for v in LATENESS_EDGES]
    span = tr("{a} to {b}", lang)
    return [f"≤ {e[0]}", *(span.format(a=a, b=b) for a, b in pairwise(e)), f"> {e[-1]}"]


def lateness_figure(
    jobs: pd.DataFrame,
    window: tuple[float, float] | None = None,
    *,
    calendar: Calendar | None = None,
    lang: Lang = "en",
) -> Figure:
    """The share of delivered jobs in each lateness bin (finer near the promise), one bar
    per scenario in each bin; in working hours with ``calendar``, else elapsed hours."""
    rows = lateness(jobs, window, calendar)
    if rows.empty:
        raise ValueError("lateness against promise: no delivered jobs")
    column = "lateness_wh" if calendar is not None else "lateness_h"
    if "scenario" in rows.columns:
        groups = [(str(n), b) for n, b in rows.groupby("scenario", sort=False)]
    else:
        groups = [("", rows)]
    fig = Figure(figsize=(10, 4.4), layout="constrained")
    ax = fig.subplots()
    n_bins = len(LATENESS_EDGES) + 1
    x = np.arange(n_bins)
    late_bin = x > LATENESS_EDGES.index(0.0)  # bins right of (-0.25, 0]
    width = 0.8 / len(groups)
    single = len(groups) == 1
    for i, (name, block) in enumerate(groups):
        v = block[column].to_numpy(dtype=float)
        share = lateness_bins(v) / len(v) * 100
        late = float((v > 0).mean())
        label = tr("{jobs} jobs, {late} late", lang).format(jobs=f"{len(v):,}", late=f"{late:.1%}")
        colours = [LATE if b else OK for b in late_bin] if single else None
        ax.bar(
            x + (i - (len(groups) - 1) / 2) * width,
            share,
            width=width,
            color=colours,
            label=label if single else f"{name}: {label}",
        )
    ax.axvline(
        LATENESS_EDGES.index(0.0) + 0.5,
        color=LATE,
        lw=1.5,
        ls="--",
        label=tr("promised time", lang),
    )
    ax.set_xticks(x, _bin_labels(lang), rotation=35, ha="right", fontsize=8)
    unit = tr("working hours", lang) if calendar is not None else tr("elapsed hours", lang)
    ax.set_xlabel(
        tr(
            "delivery end − promised time ({unit}); left of the line early, right late", lang
        ).format(unit=unit)
    )
    ax.set_ylabel(tr("jobs delivered (%)", lang))
    ax.set_title(tr("How late are cars against their promise, in {unit}?", lang).format(unit=unit))
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    return fig
