"""``run_sim.py report DIR``: one self-contained ``DIR/report.html`` for a results folder.

The page holds the scenarios, the KPI table with 95 % intervals, the scorecard summary, the
comparison with the baseline, the pools and job types, the parts that made jobs wait and the
figures of ``sim.plots``, each embedded as a ``data:image/png;base64`` image: nothing is
loaded from the network, so the file can be mailed or archived as it is. It is written
atomically. A figure whose data the folder lacks (trace tables without ``--trace``,
scorecards without targets) is left out with a note saying how to get it.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from sim import labels, plots
from sim.fonts import cjk_font_face
from sim.labels import Lang, tr
from sim.optreport import optimize_section
from sim.readout import HEADLINE_KPIS as ANSWER_KPIS
from sim.readout import answers, clipped_note
from sim.regionreport import (
    dealer_anchor,
    dealer_names,
    dealer_view,
    demote,
    overview_section,
    region_names,
)
from sim.reportdata import (
    Folder,
    ReportError,
    bottleneck,
    breakdown_means,
    read_folder,
    waiting_parts,
)
from sim.reportfigures import batch_figures, trace_sections
from sim.reporthtml import STYLE, interval_rows
from sim.reporthtml import esc as _esc
from sim.reporthtml import fmt as _fmt
from sim.reporthtml import img as _img
from sim.reporthtml import note as _note
from sim.reporthtml import shown as _shown
from sim.reporthtml import table as _table

REPORT_FILE = "report.html"
WAITING_PARTS = 10  # rows of the "parts that made jobs wait longest" table per scenario
HEADLINE_KPIS = (*ANSWER_KPIS, "revenue")  # the answer per scenario (sim.readout)
POOL_KPIS = ("utilization", "occupancy", "mean_wait_h")


# --- sections -------------------------------------------------------------------------------


def _scenarios_section(folder: Folder, lang: Lang = "en") -> str:
    entries = {e.get("name"): e for e in folder.manifest.get("scenarios", [])}
    rows = []
    for name in folder.names:
        e = entries.get(name, {})
        scn = folder.scenarios.get(name, {})
        mark = f" ({tr('baseline', lang)})" if name == folder.baseline else ""
        rows.append(
            [
                f"{name}{mark}",
                str(len(e.get("replications", []))),
                str(e.get("horizon", "")),
                str(e.get("warmup", "")),
                str(e.get("seed", "")),
                str(e.get("hash", ""))[:12],
                " ".join(str(scn.get("description", "") or "").split()),
            ]
        )
    header = [
        tr(h, lang)
        for h in ("scenario", "replications", "horizon", "warm-up", "seed", "hash", "description")
    ]
    text = ""
    descriptions = {r[-1] for r in rows}
    if len(rows) > 1 and len(descriptions) == 1:
        text = f"<p>{_esc(descriptions.pop())}</p>" if rows[0][-1] else ""
        header, rows = header[:-1], [r[:-1] for r in rows]
    text += _table(header, rows)
    settings = folder.manifest.get("settings")
    if isinstance(settings, dict) and settings:
        keys = list(dict.fromkeys(k for s in settings.values() for k in s))
        keys = [k for k in keys if not k.startswith("run.")]
        if keys:
            srows = [
                [n, *(str(settings.get(n, {}).get(k, "")) for k in keys)] for n in folder.names
            ]
            text += f"<p>{tr('What each scenario of the batch sets:', lang)}</p>" + _table(
                [tr("scenario", lang), *keys], srows
            )
    return f"<h2>{tr('Scenarios', lang)}</h2>" + text


def _kpi_section(folder: Folder, lang: Lang = "en") -> str:
    summary = folder.summary
    # Scorecard rows of summary.csv have their own section below.
    summary = summary[~summary["kpi"].astype(str).str.startswith("scorecard_")]
    kpis = list(dict.fromkeys(summary["kpi"]))
    names = folder.names
    currency = folder.currency() or "CNY"
    rows = interval_rows(summary, kpis, names, lang, currency)
    n_reps = summary.groupby("scenario")["n"].max().reindex(names)
    caption = "<p>" + tr(
        "Mean over replications and, below it, the 95 % confidence interval (Student t), cut "
        "to what the KPI can be. Rates in per cent (the CSV files keep fractions: 0.95), times "
        "in hours, money in {currency}. Replications: {reps}. Every number is in "
        "<code>summary.csv</code>, under the KPI's id.",
        lang,
    ).format(
        currency=_esc(currency),
        reps=", ".join(f"{_esc(n)} {int(v)}" for n, v in n_reps.items() if not pd.isna(v)),
    )
    caption += "</p>"
    cut = clipped_note(list(summary.itertuples(index=False, name=None)), lang)
    if cut:
        caption += f"<p><small>{_esc(cut)}</small></p>"
    return (
        f"<h2>{tr('KPIs with 95 % intervals', lang)}</h2>"
        + caption
        + _table([tr("KPI", lang), *names], rows, raw=True)
    )


MONTH_DAYS = 30  # a scorecard month (sim.scorecard)


def _no_months_note(folder: Folder, lang: Lang = "en") -> str:
    """Why the folder has no scored month: the window is shorter than a scorecard month,
    or no scenario has scorecard targets."""
    from sim.reportdata import window_h

    targeted = {
        n: s for n, s in folder.scenarios.items() if (s.get("scorecard") or {}).get("targets")
    }
    if targeted:
        days = min((window_h(s)[1] - window_h(s)[0]) / 24 for s in targeted.values())
        if not days >= MONTH_DAYS:  # NaN (no horizon) says so too
            return tr(
                "No month was scored: the measurement window ({days} days) is shorter than a "
                "scorecard month ({month} days). Run with <code>--horizon {month}d</code> or "
                "longer to score the scenario's targets.",
                lang,
            ).format(days=f"{days:g}", month=MONTH_DAYS)
        return tr("No month was scored (<code>scorecards.csv</code> has no rows).", lang)
    return tr(
        "No <code>scorecards.csv</code> in this folder: give the scenario "
        "<code>scorecard: {targets: ...}</code> to score every simulated month.",
        lang,
    )


def _scorecard_section(folder: Folder, figures: list[str], lang: Lang = "en") -> str:
    from sim.scorecard import scorecard_summary

    title = f"<h2>{tr('Monthly after-sales scorecard', lang)}</h2>"
    frame = folder.scorecards
    if frame is None or frame.empty:
        return title + _note(_no_months_note(folder, lang))
    summary = scorecard_summary(frame)
    top = float(frame["max_total"].max())
    measures = list(dict.fromkeys(m for m in summary["measure"] if not m.endswith("_score")))
    rows = []
    for name in folder.names:
        block = summary[summary["scenario"] == name].set_index("measure")
        if block.empty:
            continue
        row = [_esc(name), str(int(block["months"].max()))]
        for m in measures:
            if m not in block.index or pd.isna(block.loc[m, "mean"]):
                row.append("")
                continue
            r = block.loc[m]
            pct = m == "vetoed" or m.startswith("veto_")
            k, unit = (100.0, " %") if pct else (1.0, "")
            lo, hi = r["ci_low"] * k, r["ci_high"] * k
            band = "" if pd.isna(lo) else f"<br><small>[{lo:.1f}, {hi:.1f}]</small>"
            row.append(f"{r['mean'] * k:.1f}{unit}{band}")
        rows.append(row)
    names = {
        "total": tr("mean total (of {top})", lang).format(top=f"{top:g}"),
        "total_before_vetoes": tr("mean total before vetoes", lang),
        "vetoed": tr("P(month vetoed)", lang),
    }
    header = [
        tr("scenario", lang),
        tr("months", lang),
        *(names.get(m, tr("P({rule} fires)", lang).format(rule=m[5:])) for m in measures),
    ]
    intro = tr(
        "Each replication's measurement window is cut into 30-day months, each scored "
        "against the scenario's targets. A month is vetoed when any veto rule fires; a "
        "card-level veto zeroes its total. Probabilities are the share of months, averaged "
        "per replication, with 95 % intervals over replications.",
        lang,
    )
    text = f"<p>{intro}</p>" + _table(header, rows, raw=True)
    try:
        fig = plots.scorecard_totals_figure(frame, lang=lang)
        figures.append(
            _img(
                fig,
                tr("monthly scorecard totals", lang),
                tr(
                    "Each point is one simulated month of one replication; red crosses are "
                    "vetoed months (a card-level veto scores 0), the black line the mean, the "
                    "dotted line the most a month can score. Read the gap between the mean "
                    "before vetoes and the mean as what the vetoes cost.",
                    lang,
                ),
            )
        )
    except ValueError as exc:
        text += _note(_esc(exc))
    return title + text


def _comparison_section(folder: Folder, lang: Lang = "en") -> str:
    """Per scenario, the short answer against the baseline (``sim.readout.answers``): each
    headline KPI's change in its unit, its 95 % interval, and whether that excludes 0."""
    comp = folder.comparison
    if comp is None or comp.empty:
        return ""
    baseline = str(comp["baseline"].iloc[0])
    found = answers(comp, HEADLINE_KPIS, lang, folder.currency() or "CNY")
    text = ""
    header = [tr(h, lang) for h in ("KPI", "change", "95% interval", "real difference")]
    for name, (_base, rows) in found.items():
        cells = [
            [
                _esc(a.name),
                f'<b class="sig">{_esc(a.change)}</b>' if a.real else _esc(a.change),
                _esc(a.interval),
                tr("yes", lang) if a.real else tr("no", lang),
            ]
            for a in rows
        ]
        head = tr("{scenario} against {baseline}:", lang).format(scenario=name, baseline=baseline)
        text += f"<h3>{_esc(head)}</h3>" + _table(header, cells, raw=True)
    intro = tr(
        "Scenario − baseline, paired replication by replication (common random numbers: "
        "replication r of every scenario sees the same cars and jobs), with the 95 % interval "
        "of the paired differences; rates change in percentage points, other KPIs in their "
        "unit with the change relative to the baseline. <b class='sig'>Bold red</b>: the "
        "interval excludes 0, a real difference; otherwise the difference is within the "
        "noise. Every KPI is in <code>comparison.csv</code>.",
        lang,
    )
    title = tr("Comparison with the baseline {baseline}", lang).format(baseline=_esc(baseline))
    return f"<h2>{title}</h2><p>{intro}</p>" + text


