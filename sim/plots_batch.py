"""Figures that compare the scenarios of a batch: KPIs against the swept parameter, stock
against service with each scenario judged against the baseline, and the paired differences
(``summary.csv``, ``comparison.csv``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.container import ErrorbarContainer
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullFormatter

from sim import labels
from sim.labels import Lang, tr
from sim.plotbase import GOOD, LATE, NEUTRAL, OK, TRADE, kpi_label, need, plain_numbers, scale


def _kpi_rows(summary: pd.DataFrame, kpi: str) -> pd.DataFrame:
    rows = summary[summary["kpi"] == kpi].set_index("scenario")
    if rows.empty:
        raise ValueError(f"summary has no rows for {kpi}")
    return rows


# --- the sweep ------------------------------------------------------------------------------


def _positions(params: pd.DataFrame, param: str, log: bool) -> tuple[np.ndarray, list]:
    """Each row's x: its value, or past the numeric axis for a value that is not a number;
    and the ticks (x, text)."""
    x = params[param].to_numpy(dtype=float)
    numeric = ~np.isnan(x)
    ticks_text = params["tick"] if "tick" in params.columns else pd.Series([f"{v:g}" for v in x])
    ticks = dict(zip(x[numeric], ticks_text[numeric], strict=True))
    if numeric.all():
        return x, sorted(ticks.items())
    lo, hi = x[numeric].min(), x[numeric].max()
    others = list(dict.fromkeys(ticks_text[~numeric]))
    out = x.copy()
    for i, t in enumerate(others):
        pos = hi * 2.0 ** (i + 1) if log else hi + (hi - lo) * 0.3 * (i + 1)
        out[(~numeric) & (ticks_text == t).to_numpy()] = pos
        ticks[pos] = t
    return out, sorted(ticks.items())


def _draw(
    ax: Axes,
    rows: pd.DataFrame,
    k: float,
    params: pd.DataFrame,
    pos: np.ndarray,
    sel: np.ndarray,
    **style: Any,
) -> ErrorbarContainer:
    """The selected scenarios' means and intervals, in x order."""
    r = rows.loc[params.loc[sel, "scenario"]]
    mean = r["mean"].to_numpy(dtype=float) * k
    err = np.vstack([mean - r["ci_low"] * k, r["ci_high"] * k - mean])
    order = np.argsort(pos[sel], kind="stable")
    return ax.errorbar(
        pos[sel][order], mean[order], yerr=np.nan_to_num(err)[:, order], capsize=3, **style
    )


