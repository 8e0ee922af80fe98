"""Line-side stock over time: what the whole shelf is worth against its kanban ceiling, and
the sawtooth of a few parts with their stock-outs (from ``stock.parquet``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import AutoLocator

from sim.labels import Lang, tr
from sim.plotbase import GOOD, LATE, OK, need, pick, plain_numbers

JOB_ORDERS = "#fdae6b"  # parts ordered for a job, waiting beside the line for it


def _replication(
    frame: pd.DataFrame, scenario: str | None, replication: int, what: str
) -> tuple[pd.DataFrame, str | None]:
    rows, name = pick(frame, scenario, what)
    if "replication" in rows.columns:
        rows = rows[rows["replication"] == replication]
    return rows, name


def _stocked(catalogue: pd.DataFrame) -> pd.Series:
    """Whether each catalogue row is stocked (a missing column: every part is)."""
    if "stocked" not in catalogue.columns:
        return pd.Series(True, index=catalogue.index)
    return catalogue["stocked"].astype(str).str.lower().isin(("1", "true", "1.0"))


def stock_value(
    stock: pd.DataFrame,
    catalogue: pd.DataFrame,
    *,
    scenario: str | None = None,
    replication: int = 0,
) -> pd.DataFrame:
    """The value of the line-side stock after every change in one replication.

    ``stock`` has ``time_h, part_no, on_hand``; ``catalogue`` ``part_no, unit_cost`` and
    optionally ``stocked``. Columns: ``time_h``, ``stocked`` (sum over stocked parts of
    on_hand × unit_cost), ``for_jobs`` (the same over parts not stocked: ordered for a job and
    waiting beside the line for it) and ``total``. Several changes at one time give one row.
    """
    need(stock, "stock value", ("time_h", "part_no", "on_hand"))
    need(catalogue, "stock value: catalogue", ("part_no", "unit_cost"))
    rows, _ = _replication(stock, scenario, replication, "stock value")
    if rows.empty:
        raise ValueError(f"stock value: no rows for replication {replication}")
    cat = catalogue.assign(_stocked=_stocked(catalogue)).set_index(catalogue["part_no"].astype(str))
    part = rows["part_no"].astype(str)
    unknown = sorted(set(part) - set(cat.index))
    if unknown:
        raise ValueError(f"stock value: no unit cost for part(s) {', '.join(unknown[:3])}")
    rows = rows.assign(_part=part).sort_values("time_h", kind="stable")
    on_hand = rows["on_hand"].to_numpy(dtype=float)
    before = rows.groupby("_part", sort=False)["on_hand"].shift(1).fillna(0).to_numpy(float)
    cost = cat.loc[rows["_part"], "unit_cost"].to_numpy(dtype=float)
    stocked = cat.loc[rows["_part"], "_stocked"].to_numpy(dtype=bool)
    change = (on_hand - before) * cost
    out_now = (on_hand <= 0) & stocked
    out_before = (before <= 0) & stocked & rows["_part"].duplicated().to_numpy()
    out = pd.DataFrame(
        {
            "time_h": rows["time_h"].to_numpy(dtype=float),
            "stocked": np.where(stocked, change, 0.0),
            "for_jobs": np.where(stocked, 0.0, change),
            "parts_out": out_now.astype(float) - out_before.astype(float),
        }
    )
    out = out.groupby("time_h", sort=True).sum().cumsum().reset_index()
    out["total"] = out["stocked"] + out["for_jobs"]
    return out


def kanban_ceiling(catalogue: pd.DataFrame) -> float | None:
    """The most the stocked parts can be worth under kanban: the sum over stocked parts of
    cards × container_qty × unit_cost; None without a ``cards`` column or cards."""
    if not {"cards", "container_qty", "unit_cost"} <= set(catalogue.columns):
        return None
    rows = catalogue[_stocked(catalogue) & catalogue["cards"].notna()]
    if rows.empty:
        return None
    return float((rows["cards"] * rows["container_qty"] * rows["unit_cost"]).sum())


def _steps(t: np.ndarray, y: np.ndarray, t_lo: float, t_hi: float) -> tuple[np.ndarray, ...]:
    """A step function (value y[i] from t[i]) cut to [t_lo, t_hi], with both ends."""
    before = t <= t_lo
    y0 = y[before][-1] if before.any() else 0.0
    inside = (t > t_lo) & (t <= t_hi)
    ts = np.concatenate([[t_lo], t[inside], [t_hi]])
    ys = np.concatenate([[y0], y[inside], [y[inside][-1] if inside.any() else y0]])
    return ts, ys


def _outs(ts: np.ndarray, ys: np.ndarray) -> list[tuple[float, float]]:
    """The intervals of a cut step function at zero (stock-outs)."""
    return [(ts[i], ts[i + 1]) for i in range(len(ts) - 1) if ys[i] <= 0 and ts[i + 1] > ts[i]]


def _value_panels(
    axes: tuple[Axes, Axes],
    x: Callable[[np.ndarray], np.ndarray],
    stock: pd.DataFrame,
    catalogue: pd.DataFrame,
    window: tuple[float, float],
    currency: str,
    lang: Lang,
) -> None:
    """The shelf's value against the kanban ceiling, and how many stocked parts are out."""
    value = stock_value(stock, catalogue)
    t = value["time_h"].to_numpy(dtype=float)
    ax, ax_out = axes
    ts, st = _steps(t, value["stocked"].to_numpy(dtype=float), *window)
    _, tot = _steps(t, value["total"].to_numpy(dtype=float), *window)
    ax.step(x(ts), st, where="post", color=OK, lw=1.2, label=tr("stocked parts", lang))
    if (tot - st).max() > 0:
        ax.step(
            x(ts),
            tot,
            where="post",
            color=JOB_ORDERS,
            lw=1.2,
            label=tr("all parts, with those ordered for a job", lang),
        )
    ceiling = kanban_ceiling(catalogue)
    if ceiling is not None:
        ax.axhline(
            ceiling,
            color="0.2",
            ls="--",
            lw=1,
            label=tr("kanban ceiling: cards × container × unit cost", lang),
        )
    plain_numbers(ax.yaxis, ticks=5)
    ax.set_ylabel(tr("stock value\n({currency})", lang).format(currency=currency))
    ax.set_title(
        tr("All parts: line-side stock value (the axis does not start at 0)", lang),
        fontsize=10,
        loc="left",
    )
    ax.grid(axis="y", alpha=0.3)
    _, out = _steps(t, value["parts_out"].to_numpy(dtype=float), *window)
    ax_out.fill_between(
        x(ts),
        0,
        out,
        step="post",
        color=LATE,
        alpha=0.5,
        lw=0,
        label=tr("stocked parts out of stock", lang),
    )
    ax_out.set_ylim(bottom=0)
    counts = AutoLocator()  # the default, on whole part numbers
    counts.set_params(integer=True)
    ax_out.yaxis.set_major_locator(counts)
    ax_out.set_ylabel(tr("parts out\n(part numbers)", lang))
    ax_out.grid(axis="y", alpha=0.3)