def _size_text(row: pd.Series) -> str:
    """A part's policy size as words: ``12 cards``, ``up to 40``, ``point 5, qty 20``."""

    def whole(column: str) -> str:
        value = row.get(column)
        return "" if value is None or pd.isna(value) else f"{int(value):d}"

    if whole("cards"):
        n = whole("cards")
        return f"{n} card" if n == "1" else f"{n} cards"
    if whole("level"):
        return f"up to {whole('level')}"
    if whole("point") or whole("qty"):
        return f"point {whole('point')}, qty {whole('qty')}"
    return "–"


def _parts_section(folder: Folder, lang: Lang = "en") -> str:
    """Per scenario, the parts with the most job-hours waited for them (``parts.csv``)."""
    if folder.parts is None:
        return ""
    numbers = ("lines", "fill_rate", "stockout_events", "parts_wait_h", "emergency_orders")
    header = [
        tr("part number", lang),
        tr("stocked", lang),
        tr("size", lang),
        *(labels.kpi_label(c, lang) if c in labels.KPIS else tr(c, lang) for c in numbers),
    ]
    text = ""
    for name in folder.names:
        top = waiting_parts(folder, name, WAITING_PARTS)
        every = folder.parts[folder.parts["scenario"] == name]
        mark = f" ({tr('baseline', lang)})" if name == folder.baseline else ""
        text += f"<h3>{_esc(name)}{mark}</h3>"
        if top.empty:
            text += f"<p>No job waited for a part ({len(every)} parts in the catalogue).</p>"
            continue
        cells = {c: _fmt(_shown(c, top[c])) for c in numbers}
        rows = [
            [
                str(top["part_no"].iloc[i]),
                tr("yes", lang) if bool(top["stocked"].iloc[i]) else tr("no", lang),
                _size_text(top.iloc[i]),
                *(cells[c][i] for c in numbers),
            ]
            for i in range(len(top))
        ]
        waited = int((every["parts_wait_h"] > 0).sum())
        shown = f"All {waited}" if waited == len(top) else f"The top {len(top)} of the {waited}"
        text += (
            f"<p>{shown} parts that made a job wait, of {len(every):,} in the catalogue.</p>"
            + _table(header, rows, text=3)
        )
    intro = tr(
        "The parts with the most job-hours waited for them (<code>parts_wait_h</code>: "
        "from a job's first operation's start to the issue of the part's last missing unit), "
        "means over replications; size is the policy size used, and an emergency order for k "
        "lines counts 1/k for each of its parts. Every part is in <code>parts.csv</code>.",
        lang,
    )
    return f"<h2>{tr('Parts that made jobs wait longest', lang)}</h2><p>{intro}</p>" + text


