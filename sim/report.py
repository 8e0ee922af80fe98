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

from sim import plots
from sim.labels import Lang, tr
from sim.reportdata import (
    Folder,
    ReportError,
    bottleneck,
    breakdown_means,
    read_folder,
    waiting_parts,
)
from sim.reportfigures import batch_figures, trace_sections
from sim.reporthtml import STYLE
from sim.reporthtml import esc as _esc
from sim.reporthtml import fmt as _fmt
from sim.reporthtml import img as _img
from sim.reporthtml import note as _note
from sim.reporthtml import table as _table

REPORT_FILE = "report.html"
WAITING_PARTS = 10  # rows of the "parts that made jobs wait longest" table per scenario
HEADLINE_KPIS = (
    "on_time_rate",
    "mean_lead_time_h",
    "fill_rate",
    "avg_inventory_value",
    "emergency_orders",
    "revenue",
)
POOL_LABELS = {
    "utilization": "utilization",
    "occupancy": "occupancy (units)",
    "mean_wait_h": "mean wait (h)",
}
JOB_TYPE_LABELS = {
    "jobs_delivered": "jobs delivered",
    "on_time_rate": "on-time rate",
    "mean_lead_time_h": "mean lead time (h)",
    "mean_promise_h": "mean promise (h)",
    "mean_wait_h": "mean wait for the first operation (h)",
    "revenue": "revenue",
}
# --- sections -------------------------------------------------------------------------------


def _scenarios_section(folder: Folder) -> str:
    entries = {e.get("name"): e for e in folder.manifest.get("scenarios", [])}
    rows = []
    for name in folder.names:
        e = entries.get(name, {})
        scn = folder.scenarios.get(name, {})
        mark = " (baseline)" if name == folder.baseline else ""
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
    header = ["scenario", "replications", "horizon", "warm-up", "seed", "hash", "description"]
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
            text += "<p>What each scenario of the batch sets:</p>" + _table(
                ["scenario", *keys], srows
            )
    return "<h2>Scenarios</h2>" + text


def _kpi_section(folder: Folder) -> str:
    summary = folder.summary
    # Scorecard rows of summary.csv have their own section below.
    summary = summary[~summary["kpi"].astype(str).str.startswith("scorecard_")]
    kpis = list(dict.fromkeys(summary["kpi"]))
    names = folder.names
    cells: dict[tuple[str, str], str] = {}
    for kpi in kpis:
        block = summary[summary["kpi"] == kpi].set_index("scenario").reindex(names)
        means = _fmt(block["mean"])
        lows = _fmt(block["ci_low"])
        highs = _fmt(block["ci_high"])
        for i, name in enumerate(names):
            n = block["n"].iloc[i]
            if not means[i]:
                cells[(kpi, name)] = "" if pd.isna(n) else f"<small>undefined (n={int(n)})</small>"
            elif lows[i]:
                cells[(kpi, name)] = f"{means[i]}<br><small>[{lows[i]}, {highs[i]}]</small>"
            else:
                cells[(kpi, name)] = f"{means[i]}<br><small>n={int(n)}</small>"
    rows = [[_esc(kpi), *(cells[(kpi, n)] for n in names)] for kpi in kpis]
    n_reps = summary.groupby("scenario")["n"].max().reindex(names)
    caption = (
        "<p>Mean over replications and, below it, the 95 % confidence interval (Student t). "
        "Rates are fractions (0.95 = 95 %), times in hours, money in "
        f"{_esc(folder.currency() or 'the scenario currency')}. Replications: "
        + ", ".join(f"{_esc(n)} {int(v)}" for n, v in n_reps.items() if not pd.isna(v))
        + ". Every number is in <code>summary.csv</code>.</p>"
    )
    return "<h2>KPIs with 95 % intervals</h2>" + caption + _table(["kpi", *names], rows, raw=True)


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

    title = "<h2>Monthly after-sales scorecard</h2>"
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
    labels = {
        "total": f"mean total (of {top:g})",
        "total_before_vetoes": "mean total before vetoes",
        "vetoed": "P(month vetoed)",
    }
    header = ["scenario", "months", *(labels.get(m, f"P({m[5:]} fires)") for m in measures)]
    text = (
        "<p>Each replication's measurement window is cut into 30-day months, each scored "
        "against the scenario's targets. A month is vetoed when any veto rule fires; a "
        "card-level veto zeroes its total. Probabilities are the share of months, averaged "
        "per replication, with 95 % intervals over replications.</p>"
        + _table(header, rows, raw=True)
    )
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