def sweep_figure(
    summary: pd.DataFrame,
    params: pd.DataFrame,
    param: str,
    *,
    kpis: Sequence[str] = ("on_time_rate", "fill_rate", "avg_inventory_value"),
    group: str | None = None,
    param_label: str | None = None,
    currency: str = "CNY",
    lang: Lang = "en",
) -> Figure:
    """Each KPI's mean and 95 % interval against the swept parameter ``param``.

    ``params`` has a ``scenario`` column and the column ``param`` (numbers; NaN for a value
    that is not one). Optional columns: ``tick``, the value as text for the axis; ``line``,
    the regime of each point (``sim.reportdata.Sweep``): points of one regime are joined, one
    line per regime, and a point with no regime (NaN) stands alone, unjoined, named. Without
    ``line``, ``group`` names a second swept column drawn as one line per value.
    """
    need(summary, "sweep", ("scenario", "kpi", "mean", "ci_low", "ci_high"))
    need(params, "sweep parameters", ("scenario", param, *((group,) if group else ())))
    params = params.reset_index(drop=True)
    if "line" in params.columns:
        line = params["line"]
    elif group is not None:
        line = params[group].map(lambda g: f"{group} = {g}")
    else:
        line = pd.Series("", index=params.index)
    line = line.where(params[param].notna())
    xs = params[param].dropna().to_numpy(dtype=float)
    log = bool(len(xs) and (xs > 0).all() and xs.max() / xs.min() >= 8)
    pos, ticks = _positions(params, param, log)
    regimes = list(dict.fromkeys(line.dropna()))
    named = len(regimes) > 1
    fig = Figure(figsize=(4.3 * len(kpis), 4.2), layout="constrained")
    axes = fig.subplots(1, len(kpis), squeeze=False)[0]
    for ax, kpi in zip(axes, kpis, strict=True):
        rows = _kpi_rows(summary, kpi)
        k = scale(kpi)
        have = params["scenario"].isin(rows.index).to_numpy()
        for regime in regimes:
            sel = (line == regime).to_numpy() & have
            if sel.any():
                _draw(ax, rows, k, params, pos, sel, marker="o", label=regime if named else None)
        alone = line.isna().to_numpy() & have
        for i in np.flatnonzero(alone):
            one = np.zeros(len(params), dtype=bool)
            one[i] = True
            bar = _draw(
                ax,
                rows,
                k,
                params,
                pos,
                one,
                marker="s",
                mfc="white",
                color="0.35",
                ls="none",
                label=tr("a different regime, not joined", lang),
            )
            y = float(np.asarray(bar.lines[0].get_ydata())[0])
            ax.annotate(
                str(params.loc[int(i), "scenario"]),
                (pos[i], y),
                textcoords="offset points",
                xytext=(6, 6),
                fontsize=7,
                color="0.3",
            )
        if log:
            ax.set_xscale("log")
            ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xticks([t for t, _ in ticks], [s for _, s in ticks], fontsize=8)
        if (~params[param].notna()).any():
            edge = max(xs) * (1.4 if log else 1.0) + (0 if log else (max(xs) - min(xs)) * 0.15)
            ax.axvline(edge, color="0.6", ls=":", lw=1)
        plain_numbers(ax.yaxis)
        ax.set_xlabel(param_label or param)
        ax.set_ylabel(kpi_label(kpi, currency, lang))
        ax.set_title(labels.kpi_name(kpi, lang), fontsize=10)
        ax.grid(alpha=0.3)
    seen: dict[str, Artist] = {}
    for h, lab in zip(*axes[0].get_legend_handles_labels(), strict=True):
        seen.setdefault(lab, h)
    if seen:
        fig.legend(
            list(seen.values()),
            list(seen),
            loc="outside lower center",
            fontsize=8,
            ncols=min(3, len(seen)),
        )
    fig.suptitle(
        tr("What does changing the {param} do to the KPIs? (mean and 95 % interval)", lang).format(
            param=param_label or param
        )
    )
    return fig


# --- the frontier ---------------------------------------------------------------------------


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


VERDICTS = ("baseline", "better", "trade-off", "worse", "no clear difference", "not compared")
VERDICT_STYLE: dict[str, dict[str, Any]] = {
    "baseline": {"marker": "D", "color": "black"},
    "better": {"marker": "o", "color": GOOD},
    "trade-off": {"marker": "o", "color": TRADE},
    "worse": {"marker": "o", "color": LATE},
    "no clear difference": {"marker": "o", "color": NEUTRAL},
    "not compared": {"marker": "o", "color": OK},
}
VERDICT_LABELS = {
    "baseline": "baseline",
    "better": "better than the baseline (95 % paired interval)",
    "trade-off": "better on one axis, worse on the other",
    "worse": "worse than the baseline",
    "no clear difference": "no difference the replications can tell",
    "not compared": "scenario (no paired comparison)",
}


def verdicts(
    comparison: pd.DataFrame | None,
    names: Sequence[str],
    baseline: str | None,
    x_kpi: str = "on_time_rate",
    y_kpi: str = "avg_inventory_value",
) -> dict[str, str]:
    """Each scenario against the baseline on the two axes, from the paired differences of
    ``comparison`` (a difference counts when its 95 % interval excludes zero; a higher
    ``x_kpi`` and a lower ``y_kpi`` are better): ``better`` (better on one or both, worse on
    neither), ``worse``, ``trade-off``, ``no clear difference``; ``baseline`` itself, and
    ``not compared`` without a comparison row."""
    out = {}
    for name in names:
        if name == baseline:
            out[name] = "baseline"
            continue
        signs: list[int] = []
        for kpi, good in ((x_kpi, 1), (y_kpi, -1)):
            r = (
                comparison[(comparison["scenario"] == name) & (comparison["kpi"] == kpi)]
                if comparison is not None
                else pd.DataFrame()
            )
            if r.empty:
                break
            lo, hi = float(r["ci_low"].iloc[0]), float(r["ci_high"].iloc[0])
            signs.append(good if lo > 0 else -good if hi < 0 else 0)
        if len(signs) < 2:  # a KPI without a comparison row
            out[name] = "not compared"
        elif 1 in signs and -1 in signs:
            out[name] = "trade-off"
        elif 1 in signs:
            out[name] = "better"
        elif -1 in signs:
            out[name] = "worse"
        else:
            out[name] = "no clear difference"
    return out