def _pools_table(
    folder: Folder, name: str, means: pd.DataFrame, top: str | None, lang: Lang = "en"
) -> str:
    """Every pool of the scenario, busiest first, with its size from the resolved scenario."""
    if "utilization" in means.columns:
        means = means.sort_values("utilization", ascending=False, kind="stable")
    kpis = [k for k in means.columns if k in POOL_KPIS] + [
        k for k in means.columns if k not in POOL_KPIS
    ]
    sizes = (folder.scenarios.get(name) or {}).get("resources") or {}
    cells = {k: _fmt(_shown(k, means[k])) for k in kpis}
    rows = [
        [
            f"{pool} ({tr('bottleneck', lang)})" if pool == top else str(pool),
            str(sizes.get(pool, "")),
            *(cells[k][i] for k in kpis),
        ]
        for i, pool in enumerate(means.index)
    ]
    header = [tr("pool", lang), tr("size", lang), *(labels.kpi_label(k, lang) for k in kpis)]
    return _table(header, rows)


def _job_types_table(means: pd.DataFrame, lang: Lang = "en", currency: str = "CNY") -> str:
    """The job types side by side: one column each, one row per figure."""
    rows = [
        [labels.kpi_label(k, lang, currency), *_fmt(_shown(k, means[k]))]
        for k in means.columns  # the file's order
    ]
    return _table(["", *(str(t) for t in means.index)], rows)