def _comparison_section(folder: Folder) -> str:
    comp = folder.comparison
    if comp is None or comp.empty:
        return ""
    baseline = str(comp["baseline"].iloc[0])
    names = list(dict.fromkeys(comp["scenario"]))
    kpis = [k for k in HEADLINE_KPIS if (comp["kpi"] == k).any()]
    rows = []
    for name in names:
        block = comp[comp["scenario"] == name].set_index("kpi")
        row = [_esc(name)]
        for kpi in kpis:
            r = block.loc[kpi]
            diff, lo, hi = _fmt([r["mean_diff"], r["ci_low"], r["ci_high"]])
            sig = not pd.isna(r["ci_low"]) and (r["ci_low"] > 0 or r["ci_high"] < 0)
            band = f"<br><small>[{lo}, {hi}]</small>" if lo else ""
            cell = f"{diff}{band}" if diff else ""
            row.append(f'<b class="sig">{cell}</b>' if sig else cell)
        rows.append(row)
    return (
        f"<h2>Comparison with the baseline {_esc(baseline)}</h2>"
        "<p>Scenario − baseline, paired replication by replication (common random numbers: "
        "replication r of every scenario sees the same cars and jobs), with the 95 % interval "
        "of the paired differences. <b class='sig'>Bold red</b>: the interval excludes 0. "
        "Every KPI is in "
        "<code>comparison.csv</code>.</p>" + _table(["scenario", *kpis], rows, raw=True)
    )


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


