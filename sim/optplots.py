"""The size optimiser's figures: the path of the search (``optimize.csv``) and the stock and
service by part class, given sizes against the answer (``optimize_parts.csv``)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim import labels
from sim.labels import Lang, tr
from sim.plotbase import GOOD, LATE, NEUTRAL, OK, TRADE, kpi_label, need, plain_numbers, scale

GIVEN = "0.2"
COLOURS = (OK, TRADE, GOOD, "#756bb1")


def _bars(frame: pd.DataFrame, kpi: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    k = scale(kpi)
    mean = frame[f"{kpi}_mean"].to_numpy(dtype=float) * k
    lo = frame[f"{kpi}_ci_low"].to_numpy(dtype=float) * k
    hi = frame[f"{kpi}_ci_high"].to_numpy(dtype=float) * k
    err = np.vstack([np.nan_to_num(mean - lo), np.nan_to_num(hi - mean)])
    return mean, err, frame.index.to_numpy() + 1  # the point's place on the whole path


def path_figure(
    path: pd.DataFrame,
    objective: str,
    targets: Mapping[str, float],
    *,
    currency: str = "CNY",
    lang: Lang = "en",
) -> Figure:
    """Every point simulated, in order: the objective (top) and each target KPI (below),
    with 95 % intervals; the points kept joined by a line, the confirmations marked."""
    cols = ["phase", "accepted", "meets_targets", f"{objective}_mean"]
    need(path, "search path", cols + [f"{k}_mean" for k in targets])
    path = path.reset_index(drop=True)
    fig = Figure(figsize=(9.5, 6.2), layout="constrained")
    top, low = fig.subplots(2, 1, sharex=True)
    search = path[path["phase"] != "confirm"]
    kept = search[search["accepted"].astype(bool)]
    checks = path[path["phase"] == "confirm"]
    passed = checks[checks["accepted"].astype(bool)]
    first = checks["note"].astype(str).str.startswith("missed")
    missed = checks[~checks["accepted"].astype(bool) & first]
    given = path[path["phase"] == "given"]
    panels = [(top, objective, OK)]
    panels += [(low, k, COLOURS[1 + n % 3]) for n, k in enumerate(targets)]
    for ax, kpi, colour in panels:
        m, e, x = _bars(search, kpi)
        ax.errorbar(x, m, yerr=e, fmt="o", ms=3, color=NEUTRAL, alpha=0.6, lw=0.8)
        km, _ke, kx = _bars(kept, kpi)
        label = tr("kept", lang) if ax is top else kpi_label(kpi, currency, lang)
        ax.plot(kx, km, "-o", color=colour, ms=4, lw=1.4, label=label)
        for rows, colour_, mark, text in (
            (passed, GOOD, "D", tr("confirmed on fresh random numbers", lang)),
            (missed, LATE, "X", tr("missed on fresh random numbers", lang)),
        ):
            if len(rows):
                cm, ce, cx = _bars(rows, kpi)
                shown = text if ax is top else None
                ax.errorbar(cx, cm, yerr=ce, fmt=mark, ms=6, color=colour_, lw=1, label=shown)
        gm, _ge, gx = _bars(given, kpi)
        shown = tr("given sizes", lang) if ax is top else None
        ax.plot(gx, gm, "s", color=GIVEN, ms=7, label=shown)
        if kpi in targets:
            ax.axhline(targets[kpi] * scale(kpi), color=colour, ls="--", lw=1)
    top.set_ylabel(kpi_label(objective, currency, lang))
    plain_numbers(top.yaxis)
    low.set_ylabel(tr("target KPIs (dashed: the target)", lang))
    low.set_xlabel(tr("points simulated, in order", lang))
    for ax in (top, low):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="best")
    fig.suptitle(
        tr("How did the search reach the least {objective} that meets the targets?", lang).format(
            objective=labels.kpi_name(objective, lang)
        )
    )
    return fig


def class_table(parts: pd.DataFrame) -> pd.DataFrame:
    """Per part class (stocked parts only): stock value and units-weighted fill rate of the
    given sizes and of the answer, and the units requested."""
    columns = ("class", "stocked", "units_requested", "given_fill_rate", "fill_rate")
    need(parts, "stock by class", (*columns, "given_avg_inventory_value", "avg_inventory_value"))
    rows = parts[parts["stocked"].astype(str).str.lower().isin(("true", "1", "1.0"))]
    if rows.empty:
        raise ValueError("stock by class: no stocked part")
    units = rows["units_requested"].to_numpy(dtype=float)
    frame = pd.DataFrame(
        {
            "class": rows["class"].astype(str).to_numpy(),
            "units": units,
            "given_value": rows["given_avg_inventory_value"].to_numpy(dtype=float),
            "value": rows["avg_inventory_value"].to_numpy(dtype=float),
            "given_filled": np.nan_to_num(rows["given_fill_rate"].to_numpy(dtype=float)) * units,
            "filled": np.nan_to_num(rows["fill_rate"].to_numpy(dtype=float)) * units,
        }
    )
    out = frame.groupby("class", sort=True).sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        out["given_fill"] = out["given_filled"] / out["units"]
        out["fill"] = out["filled"] / out["units"]
    return out[["units", "given_value", "value", "given_fill", "fill"]].reset_index()


def class_figure(parts: pd.DataFrame, *, currency: str = "CNY", lang: Lang = "en") -> Figure:
    """Stock value (left) and fill rate (right) by part class: given sizes against the
    answer, on the confirmation's random numbers."""
    table = class_table(parts)
    names = table["class"].tolist()
    y = np.arange(len(names))[::-1]
    h = 0.38
    fig = Figure(figsize=(9.5, 1.8 + 0.45 * len(names)), layout="constrained")
    left, right = fig.subplots(1, 2, sharey=True)
    for ax, given, found, kpi in (
        (left, "given_value", "value", "avg_inventory_value"),
        (right, "given_fill", "fill", "fill_rate"),
    ):
        k = scale(kpi)
        ax.barh(y + h / 2, table[given] * k, h, color=GIVEN, label=tr("given sizes", lang))
        ax.barh(y - h / 2, table[found] * k, h, color=OK, label=tr("optimised", lang))
        ax.set_xlabel(kpi_label(kpi, currency, lang))
        ax.grid(axis="x", alpha=0.3)
        plain_numbers(ax.xaxis, ticks=5)
    low = float(np.nanmin(np.concatenate([table["given_fill"], table["fill"]]))) * 100
    right.set_xlim(max(0.0, min(low - 2, 98.0)), 100.5)
    left.set_yticks(y, names)
    left.legend(fontsize=8, loc="lower right")
    fig.suptitle(tr("Where does the stock sit, and which part classes carry the service?", lang))
    return fig