def frontier_figure(
    summary: pd.DataFrame,
    *,
    comparison: pd.DataFrame | None = None,
    currency: str = "CNY",
    baseline: str | None = None,
    x_kpi: str = "on_time_rate",
    x_target: float | None = None,
    lang: Lang = "en",
) -> Figure:
    """Average inventory value against ``x_kpi`` (a rate where higher is better), one named
    point per scenario, coloured by its paired difference from the baseline in
    ``comparison`` (``verdicts``): only a difference whose 95 % interval excludes zero
    counts. ``x_target`` draws the rate a planner must reach."""
    need(summary, "trade-off frontier", ("scenario", "kpi", "mean", "ci_low", "ci_high"))
    rate = _kpi_rows(summary, x_kpi)
    inv = _kpi_rows(summary, "avg_inventory_value")
    names = [n for n in rate.index if n in inv.index]
    if not names:
        raise ValueError(f"trade-off frontier: no scenario has both {x_kpi} and inventory")
    k = scale(x_kpi)
    x = rate.loc[names, "mean"].to_numpy(dtype=float) * k
    y = inv.loc[names, "mean"].to_numpy(dtype=float)
    xerr = np.vstack([x - rate.loc[names, "ci_low"] * k, rate.loc[names, "ci_high"] * k - x])
    yerr = np.vstack([y - inv.loc[names, "ci_low"], inv.loc[names, "ci_high"] - y])
    verdict = verdicts(comparison, names, baseline, x_kpi)
    fig = Figure(figsize=(9, 6), layout="constrained")
    ax = fig.subplots()
    ax.errorbar(
        x,
        y,
        xerr=np.nan_to_num(xerr),
        yerr=np.nan_to_num(yerr),
        fmt="none",
        ecolor="0.82",
        capsize=2,
        label=tr("95 % interval of the mean", lang),
    )
    for v in VERDICTS:
        sel = np.array([verdict[n] == v for n in names])
        if sel.any():
            ax.scatter(
                x[sel],
                y[sel],
                s=46,
                zorder=3,
                label=tr(VERDICT_LABELS[v], lang),
                **VERDICT_STYLE[v],
            )
    order = np.argsort(y, kind="stable")
    for j, i in enumerate(order):
        ax.annotate(
            names[i],
            (x[i], y[i]),
            textcoords="offset points",
            xytext=(7, 7 if j % 2 == 0 else -13),
            fontsize=7,
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "0.85", "alpha": 0.85},
        )
    if x_target is not None:
        target = x_target * k
        ax.axvline(
            target,
            color="0.3",
            ls="--",
            lw=1,
            label=tr("target {target}", lang).format(target=f"{target:g}"),
        )
    plain_numbers(ax.yaxis)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    ax.set_xlabel(kpi_label(x_kpi, currency, lang) + tr(" (right is better)", lang))
    ax.set_ylabel(kpi_label("avg_inventory_value", currency, lang) + tr(" (lower is better)", lang))
    short = labels.kpi_name(x_kpi, lang).split(",")[0]
    ax.set_title(
        tr(
            "Which scenarios hold less stock or serve better than the baseline? "
            "(stock value against {kpi})",
            lang,
        ).format(kpi=short),
        fontsize=11,
    )
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    return fig


# --- paired differences ---------------------------------------------------------------------