def stock_figure(
    stock: pd.DataFrame,
    parts: Sequence[str],
    trucks: pd.DataFrame | None = None,
    *,
    catalogue: pd.DataFrame | None = None,
    currency: str = "CNY",
    scenario: str | None = None,
    replication: int = 0,
    start_h: float | None = None,
    end_h: float | None = None,
    start: date | str | None = None,
    lang: Lang = "en",
) -> Figure:
    """Line-side stock over time in one replication: with ``catalogue`` (``part_no,
    unit_cost``, optionally ``stocked, cards, container_qty``) first the value of all parts on
    the shelf, against the kanban ceiling, with every stock-out of a stocked part marked;
    then the units of each part in ``parts`` (the kanban sawtooth), its stock-outs shaded.

    ``stock`` has ``time_h, part_no, on_hand`` (every change), ``trucks`` ``arrival_h``.
    Rises in a part's stock are marked as receipts; regular truck arrivals are grey lines.
    ``start``: the date of time 0 (``run.start``), for a date axis; else days since time 0.
    """

    def x(hours: np.ndarray) -> np.ndarray:
        if start is None:
            return hours / 24
        return np.datetime64(str(start), "us") + (hours * 3.6e9).astype("timedelta64[us]")

    need(stock, "stock over time", ("time_h", "part_no", "on_hand"))
    if not parts:
        raise ValueError("stock over time: no parts chosen")
    rows, name = _replication(stock, scenario, replication, "stock over time")
    t_lo = float(rows["time_h"].min()) if start_h is None else start_h
    t_hi = float(rows["time_h"].max()) if end_h is None else end_h
    value = 2 if catalogue is not None else 0
    n = len(parts) + value
    heights = [2.2, 1.1][:value] + [1.6] * len(parts)
    fig = Figure(figsize=(10, 1.4 + sum(heights)), layout="constrained")
    axes = fig.subplots(n, 1, sharex=True, squeeze=False, height_ratios=heights)[:, 0]
    if catalogue is not None:
        _value_panels((axes[0], axes[1]), x, rows, catalogue, (t_lo, t_hi), currency, lang)
    arrivals: np.ndarray = np.array([])
    if trucks is not None and not trucks.empty:
        t_rows, _ = _replication(trucks, name, replication, "trucks")
        arr = t_rows["arrival_h"].to_numpy(dtype=float)
        arrivals = arr[(arr >= t_lo) & (arr <= t_hi)]
    cards = {}
    if catalogue is not None and {"cards", "container_qty"} <= set(catalogue.columns):
        c = catalogue.dropna(subset=["cards"])
        cards = dict(zip(c["part_no"].astype(str), c["cards"] * c["container_qty"], strict=True))
    for ax, part in zip(axes[value:], parts, strict=True):
        p = rows[rows["part_no"] == part].sort_values("time_h", kind="stable")
        if p.empty:
            raise ValueError(f"stock over time: no rows for part {part!r}")
        ts, ys = _steps(
            p["time_h"].to_numpy(dtype=float), p["on_hand"].to_numpy(dtype=float), t_lo, t_hi
        )
        for k, (a, b) in enumerate(_outs(ts, ys)):
            ax.axvspan(
                *x(np.array([a, b])),
                color=LATE,
                alpha=0.25,
                lw=0,
                label=tr("out of stock", lang) if k == 0 else None,
            )
        ax.step(x(ts), ys, where="post", color=OK, lw=1.2, label=tr("units on the shelf", lang))
        rises = np.diff(ys[:-1]) > 0  # a change that raised the shelf: a receipt
        ax.plot(
            x(ts[1:-1][rises]),
            ys[1:-1][rises],
            "^",
            color=GOOD,
            ms=5,
            label=tr("part received", lang),
        )
        for k, a in enumerate(x(arrivals)):
            ax.axvline(
                a,
                color="0.75",
                lw=0.6,
                zorder=0,
                label=tr("truck arrival", lang) if k == 0 else None,
            )
        if part in cards:
            ax.axhline(cards[part], color="0.2", ls="--", lw=0.8)
        ax.set_ylabel(tr("{part}\n(units)", lang).format(part=part))
        ax.set_ylim(bottom=0)
        ax.grid(axis="y", alpha=0.3)
    if value:
        axes[value].set_title(
            tr("Busiest parts: units on the shelf (dashed: cards × container)", lang),
            fontsize=10,
            loc="left",
        )
    seen: dict[str, Artist] = {}
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            seen.setdefault(lab, h)
    fig.legend(list(seen.values()), list(seen), loc="outside lower center", fontsize=8, ncols=3)
    if start is None:
        axes[-1].set_xlabel(tr("time since the start of the run (days; day 0 is a Monday)", lang))
    else:
        axes[-1].set_xlabel(tr("date (the run starts on {start})", lang).format(start=start))
        fig.autofmt_xdate()
    where = (
        tr("{scenario}, replication {replication}", lang).format(
            scenario=name, replication=replication
        )
        if name
        else tr("replication {replication}", lang).format(replication=replication)
    )
    fig.suptitle(
        tr("How much stock sits beside the line, and when does it run out? ({where})", lang).format(
            where=where
        )
    )
    return fig
