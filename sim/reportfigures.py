"""The report's figures with their one-line readings: the batch's comparisons (sweep,
frontier, paired differences) and, per scenario, the trace figures (stock, bays, lateness).
"""

from __future__ import annotations

from collections.abc import Callable

from matplotlib.figure import Figure

from sim import labels, plots
from sim.labels import Lang, tr
from sim.reportdata import (
    Folder,
    busiest_parts,
    calendar_of_yaml,
    find_sweep,
    opening_h,
    space_pools,
    window_h,
)
from sim.reporthtml import esc, img


def _try(
    figures: list[str], notes: list[str], make: Callable[[], Figure], alt: str, caption: str
) -> None:
    try:
        figures.append(img(make(), alt, caption))
    except (ValueError, KeyError) as exc:  # data the figure needs is missing: say so
        notes.append(f"{esc(alt)}: {esc(exc)}")


def batch_figures(folder: Folder, figures: list[str], notes: list[str], lang: Lang = "en") -> None:
    """The sweep (when the scenarios sweep a numeric key), the frontier and the paired
    differences, each with its reading."""
    cur = folder.currency() or "currency"
    sweep = find_sweep({n: folder.scenarios[n] for n in folder.names if n in folder.scenarios})
    if sweep is not None:
        label = labels.param_label(sweep.param, lang, duration=sweep.duration)
        alone = sweep.table["line"].isna().any()
        _try(
            figures,
            notes,
            lambda: plots.sweep_figure(
                folder.summary,
                sweep.table,
                sweep.param,
                param_label=label,
                currency=cur,
                lang=lang,
            ),
            tr("KPIs against the swept parameter", lang),
            tr(
                "Read along each line how the KPI moves with the {param}; bars are 95 % "
                "intervals over replications, so lines whose bars overlap may not differ.",
                lang,
            ).format(param=esc(label))
            + (
                " "
                + tr(
                    "Hollow squares are scenarios defined differently (another regime, or a "
                    "value that is not a number): compare them, but not along the line.",
                    lang,
                )
                if alone
                else ""
            ),
        )
    _try(
        figures,
        notes,
        lambda: plots.frontier_figure(
            folder.summary,
            comparison=folder.comparison,
            currency=cur,
            baseline=folder.baseline,
            lang=lang,
        ),
        tr("trade-off frontier", lang),
        tr(
            "Each named point is a scenario; lower and further right is better. Its colour "
            "says how it differs from the baseline where the paired 95 % interval excludes "
            "zero: green better, red worse, orange better on one axis and worse on the other, "
            "grey no difference the replications can tell.",
            lang,
        ),
    )
    comparison = folder.comparison
    if comparison is not None and not comparison.empty:
        _try(
            figures,
            notes,
            lambda: plots.paired_difference_figure(comparison, currency=cur, lang=lang),
            tr("paired differences against the baseline", lang),
            tr(
                "Read each row as the scenario minus the baseline; red where the 95 % interval "
                "excludes zero (a difference the replications can tell apart).",
                lang,
            ),
        )


def _lateness_reading(folder: Folder, name: str, lang: Lang) -> str:
    scn = folder.scenarios.get(name, {})
    jobs = folder.traces["jobs"]
    jobs = jobs[jobs["scenario"] == name] if "scenario" in jobs.columns else jobs
    try:
        rows = plots.lateness(jobs, window_h(scn), calendar_of_yaml(scn))
        wh = rows["lateness_wh"]
    except (ValueError, KeyError):
        return ""
    if rows.empty:
        return ""
    return tr(
        "{late} of the {n} jobs delivered in the window were late, {over} by more than one "
        "working hour.",
        lang,
    ).format(late=f"{(wh > 0).mean():.1%}", n=f"{len(wh):,}", over=f"{(wh > 1).mean():.1%}")


def _scenario_figures(folder: Folder, name: str, lang: Lang) -> tuple[list[str], list[str]]:
    figures: list[str] = []
    notes: list[str] = []
    traces = folder.traces
    scn = folder.scenarios.get(name, {})
    t0, t1 = window_h(scn)
    calendar = calendar_of_yaml(scn)
    sizes = folder.sizes.get(name)
    parts = busiest_parts(folder, name)
    span = min(t1, t0 + 7 * 24)
    where = f" ({esc(name)})"
    _try(
        figures,
        notes,
        lambda: plots.stock_figure(
            traces["stock"],
            parts,
            traces.get("trucks"),
            catalogue=sizes,
            currency=folder.currency() or "currency",
            scenario=name,
            start_h=t0,
            end_h=span,
            start=scn.get("run", {}).get("start"),
            lang=lang,
        ),
        tr("line-side stock over time", lang) + where,
        tr(
            "First week of the window, replication 0. Read the top panel for what the whole "
            "shelf is worth against its kanban ceiling, the red band for how many stocked "
            "parts are out at once, and the panels below for the three busiest parts' "
            "sawtooth, red where they ran out.",
            lang,
        ),
    )
    _try(
        figures,
        notes,
        lambda: plots.bay_occupancy_figure(
            traces["pools"],
            space_pools(scn),
            (t0, t1),
            calendar=calendar,
            opening=opening_h(scn),
            scenario=name,
            lang=lang,
        ),
        tr("bay occupancy and utilisation", lang) + where,
        tr(
            "Left: the share of each space pool held by hour of day, nights included, so a "
            "car parked overnight shows as occupancy, not work. Right: utilisation (busy "
            "units over open time) beside occupancy; the longest blue bar is the busiest pool.",
            lang,
        ),
    )
    jobs = traces["jobs"]
    jobs = jobs[jobs["scenario"] == name] if "scenario" in jobs.columns else jobs
    _try(
        figures,
        notes,
        lambda: plots.lateness_figure(jobs, (t0, t1), calendar=calendar, lang=lang),
        tr("lateness against promise", lang) + where,
        _lateness_reading(folder, name, lang)
        + " "
        + tr(
            "Lateness counts working hours only, so a night between promise and delivery adds "
            "nothing; bins are finer near the promise.",
            lang,
        ),
    )
    return figures, notes


def trace_sections(folder: Folder, lang: Lang = "en") -> tuple[str, list[str]]:
    """The trace figures of every scenario, one section each (the baseline first), and the
    notes on what could not be drawn."""
    if not folder.traces:
        return "", [
            tr(
                "Stock over time, bay occupancy and lateness need the trace tables: run with "
                "<code>--trace</code>.",
                lang,
            )
        ]
    names = folder.names
    if folder.baseline in names:
        names = [folder.baseline, *(n for n in names if n != folder.baseline)]
    html, notes = "", []
    several = len(names) > 1
    for name in names:
        figures, missing = _scenario_figures(folder, name, lang)
        notes += missing
        if several:
            mark = f" ({tr('baseline', lang)})" if name == folder.baseline else ""
            html += f"<h3>{esc(name)}{mark}</h3>"
        html += "\n".join(figures)
    return html, notes