def _breakdown_section(folder: Folder, lang: Lang = "en") -> str:
    """Per scenario, the bottleneck pool and every pool, then the job types side by side
    (``breakdown.csv``)."""
    if folder.breakdown is None:
        return ""
    text = ""
    for name in folder.names:
        pools = breakdown_means(folder, name, "pool")
        types = breakdown_means(folder, name, "job_type")
        if pools.empty and types.empty:
            continue
        mark = f" ({tr('baseline', lang)})" if name == folder.baseline else ""
        text += f"<h3>{_esc(name)}{mark}</h3>"
        top = bottleneck(folder, name)
        if top is not None:
            mean, lo, hi = _fmt([top["mean"] * 100, top["ci_low"] * 100, top["ci_high"] * 100])
            band = f" (95 % [{lo}, {hi}])" if lo else ""
            text += (
                "<p>"
                + tr(
                    "Bottleneck: <b>{pool}</b>, the pool with the highest utilisation, "
                    "{mean} %{band}.",
                    lang,
                ).format(pool=_esc(top.name), mean=mean, band=band)
                + "</p>"
            )
        if not pools.empty:
            busiest = None if top is None else str(top.name)
            text += _pools_table(folder, name, pools, busiest, lang)
        if not types.empty:
            text += _job_types_table(types, lang, folder.currency() or "CNY")
    if not text:
        return ""
    intro = tr(
        "Means over replications. A pool's utilization is its busy unit-time over its "
        "size × the working time of the window (as <code>bay_utilization</code>, per pool); "
        "occupancy is the time-average units held over elapsed time, nights included (a car "
        "left in a bay overnight counts); the mean wait runs from joining the pool's queue "
        "to the grant, over the operations (rework included) that take it as their first "
        "pool. A job type's figures are the KPIs of the same name over its jobs; its wait "
        "runs from the end of reception to holding every pool of the first operation. "
        "Intervals are in <code>breakdown.csv</code>.",
        lang,
    )
    return f"<h2>{tr('Pools and job types', lang)}</h2><p>{intro}</p>" + text