def _parts_section(folder: Folder) -> str:
    """Per scenario, the parts with the most job-hours waited for them (``parts.csv``)."""
    if folder.parts is None:
        return ""
    numbers = ("lines", "fill_rate", "stockout_events", "parts_wait_h", "emergency_orders")
    header = ["part_no", "stocked", "size", *numbers]
    text = ""
    for name in folder.names:
        top = waiting_parts(folder, name, WAITING_PARTS)
        every = folder.parts[folder.parts["scenario"] == name]
        mark = " (baseline)" if name == folder.baseline else ""
        text += f"<h3>{_esc(name)}{mark}</h3>"
        if top.empty:
            text += f"<p>No job waited for a part ({len(every)} parts in the catalogue).</p>"
            continue
        cells = {c: _fmt(top[c]) for c in numbers}
        rows = [
            [
                str(top["part_no"].iloc[i]),
                "yes" if bool(top["stocked"].iloc[i]) else "no",
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
    return (
        "<h2>Parts that made jobs wait longest</h2>"
        "<p>The parts with the most job-hours waited for them (<code>parts_wait_h</code>: "
        "from a job's first operation's start to the issue of the part's last missing unit), "
        "means over replications; size is the policy size used, and an emergency order for k "
        "lines counts 1/k for each of its parts. Every part is in <code>parts.csv</code>.</p>"
        + text
    )


def _pools_table(folder: Folder, name: str, means: pd.DataFrame, top: str | None) -> str:
    """Every pool of the scenario, busiest first, with its size from the resolved scenario."""
    if "utilization" in means.columns:
        means = means.sort_values("utilization", ascending=False, kind="stable")
    kpis = [k for k in means.columns if k in POOL_LABELS] + [
        k for k in means.columns if k not in POOL_LABELS
    ]
    sizes = (folder.scenarios.get(name) or {}).get("resources") or {}
    cells = {k: _fmt(means[k]) for k in kpis}
    rows = [
        [
            f"{pool} (bottleneck)" if pool == top else str(pool),
            str(sizes.get(pool, "")),
            *(cells[k][i] for k in kpis),
        ]
        for i, pool in enumerate(means.index)
    ]
    return _table(["pool", "size", *(POOL_LABELS.get(k, k) for k in kpis)], rows)


def _job_types_table(means: pd.DataFrame) -> str:
    """The job types side by side: one column each, one row per figure."""
    rows = [
        [JOB_TYPE_LABELS.get(k, k), *_fmt(means[k])]
        for k in means.columns  # the file's order
    ]
    return _table(["", *(str(t) for t in means.index)], rows)


def _breakdown_section(folder: Folder) -> str:
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
        mark = " (baseline)" if name == folder.baseline else ""
        text += f"<h3>{_esc(name)}{mark}</h3>"
        top = bottleneck(folder, name)
        if top is not None:
            mean, lo, hi = _fmt([top["mean"], top["ci_low"], top["ci_high"]])
            band = f" (95 % interval [{lo}, {hi}])" if lo else ""
            text += (
                f"<p>Bottleneck: <b>{_esc(top.name)}</b>, the pool with the highest "
                f"utilization, {mean}{band}.</p>"
            )
        if not pools.empty:
            text += _pools_table(folder, name, pools, None if top is None else str(top.name))
        if not types.empty:
            text += _job_types_table(types)
    if not text:
        return ""
    return (
        "<h2>Pools and job types</h2>"
        "<p>Means over replications. A pool's utilization is its busy unit-time over its "
        "size × the working time of the window (as <code>bay_utilization</code>, per pool); "
        "occupancy is the time-average units held over elapsed time, nights included (a car "
        "left in a bay overnight counts); the mean wait runs from joining the pool's queue "
        "to the grant, over the operations (rework included) that take it as their first "
        "pool. A job type's figures are the KPIs of the same name over its jobs; its wait "
        "runs from the end of reception to holding every pool of the first operation. "
        "Intervals are in <code>breakdown.csv</code>.</p>" + text
    )


def build_report(folder: Folder, lang: Lang = "en") -> str:
    """The report's HTML (figures and their readings in ``lang``)."""
    figures: list[str] = []
    notes: list[str] = []
    scorecard = _scorecard_section(folder, figures, lang)
    score_figs, figures = figures, []
    if len(folder.names) > 1:
        batch_figures(folder, figures, notes, lang)
    traces, trace_notes = trace_sections(folder, lang)
    notes += trace_notes
    if traces and len(folder.names) > 1:
        traces = "<h2>" + tr("Each scenario from its trace", lang) + "</h2>" + traces
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
    body = [
        f"<h1>Simulation report: {_esc(folder.title)}</h1>",
        f'<p class="meta">{meta}</p>',
        _scenarios_section(folder),
        _kpi_section(folder),
        scorecard,
        *score_figs,
        _comparison_section(folder),
        _breakdown_section(folder),
        _parts_section(folder),
        "<h2>Figures</h2>" if figures or notes or (traces and len(folder.names) == 1) else "",
        *figures,
        traces,
        *(_note(n) for n in notes),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_esc(folder.title)}: simulation report</title><style>{STYLE}</style></head>"
        "<body>\n" + "\n".join(b for b in body if b) + "\n</body></html>\n"
    )


def write_report(results_dir: str | Path) -> Path:
    """Write ``results_dir/report.html`` atomically and return its path."""
    from sim.results import write_atomic

    folder = read_folder(results_dir)
    text = build_report(folder)
    path = folder.path / REPORT_FILE
    write_atomic(path, text)
    return path


def report_command(results_dir: str) -> int:
    """``run_sim.py report DIR``: 0 and the report's path, or 2 and one ``error:`` line."""
    try:
        path = write_report(results_dir)
    except ReportError as exc:
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    print(f"report: {path}")
    return 0