def paired_difference_figure(
    comparison: pd.DataFrame,
    kpis: Sequence[str] = ("on_time_rate", "fill_rate", "avg_inventory_value", "mean_lead_time_h"),
    *,
    currency: str = "CNY",
    lang: Lang = "en",
) -> Figure:
    """Each scenario's paired difference from the baseline with its 95 % interval, per KPI."""
    need(
        comparison,
        "paired differences",
        ("scenario", "baseline", "kpi", "mean_diff", "ci_low", "ci_high"),
    )
    kpis = [k for k in kpis if (comparison["kpi"] == k).any()]
    if not kpis:
        raise ValueError("paired differences: none of the KPIs is in the comparison")
    names = list(dict.fromkeys(comparison["scenario"]))
    baseline = str(comparison["baseline"].iloc[0])
    fig = Figure(figsize=(4.0 * len(kpis), 1.8 + 0.35 * len(names)), layout="constrained")
    axes = fig.subplots(1, len(kpis), sharey=True, squeeze=False)[0]
    ypos = np.arange(len(names))[::-1]
    for ax, kpi in zip(axes, kpis, strict=True):
        rows = comparison[comparison["kpi"] == kpi].set_index("scenario").reindex(names)
        k = scale(kpi)
        d = rows["mean_diff"].to_numpy(dtype=float) * k
        lo, hi = rows["ci_low"].to_numpy(dtype=float) * k, rows["ci_high"].to_numpy(dtype=float) * k
        clear = (lo > 0) | (hi < 0)
        colours = [LATE if c else OK for c in clear]
        ax.hlines(ypos, lo, hi, colors=colours, lw=2, label=tr("95 % interval", lang))
        ax.scatter(d, ypos, c=colours, zorder=3, s=22, label=tr("mean difference", lang))
        ax.axvline(0, color="0.3", lw=1)
        plain_numbers(ax.xaxis, ticks=4)
        if kpi in labels.PERCENT:
            unit = tr("percentage points", lang)
        else:
            unit = labels.unit(kpi, lang, currency)
        ax.set_xlabel(
            tr("difference ({unit})", lang).format(unit=unit) if unit else tr("difference", lang)
        )
        ax.set_title(labels.kpi_name(kpi, lang), fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(ypos, names, fontsize=8)
    fig.suptitle(
        tr(
            "How does each scenario differ from the baseline '{baseline}'? "
            "(paired by replication, 95 % interval; red: excludes 0)",
            lang,
        ).format(baseline=baseline)
    )
    return fig


# --- side by side ---------------------------------------------------------------------------


def side_by_side_figure(
    summary: pd.DataFrame,
    kpis: Sequence[str] = ("on_time_rate", "fill_rate"),
    *,
    currency: str = "CNY",
    title: str | None = None,
    lang: Lang = "en",
) -> Figure:
    """Each scenario's mean and 95 % interval, one panel per KPI, scenarios in the summary's
    order from the top (a region's dealers: ``scenario`` the dealer's name)."""
    need(summary, "side by side", ("scenario", "kpi", "mean", "ci_low", "ci_high"))
    kpis = [k for k in kpis if (summary["kpi"] == k).any()]
    if not kpis:
        raise ValueError("side by side: none of the KPIs is in the summary")
    names = list(dict.fromkeys(summary["scenario"]))
    fig = Figure(figsize=(4.2 * len(kpis), 1.6 + 0.4 * len(names)), layout="constrained")
    axes = fig.subplots(1, len(kpis), sharey=True, squeeze=False)[0]
    ypos = np.arange(len(names))[::-1]
    for ax, kpi in zip(axes, kpis, strict=True):
        rows = summary[summary["kpi"] == kpi].set_index("scenario").reindex(names)
        k = scale(kpi)
        mean = rows["mean"].to_numpy(dtype=float) * k
        lo = rows["ci_low"].to_numpy(dtype=float) * k
        hi = rows["ci_high"].to_numpy(dtype=float) * k
        lo, hi = np.where(np.isnan(lo), mean, lo), np.where(np.isnan(hi), mean, hi)
        cut = [labels.clip_interval(kpi, a / k, b / k) for a, b in zip(lo, hi, strict=True)]
        lo, hi = np.array([c[0] * k for c in cut]), np.array([c[1] * k for c in cut])
        ax.hlines(ypos, lo, hi, colors=OK, lw=2.5, label=tr("95 % interval", lang))
        ax.scatter(mean, ypos, color=OK, edgecolor="white", zorder=3, s=40, label=tr("mean", lang))
        for y, m in zip(ypos, mean, strict=True):
            if not np.isnan(m):
                ax.annotate(
                    f"{m:,.4g}", (m, y), xytext=(0, 7), textcoords="offset points",
                    ha="center", fontsize=8,
                )  # fmt: skip
        plain_numbers(ax.xaxis, ticks=5)
        ax.set_xlabel(kpi_label(kpi, currency, lang))
        ax.set_title(labels.kpi_name(kpi, lang), fontsize=10)
        ax.set_ylim(-0.7, len(names) - 0.3)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(ypos, names, fontsize=9)
    axes[-1].legend(fontsize=8, loc="best")
    if title:
        fig.suptitle(title)
    return fig