def report_sections(folder: Folder, lang: Lang = "en", traces: bool = True) -> list[str]:
    """The report's sections after its title, each an HTML string ("" when it has nothing).
    ``traces``: say how to get the trace figures when the folder has none (a region's
    dealers cannot have them)."""
    figures: list[str] = []
    notes: list[str] = []
    scorecard = _scorecard_section(folder, figures, lang)
    score_figs, figures = figures, []
    if len(folder.names) > 1:
        batch_figures(folder, figures, notes, lang)
    trace_html, trace_notes = trace_sections(folder, lang) if traces or folder.traces else ("", [])
    notes += trace_notes
    if trace_html and len(folder.names) > 1:
        trace_html = "<h2>" + tr("Each scenario from its trace", lang) + "</h2>" + trace_html
    return [
        _scenarios_section(folder, lang),
        optimize_section(folder, lang),  # an optimize folder's answer, path and classes
        _kpi_section(folder, lang),
        scorecard,
        *score_figs,
        _comparison_section(folder, lang),
        _breakdown_section(folder, lang),
        _parts_section(folder, lang),
        f"<h2>{tr('Figures', lang)}</h2>"
        if figures or notes or (trace_html and len(folder.names) == 1)
        else "",
        *figures,
        trace_html,
        *(_note(n) for n in notes),
    ]


def _meta(folder: Folder) -> str:
    """The line under the title: package, commit, run, command, when the report was written."""
    m = folder.manifest
    git = m.get("git") or {}
    package = m.get("package") or {}
    meta = (
        f"{_esc(package.get('name', ''))} {_esc(package.get('version', ''))}"
        + (f", commit {_esc(str(git.get('commit'))[:12])}" if git.get("commit") else "")
        + (" (uncommitted changes)" if git.get("dirty") else "")
        + f"; run finished {_esc(m.get('finished', ''))}; command: <code>"
        + _esc(" ".join(m.get("command", [])))
        + "</code>; report written "
        + datetime.now(UTC).isoformat(timespec="seconds")
    )
    return f'<p class="meta">{meta}</p>'


def _region_body(folder: Folder, regions: list[str], lang: Lang) -> list[str]:
    """A region's report: per region its overview, then one section per dealer built as a
    single scenario's report of the dealer's rows (``sim.regionreport.dealer_view``)."""
    title = ", ".join(regions)
    body = [f"<h1>{tr('Region report', lang)}: {_esc(title)}</h1>", _meta(folder)]
    for region in regions:
        views = [dealer_view(folder, region, d) for d in dealer_names(folder, region)]
        body.append(overview_section(folder, region, lang))
        for view in views:
            (dealer,) = view.names
            head = tr("Dealer {dealer}", lang).format(dealer=_esc(dealer))
            if len(regions) > 1:
                head += f" ({_esc(region)})"
            sections = report_sections(view, lang, traces=False)
            body.append(f'<h2 id="{dealer_anchor(region, dealer)}">{head}</h2>')
            body += [demote(s) for s in sections if s]
    return body


def build_report(folder: Folder, lang: Lang = "en") -> str:
    """The report's HTML (figures and their readings in ``lang``); a region's folder gives
    the region overview and one section per dealer."""
    regions = region_names(folder)
    if regions:
        body = _region_body(folder, regions, lang)
        title = f"region {', '.join(regions)}"
    else:
        body = [
            f"<h1>{tr('Simulation report', lang)}: {_esc(folder.title)}</h1>",
            _meta(folder),
            *report_sections(folder, lang),
        ]
        title = folder.title
    content = "\n".join(b for b in body if b)
    face = cjk_font_face(content)  # Chinese text: its glyphs travel with the page
    return (
        f'<!DOCTYPE html>\n<html lang="{"zh-Hans" if lang == "zh" else "en"}"><head>'
        '<meta charset="utf-8">'
        f"<title>{_esc(title)}: {tr('simulation report', lang)}</title>"
        f"<style>{face}{STYLE}</style></head>"
        "<body>\n" + content + "\n</body></html>\n"
    )


def write_report(results_dir: str | Path, lang: Lang = "en") -> Path:
    """Write ``results_dir/report.html`` (in ``lang``) atomically and return its path."""
    from sim.results import write_atomic

    folder = read_folder(results_dir)
    text = build_report(folder, lang)
    path = folder.path / REPORT_FILE
    write_atomic(path, text)
    return path


def report_command(results_dir: str, lang: Lang = "en") -> int:
    """``run_sim.py report DIR``: 0 and the report's path, or 2 and one ``error:`` line."""
    try:
        path = write_report(results_dir, lang)
    except ReportError as exc:
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    print(f"report: {path}")
    return 0
